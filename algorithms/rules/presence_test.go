package rules

import (
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestHaversine(t *testing.T) {
	// Xiamen to Fuzhou is about 205 km as the crow flies.
	if d := haversineKm(24.4798, 118.0894, 26.0745, 119.2965); math.Abs(d-212) > 10 {
		t.Errorf("Xiamen–Fuzhou %.1f km", d)
	}
	if d := haversineKm(24.48, 118.09, 24.4845, 118.09); math.Abs(d-0.5) > 0.01 {
		t.Errorf("500 m: %.3f km", d)
	}
}

func TestDoctorDistant(t *testing.T) {
	const doc = "D410000000001"
	build := func(dLat float64, minutes int, placeholder bool) func() *fx {
		return func() *fx {
			x := base()
			if dLat == 0 {
				x.inst("C2", -1, 0, 0) // no location
			} else {
				x.inst("C2", -1, 24.48+dLat, 118.09)
			}
			code := doc
			if placeholder {
				code = "009999"
			}
			x.add(v{id: "V1", psn: "M", inst: "C1", doc: code, begin: at(2024, 3, 1, 9, 0)},
				v{id: "V2", psn: "F", inst: "C2", doc: code, begin: at(2024, 3, 1, 9, 0) + claims.Time(minutes*60)},
				v{id: "V3", psn: "M", inst: "C1", doc: code, begin: at(2024, 3, 8, 9, 0)})
			if placeholder { // make the placeholder busy enough to be recognised
				for i := 0; i < 120; i++ {
					x.add(v{id: "PH" + string(rune('a'+i%26)) + string(rune('a'+i/26)), psn: "F", inst: "C1", doc: code, begin: at(2024, 4, 1, 0, 0) + claims.Time(i*3600)})
				}
			}
			return x
		}
	}
	runCases(t, IDDoctorDistant, []ruleCase{
		{name: "80 km apart within 30 minutes", build: build(0.72, 30, false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "V1", "V2")
				wantAmount(t, hs[0], 16000)
			}},
		{name: "500 m apart", build: build(0.0045, 30, false), want: 0},
		{name: "80 km apart, 3 hours later", build: build(0.72, 180, false), want: 0},
		{name: "no location", build: build(0, 30, false), want: 0},
		{name: "placeholder code", build: build(0.72, 30, true), want: 0,
			check: func(t *testing.T, x *fx, _ []Hit, res *Result) {
				if len(res.DataQuality) != 1 || res.DataQuality[0].Code != "009999" {
					t.Errorf("data quality %+v", res.DataQuality)
				}
			}},
	})
}

func TestPersonDistant(t *testing.T) {
	build := func(dLat float64, minutes int, inpatient bool) func() *fx {
		return func() *fx {
			x := base()
			x.inst("C2", -1, 24.48+dLat, 118.09)
			if inpatient {
				x.inst("H1", 200, 24.48, 118.10)
				x.add(v{id: "S1", psn: "M", inst: "H1", med: claims.MedInpatient, begin: at(2024, 3, 1, 9, 0), end: at(2024, 3, 10, 9, 0), fund: 500000},
					v{id: "V2", psn: "M", inst: "C2", begin: at(2024, 3, 5, 9, 0)})
				return x
			}
			x.add(v{id: "V1", psn: "M", inst: "C1", begin: at(2024, 3, 1, 9, 0)},
				v{id: "V2", psn: "M", inst: "C2", begin: at(2024, 3, 1, 9, 0) + claims.Time(minutes*60)})
			return x
		}
	}
	// A purchase at a pharmacy 100 km away 20 minutes after a clinic visit.
	carer := func() *fx {
		x := base()
		x.pharmacy("PH9", 25.38, 118.09)
		x.add(v{id: "V1", psn: "M", inst: "C1", begin: at(2024, 3, 1, 9, 0)},
			v{id: "V2", psn: "M", inst: "PH9", med: claims.MedPharmacy, begin: at(2024, 3, 1, 9, 20)})
		return x
	}
	runCases(t, IDPersonDistant, []ruleCase{
		{name: "100 km apart within 30 minutes", build: build(0.9, 30, false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) { wantIDs(t, x, hs[0], "V1", "V2") }},
		{name: "100 km apart, 3 hours later", build: build(0.9, 180, false), want: 0},
		{name: "500 m apart", build: build(0.0045, 10, false), want: 0},
		{name: "outpatient far away during a stay", build: build(0.9, 0, true), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) { wantAmount(t, hs[0], 508000) }},
		{name: "stay check off", build: build(0.9, 0, true), params: map[string]float64{"check_inpatient": 0}, want: 0},
		{name: "carer buying at a distant pharmacy", build: carer, want: 0},
		{name: "distant pharmacy counted", build: carer, params: map[string]float64{"include_pharmacy": 1}, want: 1},
	})
}
