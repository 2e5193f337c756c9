package rings

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
)

// LockstepSummary lists the lockstep candidates of g with their scores, for
// diagnosis.
func LockstepSummary(g *graph.Graph) []string {
	rr, _ := rules.Run(context.Background(), g, rules.Defaults())
	s, _ := newState(context.Background(), g, rr, &Options{Params: DefaultParams()}, nil)
	cs, _ := s.lockstepCandidates(context.Background())
	var out []string
	for _, c := range cs {
		s.finish(c)
		s.score(c)
		out = append(out, fmt.Sprintf("%s pat=%d insts=%v strength=%.2f score=%.3f peer=%.2f lock=%.2f/%.2f rule=%.2f %s", c.typology, len(c.patients),
			g.Label(c.insts[0]), c.strength, c.score, c.feat.PeerZ, c.feat.LockstepDensity, c.feat.LockstepBaseline, c.feat.RuleHitShare, c.facts[0].detail))
	}
	return out
}
