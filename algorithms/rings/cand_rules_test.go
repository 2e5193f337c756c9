package rings

import (
	"fmt"
	"math"
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
// (a doctor who drives over, the clinic's clock a little behind).
func clashCity(t *testing.T, atOnce bool, gap int) (*graph.Graph, []uint32) {
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
	var visits []uint32
	n := 0
	visit := func(site int, at claims.Time) {
		n++
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: sites[site].Code, MedType: claims.MedOutpatient,
			Begin: at, End: claims.NoTime, MedFee: 10000, FundPay: 8000, DoctorCode: "D330100000123"}, person, rows[site], uint32(n))
		visits = append(visits, v)
	}
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
	return graphOf(t, tb), visits
}

// TestClashTightness checks that the strength of a borrowed code rests on
// how far inside the journey its clashes fall, not on the distance: a
// code billed at a hospital and a clinic 45 km apart within minutes is
// near 1, a doctor driving over whose arrival the clinic's clock puts 15
// minutes early is a third of the way in, every day.
func TestClashTightness(t *testing.T) {
	params := map[string]float64{"min_km": 30, "speed_kmh": 60, "other_city_km": 100, "other_province_km": 500}
	cases := []struct {
		name     string
		atOnce   bool
		gap      int // minutes from the last hospital visit to the first at the clinic
		min, max float64
	}{
		{"billed at both at once", true, 0, 0.8, 1},
		{"drove over, clock 15 minutes behind", false, 30, 0.3, 0.37},
		{"drove over, clock right", false, 45, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, visits := clashCity(t, c.atOnce, c.gap)
			s := newTestState(t, g)
			h := findings.RuleHit{Rule: rules.IDDoctorDistant, Params: params, Visits: visits}
			got := s.clashTightness(&h)
			if got < c.min || got > c.max || math.IsNaN(got) {
				t.Errorf("clashTightness = %.3f, want in [%.2f, %.2f]", got, c.min, c.max)
			}
		})
	}
}
