package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestCohortShare checks the lockstep density of a ring whose six people
// come to a clinic together at nine on eight mornings, among forty
// ordinary patients coming alone: nearly all of the ring's visits and
// hardly any of the others' fall in columns of several of its people,
// whether the visits name their doctor or not (an export without doctor
// columns); and a ring whose people come on their own days has none.
func TestCohortShare(t *testing.T) {
	cases := []struct {
		name     string
		doctor   string // doctor code on every visit ("" = none)
		together bool   // the ring's people come together
		min, max float64
	}{
		{"together, one doctor", "D1", true, 0.9, 1},
		{"together, no doctor column", "", true, 0.9, 1},
		{"apart, no doctor column", "", false, 0, 0.01},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := graph.NewTables(0, 0)
			site, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某某诊所", Type: claims.Medical, Beds: -1})
			n := 0
			visit := func(person uint32, day, hour, minute int) uint32 {
				n++
				at := claims.DateOf(2025, 3, 1).Time() + claims.Time(day*86400+hour*3600+minute*60)
				v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: claims.MedOutpatient,
					Begin: at, End: claims.NoTime, DoctorCode: c.doctor, MedFee: 10000, FundPay: 8000}, person, site, uint32(n))
				return v
			}
			var ring []uint32
			for i := range 6 {
				p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("r%d", i), Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
				for k := range 8 {
					day, hour := 14*k, 9
					if !c.together {
						day, hour = 14*k+i+1, 8+i
					}
					ring = append(ring, visit(p, day, hour, 5*i))
				}
			}
			for i := range 40 {
				p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("o%d", i), Sex: claims.Male, Birth: claims.DateOf(1960, 1, 1)})
				for k := range 3 {
					visit(p, (i*7+k*37)%120, 8+(i+k)%9, (i*13)%60)
				}
			}
			g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := newTestState(t, g)
			share, baseline := s.cohortShare(candidateAt(g, tb, site, ring))
			if share < c.min || share > c.max {
				t.Errorf("ring's share in cohorts %.2f, want [%.2f, %.2f]", share, c.min, c.max)
			}
			if baseline > 0.1 {
				t.Errorf("others' share in cohorts %.2f, want at most 0.1", baseline)
			}
		})
	}
}
