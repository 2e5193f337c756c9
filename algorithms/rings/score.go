package rings

import (
	"math"

	"github.com/ringlens/ringlens/graph/findings"
)

// squash maps x ≥ 0 to [0, 1): x / (x + half), 0.5 at x = half.
func squash(x, half float64) float64 {
	if x <= 0 || half <= 0 {
		return 0
	}
	return x / (x + half)
}

// score sets c.score in [0, 1] from the generator's evidence strength and
// the ring features: distance from peers (the median peer z of the ring's
// fund per visit), lockstep density against the baseline of the same
// institutions, rule-hit concentration and, for card collection, the
// card-based share, and the share of people living away who visit on a
// rhythm, and the share of people admitted again and again where their
// sites stand out from their class in such relations. These combine as independent pieces of evidence
// (1 − Π(1 − s_i)); rings found by a typology-specific rule signature
// (split stays, round quantities, re-sold trace codes, distant doctors,
// admission cohorts) start from full evidence and rest on their
// generator's strength. The number of patients and the fund at risk then
// scale the result, so that a tiny group with little money ranks low.
func (s *state) score(c *candidate) {
	f := &c.feat
	pr := &s.opt.Params
	// Distance from peers: the ring's median z of fund per visit, or of
	// fund share (rings that inflate what the fund pays, not the bill).
	peer := squash(max(f.PeerZ, f.ShareZ)-1, 3)
	lock := 0.0
	if d, b := f.LockstepDensity, f.LockstepBaseline; d > 0 {
		lock = math.Max(0, d-b) * math.Min(1, d/(b+0.05)/4)
	}
	rule := squash(f.RuleHitShare, 0.3)
	card := 0.0
	if c.typology == findings.TypCardCollection || f.CardRelations >= 0.5 {
		card = f.CardShare
	}
	// People living away who visit on a regular rhythm (card collection
	// without card types, scattered recruits).
	away := f.AwayRelations * f.Rhythm
	// People admitted again and again at the ring's sites, weighed by how
	// far the sites stand out from their class in such relations.
	admit := f.AdmitRelations * squash(f.FlaggedLift-1, pr.AdmitLiftHalf)
	base := 0.0
	if signature(c) {
		base = 1
	}
	ev := 1 - (1-base)*(1-peer)*(1-lock)*(1-0.5*rule)*(1-card)*(1-away)*(1-admit)
	size := 1.0
	if c.typology != findings.TypBorrowedQualif {
		size = squash(float64(len(c.patients)), pr.SizeHalf)
	}
	money := squash(f.FundYuan, pr.MoneyHalf)
	c.score = c.strength * ev * (0.5 + 0.5*size) * (0.5 + 0.5*money)
	f.Evidence = ev
	f.Score = c.score
}

// signature reports whether c was found by a typology-specific rule
// signature that is evidence by itself (split stays, round quantities,
// re-sold trace codes, returned boxes, distant doctors, admission cohorts):
// its score starts from full evidence. Relation excess and the signatures
// of fabricated care, lockstep swiping and card collection must show their
// distance from peers instead.
func signature(c *candidate) bool {
	switch {
	case c.source == SourceRelationExcess:
		return false
	case c.typology == findings.TypFabricatedOutpatient, c.typology == findings.TypLockstepSwiping, c.typology == findings.TypCardCollection:
		return false
	}
	return true
}
