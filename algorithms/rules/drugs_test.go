package rules

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestTraceDuplicate(t *testing.T) {
	build := func(trace2 string, reversed bool) func() *fx {
		return func() *fx {
			x := base()
			x.pharmacy("PH2", 30.0, 120.0)
			x.item(claims.CatalogItem{Code: "ALB", Name: "人血白蛋白", ListType: 101, AgeMin: -1, AgeMax: -1})
			x.add(v{id: "V1", psn: "M", inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 3, 1, 9, 0)},
				v{id: "V2", psn: "F", inst: "PH2", med: claims.MedPharmacy, begin: at(2024, 3, 9, 9, 0), reversed: reversed})
			x.fees(f{visit: "V1", sn: "1", item: "ALB", count: 1, price: yuan(50), trace: "81234567890123456789"},
				f{visit: "V2", sn: "1", item: "ALB", count: 1, price: yuan(50), trace: trace2})
			return x
		}
	}
	runCases(t, IDTraceDuplicate, []ruleCase{
		{name: "same code sold at two pharmacies", build: build("81234567890123456789", false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "V1", "V2")
				wantAmount(t, hs[0], 4000) // the second sale's fund share
				if len(hs[0].Persons) != 2 || len(hs[0].Institutions) != 2 {
					t.Errorf("persons %v institutions %v", hs[0].Persons, hs[0].Institutions)
				}
			}},
		{name: "different codes", build: build("81234567890123456780", false), want: 0},
		{name: "second sale reversed", build: build("81234567890123456789", true), want: 0},
		{name: "three sales needed", build: build("81234567890123456789", false), params: map[string]float64{"min_sales": 3}, want: 0},
		// The neighbourhood of an incremental update shares the city's
		// dictionary of trace codes: far more codes than lines, so the
		// lines are sorted by code instead of counted (traceGroups).
		{name: "same code, a dictionary of many codes", build: sparse(build("81234567890123456789", false)), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "V1", "V2")
				wantAmount(t, hs[0], 4000)
			}},
		{name: "different codes, a dictionary of many codes", build: sparse(build("81234567890123456780", false)), want: 0},
		{name: "second sale reversed, a dictionary of many codes", build: sparse(build("81234567890123456789", true)), want: 0},
	})
}

// sparse adds trace codes no fee line carries to the dictionary of the
// fixture build makes, more than sparseKeys times its traced lines.
func sparse(build func() *fx) func() *fx {
	return func() *fx {
		x := build()
		if x.t.Fees.Traces == nil {
			panic("fixture without trace codes")
		}
		for i := range 10 * sparseKeys * x.t.Fees.Len() {
			x.t.Fees.Traces.Intern(fmt.Sprintf("9%019d", i))
		}
		return x
	}
}

func TestRoundQuantity(t *testing.T) {
	build := func(n int, qty float64, price float64) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "VC", Name: "维生素C片", ListType: 101, AgeMin: -1, AgeMax: -1})
			for i := 0; i < n; i++ {
				psn := fmt.Sprintf("P%02d", i)
				x.person(psn, claims.Female, day(1955, 1, 1))
				id := "V" + psn
				x.add(v{id: id, psn: psn, inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 3, 1, 9, 0) + claims.Time(i*86400)})
				x.fees(f{visit: id, sn: "1", item: "VC", count: qty, price: yuan(price)})
			}
			// One ordinary purchase.
			x.add(v{id: "ORD", psn: "M", inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 3, 1, 10, 0)})
			x.fees(f{visit: "ORD", sn: "1", item: "VC", count: 2, price: yuan(price)})
			return x
		}
	}
	runCases(t, IDRoundQuantity, []ruleCase{
		{name: "70 boxes of a 1-yuan drug, 6 times", build: build(6, 70, 1), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				if hs[0].NFees != 6 || hs[0].Amount != 6*5600 {
					t.Errorf("fees %d amount %v", hs[0].NFees, hs[0].Amount)
				}
			}},
		{name: "only 4 times", build: build(4, 70, 1), want: 0},
		{name: "3 boxes each", build: build(6, 3, 1), want: 0},
		{name: "75 boxes: not a multiple of 10", build: build(6, 75, 1), want: 0},
		{name: "an expensive drug", build: build(6, 70, 50), want: 0},
	})
}

func TestPriceCap(t *testing.T) {
	build := func(price float64) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "CT", Name: "CT平扫", ListType: 201, AgeMin: -1, AgeMax: -1, PriceCap: yuan(100)})
			x.add(v{id: "V1", psn: "M", inst: "C1", begin: at(2024, 3, 1, 9, 0)},
				v{id: "V2", psn: "F", inst: "C1", begin: at(2024, 3, 2, 9, 0)})
			x.fees(f{visit: "V1", sn: "1", item: "CT", count: 1, price: yuan(price)},
				f{visit: "V2", sn: "1", item: "CT", count: 1, price: yuan(price)})
			return x
		}
	}
	runCases(t, IDPriceCap, []ruleCase{
		{name: "125 yuan against a 100-yuan cap", build: build(125), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				// Each line's fund share is capped at the visit's 80-yuan fund,
				// a fifth of it above the cap.
				wantAmount(t, hs[0], 3200)
				wantIDs(t, x, hs[0], "V1", "V2")
			}},
		{name: "at the cap", build: build(100), want: 0},
		{name: "within a 30% tolerance", build: build(125), params: map[string]float64{"tolerance_share": 0.3}, want: 0},
	})
}
