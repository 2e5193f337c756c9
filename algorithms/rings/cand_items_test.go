package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// itemCity is a city of pharmacies whose ordinary customers buy a cheap
// item now and then, and a group of people filling one dear item again and
// again: all at one pharmacy (together) or one per pharmacy.
type itemCity struct {
	fillers  int
	together bool
	fund     claims.Money // fund of each of the group's fills
}

func (ic itemCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	const pharmacies, customers, fills = 12, 40, 6
	tb := graph.NewTables(0, 0)
	sites := make([]uint32, pharmacies)
	codes := make([]string, pharmacies)
	for i := range sites {
		codes[i] = fmt.Sprintf("P%02d", i)
		sites[i], _ = tb.AddInstitution(&claims.Institution{Code: codes[i], Name: codes[i] + "大药房", Type: claims.Pharmacy, Beds: -1})
	}
	n := 0
	buy := func(person uint32, site int, item string, fund claims.Money, day int) {
		n++
		id := fmt.Sprintf("v%d", n)
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: codes[site], MedType: claims.MedPharmacy,
			Begin: at, End: claims.NoTime, MedFee: fund + fund/4, FundPay: fund}, person, sites[site], uint32(n))
		tb.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: id, ItemCode: item, ListType: 101, Count: 1,
			Price: claims.Price(fund + fund/4), Amount: fund + fund/4, Time: at}, v, uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		return row
	}
	for site := 0; site < pharmacies; site++ {
		for i := 0; i < customers; i++ {
			p := person(fmt.Sprintf("c%d-%d", site, i))
			for k := 0; k < 4; k++ {
				buy(p, site, "CHEAP", claims.Money(2000+100*((i+k)%9)), 20*k+i%7)
			}
		}
	}
	for i := 0; i < ic.fillers; i++ {
		p := person(fmt.Sprintf("f%d", i))
		site := 0
		if !ic.together {
			site = i % pharmacies
		}
		for k := 0; k < fills; k++ {
			buy(p, site, "DEAR", ic.fund, 14*k+i)
		}
	}
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestItemCandidates checks the item-concentration generator: people
// filling one dear item again and again at one pharmacy form a ring there;
// the same people spread one per pharmacy, or filling at ordinary prices,
// do not.
func TestItemCandidates(t *testing.T) {
	cases := []struct {
		name   string
		city   itemCity
		people int // patients of the one candidate; 0: none
	}{
		{"eight dear fillers at one pharmacy", itemCity{fillers: 8, together: true, fund: 200000}, 8},
		{"eight dear fillers, one per pharmacy", itemCity{fillers: 8, together: false, fund: 200000}, 0},
		{"eight fillers at one pharmacy, ordinary prices", itemCity{fillers: 8, together: true, fund: 2400}, 0},
		{"four dear fillers at one pharmacy: below min_ring_people", itemCity{fillers: 4, together: true, fund: 200000}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			ctx := context.Background()
			rr, err := rules.Run(ctx, g, rules.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			s, err := newState(ctx, g, rr, &Options{Params: DefaultParams(), Rules: rules.Defaults()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.excessCandidates(ctx); err != nil {
				t.Fatal(err)
			}
			cs, err := s.itemCandidates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.people == 0 {
				if len(cs) != 0 {
					t.Fatalf("got %d candidates (first with %d people), want none", len(cs), len(cs[0].patients))
				}
				return
			}
			if len(cs) != 1 {
				t.Fatalf("got %d candidates, want 1", len(cs))
			}
			cd := cs[0]
			if len(cd.patients) != c.people || len(cd.insts) != 1 || g.Key(cd.insts[0]) != "P00" {
				t.Errorf("candidate: %d people at %d sites (%s), want %d at P00", len(cd.patients), len(cd.insts), g.Key(cd.insts[0]), c.people)
			}
			if cd.source != SourceItemConcentration || len(cd.facts) != 1 || cd.feat.FlaggedLift < DefaultParams().ItemLift {
				t.Errorf("source %s, %d facts, lift %.1f", cd.source, len(cd.facts), cd.feat.FlaggedLift)
			}
		})
	}
}
