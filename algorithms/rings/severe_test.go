package rings

import (
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestSevereSeeding checks the severity test of seedSites: a clinic whose
// few flagged relations do not stand out against its class's flagged rate
// is seeded when most of them are severe (billed far beyond the costly
// ones) and the class's other flagged relations rarely are; only its
// severe relations then stay. The same clinic with ordinary costly
// relations is not seeded.
func TestSevereSeeding(t *testing.T) {
	g, idx := rateGraph(t)
	ks := kindIndex(flagSevere)
	// Every clinic: 300 relations, 6 flagged (a 2% class rate), one of
	// them severe; the clinic under test has 12 flagged (lift 2 over the
	// class rate: not seeded on flagged relations alone).
	tally := func(severe int32) []siteTally {
		out := make([]siteTally, 34)
		for _, i := range idx[graph.ClassClinic] {
			out[i] = siteTally{relations: 300, flagged: 6}
			out[i].byKind[kindIndex(flagCostly)] = 6
			out[i].byKind[ks] = 1
		}
		x := &out[idx[graph.ClassClinic][0]]
		x.flagged, x.byKind[kindIndex(flagCostly)], x.byKind[ks] = 12, 12, severe
		return out
	}
	cases := []struct {
		name      string
		severe    int32
		seeded    bool
		wantKinds relFlag
	}{
		{"ten of twelve flagged relations severe", 10, true, flagSevere},
		{"one severe, like every clinic", 1, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultParams()
			s := &state{g: g, opt: &Options{Params: p}}
			sd := s.seedSites(s.siteLo(), tally(c.severe), p.MinSignificance+math.Log10(34))
			i := idx[graph.ClassClinic][0]
			if sd.seeded[i] != c.seeded {
				t.Fatalf("seeded = %v, want %v (lift %.1f)", sd.seeded[i], c.seeded, sd.lift[i])
			}
			if c.seeded && sd.kinds[i] != c.wantKinds {
				t.Errorf("kinds = %b, want %b", sd.kinds[i], c.wantKinds)
			}
			for _, j := range idx[graph.ClassClinic][1:] {
				if sd.seeded[j] {
					t.Errorf("ordinary clinic %d seeded", j)
				}
			}
		})
	}
}
