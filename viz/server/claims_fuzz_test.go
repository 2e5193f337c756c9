package server

import (
	"errors"
	"strings"
	"testing"
)

// fuzzLookups knows persons starting with "P", institutions starting with
// "H" and visits starting with "V".
var fuzzLookups = lookups{
	person:      func(c string) bool { return strings.HasPrefix(c, "P") },
	institution: func(c string) bool { return strings.HasPrefix(c, "H") },
	visit:       func(id string) bool { return strings.HasPrefix(id, "V") },
	fee:         func(string, string) bool { return false },
}

func FuzzParseBatch(f *testing.F) {
	f.Add(visitRow("N1", "P1", "H1", "D1") + "\n" + feeRow("N1", "1"))
	f.Add(feeRow("V9", "0001"))
	f.Add(`{"mdtrt_id":"N2","psn_no":"P1","fixmedins_code":"H1","med_type":21,"begntime":"2025-01-01","endtime":"2025-01-03 10:00","medfee_sumamt":1,"fund_pay_sumamt":0.5}`)
	f.Add(`{"feedetl_sn":null,"mdtrt_id":"V1","cnt":1e309}`)
	f.Add("\n\n{}\n[")
	f.Add(`{"pric":"00000000000000000009.999999","feedetl_sn":"1","mdtrt_id":"V1"}`)
	f.Fuzz(func(t *testing.T, body string) {
		b, err := parseBatch(strings.NewReader(body), fuzzLookups)
		var re *RowError
		switch {
		case errors.As(err, &re):
			if re.Row < 1 || re.Reason == "" || re.Error() == "" {
				t.Fatalf("bad row error %+v", re)
			}
		case err != nil:
			t.Fatalf("non-row error %v", err)
		default:
			for _, v := range b.visits {
				if v.MdtrtID == "" || !fuzzLookups.person(v.PsnNo) || v.Refund || v.FundPay < 0 || v.MedFee < 0 {
					t.Fatalf("accepted bad visit %+v", v)
				}
			}
			for _, fl := range b.fees {
				if fl.FeedetlSn == "" || fl.Count <= 0 || fl.Amount < 0 || fl.Price < 0 {
					t.Fatalf("accepted bad fee line %+v", fl)
				}
			}
		}
	})
}
