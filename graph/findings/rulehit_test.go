package findings

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// twoVisits returns tables of one patient's two visits at a clinic, the
// second with two fee lines.
func twoVisits(t *testing.T) *graph.Tables {
	t.Helper()
	tb := graph.NewTables(2, 2)
	inst, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某诊所", Type: claims.Medical, Beds: -1})
	p, _ := tb.AddPerson(&claims.Person{PsnNo: "P1", Birth: claims.NoDate, DieDate: claims.NoDate})
	at := claims.DateOf(2024, 5, 1).Time() + 9*3600
	for i, id := range []string{"V1", "V2"} {
		tb.AddVisit(&claims.Visit{MdtrtID: id, MedType: claims.MedOutpatient, Begin: at, End: claims.NoTime,
			MedFee: 10000, FundPay: 7000}, p, inst, uint32(i+2))
	}
	v2 := tb.Visits.IDs.Lookup("V2")
	for i, sn := range []string{"0001", "0002"} {
		tb.AddFee(&claims.FeeLine{FeedetlSn: sn, MdtrtID: "V2", ItemCode: "X1", Count: 1, Price: 50_000000, Amount: 5000,
			Time: at}, v2, uint32(i+2))
	}
	return tb
}

func TestCite(t *testing.T) {
	tb := twoVisits(t)
	h := &RuleHit{Visits: []uint32{0, 1, 9}, Fees: []uint32{1, 7}}
	ids, fees := Cite(tb, h, nil)
	if !slices.Equal(ids, []string{"V1", "V2"}) || !slices.Equal(fees, []FeeRef{{MdtrtID: "V2", FeedetlSn: "0002"}}) {
		t.Errorf("cited %v %v (rows out of range must be skipped)", ids, fees)
	}
	if ids, fees := Cite(nil, h, nil); ids != nil || fees != nil {
		t.Errorf("nil tables cite %v %v", ids, fees)
	}
}

// TestRuleEvidence checks the shape of a rule hit in rings.json.
func TestRuleEvidence(t *testing.T) {
	tb := twoVisits(t)
	params := map[string]float64{"max_visits": 1}
	h := &RuleHit{Rule: "R-X", Version: "1.2", Stage: "after", Result: "suspicious", Article: "第十五条", ArticleEn: "Art. 15",
		Params: params, Visits: []uint32{1}, Fees: []uint32{0}, NVisits: 2, NFees: 3, Amount: 12345,
		Detail: "two visits", DetailZh: "两次就诊"}
	e := RuleEvidence(tb, h, &graph.Arena{})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"rule","rule":"R-X","version":"1.2","params":{"max_visits":1},"result":"suspicious",` +
		`"article":"第十五条","article_en":"Art. 15","detail":"two visits","detail_zh":"两次就诊","amount":123.45,"visits":2,` +
		`"shown":1,"total":2,"mdtrt_ids":["V2"],"fees":[{"mdtrt_id":"V2","feedetl_sn":"0001"}]}`
	if string(b) != want {
		t.Errorf("evidence\n%s\nwant\n%s", b, want)
	}
	e.Params["max_visits"] = 9
	if params["max_visits"] != 1 {
		t.Error("the evidence shares the hit's parameters")
	}
	// A hit citing no rows still lists its (empty) visits.
	if b, _ := json.Marshal(RuleEvidence(tb, &RuleHit{Rule: "R-Y"}, nil)); string(b) !=
		`{"kind":"rule","rule":"R-Y","detail":"","detail_zh":"","amount":0,"visits":0,"shown":0,"total":0,"mdtrt_ids":[]}` {
		t.Errorf("empty evidence %s", b)
	}
}
