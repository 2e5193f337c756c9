package rules

import (
	"fmt"
	"reflect"
	"testing"
)

// TestHitFinding checks that Finding carries every exported field of a
// hit into findings.RuleHit, under the same name.
func TestHitFinding(t *testing.T) {
	h := Hit{Rule: "R-X", Version: "1.0", Stage: After, Result: Definite, Article: "第十五条", ArticleEn: "Art. 15",
		Params: map[string]float64{"p": 1}, Persons: []uint32{1}, Doctors: []uint32{2}, Institutions: []uint32{3},
		Items: []uint32{4}, Visits: []uint32{5}, Fees: []uint32{6}, NVisits: 7, NFees: 8, Amount: 900, At: 1000,
		Detail: "d", DetailZh: "详", seq: 11}
	hv, fv := reflect.ValueOf(h), reflect.ValueOf(h.Finding())
	for i := 0; i < hv.NumField(); i++ {
		sf := hv.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		if hv.Field(i).IsZero() {
			t.Errorf("set %s in this test", sf.Name)
		}
		got := fv.FieldByName(sf.Name)
		if !got.IsValid() {
			t.Errorf("findings.RuleHit has no field %s", sf.Name)
			continue
		}
		if fmt.Sprint(got.Interface()) != fmt.Sprint(hv.Field(i).Interface()) {
			t.Errorf("%s: %v, hit has %v", sf.Name, got.Interface(), hv.Field(i).Interface())
		}
	}
}
