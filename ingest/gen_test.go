package ingest

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var genValid = flag.Bool("gen", false, "regenerate testdata/valid")

// validFiles is the source text of testdata/valid. fixmedins is written in
// GB18030, staff gzip-compressed, psn with a UTF-8 BOM.
var validFiles = map[string]string{
	"psn.csv": bom + "psn_no,gend,brdy,insutype,psn_name,certno,insuplc_admdvs,die_date\n" +
		"P001,1,1980-01-15,310,张三,110101198001150011,421003,\n" +
		"P002,女,19750302,390,\"李,四\",110101197503020022,421003,\n" +
		"P003,2,1950-06-01 00:00:00,340,\"王\n五\",110101195006010033,421003,20240501\n" +
		"P004,男,1990-12-31,,\"赵\"\"六\"\"\",,, \n",
	"fixmedins.csv": "fixmedins_code,fixmedins_name,fixmedins_type,hosp_lv,admdvs,bed_cnt,lat,lon\r\n" +
		"H001,荆州市中心医院,1,三级,421003,800,30.33,112.24\r\n" +
		"C001,沙市区诊所,1,,421003,,,\r\n" +
		"Y001,大药房连锁,2,,421003,,,\r\n",
	"staff.csv.gz": "fixmedins_code, dr_code ,dr_name,dept_code,prof\n" +
		"H001,D421003007628,刘医生,A01,doctor\n" +
		"C001,D421003007628,刘医生,A01,doctor\n" +
		"C001,009999,,,doctor\n" +
		"Y001,HY421003000001,陈药师,,pharmacist\n",
	"catalog.jsonl": `{"med_list_codg":"XA01","med_list_name":"阿莫西林胶囊","list_type":101,"lmt_gend":null,"lmt_age_min":null,"lmt_age_max":null,"max_days":7,"pric_uplmt_amt":"12.50"}` + "\n" +
		"\n" +
		`{"med_list_name":"宫腔镜检查\u0020","med_list_codg":"S001","list_type":"201","lmt_gend":2,"lmt_age_min":"","lmt_age_max":null,"max_days":null,"pric_uplmt_amt":350.123456}` + "\n" +
		`{"med_list_codg":"C001","med_list_name":"注射器","list_type":301,"extra":"ignored"}` + "\n",
	"mdtrt.csv": "mdtrt_id,setl_id,psn_no,fixmedins_code,med_type,begntime,endtime,atddr_no,dise_codg,dise_name,medfee_sumamt,fund_pay_sumamt,mdtrt_cert_type,refd_setl_flag\n" +
		"V001,S001,P001,C001,11,2024-03-01 09:00:00,,D421003007628,J06.9,\"上呼吸道感染,急性\",100.00,60.00,01,0\n" +
		"V002,,P001,C001,11,2024-03-02 10:00:00,,,,,-50.00,-30.00,,1\n" +
		"V002,S002,P001,C001,11,2024-03-02 10:00:00,,,J06.9,,50,30,1,\n" +
		"V003,S003,P002,H001,21,2024-03-05T08:00:00,20240310120000,D421003007628,K35.8,阑尾炎,5000.00,3500.5,02,\n" +
		"V004,S004,P003,Y001,41,20240401100000,,HY421003000001,,,200,150,03,0\n" +
		"R004,,P003,Y001,41,2024-04-02 10:00:00,,,,,200.00,150.00,,1\n" +
		"V005,S005,P004,C001,13,2024-04-03 23:59:59,,009999,,,80.5,40.25,3,\n" +
		"V001,,P001,C001,11,2024-03-01 12:00:00,,,,,-20.00,-10.00,,1\n",
	"fee_list.csv": "feedetl_sn,mdtrt_id,med_list_codg,med_list_name,list_type,cnt,pric,det_item_fee_sumamt,fee_ocur_time,bilg_dr_codg,prd_days,drug_trac_codg\n" +
		"1,V001,XA01,阿莫西林胶囊,101,2,12.5,25.00,2024-03-01 09:10:00,D421003007628,7,TRC0001\n" +
		"2,V001,S999,\"诊疗费, 一般\",201,1,75,75.00,2024-03-01T09:05:00,,,\n" +
		"1,V003,XA01,阿莫西林胶囊,101,10,12.5,125.00,20240306080000,,,\n" +
		"\n" +
		"1,V003,XA01,阿莫西林胶囊,101,-4,12.5,-50.00,2024-03-07 08:00:00,,,\n" +
		"9,V001,S999,诊疗费,201,-1,75,-75.00,2024-03-01 10:00:00,,,\n" +
		"2,V004,XA01,阿莫西林胶囊,101,-1,30,-30.00,2024-04-01 10:30:00,,,\n" +
		"2,V004,XA01,阿莫西林胶囊,101,4,25,100.00,2024-04-01 10:00:00,HY421003000001,28,TRC0001\n" +
		"3,V003,C001,注射器,301,5,0.123456,0.62,2024-03-06 09:00:00,,,\n",
}

// TestGenerateValid rewrites testdata/valid when run with -gen.
func TestGenerateValid(t *testing.T) {
	if !*genValid {
		t.Skip("run with -gen to regenerate testdata/valid")
	}
	dir := filepath.Join("testdata", "valid")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range validFiles {
		data := []byte(text)
		switch name {
		case "fixmedins.csv":
			enc, err := simplifiedchinese.GB18030.NewEncoder().Bytes(data)
			if err != nil {
				t.Fatal(err)
			}
			data = enc
		case "staff.csv.gz":
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(data)
			zw.Close()
			data = b.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
