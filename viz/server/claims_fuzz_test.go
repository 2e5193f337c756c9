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
				if v.MdtrtID == "" || !fuzzLookups.person(v.PsnNo) || v.FundPay > v.MedFee || v.FundPay < 0 {
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

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		in     string
		places int
		want   int64
		ok     bool
	}{
		{"12.34", 2, 1234, true},
		{"12", 2, 1200, true},
		{"0.5", 2, 50, true},
		{"1.000001", 6, 1000001, true},
		{"12.345", 2, 0, false},
		{"-1", 2, 0, false},
		{".5", 2, 0, false},
		{"1e3", 2, 0, false},
		{"1,000", 2, 0, false},
		{"9999999999999", 2, 0, false},
		{"999999999999", 6, 999999999999000000, true},
	} {
		p := rowParser{rec: map[string]string{"x": tc.in}, row: 1}
		got := p.decimal("x", true, tc.places)
		if (p.err == nil) != tc.ok || got != tc.want {
			t.Errorf("decimal(%q, %d) = %d, %v", tc.in, tc.places, got, p.err)
		}
	}
}
