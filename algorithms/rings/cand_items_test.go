package rings

import (
	"context"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// itemCity is a city of pharmacies whose ordinary customers buy a cheap
// item now and then, and a group of people filling one dear item again and
// again: all at one pharmacy (together) or one per pharmacy.
type itemCity struct {
	fillers   int
	together  bool
	fund      claims.Money // fund of each of the group's fills
	elsewhere int          // the item's other buyers, filling it as the group does, at other pharmacies
	resold    bool         // the group's boxes were sold before (to ordinary customers)
}

func (ic itemCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	return overuseCity{takers: ic.fillers, together: ic.together, boxes: 1, fund: ic.fund, item: "DEAR", elsewhere: ic.elsewhere, resold: ic.resold}.build(t)
}

// TestItemCandidates checks the item-concentration generator: people
// filling one dear item again and again at one pharmacy form a ring there;
// the same people spread one per pharmacy, filling at ordinary prices,
// filling as the item's buyers elsewhere all do, or buying boxes sold
// before (the customers of a pharmacy where a ring's boxes resurface), do
// not.
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
		// Every buyer of the item fills it so, here as elsewhere: a
		// pharmacy designated for a dear drug, not a ring.
		{"eight dear fillers at one pharmacy, as the item's buyers elsewhere", itemCity{fillers: 8, together: true, fund: 200000, elsewhere: 1}, 0},
		{"eight dear fillers at one pharmacy of boxes sold before", itemCity{fillers: 8, together: true, fund: 200000, resold: true}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			_, cs := runGenerator(t, g, (*state).itemCandidates)
			cd := oneCandidateAt(t, g, cs, c.people, "P00")
			if cd == nil {
				return
			}
			if cd.source != SourceItemConcentration || len(cd.facts) != 1 || cd.feat.FlaggedLift < DefaultParams().ItemLift {
				t.Errorf("source %s, %d facts, lift %.1f", cd.source, len(cd.facts), cd.feat.FlaggedLift)
			}
		})
	}
}

// runGenerator runs the rule library, the relation peers (excessCandidates)
// and then the generator gen on g with the default parameters.
func runGenerator(t *testing.T, g *graph.Graph, gen func(*state, context.Context) ([]*candidate, error)) (*state, []*candidate) {
	t.Helper()
	ctx := context.Background()
	s := newTestState(t, g)
	if _, err := s.excessCandidates(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err := gen(s, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, cs
}

// newTestState runs the default rules on g and returns the state of a
// detection with the default parameters.
func newTestState(t *testing.T, g *graph.Graph) *state {
	t.Helper()
	ctx := context.Background()
	rr, err := rules.Run(ctx, g, rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	s, err := newState(ctx, g, rr, &Options{Params: DefaultParams(), Rules: rules.Defaults()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// soleCandidate checks that cs is empty when want is false (returning
// nil), or holds exactly one candidate, which it returns.
func soleCandidate(t *testing.T, cs []*candidate, want bool) *candidate {
	t.Helper()
	if !want {
		if len(cs) != 0 {
			t.Fatalf("got %d candidates (first with %d people, %d sites), want none", len(cs), len(cs[0].patients), len(cs[0].insts))
		}
		return nil
	}
	if len(cs) != 1 {
		t.Fatalf("got %d candidates, want 1", len(cs))
	}
	return cs[0]
}

// nodeKeys returns the keys of nodes, sorted.
func nodeKeys(g *graph.Graph, nodes []graph.NodeID) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, g.Key(n))
	}
	slices.Sort(out)
	return out
}

// oneCandidateAt checks that cs is empty when people is 0 (returning nil),
// or one candidate of people patients at the one site keyed site.
func oneCandidateAt(t *testing.T, g *graph.Graph, cs []*candidate, people int, site string) *candidate {
	t.Helper()
	if people == 0 {
		if len(cs) != 0 {
			t.Fatalf("got %d candidates (first with %d people), want none", len(cs), len(cs[0].patients))
		}
		return nil
	}
	if len(cs) != 1 {
		t.Fatalf("got %d candidates, want 1", len(cs))
	}
	cd := cs[0]
	if len(cd.patients) != people || len(cd.insts) != 1 || g.Key(cd.insts[0]) != site {
		t.Errorf("candidate: %d people at %d sites (%s), want %d at %s", len(cd.patients), len(cd.insts), g.Key(cd.insts[0]), people, site)
	}
	return cd
}
