package rules

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestOverSupply(t *testing.T) {
	build := func(med claims.MedType, dise string, days, maxDays int32) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "AMLO", Name: "氨氯地平片", ListType: 101, AgeMin: -1, AgeMax: -1, MaxDays: maxDays})
			x.add(v{id: "V1", psn: "M", inst: "C1", doc: "D410000000001", med: med, dise: dise, begin: at(2024, 3, 1, 9, 0)})
			x.fees(f{visit: "V1", sn: "1", item: "AMLO", count: 3, price: yuan(10), days: days, doc: "D410000000001"})
			return x
		}
	}
	runCases(t, IDOverSupply, []ruleCase{
		{name: "acute 30-day supply", build: build(claims.MedOutpatient, "J06.900", 30, 0), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				// 30 yuan line, fund share 24 yuan, 23 of 30 days in excess.
				wantAmount(t, hs[0], 1840)
				if len(hs[0].Doctors) != 1 {
					t.Errorf("doctors %v", hs[0].Doctors)
				}
			}},
		{name: "acute 7-day supply", build: build(claims.MedOutpatient, "J06.900", 7, 0), want: 0},
		{name: "chronic outpatient 84 days", build: build(claims.MedChronic, "", 84, 0), want: 0},
		{name: "hypertension diagnosis 84 days", build: build(claims.MedOutpatient, "I10.x00", 84, 0), want: 0},
		{name: "chronic 100 days", build: build(claims.MedChronic, "I10", 100, 0), want: 1},
		{name: "emergency 5 days", build: build(claims.MedEmergency, "", 5, 0), want: 1},
		{name: "emergency 3 days", build: build(claims.MedEmergency, "", 3, 0), want: 0},
		{name: "catalogue allows 30", build: build(claims.MedOutpatient, "", 30, 30), want: 0},
		{name: "catalogue allows 30, 31 given", build: build(claims.MedOutpatient, "", 31, 30), want: 1},
		{name: "chronic, catalogue 30 does not bind", build: build(claims.MedChronic, "", 84, 30), want: 0},
		{name: "chronic, catalogue 30 binds", build: build(claims.MedChronic, "", 84, 30),
			params: map[string]float64{"catalog_binds_chronic": 1}, want: 1},
		{name: "inpatient ward medication ignored", build: build(claims.MedInpatient, "", 30, 0), want: 0},
	})
}

func TestRepeatRx(t *testing.T) {
	build := func(refillDay int, samePharmacyVisit bool, reversed bool) func() *fx {
		return func() *fx {
			x := base()
			x.pharmacy("PH2", 24.60, 118.20)
			x.item(claims.CatalogItem{Code: "MET", Name: "二甲双胍", ListType: 101, AgeMin: -1, AgeMax: -1})
			x.add(v{id: "V1", psn: "M", inst: "C1", doc: "D410000000001", med: claims.MedChronic, dise: "E11", begin: at(2024, 3, 1, 9, 0)})
			x.fees(f{visit: "V1", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30})
			if samePharmacyVisit {
				x.fees(f{visit: "V1", sn: "2", item: "MET", count: 3, price: yuan(10), days: 30})
				return x
			}
			x.add(v{id: "V2", psn: "M", inst: "PH2", med: claims.MedPharmacy, begin: at(2024, 3, 1+refillDay, 15, 0), reversed: reversed})
			x.fees(f{visit: "V2", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30, doc: "D410000000099"})
			return x
		}
	}
	runCases(t, IDRepeatRx, []ruleCase{
		{name: "refill at another pharmacy after 10 days", build: build(10, false, false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "V1", "V2")
				// The refill's fund share is 24 yuan; 20 of its 30 days overlap.
				wantAmount(t, hs[0], 1600)
				if len(hs[0].Institutions) != 2 {
					t.Errorf("institutions %v", hs[0].Institutions)
				}
			}},
		{name: "refill after 28 days", build: build(28, false, false), want: 0},
		{name: "refill after 24 days (6 left, tolerance 6)", build: build(24, false, false), want: 0},
		{name: "refill after 23 days", build: build(23, false, false), want: 1},
		{name: "two lines of one visit", build: build(0, true, false), want: 0},
		{name: "refill reversed", build: build(10, false, true), want: 0},
		{name: "two repeats needed", build: build(10, false, false), params: map[string]float64{"min_repeats": 2}, want: 0},
	})
	// One line per box, each with its own trace code and each carrying the
	// prescription's prd_days: the fill covers 30 days, not 90.
	boxes := func(refillDay int) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "RIVA", Name: "利伐沙班片", ListType: 101, AgeMin: -1, AgeMax: -1})
			for i, day := range []int{1, 1 + refillDay} {
				id := []string{"V1", "V2"}[i]
				x.add(v{id: id, psn: "M", inst: "C1", doc: "D410000000001", med: claims.MedChronic, dise: "I48", begin: at(2024, 3, day, 9, 0)})
				for sn := range 3 {
					x.fees(f{visit: id, sn: string(rune('1' + sn)), item: "RIVA", count: 1, price: yuan(126), days: 30})
				}
			}
			return x
		}
	}
	runCases(t, IDRepeatRx, []ruleCase{
		{name: "three box lines, refill after 30 days", build: boxes(30), want: 0},
		{name: "three box lines, refill after 10 days", build: boxes(10), want: 1},
	})
	// Twelve fills, every `every` days, of `days` days each: the stock
	// grows by days − every a fill.
	monthly := func(every, days int32) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "ASA", Name: "阿司匹林肠溶片", ListType: 101, AgeMin: -1, AgeMax: -1})
			for i := range int32(12) {
				id := fmt.Sprintf("V%02d", i)
				x.add(v{id: id, psn: "M", inst: "C1", doc: "D410000000001", med: claims.MedOutpatient, dise: "I25.1", begin: at(2024, 1, 1, 9, 0) + claims.Time(i*every)*86400})
				x.fees(f{visit: id, sn: "1", item: "ASA", count: 5, price: yuan(2), days: days})
			}
			return x
		}
	}
	runCases(t, IDRepeatRx, []ruleCase{
		{name: "35 days every 30 days for a year", build: monthly(30, 35), want: 0},
		{name: "30 days every 21 days", build: monthly(21, 30), want: 1},
		{name: "30 days every 30 days", build: monthly(30, 30), want: 0},
	})
}

func TestOverSupplyChronicRefillAtPharmacy(t *testing.T) {
	build := func(chronicFirst bool) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "MET", Name: "二甲双胍", ListType: 101, AgeMin: -1, AgeMax: -1})
			med, dise := claims.MedChronic, "E11.900"
			if !chronicFirst {
				med, dise = claims.MedOutpatient, "J06.900"
			}
			x.add(v{id: "V1", psn: "F", inst: "C1", med: med, dise: dise, begin: at(2024, 3, 1, 9, 0)},
				v{id: "V2", psn: "F", inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 4, 1, 9, 0)})
			x.fees(f{visit: "V1", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30},
				f{visit: "V2", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30})
			return x
		}
	}
	runCases(t, IDOverSupply, []ruleCase{
		{name: "pharmacy refill of a chronic prescription", build: build(true), want: 0},
		{name: "pharmacy refill of an acute prescription", build: build(false), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) { wantIDs(t, x, hs[0], "V1", "V2") }},
	})
}
