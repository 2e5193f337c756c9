package rings

import (
	"context"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
)

// PeerZ exposes peerZ to the external tests.
func PeerZ(g *graph.Graph) []float32 { return peerZ(g) }

// Candidates runs the generators alone, for diagnostics.
func Candidates(g *graph.Graph) map[string]int {
	rr, _ := rules.Run(context.Background(), g, rules.Defaults())
	s, _ := newState(context.Background(), g, rr, &Options{})
	out := map[string]int{}
	for name, f := range map[string]func(context.Context) ([]*candidate, error){"admit": s.admissionCandidates, "hub": s.hubCandidates} {
		cs, err := f(context.Background())
		if err != nil {
			panic(err)
		}
		out[name] = len(cs)
	}
	return out
}
