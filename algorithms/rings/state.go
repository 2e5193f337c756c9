package rings

import (
	"context"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// state is everything the stages of one Detect call share: the graph, the
// rule hits, per-visit peer statistics and the data period. It is built
// once and read by the candidate generators, scoring and the findings.
type state struct {
	g   *graph.Graph
	t   *graph.Tables
	rr  *rules.Result
	opt *Options

	// excluded[d] is true for Doctors rows that must stay out of rings
	// (placeholder codes).
	excluded []bool
	// visitZ is the robust z-score of each visit's fund amount within its
	// peer group (scenario, institution class, diagnosis category).
	visitZ []float32
	// hitVisit counts, per visit, the rule hits citing it.
	hitVisit []uint8
	// first and last bound the live visits; years is the data period in
	// years (at least a month).
	first, last claims.Time
	years       float64
	// repeat is the number of visits of one patient at one hub that makes
	// the patient a repeat patient there, scaled to the data period.
	repeat int
}

// newState computes the shared statistics.
func newState(ctx context.Context, g *graph.Graph, rr *rules.Result, opt *Options) (*state, error) {
	t := g.Tables()
	s := &state{g: g, t: t, rr: rr, opt: opt, excluded: make([]bool, t.Doctors.Len())}
	for d := range s.excluded {
		s.excluded[d] = rr.IsPlaceholder(uint32(d))
	}
	s.first, s.last = claims.NoTime, claims.NoTime
	for _, v := range g.VisitsByTime() {
		if t.Visits.Flags[v]&graph.VisitReversed != 0 {
			continue
		}
		b := t.Visits.Begin[v]
		if s.first == claims.NoTime {
			s.first = b
		}
		s.last = b
	}
	days := 30.0
	if s.first != claims.NoTime {
		days = max(days, float64(s.last-s.first)/86400)
	}
	s.years = days / 365
	s.repeat = max(4, int(math.Round(6*s.years)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.visitZ = peerZ(g)
	s.hitVisit = make([]uint8, t.Visits.Len())
	for i := range rr.Hits {
		for _, v := range rr.Hits[i].Visits {
			if int(v) < len(s.hitVisit) && s.hitVisit[v] < 255 {
				s.hitVisit[v]++
			}
		}
	}
	return s, ctx.Err()
}

// scenario groups medical types for peer comparison: 0 ordinary
// outpatient and emergency, 1 inpatient, 2 pharmacy purchase, 3 chronic or
// special outpatient (慢特病), whose drug bills are heavier by design.
func scenario(m claims.MedType) int {
	switch {
	case m.Inpatient():
		return 1
	case m.Pharmacy():
		return 2
	case m == claims.MedChronic:
		return 3
	}
	return 0
}

// Peer statistics. A group of peers is a scenario, an institution class and
// a diagnosis category (the first three characters of dise_codg), falling
// back to scenario and class when fewer than minPeers visits share the
// category.
const (
	minPeers   = 30
	nScenarios = 4
	nClasses   = 4
)

// peerZ returns the robust z-score of every visit's fund amount against its
// peers. The centre of a group is the median over its institutions (with
// at least minInstVisits visits in the group) of each institution's median
// amount: every institution has one vote, so that a ring billing thousands
// of inflated visits cannot shift its own baseline. The scale is 1.4826 ×
// the median absolute deviation of visits from their own institution's
// median (the ordinary spread within one site), floored at a tenth of the
// centre and at one yuan.
func peerZ(g *graph.Graph) []float32 {
	t := g.Tables()
	vt := &t.Visits
	n := vt.Len()
	catOf := make(map[uint32]int32)
	catByPrefix := make(map[string]int32)
	cat := make([]int32, n)
	for v := 0; v < n; v++ {
		d := vt.Dise[v]
		if d == graph.None {
			continue
		}
		c, ok := catOf[d]
		if !ok {
			code := t.Strings.String(d)
			if len(code) > 3 {
				code = code[:3]
			}
			c, ok = catByPrefix[code]
			if !ok {
				c = int32(len(catByPrefix)) + 1
				catByPrefix[code] = c
			}
			catOf[d] = c
		}
		cat[v] = c
	}
	nCat := int32(len(catByPrefix)) + 1
	nFine := int32(nScenarios*nClasses) * nCat
	nGroups := int(nFine) + nScenarios*nClasses
	fineOf := func(sc, cl int, c int32) int32 { return (int32(sc)*nClasses+int32(cl))*nCat + c }
	coarseOf := func(f int32) int32 { return nFine + f/nCat }
	// Count the fine groups first to know which fall back.
	grp := make([]int32, n)
	size := make([]int32, nFine)
	for v := 0; v < n; v++ {
		grp[v] = -1
		if vt.Flags[v]&graph.VisitReversed != 0 {
			continue
		}
		in := g.InstitutionNode(vt.Institution[v])
		if in == graph.NoNode {
			continue
		}
		grp[v] = fineOf(scenario(vt.MedType[v]), int(g.Class(in)), cat[v])
		size[grp[v]]++
	}
	for v := 0; v < n; v++ {
		if grp[v] >= 0 && size[grp[v]] < minPeers {
			grp[v] = coarseOf(grp[v])
		}
	}
	size = nil
	// Sort (group, institution, amount) keys.
	keys := make([]uint64, 0, n)
	const fundBits, instBits = 30, 22
	for v := 0; v < n; v++ {
		if grp[v] < 0 {
			continue
		}
		f := min(max(int64(vt.FundPay[v]), 0), 1<<fundBits-1)
		inst := uint64(vt.Institution[v]) & (1<<instBits - 1)
		keys = append(keys, uint64(grp[v])<<(fundBits+instBits)|inst<<fundBits|uint64(f))
	}
	slices.Sort(keys)
	gOf := func(k uint64) int32 { return int32(k >> (fundBits + instBits)) }
	iOf := func(k uint64) uint64 { return k >> fundBits }
	fOf := func(k uint64) float64 { return float64(k&(1<<fundBits-1)) / 100 }
	// Institution medians and spreads per group; the group's centre and
	// scale are their medians over institutions.
	centre := make([]float64, nGroups)
	scale := make([]float64, nGroups)
	var meds, mads, dev []float64
	for a := 0; a < len(keys); {
		gi := gOf(keys[a])
		meds, mads = meds[:0], mads[:0]
		b := a
		for b < len(keys) && gOf(keys[b]) == gi {
			c := b
			for c < len(keys) && iOf(keys[c]) == iOf(keys[b]) {
				c++
			}
			if c-b >= minInstVisits {
				m := fOf(keys[b+(c-b)/2])
				dev = dev[:0]
				for _, k := range keys[b:c] {
					dev = append(dev, math.Abs(fOf(k)-m))
				}
				slices.Sort(dev)
				meds = append(meds, m)
				mads = append(mads, dev[len(dev)/2])
			}
			b = c
		}
		if len(meds) == 0 { // no institution with enough visits: pool them
			m := fOf(keys[a+(b-a)/2])
			dev = dev[:0]
			for _, k := range keys[a:b] {
				dev = append(dev, math.Abs(fOf(k)-m))
			}
			slices.Sort(dev)
			meds, mads = append(meds, m), append(mads, dev[len(dev)/2])
		}
		slices.Sort(meds)
		slices.Sort(mads)
		centre[gi] = meds[len(meds)/2]
		scale[gi] = max(1.4826*mads[len(mads)/2], 0.1*math.Abs(centre[gi]), 1)
		a = b
	}
	keys = nil
	z := make([]float32, n)
	for v := 0; v < n; v++ {
		if gi := grp[v]; gi >= 0 {
			z[v] = float32((vt.FundPay[v].Yuan() - centre[gi]) / scale[gi])
		}
	}
	return z
}

// minInstVisits is the number of visits of a peer group an institution
// needs for its median to vote on the group's centre.
const minInstVisits = 5

// live reports whether visit v carries money (not reversed).
func (s *state) live(v uint32) bool { return s.t.Visits.Flags[v]&graph.VisitReversed == 0 }

// doctorOK reports whether Doctors row d may take part in a ring.
func (s *state) doctorOK(d uint32) bool {
	return d != graph.None && int(d) < len(s.excluded) && !s.excluded[d]
}

// instNode returns the node of visit v's institution.
func (s *state) instNode(v uint32) graph.NodeID {
	return s.g.InstitutionNode(s.t.Visits.Institution[v])
}

// region returns the Strings id of the region code of an institution node,
// or None.
func (s *state) instRegion(n graph.NodeID) uint32 {
	row := s.g.Row(n)
	if row == graph.None || int(row) >= len(s.t.Institutions.Admdvs) {
		return graph.None
	}
	return s.t.Institutions.Admdvs[row]
}

// elsewhere reports whether person row p is insured in a region other than
// the one of institution node n (both known).
func (s *state) elsewhere(p uint32, n graph.NodeID) bool {
	if int(p) >= len(s.t.Persons.InsuplcAdmdvs) {
		return false
	}
	a, b := s.t.Persons.InsuplcAdmdvs[p], s.instRegion(n)
	return a != graph.None && b != graph.None && a != b
}
