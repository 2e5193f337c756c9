package ingest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// planted are personal values that must never appear in any output.
var planted = []string{"11010119900101888X", "110101199001018881", "110101900101888", "张三丰", "李四", "欧阳娜娜"}

// csvBase gives, per file, a valid header and row of the valid dataset.
var csvBase = map[string][2]string{
	"psn.csv":       {"psn_no,gend,brdy,insutype,psn_name,certno,insuplc_admdvs,die_date", "P001,1,1980-01-15,310,张三,110101198001150011,421003,"},
	"fixmedins.csv": {"fixmedins_code,fixmedins_name,fixmedins_type,hosp_lv,admdvs,bed_cnt,lat,lon", "H001,荆州市中心医院,1,三级,421003,800,30.33,112.24"},
	"staff.csv":     {"fixmedins_code,dr_code,dr_name,dept_code,prof", "H001,D421003007628,刘医生,A01,doctor"},
	"catalog.csv":   {"med_list_codg,med_list_name,list_type,lmt_gend,lmt_age_min,lmt_age_max,max_days,pric_uplmt_amt", "XA01,阿莫西林胶囊,101,,,,7,12.50"},
	"mdtrt.csv": {"mdtrt_id,setl_id,psn_no,fixmedins_code,med_type,begntime,endtime,atddr_no,dise_codg,dise_name,medfee_sumamt,fund_pay_sumamt,mdtrt_cert_type,refd_setl_flag",
		"V001,S001,P001,C001,11,2024-03-01 09:00:00,,D421003007628,J06.9,急性感染,100.00,60.00,01,0"},
	"fee_list.csv": {"feedetl_sn,mdtrt_id,med_list_codg,med_list_name,list_type,cnt,pric,det_item_fee_sumamt,fee_ocur_time,bilg_dr_codg,prd_days,drug_trac_codg",
		"1,V001,XA01,阿莫西林胶囊,101,2,12.5,25.00,2024-03-01 09:10:00,D421003007628,7,TRC0001"},
}

// plantedFile returns the text of file with, for every column and planted
// value, a row holding the value in that column and a row shifted right
// from that column (the value inserted, the last field dropped), after the
// valid row.
func plantedFile(name string) string {
	base := csvBase[name]
	fields := strings.Split(base[1], ",")
	var b strings.Builder
	b.WriteString(base[0] + "\n" + base[1] + "\n")
	for j := range fields {
		for _, v := range planted {
			row := append([]string(nil), fields...)
			row[j] = v
			b.WriteString(strings.Join(row, ",") + "\n")
			shifted := append(append(append([]string(nil), fields[:j]...), v), fields[j:len(fields)-1]...)
			b.WriteString(strings.Join(shifted, ",") + "\n")
			// And one row with the value padded by spaces and a
			// trailing field too many.
			b.WriteString(strings.Join(row, ",") + ", " + v + " \n")
		}
	}
	return b.String()
}

// TestNoPersonalDataInOutputs plants ID numbers and names in every column of
// every file, in place and shifted, and checks that neither rejects nor
// errors (strict mode, file by file) nor the reports carry them.
func TestNoPersonalDataInOutputs(t *testing.T) {
	edits := map[string][]byte{"staff.csv.gz": nil, "catalog.jsonl": nil}
	for name := range csvBase {
		edits[name] = []byte(plantedFile(name))
	}
	dir := copyValid(t, edits)
	var out bytes.Buffer
	rw := NewRejectWriter(&out)
	res, err := Load(context.Background(), dir, Options{Workers: 2}, rw.Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<18 chars: 17 digits + X>") || !strings.Contains(out.String(), "<3 CJK chars>") {
		t.Errorf("no shapes in rejects:\n%s", out.String())
	}
	fmt.Fprintf(&out, "%+v\n", res.Files)
	// Strict mode stops at the first reject of each file in turn.
	for name := range csvBase {
		ed := map[string][]byte{"staff.csv.gz": nil, "catalog.jsonl": nil}
		for n := range csvBase {
			base := csvBase[n]
			ed[n] = []byte(base[0] + "\n" + base[1] + "\n")
		}
		ed[name] = edits[name]
		for skip := 0; skip < 3; skip++ {
			// Strict errors for the first rows of the planted file;
			// later ones come out of the non-strict rejects above.
			_, err := Load(context.Background(), copyValid(t, ed), Options{Strict: true}, nil)
			if err != nil {
				fmt.Fprintln(&out, err)
			}
			lines := strings.SplitN(string(ed[name]), "\n", 3)
			if len(lines) < 3 {
				break
			}
			ed[name] = []byte(lines[0] + "\n" + lines[2])
		}
	}
	for _, v := range planted {
		if strings.Contains(out.String(), v) {
			t.Errorf("planted value %q appears in the outputs", v)
		}
	}
	if t.Failed() {
		t.Logf("outputs:\n%s", out.String())
	}
}

// TestNoPersonalDataInSchemaErrors checks the errors of files whose header
// row is a row of personal data.
func TestNoPersonalDataInSchemaErrors(t *testing.T) {
	for _, edit := range []map[string][]byte{
		{"psn.csv": []byte("P001,1,1980-01-15,张三丰,张三丰,11010119900101888X\n")},
		{"psn.csv": []byte("psn_no,gend,brdy,11010119900101888X,11010119900101888X\n")},
		{"catalog.jsonl": []byte(`{"med_list_codg":"A","欧阳娜娜":1,"欧阳娜娜":2}` + "\n")},
		{"catalog.jsonl": []byte(`{"med_list_codg":"A","李四":}` + "\n")},
	} {
		_, err := Load(context.Background(), copyValid(t, edit), Options{}, nil)
		if err == nil {
			t.Fatalf("%v: no error", edit)
		}
		for _, v := range planted {
			if strings.Contains(err.Error(), v) {
				t.Errorf("error %q carries %q", err, v)
			}
		}
	}
}
