package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/ingest"
)

// TestClaimsSameRulesAsBatch runs the same visit and fee rows through the
// batch reader (ingest.Load of a dataset holding the row) and the live
// intake (parseBatch of the row as JSON) and expects the same answer:
// accepted by both, or refused by both for the same column. Refund rows
// are the one documented difference: the batch nets them against their
// originals, live intake refuses them.
func TestClaimsSameRulesAsBatch(t *testing.T) {
	visit := map[string]string{"mdtrt_id": "T1", "psn_no": "P001", "fixmedins_code": "C001", "med_type": "11",
		"begntime": "2024-03-05 09:00:00", "medfee_sumamt": "100.00", "fund_pay_sumamt": "60.00"}
	fee := map[string]string{"feedetl_sn": "9", "mdtrt_id": "V001", "med_list_codg": "XA01", "cnt": "2", "pric": "12.5",
		"det_item_fee_sumamt": "25.00", "fee_ocur_time": "2024-03-01 09:10:00"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := make(map[string]string, len(base))
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name     string
		fee      bool
		row      map[string]string
		liveOnly string // column live intake refuses though the batch accepts
	}{
		{name: "visit as it should be", row: visit},
		{name: "T between date and time", row: with(visit, "begntime", "2024-03-05T09:00:00")},
		{name: "compact time", row: with(visit, "begntime", "20240305090000")},
		{name: "minutes only", row: with(visit, "begntime", "2024-03-05 09:00")},
		{name: "bare date", row: with(visit, "begntime", "2024-03-05")},
		{name: "three decimals", row: with(visit, "medfee_sumamt", "100.005")},
		{name: "fund above the fee", row: with(visit, "fund_pay_sumamt", "150.00")},
		{name: "med_type 5", row: with(visit, "med_type", "5")},
		{name: "med_type text", row: with(visit, "med_type", "门诊")},
		{name: "inpatient without endtime", row: with(visit, "med_type", "21")},
		{name: "endtime before begntime", row: with(visit, "endtime", "2024-03-04 09:00:00")},
		{name: "certificate 04", row: with(visit, "mdtrt_cert_type", "04")},
		{name: "certificate 3", row: with(visit, "mdtrt_cert_type", "3")},
		{name: "negative fee", row: with(visit, "medfee_sumamt", "-1.00")},
		{name: "missing psn_no", row: with(visit, "psn_no", "")},
		{name: "bidi control in an id", row: with(visit, "mdtrt_id", "T\u202e1")},
		{name: "refund row", row: with(visit, "refd_setl_flag", "1", "medfee_sumamt", "-10.00", "fund_pay_sumamt", "-5.00"), liveOnly: "refd_setl_flag"},
		{name: "fee as it should be", fee: true, row: fee},
		{name: "fee list_type 999", fee: true, row: with(fee, "list_type", "999")},
		{name: "fee list_type text", fee: true, row: with(fee, "list_type", "西药")},
		{name: "fee price with 7 decimals", fee: true, row: with(fee, "pric", "1.0000001")},
		{name: "fee bad time", fee: true, row: with(fee, "fee_ocur_time", "yesterday")},
		{name: "fee negative prd_days", fee: true, row: with(fee, "prd_days", "-3")},
		{name: "fee quantity text", fee: true, row: with(fee, "cnt", "two")},
		{name: "fee refund line", fee: true, row: with(fee, "cnt", "-2", "det_item_fee_sumamt", "-25.00"), liveOnly: "cnt"},
	}
	lk := lookups{
		person:      func(c string) bool { return c == "P001" || c == "P002" },
		institution: func(c string) bool { return c == "C001" || c == "H001" },
		visit:       func(id string) bool { return id == "V001" },
		fee:         func(string, string) bool { return false },
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			batchCol, batchOK := batchAnswer(t, c.fee, c.row)
			line, _ := json.Marshal(c.row)
			_, err := parseBatch(strings.NewReader(string(line)), lk)
			liveOK, liveCol := err == nil, ""
			if re, ok := err.(*RowError); ok {
				liveCol = re.Field
			} else if err != nil {
				t.Fatalf("live intake: %v", err)
			}
			if c.liveOnly != "" {
				// The batch nets refunds against their originals; live
				// intake refuses them outright.
				if liveOK || liveCol != c.liveOnly {
					t.Errorf("live accepted %v (column %q); want it to refuse %s", liveOK, liveCol, c.liveOnly)
				}
				return
			}
			if batchOK != liveOK || batchCol != liveCol {
				t.Errorf("batch: accepted %v (column %q); live: accepted %v (column %q)", batchOK, batchCol, liveOK, liveCol)
			}
		})
	}
}

// batchAnswer loads ingest's valid test dataset with row added to mdtrt.csv
// (or fee_list.csv) and reports whether the row was accepted, or the
// column it was refused for.
func batchAnswer(t *testing.T, isFee bool, row map[string]string) (string, bool) {
	t.Helper()
	dir := copyDir(t, filepath.Join("..", "..", "ingest", "testdata", "valid"))
	file, cols := "mdtrt.csv", ingest.VisitColumns()
	if isFee {
		file, cols = "fee_list.csv", ingest.FeeColumns()
	}
	vals := make([]string, len(cols))
	for i, c := range cols {
		v := row[c]
		if strings.ContainsAny(v, ",\"\n") {
			v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		vals[i] = v
	}
	path := filepath.Join(dir, file)
	b, _ := os.ReadFile(path)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	b = append(b, []byte(strings.Join(vals, ",")+"\n")...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(b), "\n")
	var col string
	refused := false
	_, err := ingest.Load(context.Background(), dir, ingest.Options{}, func(r ingest.Reject) error {
		if r.File == file && r.Line == int64(lines) {
			refused, col = true, r.Column
		}
		return nil
	})
	if err != nil {
		t.Fatalf("batch load: %v", err)
	}
	return col, !refused
}
