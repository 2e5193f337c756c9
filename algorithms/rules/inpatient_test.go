package rules

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

func TestSplitAdmission(t *testing.T) {
	// buildDx plants two stays of one person; dise1 and dise2 both "" make
	// a dataset without diagnoses.
	buildDx := func(gapDays int, dise1, dise2, inst2 string, reversed bool) func() *fx {
		return func() *fx {
			x := base()
			x.inst("H1", 100, 24.50, 118.10)
			x.inst("H2", 100, 24.52, 118.12)
			x.add(v{id: "A1", psn: "M", inst: "H1", med: claims.MedInpatient, dise: dise1, begin: at(2024, 3, 1, 9, 0), end: at(2024, 3, 5, 10, 0), fund: 300000})
			b := at(2024, 3, 5+gapDays, 9, 0)
			x.add(v{id: "A2", psn: "M", inst: inst2, med: claims.MedInpatient, dise: dise2, begin: b, end: b + 4*86400, fund: 250000, reversed: reversed})
			return x
		}
	}
	build := func(gapDays int, dise2, inst2 string, reversed bool) func() *fx {
		return buildDx(gapDays, "J18.900", dise2, inst2, reversed)
	}
	runCases(t, IDSplitAdmission, []ruleCase{
		{name: "readmitted on day 14, same diagnosis", build: build(14, "J18.000", "H1", false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "A1", "A2")
				wantAmount(t, hs[0], 250000)
			}},
		{name: "readmitted on day 15", build: build(15, "J18.000", "H1", false), want: 1},
		{name: "readmitted on day 16", build: build(16, "J18.000", "H1", false), want: 0},
		{name: "day 15 with a 14-day city rule", build: build(15, "J18.000", "H1", false), params: map[string]float64{"max_gap_days": 14}, want: 0},
		{name: "different diagnosis", build: build(14, "K35.800", "H1", false), want: 0},
		{name: "whole-code match required", build: build(14, "J18.000", "H1", false), params: map[string]float64{"match_prefix": 0}, want: 0},
		{name: "other hospital", build: build(3, "J18.000", "H2", false), want: 0},
		{name: "other hospital allowed", build: build(3, "J18.000", "H2", false), params: map[string]float64{"same_institution": 0}, want: 1},
		{name: "readmission reversed", build: build(3, "J18.000", "H1", true), want: 0},
		{name: "no diagnosis in the data: any early readmission", build: buildDx(10, "", "", "H1", false), want: 1},
		{name: "no diagnosis in the data, fallback off", build: buildDx(10, "", "", "H1", false), params: map[string]float64{"without_diagnosis": 0}, want: 0},
		{name: "no diagnosis in the data, day 16", build: buildDx(16, "", "", "H1", false), want: 0},
		{name: "one stay without diagnosis in data that have them", build: buildDx(10, "J18.900", "", "H1", false), want: 0},
	})
}

func TestCensusBeds(t *testing.T) {
	build := func(stays int, beds int32) func() *fx {
		return func() *fx {
			x := base()
			x.inst("H1", beds, 24.50, 118.10)
			for i := 0; i < stays; i++ {
				psn := fmt.Sprintf("P%02d", i)
				x.person(psn, claims.Male, day(1950, 1, 1))
				x.add(v{id: "S" + psn, psn: psn, inst: "H1", med: claims.MedInpatient, begin: at(2024, 3, 1, 9, 0) + claims.Time(i*600),
					end: at(2024, 3, 4, 9, 0), fund: 100000})
			}
			// One stay outside the over-census days.
			x.add(v{id: "LATE", psn: "M", inst: "H1", med: claims.MedInpatient, begin: at(2024, 4, 1, 9, 0), end: at(2024, 4, 3, 9, 0), fund: 100000})
			return x
		}
	}
	runCases(t, IDCensusBeds, []ruleCase{
		{name: "15 inpatients in 10 beds", build: build(15, 10), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				if hs[0].NVisits != 15 || hs[0].Amount != 15*100000 || len(hs[0].Institutions) != 1 {
					t.Errorf("visits %d amount %v insts %v", hs[0].NVisits, hs[0].Amount, hs[0].Institutions)
				}
			}},
		{name: "11 inpatients in 10 beds: within 10% extra beds", build: build(11, 10), want: 0},
		{name: "11 inpatients in 10 beds, strict ratio", build: build(11, 10), params: map[string]float64{"over_ratio": 1}, want: 1},
		{name: "10 inpatients in 10 beds", build: build(10, 10), want: 0},
		{name: "beds unknown", build: build(15, -1), want: 0},
		{name: "needs 4 days", build: build(15, 10), params: map[string]float64{"min_days": 4}, want: 0},
	})
}

func TestAfterDeath(t *testing.T) {
	build := func(visitDay int, reversed bool, lateFee bool) func() *fx {
		return func() *fx {
			x := base()
			x.dead("D", claims.Male, day(1940, 1, 1), day(2024, 3, 1))
			x.add(v{id: "V1", psn: "D", inst: "C1", begin: at(2024, 3, visitDay, 9, 0), reversed: reversed})
			if lateFee {
				x.item(claims.CatalogItem{Code: "BED", Name: "床位费", ListType: 201, AgeMin: -1, AgeMax: -1})
				x.add(v{id: "S1", psn: "D", inst: "C1", med: claims.MedInpatient, begin: at(2024, 2, 20, 9, 0), end: at(2024, 3, 8, 9, 0), fund: 40000})
				x.fees(f{visit: "S1", sn: "1", item: "BED", count: 1, price: yuan(100), time: at(2024, 2, 28, 9, 0)},
					f{visit: "S1", sn: "2", item: "BED", count: 1, price: yuan(100), time: at(2024, 3, 5, 9, 0)})
			}
			return x
		}
	}
	runCases(t, IDAfterDeath, []ruleCase{
		{name: "visit four days after death", build: build(5, false, false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) { wantIDs(t, x, hs[0], "V1"); wantAmount(t, hs[0], 8000) }},
		{name: "visit on the day of death", build: build(1, false, false), want: 0},
		{name: "reversed visit after death", build: build(5, true, false), want: 0},
		{name: "grace of five days", build: build(5, false, false), params: map[string]float64{"grace_days": 5}, want: 0},
		{name: "stay billing after death", build: build(1, false, true), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				_, fees := Cite(x.t, hs[0])
				if len(fees) != 1 || fees[0] != (findings.FeeRef{MdtrtID: "S1", FeedetlSn: "2"}) {
					t.Errorf("fees %v", fees)
				}
				wantAmount(t, hs[0], 8000) // fund share of the 100-yuan line
			}},
	})
}
