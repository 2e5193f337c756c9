package rules

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestGhostBed(t *testing.T) {
	// A 10-day stay with bed fees on the given days after admission.
	build := func(days ...int) func() *fx {
		return func() *fx {
			x := base()
			x.inst("H1", 100, 24.50, 118.10)
			x.item(claims.CatalogItem{Code: "BED", Name: "床位费", ListType: 201, AgeMin: -1, AgeMax: -1})
			b := at(2024, 3, 1, 9, 0)
			x.add(v{id: "S1", psn: "M", inst: "H1", med: claims.MedInpatient, begin: b, end: b + 10*86400, fund: 300000})
			for i, d := range days {
				x.fees(f{visit: "S1", sn: fmt.Sprint(i), item: "BED", count: 1, price: yuan(50), time: b + claims.Time(d*86400+3600)})
			}
			return x
		}
	}
	runCases(t, IDGhostBed, []ruleCase{
		{name: "no charge from day 2 to day 8", build: build(0, 1, 2, 8, 9), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "S1")
				wantAmount(t, hs[0], 300000)
			}},
		{name: "charges every day", build: build(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), want: 0},
		{name: "gap of two days", build: build(0, 1, 3, 5, 7, 9), want: 0},
		{name: "no charge after day 2 until discharge", build: build(0, 1, 2), want: 1},
		{name: "all fees at one time: uninformative", build: build(9, 9, 9), want: 0},
		{name: "a week tolerated", build: build(0, 1, 2, 8, 9), params: map[string]float64{"min_gap_hours": 168}, want: 0},
	})
}

func TestDuplicateBilling(t *testing.T) {
	build := func(item string, secondMinutes int, price2 float64) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "CT", Name: "CT平扫", ListType: 201, AgeMin: -1, AgeMax: -1})
			x.item(claims.CatalogItem{Code: "AMOX", Name: "阿莫西林", ListType: 101, AgeMin: -1, AgeMax: -1})
			b := at(2024, 3, 1, 9, 0)
			x.add(v{id: "V1", psn: "M", inst: "C1", begin: b})
			x.fees(f{visit: "V1", sn: "1", item: item, count: 1, price: yuan(40)},
				f{visit: "V1", sn: "2", item: item, count: 1, price: yuan(price2), time: b + claims.Time(secondMinutes*60)})
			return x
		}
	}
	runCases(t, IDDuplicateBilling, []ruleCase{
		{name: "the same CT twice at once", build: build("CT", 0, 40), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				_, fees := Cite(x.t, hs[0])
				if len(fees) != 1 || fees[0].FeedetlSn != "2" {
					t.Errorf("fees %v", fees)
				}
				wantAmount(t, hs[0], 3200)
			}},
		{name: "a second CT an hour later", build: build("CT", 60, 40), want: 0},
		{name: "another price", build: build("CT", 0, 30), want: 0},
		{name: "drug lines", build: build("AMOX", 0, 40), want: 0},
		{name: "drug lines included", build: build("AMOX", 0, 40), params: map[string]float64{"include_drugs": 1}, want: 1},
	})
}
