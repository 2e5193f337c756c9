package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// overuseCity is a city of pharmacies whose ordinary customers buy one box
// of a drug now and then, and a group of people who take several boxes
// at each fill (of the same drug, or of an item of their own): all at one
// pharmacy or one per pharmacy, billed dearly or at the ordinary price,
// their boxes new or sold before to someone else.
type overuseCity struct {
	item     string // the group's item when not the customers' drug
	takers   int
	together bool
	boxes    float64      // boxes per fill of the group
	fund     claims.Money // fund of each of the group's fills
	resold   bool         // the group's boxes were first sold to ordinary customers
	unbought bool         // the catalogue also lists an item nobody buys
	// elsewhere is the number of people filling the group's item as the
	// group does at the other pharmacies, one per pharmacy from P01: the
	// item's only other buyers.
	elsewhere int
}

func (oc overuseCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	const pharmacies, customers, fills = 12, 40, 6
	tb := graph.NewTables(0, 0)
	if oc.unbought {
		tb.AddCatalogItem(&claims.CatalogItem{Code: "NEVER", Name: "无人购买", ListType: 101, AgeMin: -1, AgeMax: -1})
	}
	sites := make([]uint32, pharmacies)
	codes := make([]string, pharmacies)
	for i := range sites {
		codes[i] = fmt.Sprintf("P%02d", i)
		sites[i], _ = tb.AddInstitution(&claims.Institution{Code: codes[i], Name: codes[i] + "大药房", Type: claims.Pharmacy, Beds: -1})
	}
	n := 0
	buy := func(person uint32, site int, item string, boxes float64, fund claims.Money, day int, trace string) {
		n++
		id := fmt.Sprintf("v%d", n)
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: codes[site], MedType: claims.MedPharmacy,
			Begin: at, End: claims.NoTime, MedFee: fund + fund/4, FundPay: fund}, person, sites[site], uint32(n))
		tb.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: id, ItemCode: item, ListType: 101, Count: boxes,
			Price: claims.Price((fund + fund/4) / claims.Money(boxes)), Amount: fund + fund/4, Time: at, TraceCode: trace}, v, uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		return row
	}
	var traces []string
	for site := 0; site < pharmacies; site++ {
		for i := 0; i < customers; i++ {
			p := person(fmt.Sprintf("c%d-%d", site, i))
			for k := 0; k < 4; k++ {
				tr := fmt.Sprintf("T%d-%d-%d", site, i, k)
				traces = append(traces, tr)
				buy(p, site, "DRUG", 1, claims.Money(2000+100*((i+k)%9)), 20*k+i%7, tr)
			}
		}
	}
	item := "DRUG"
	if oc.item != "" {
		item = oc.item
	}
	for i := 0; i < oc.takers; i++ {
		p := person(fmt.Sprintf("f%d", i))
		site := 0
		if !oc.together {
			site = i % pharmacies
		}
		for k := 0; k < fills; k++ {
			tr := fmt.Sprintf("N%d-%d", i, k)
			if oc.resold {
				tr = traces[(i*fills+k)%len(traces)]
			}
			buy(p, site, item, oc.boxes, oc.fund, 100+14*k+i, tr)
		}
	}
	for i := 0; i < oc.elsewhere; i++ {
		p := person(fmt.Sprintf("e%d", i))
		for k := 0; k < fills; k++ {
			buy(p, 1+i%(pharmacies-1), item, oc.boxes, oc.fund, 100+14*k+i, fmt.Sprintf("E%d-%d", i, k))
		}
	}
	g := graphOf(t, tb)
	return g
}

// TestOveruseCandidates checks the item-overuse generator: people taking
// several times the boxes the drug's other buyers take, billed above
// peers, at one pharmacy form a ring there; spread one per pharmacy, at
// ordinary quantities, at ordinary prices, as later buyers of boxes sold
// before, or too few, they do not.
func TestOveruseCandidates(t *testing.T) {
	cases := []struct {
		name   string
		city   overuseCity
		people int // patients of the one candidate; 0: none
	}{
		{"eight heavy takers at one pharmacy", overuseCity{takers: 8, together: true, boxes: 6, fund: 60000}, 8},
		{"eight heavy takers, one per pharmacy", overuseCity{takers: 8, together: false, boxes: 6, fund: 60000}, 0},
		{"eight dear fills of one box at one pharmacy", overuseCity{takers: 8, together: true, boxes: 1, fund: 60000}, 0},
		{"eight heavy takers billed like their peers", overuseCity{takers: 8, together: true, boxes: 6, fund: 2400}, 0},
		{"eight heavy takers of boxes sold before", overuseCity{takers: 8, together: true, boxes: 6, fund: 60000, resold: true}, 0},
		{"four heavy takers: below min_ring_people", overuseCity{takers: 4, together: true, boxes: 6, fund: 60000}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s, cs := runGenerator(t, g, (*state).overuseCandidates)
			cd := oneCandidateAt(t, g, cs, c.people, "P00")
			if cd == nil {
				return
			}
			if cd.source != SourceItemOveruse || len(cd.facts) != 1 || cd.feat.FlaggedLift < DefaultParams().OveruseLift {
				t.Errorf("source %s, %d facts, lift %.1f", cd.source, len(cd.facts), cd.feat.FlaggedLift)
			}
			s.finish(cd)
			if cd.feat.OveruseShare != 1 || cd.feat.OveruseLift < DefaultParams().OveruseLift {
				t.Errorf("overuse share %.2f, lift %.1f; want 1 and at least %.0f", cd.feat.OveruseShare, cd.feat.OveruseLift, DefaultParams().OveruseLift)
			}
		})
	}
}

// TestOveruseExtremeParams runs the generator with its parameters at the
// ends of their ranges: no panic, and no candidate when every item counts
// as ordinary (a ratio no one reaches).
func TestOveruseExtremeParams(t *testing.T) {
	g := overuseCity{takers: 8, together: true, boxes: 6, fund: 60000, unbought: true}.build(t)
	for _, c := range []struct {
		name  string
		set   func(*Params)
		empty bool
	}{
		{"no minimum of buyers", func(p *Params) { p.OveruseMinBuyers = 0 }, false},
		{"quantile 0", func(p *Params) { p.OveruseQuantile = 0 }, false},
		{"quantile 1", func(p *Params) { p.OveruseQuantile = 1 }, false},
		{"ratio no one reaches", func(p *Params) { p.OveruseRatio = 1000 }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := runGenerator(t, g, func(*state, context.Context) ([]*candidate, error) { return nil, nil })
			c.set(&s.opt.Params)
			cs, err := s.overuseCandidates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.empty && len(cs) != 0 {
				t.Errorf("%d candidates, want none", len(cs))
			}
		})
	}
}
