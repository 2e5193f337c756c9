package rings

import (
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// memberStat is one member's share of its ring's own evidence: the ring
// visits it takes part in (as patient, institution or attending doctor),
// their net fund, the rule hits assigned to the ring that name it, and its
// first and last ring visit.
type memberStat struct {
	visits      int
	fund        claims.Money
	hits        int
	first, last claims.Time
}

// memberStats returns the statistics of every member of c over c's visits
// (the rows behind its amount at risk) and the rule hits assigned to its
// ring (c.ringHits). Members without any ring visit have zero statistics
// and NoTime bounds.
func (s *state) memberStats(c *candidate) map[graph.NodeID]*memberStat {
	g, vt := s.g, &s.t.Visits
	out := make(map[graph.NodeID]*memberStat, c.members())
	for _, x := range members(c) {
		out[x] = &memberStat{first: claims.NoTime, last: claims.NoTime}
	}
	visit := func(x graph.NodeID, v uint32) {
		m := out[x]
		if m == nil {
			return
		}
		m.visits++
		m.fund += vt.FundPay[v]
		if b := vt.Begin[v]; b != claims.NoTime {
			if m.first == claims.NoTime || b < m.first {
				m.first = b
			}
			if m.last == claims.NoTime || b > m.last {
				m.last = b
			}
		}
	}
	for _, v := range c.visits {
		if !s.live(v) {
			continue
		}
		visit(g.PatientNode(vt.Person[v]), v)
		visit(s.instNode(v), v)
		if d := vt.Doctor[v]; s.doctorOK(d) {
			visit(g.DoctorNode(d), v)
		}
	}
	for _, i := range c.ringHits {
		seen := make(map[graph.NodeID]bool)
		s.hitNodes(&s.rr.Hits[i], func(x graph.NodeID) {
			if m := out[x]; m != nil && !seen[x] {
				seen[x] = true
				m.hits++
			}
		})
	}
	return out
}

// memberShares returns each member's share of its ring's evidence: the mean of its ring visits against
// the ring's median member's and its fund against the median member's
// (medians floored at one visit and one yuan, so that a ring where most
// members hold no visit of their own does not divide by zero).
func memberShares(stats map[graph.NodeID]*memberStat) map[graph.NodeID]float64 {
	vs := make([]float64, 0, len(stats))
	fs := make([]float64, 0, len(stats))
	for _, m := range stats {
		vs = append(vs, float64(m.visits))
		fs = append(fs, float64(m.fund))
	}
	medV, medF := math.Max(1, median(vs)), math.Max(100, median(fs))
	out := make(map[graph.NodeID]float64, len(stats))
	for x, m := range stats {
		out[x] = (float64(m.visits)/medV + math.Max(0, float64(m.fund))/medF) / 2
	}
	return out
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none; xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// memberScore is the score of a member of a reported ring of score ring
// whose share of the ring's evidence is share (memberShares): 0.5 plus half
// the ring's score scaled by the squashed share,
//
//	0.5 + 0.5 · ring · share/(share + member_share_half),
//
// in [0.5, 1]: the ring's median member scores 0.5 + 0.5·ring·½ at the
// default member_share_half of 1, a member holding many times the median's
// visits and fund (a tout, the organising clinic) nears 0.5 + 0.5·ring, a
// member without ring visits of its own (a card lender named by one hit)
// stays near 0.5.
func memberScore(ring, share, half float64) float64 {
	return math.Max(0.5, math.Min(1, 0.5+0.5*ring*squash(share, half)))
}

// memberScores sets the statistics of each member of reported c (c.stats)
// and its share of c's evidence (c.share); c.ringHits must be set.
func (s *state) memberScores(c *candidate) {
	c.stats = s.memberStats(c)
	c.share = memberShares(c.stats)
}
