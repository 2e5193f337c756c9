package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// sitesCity is a clinic A holding a candidate's people and their
// neighbours, a second clinic B and a pharmacy P. ringB of the ring's
// people visit B three times each (with doctor DB), neighbourB of every
// hundred neighbours once; every elderly person (born 1945) fills at P
// each month when elderlyP, and the ring is elderly when ringElderly.
type sitesCity struct {
	ring, ringB, neighbourB int
	ringElderly, elderlyP   bool
	source                  string
}

// build returns the graph and the candidate of the ring's visits at A.
func (sc sitesCity) build(t *testing.T) (*graph.Graph, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	a, _ := tb.AddInstitution(&claims.Institution{Code: "HA", Name: "甲诊所", Type: claims.Medical})
	b, _ := tb.AddInstitution(&claims.Institution{Code: "HB", Name: "乙诊所", Type: claims.Medical})
	ph, _ := tb.AddInstitution(&claims.Institution{Code: "PP", Name: "丙药房", Type: claims.Pharmacy})
	n := 0
	visit := func(person uint32, inst uint32, code, doctor string, mt claims.MedType, day int) uint32 {
		n++
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+10*3600)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: code, MedType: mt, Begin: at,
			DoctorCode: doctor, MedFee: 10_000, FundPay: 7_000}, person, inst, uint32(n))
		return v
	}
	person := func(psn string, elderly bool) uint32 {
		birth := claims.DateOf(1985, 6, 1)
		if elderly {
			birth = claims.DateOf(1945, 6, 1)
		}
		row, _ := tb.AddPerson(&claims.Person{PsnNo: psn, Sex: claims.Female, Birth: birth})
		return row
	}
	pharmacy := func(row uint32, elderly bool) {
		if elderly && sc.elderlyP {
			for m := range 12 {
				visit(row, ph, "PP", "", claims.MedPharmacy, 5+30*m)
			}
		}
	}
	// 300 neighbours, a third of them elderly.
	for i := range 300 {
		elderly := i%3 == 0
		row := person(fmt.Sprintf("n%d", i), elderly)
		visit(row, a, "HA", "DA", claims.MedOutpatient, i%360)
		if i%100 < sc.neighbourB {
			visit(row, b, "HB", "DB", claims.MedOutpatient, (i*7)%360)
		}
		pharmacy(row, elderly)
	}
	var visits []uint32
	for i := range sc.ring {
		row := person(fmt.Sprintf("r%d", i), sc.ringElderly)
		for k := range 6 {
			visits = append(visits, visit(row, a, "HA", "DA", claims.MedOutpatient, 10+i+k*50))
		}
		if i < sc.ringB {
			for k := range 3 {
				visit(row, b, "HB", "DB", claims.MedOutpatient, 30+i+k*90)
			}
		}
		pharmacy(row, sc.ringElderly)
	}
	g, c := candidateOf(t, tb, a, visits)
	if sc.source != "" {
		c.source = sc.source
	}
	return g, c
}

// TestGrowSites checks that a ring takes in the other clinic most of its
// people go to when the people of its clinic of the same age hardly go
// there; not when they go there as often, not the pharmacy where every
// elderly person fills (the ring's elderly people fill there as their
// elderly neighbours do), not when too few of its people go, and not a
// signature's candidate.
func TestGrowSites(t *testing.T) {
	cases := []struct {
		name    string
		city    sitesCity
		added   int
		doctors int
	}{
		{"the ring's other clinic", sitesCity{ring: 8, ringB: 8, neighbourB: 2}, 1, 1},
		{"where the neighbours go too", sitesCity{ring: 8, ringB: 8, neighbourB: 60}, 0, 0},
		{"the elderly's pharmacy", sitesCity{ring: 8, ringB: 0, ringElderly: true, elderlyP: true}, 0, 0},
		{"too few of its people", sitesCity{ring: 8, ringB: 3, neighbourB: 2}, 0, 0},
		{"a signature's candidate", sitesCity{ring: 8, ringB: 8, neighbourB: 2, source: SourceAdmitCohort}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := c.city.build(t)
			s := newTestState(t, g)
			cd.score = 1
			people := len(cd.patients)
			added := s.growSites(cd)
			if added != c.added || len(cd.insts) != 1+c.added || len(cd.doctors) != c.doctors || len(cd.patients) != people {
				t.Errorf("added %d sites (%d in all, %d doctors, %d people), want %d (%d doctors, %d people)",
					added, len(cd.insts), len(cd.doctors), len(cd.patients), c.added, c.doctors, people)
			}
			if added > 0 && len(cd.widenedVisits) != 3*c.city.ringB {
				t.Errorf("widened visits %d, want %d", len(cd.widenedVisits), 3*c.city.ringB)
			}
		})
	}
}
