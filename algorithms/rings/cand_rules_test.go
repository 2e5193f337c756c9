package rings

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// clashCity is a hospital and a clinic 45 km apart (45 minutes at the
// rule's 60 km/h) and one doctor code billing at both on each of 20 days:
// at the hospital from 08:00, every 20 minutes, and at the clinic either
// in between, minutes after a hospital visit (a code billed at both at
// once), or from gap minutes after the last hospital visit of the morning
// (a doctor who drives over, the clinic's clock a little behind). With
// clinicFirst the clinic's visits are the first rows (a data set written
// site by site), else the rows follow the clock.
func clashCity(t *testing.T, atOnce bool, gap int, clinicFirst bool) (*graph.Graph, []uint32) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	// 45 km due north: 45 / 111.195 degrees of latitude.
	sites := []*claims.Institution{
		{Code: "H1", Name: "人民医院", Type: claims.Medical, Beds: 300, Lat: 30, Lon: 120, HasLocation: true},
		{Code: "C1", Name: "诊所", Type: claims.Medical, Beds: 0, Lat: 30 + 45/111.195, Lon: 120, HasLocation: true},
	}
	rows := make([]uint32, len(sites))
	for i, in := range sites {
		rows[i], _ = tb.AddInstitution(in)
	}
	person, _ := tb.AddPerson(&claims.Person{PsnNo: "P1", Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
	type planned struct {
		site int
		at   claims.Time
	}
	var plan []planned
	visit := func(site int, at claims.Time) { plan = append(plan, planned{site, at}) }
	for day := 0; day < 20; day++ {
		morning := claims.DateOf(2025, 3, 3).Time() + claims.Time(day*86400+8*3600)
		for k := 0; k < 6; k++ {
			visit(0, morning+claims.Time(k*20*60))
			if atOnce {
				visit(1, morning+claims.Time(k*20*60+(3+day%7)*60))
			}
		}
		if !atOnce {
			last := morning + claims.Time(5*20*60)
			for k := 0; k < 3; k++ {
				visit(1, last+claims.Time((gap+k*15)*60))
			}
		}
	}
	if clinicFirst {
		slices.SortStableFunc(plan, func(a, b planned) int { return b.site - a.site })
	}
	var visits []uint32
	for n, p := range plan {
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n+1), InstitutionCode: sites[p.site].Code, MedType: claims.MedOutpatient,
			Begin: p.at, End: claims.NoTime, MedFee: 10000, FundPay: 8000, DoctorCode: "D330100000123"}, person, rows[p.site], uint32(n+1))
		visits = append(visits, v)
	}
	return graphOf(t, tb), visits
}

// TestClashTightness checks that the strength of a borrowed code rests on
// how far inside the journey its clashes fall, not on the distance: a
// code billed at a hospital and a clinic 45 km apart within minutes is
// near 1, a doctor driving over whose arrival the clinic's clock puts 15
// minutes early is a third of the way in, every day. The hit's cited
// visits do not matter: the doctor's visits are read (cited: only the
// clinic's, a sample without a change of site). The clashes' sites are
// the hospital and the clinic, none when nothing clashes.
func TestClashTightness(t *testing.T) {
	params := map[string]float64{"min_km": 30, "speed_kmh": 60, "other_city_km": 100, "other_province_km": 500}
	cases := []struct {
		name     string
		atOnce   bool
		gap      int // minutes from the last hospital visit to the first at the clinic
		min, max float64
		cited    string // the hit's cited visits: all, or only those at the clinic
	}{
		{"billed at both at once", true, 0, 0.8, 1, "all"},
		{"billed at both at once, cited at the clinic only", true, 0, 0.8, 1, "clinic"},
		{"drove over, clock 15 minutes behind", false, 30, 0.3, 0.37, "all"},
		{"drove over, clock 15 minutes behind, cited at the clinic only", false, 30, 0.3, 0.37, "clinic"},
		{"drove over, clock right", false, 45, 0, 0, "all"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, visits := clashCity(t, c.atOnce, c.gap, false)
			s := newTestState(t, g)
			vt := &g.Tables().Visits
			cited := visits
			if c.cited == "clinic" {
				cited = nil
				for _, v := range visits {
					if g.Key(g.InstitutionNode(vt.Institution[v])) == "C1" {
						cited = append(cited, v)
					}
				}
			}
			h := findings.RuleHit{Rule: rules.IDDoctorDistant, Params: params, Visits: cited}
			sites, got := s.clashes(vt.Doctor[visits[0]], &h)
			if got < c.min || got > c.max || math.IsNaN(got) {
				t.Errorf("tightness = %.3f, want in [%.2f, %.2f]", got, c.min, c.max)
			}
			var keys []string
			for _, n := range sites {
				keys = append(keys, g.Key(n))
			}
			if want := "H1 C1"; c.max > 0 && strings.Join(keys, " ") != want || c.max == 0 && len(keys) > 0 {
				t.Errorf("sites %v, want %s", keys, map[bool]string{true: want, false: "none"}[c.max > 0])
			}
		})
	}
}

// TestBorrowedRowOrder: a data set written site by site (the borrowing
// clinic's rows first, so that the rule's cited sample holds no visit at
// the hospital) gives the same borrowed-qualification candidate, the
// clinic and the doctor with the same strength, as rows in time order.
func TestBorrowedRowOrder(t *testing.T) {
	var strength []float64
	for _, clinicFirst := range []bool{false, true} {
		g, _ := clashCity(t, true, 0, clinicFirst)
		s := newTestState(t, g)
		cs, err := s.borrowedCandidates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || len(cs[0].insts) != 1 || g.Key(cs[0].insts[0]) != "C1" || len(cs[0].doctors) != 1 {
			t.Fatalf("clinic first %v: %d candidates %+v; want one of the doctor and the clinic C1", clinicFirst, len(cs), cs)
		}
		strength = append(strength, cs[0].strength)
	}
	if strength[0] != strength[1] || strength[0] <= 0 {
		t.Errorf("strength %v in time order, %v clinic first; want equal and positive", strength[0], strength[1])
	}
}
