package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// operationCity is two pharmacies whose ordinary customers buy a common
// drug all year, and at each a group of six people buying another item
// again and again for a few months: one operation at two counters, or two
// groups that differ in their months, their items or their plan.
type operationCity struct {
	shift   int    // days the second group begins (and ends) after the first
	item    string // the second group's item ("RING" as the first's)
	fills   int    // fills per person of the second group (6 as the first's)
	begin   int    // the first group's first day (100 when 0)
	span    int    // days each group is active
	sharing bool   // the second group's first person is the first group's too
	every   int    // when > 0, each group's six come together every this many days, both with item and fills
}

// build returns the graph and the two groups' candidates.
func (oc operationCity) build(t *testing.T) (*graph.Graph, []*candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	var sites [2]uint32
	codes := [2]string{"P0", "P1"}
	for i := range sites {
		sites[i], _ = tb.AddInstitution(&claims.Institution{Code: codes[i], Name: codes[i] + "大药房", Type: claims.Pharmacy, Beds: -1})
	}
	n := 0
	buy := func(person uint32, site int, item string, fund claims.Money, day int) uint32 {
		n++
		id := fmt.Sprintf("v%d", n)
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+9*3600)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: codes[site], MedType: claims.MedPharmacy,
			Begin: at, End: claims.NoTime, MedFee: fund + fund/4, FundPay: fund}, person, sites[site], uint32(n))
		tb.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: id, ItemCode: item, ListType: 101, Count: 2,
			Price: claims.Price((fund + fund/4) / 2), Amount: fund + fund/4, Time: at}, v, uint32(n))
		return v
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		return row
	}
	for site := range sites {
		for i := range 30 {
			p := person(fmt.Sprintf("c%d-%d", site, i))
			for k := range 4 {
				buy(p, site, "COMMON", claims.Money(3000+100*(i%7)), (i*11+90*k)%365)
			}
		}
	}
	var groups [2][]uint32
	if oc.begin == 0 {
		oc.begin = 100
	}
	item, fills, begin := "RING", 6, oc.begin
	if oc.every > 0 {
		item, fills = oc.item, oc.fills // cohorts: both groups alike
	}
	var first uint32
	for site := range sites {
		if site == 1 {
			item, fills, begin = oc.item, oc.fills, oc.begin+oc.shift
		}
		for i := range 6 {
			p := person(fmt.Sprintf("r%d-%d", site, i))
			if site == 0 && i == 0 {
				first = p
			}
			if site == 1 && i == 0 && oc.sharing {
				p = first
			}
			for k := range fills {
				day := begin + k*(oc.span-1)/max(fills-1, 1)
				switch {
				case oc.every > 0:
					day = begin + k*oc.every
				case k > 0 && k < fills-1:
					day += i % 3
				}
				groups[site] = append(groups[site], buy(p, site, item, 50_000, day))
			}
		}
	}
	g := graphOf(t, tb)
	var out []*candidate
	for site, vs := range groups {
		c := candidateAt(g, tb, sites[site], vs)
		c.strength, c.score = 1, 1
		out = append(out, c)
	}
	return g, out
}

// TestJoinOperations checks that two groups at two counters, sharing no
// person, join as one operation when they began and ended in the same
// weeks, follow the same plan and buy the same unusual item (and when they
// share a person too, too few for the merge), or buy a common drug on
// the same cohort days (also when both run all year: the days, not the
// months, are the coincidence); not when their months, items or plans
// differ, when both run all year billing the same item on their own days,
// or when their cohort days differ or coincide only as two weekly habits
// of the same weekday do.
func TestJoinOperations(t *testing.T) {
	one := operationCity{item: "RING", fills: 6, span: 100}
	cases := []struct {
		name  string
		city  operationCity
		rings int
	}{
		{"one operation at two counters", one, 1},
		{"a week apart", operationCity{shift: 7, item: "RING", fills: 6, span: 100}, 1},
		{"a month apart", operationCity{shift: 30, item: "RING", fills: 6, span: 100}, 2},
		{"other items", operationCity{item: "OTHER", fills: 6, span: 100}, 2},
		{"the common drug", operationCity{item: "COMMON", fills: 6, span: 100}, 2},
		{"three times the fills", operationCity{item: "RING", fills: 18, span: 100}, 2},
		{"all year", operationCity{item: "RING", fills: 6, begin: 10, span: 340}, 2},
		{"a person shared too", operationCity{item: "RING", fills: 6, span: 100, sharing: true}, 1},
		{"the common drug on the same cohort days", operationCity{item: "COMMON", fills: 12, every: 9, span: 100}, 1},
		{"the common drug on other cohort days", operationCity{shift: 4, item: "COMMON", fills: 12, every: 9, span: 100}, 2},
		{"all year, on the same cohort days", operationCity{item: "COMMON", fills: 36, every: 9, begin: 10, span: 340}, 1},
		{"all year, on other cohort days", operationCity{shift: 4, item: "COMMON", fills: 36, every: 9, begin: 10, span: 340}, 2},
		{"the common drug on the same weekday every week", operationCity{item: "COMMON", fills: 15, every: 7, span: 100}, 2},
		{"too few cohort days", operationCity{item: "COMMON", fills: 4, every: 9, span: 30}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cands := c.city.build(t)
			s := newTestState(t, g)
			out := s.joinOperations(cands)
			if len(out) != c.rings {
				t.Fatalf("%d rings, want %d", len(out), c.rings)
			}
			if c.rings != 1 {
				return
			}
			want := 12
			if c.city.sharing {
				want = 11
			}
			if len(out[0].patients) != want || len(out[0].insts) != 2 {
				t.Errorf("joined ring of %d people at %d sites, want %d at 2", len(out[0].patients), len(out[0].insts), want)
			}
			found := false
			for _, f := range out[0].facts {
				if f.id == FactSameOperation {
					found = true
					items := 1.0
					if c.city.item == "COMMON" {
						items = 0
						if f.params["shared_cohort_days"] != float64(c.city.fills) || f.params["log10_p"] > -2 {
							t.Errorf("cohort days: fact params %v", f.params)
						}
					}
					if f.params["people"] != 6 || f.params["shared_items"] != items || f.params["shared_patients"] != float64(12-want) {
						t.Errorf("fact params %v", f.params)
					}
				}
			}
			if !found {
				t.Errorf("no %s fact", FactSameOperation)
			}
		})
	}
}
