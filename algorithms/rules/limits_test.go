package rules

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestSexItem(t *testing.T) {
	build := func(psn string, reversed bool, amount claims.Money) func() *fx {
		return func() *fx {
			x := base()
			x.item(claims.CatalogItem{Code: "HYST", Name: "宫腔镜检查", LimitSex: claims.Female, AgeMin: -1, AgeMax: -1})
			x.add(v{id: "V1", psn: psn, inst: "C1", doc: "D410000000001", begin: at(2024, 3, 1, 9, 0), reversed: reversed})
			x.fees(f{visit: "V1", sn: "1", item: "HYST", count: 1, price: yuan(100), amount: amount})
			return x
		}
	}
	runCases(t, IDSexItem, []ruleCase{
		{name: "male billed for hysteroscopy", build: build("M", false, 10000), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				wantIDs(t, x, hs[0], "V1")
				wantAmount(t, hs[0], 8000) // fund share 8000/10000 of the 100-yuan line
			}},
		{name: "female patient", build: build("F", false, 10000), want: 0},
		{name: "reversed visit", build: build("M", true, 10000), want: 0},
		{name: "fee line refunded to zero", build: build("M", false, -1), want: 0},
		{name: "two lines needed", build: build("M", false, 10000), params: map[string]float64{"min_lines": 2}, want: 0},
	})
}

func TestAgeItem(t *testing.T) {
	build := func(birth claims.Date) func() *fx {
		return func() *fx {
			x := base()
			x.person("K", claims.Male, birth)
			x.item(claims.CatalogItem{Code: "PED", Name: "儿童用药", LimitSex: claims.SexUnknown, AgeMin: -1, AgeMax: 14})
			x.add(v{id: "V1", psn: "K", inst: "C1", begin: at(2024, 3, 1, 9, 0)})
			x.fees(f{visit: "V1", sn: "1", item: "PED", count: 2, price: yuan(10)})
			return x
		}
	}
	runCases(t, IDAgeItem, []ruleCase{
		{name: "adult of 30 billed a child-only item", build: build(day(1994, 1, 1)), want: 1},
		{name: "child of 10", build: build(day(2014, 1, 1)), want: 0},
		{name: "15 years and a day old", build: build(day(2009, 2, 28)), want: 1},
		{name: "14 years old", build: build(day(2009, 3, 2)), want: 0},
		{name: "tolerated", build: build(day(1994, 1, 1)), params: map[string]float64{"tolerance_years": 20}, want: 0},
		{name: "unknown birth date", build: build(claims.NoDate), want: 0},
	})
}

func TestSexDiagnosis(t *testing.T) {
	build := func(psn, dise string) func() *fx {
		return func() *fx {
			x := base()
			x.add(v{id: "V1", psn: psn, inst: "C1", dise: dise, begin: at(2024, 3, 1, 9, 0)})
			return x
		}
	}
	runCases(t, IDSexDiagnosis, []ruleCase{
		{name: "man with delivery diagnosis", build: build("M", "O80.x00"), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) { wantIDs(t, x, hs[0], "V1"); wantAmount(t, hs[0], 8000) }},
		{name: "woman with delivery diagnosis", build: build("F", "O80.x00"), want: 0},
		{name: "man with prostate hyperplasia", build: build("M", "N40"), want: 0},
		{name: "woman with prostate hyperplasia", build: build("F", "n40.x01"), want: 1},
		{name: "woman with C61 prostate cancer", build: build("F", "C61"), want: 1},
		{name: "man with hypertension", build: build("M", "I10"), want: 0},
	})
}

func TestAgeDiagnosis(t *testing.T) {
	build := func(birth claims.Date, dise string) func() *fx {
		return func() *fx {
			x := base()
			x.person("W", claims.Female, birth)
			x.add(v{id: "V1", psn: "W", inst: "C1", dise: dise, begin: at(2024, 3, 1, 9, 0)})
			return x
		}
	}
	runCases(t, IDAgeDiagnosis, []ruleCase{
		{name: "induced abortion at 75", build: build(day(1949, 1, 1), "O04.900"), want: 1},
		{name: "induced abortion at 30", build: build(day(1994, 1, 1), "O04.900"), want: 0},
		{name: "perinatal condition at 40", build: build(day(1984, 1, 1), "P07.3"), want: 1},
		{name: "perinatal condition in a newborn", build: build(day(2024, 2, 20), "P07.3"), want: 0},
		{name: "no diagnosis", build: build(day(1949, 1, 1), ""), want: 0},
	})
}
