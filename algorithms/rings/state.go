package rings

import (
	"context"
	"math"
	"math/bits"
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
	// shareZ is the robust z-score of each visit's fund share
	// (fund_pay_sumamt / medfee_sumamt) within its peer group (scenario,
	// institution class, insurance scheme).
	shareZ []float32
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
	s.visitZ = amountZ(g)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.shareZ = shareZ(g)
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

// Peer statistics (see peerZ). A level of peers is used when at least
// minVoters institutions vote on its centre.
const (
	nScenarios    = 4
	nClasses      = 4
	minVoters     = 10
	minInstVisits = 5 // visits of a group an institution needs to vote
)

// groupStats are the centre and scale of peer groups, and how many
// institutions voted on each.
type groupStats struct {
	centre, scale []float64
	voters        []int32
}

// amountZ returns the robust z-score of every visit's fund amount against
// its peers: the finest level groups visits by scenario, institution class
// and diagnosis category (the first three characters of dise_codg).
func amountZ(g *graph.Graph) []float32 {
	t := g.Tables()
	vt := &t.Visits
	catOf := make(map[uint32]int32)
	catByPrefix := make(map[string]int32)
	cat := make([]int32, vt.Len())
	for v := range cat {
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
	value := func(v int) (int64, bool) { return int64(vt.FundPay[v]), true }
	return peerZ(g, value, int32(len(catByPrefix))+1, func(v int) int32 { return cat[v] })
}

// shareZ returns the robust z-score of every visit's fund share (in basis
// points of medfee_sumamt) against its peers: the finest level groups
// visits by scenario, institution class and insurance scheme, whose
// reimbursement rates differ by design.
func shareZ(g *graph.Graph) []float32 {
	t := g.Tables()
	vt := &t.Visits
	scheme := make(map[uint32]int32)
	insu := make([]int32, t.Persons.Len())
	for p := range insu {
		id := t.Persons.InsuType[p]
		k, ok := scheme[id]
		if !ok {
			k = int32(len(scheme))
			scheme[id] = k
		}
		insu[p] = k
	}
	value := func(v int) (int64, bool) {
		if vt.MedFee[v] <= 0 || vt.FundPay[v] < 0 {
			return 0, false
		}
		return int64(math.Round(10000 * float64(vt.FundPay[v]) / float64(vt.MedFee[v]))), true
	}
	return peerZ(g, value, int32(max(len(scheme), 1)), func(v int) int32 {
		if p := vt.Person[v]; int(p) < len(insu) {
			return insu[p]
		}
		return 0
	})
}

// peerZ returns the robust z-score of every visit's value (in hundredths:
// fen or basis points) against its peers. Peers are looked for at three
// levels, finest first: scenario, institution class and a key of nKey
// values (key(v)); scenario and class; scenario. The centre of a group is
// the median over its institutions of each institution's median value:
// every institution has one vote, so that a ring billing thousands of
// inflated visits cannot shift its own baseline. The scale is 1.4826 × the
// median over institutions of each one's median absolute deviation (the
// ordinary spread within one site), floored at a tenth of the centre and at
// one unit. Visits without a value score 0.
func peerZ(g *graph.Graph, value func(v int) (int64, bool), nKey int32, key func(v int) int32) []float32 {
	vt := &g.Tables().Visits
	n := vt.Len()
	sc := make([]int8, n) // scenario, -1 for visits left out
	cl := make([]int8, n)
	val := make([]int64, n)
	for v := 0; v < n; v++ {
		sc[v] = -1
		if vt.Flags[v]&graph.VisitReversed != 0 {
			continue
		}
		in := g.InstitutionNode(vt.Institution[v])
		x, ok := value(v)
		if in == graph.NoNode || !ok {
			continue
		}
		sc[v], cl[v], val[v] = int8(scenario(vt.MedType[v])), int8(g.Class(in)), x
	}
	levels := []struct {
		groups int
		of     func(v int) int32
	}{
		{int(nScenarios*nClasses) * int(nKey), func(v int) int32 { return (int32(sc[v])*nClasses+int32(cl[v]))*nKey + key(v) }},
		{nScenarios * nClasses, func(v int) int32 { return int32(sc[v])*nClasses + int32(cl[v]) }},
		{nScenarios, func(v int) int32 { return int32(sc[v]) }},
	}
	stats := make([]groupStats, len(levels))
	for i, l := range levels {
		stats[i] = groupStatsOf(vt, sc, val, l.groups, l.of)
	}
	z := make([]float32, n)
	for v := 0; v < n; v++ {
		if sc[v] < 0 {
			continue
		}
		for i, l := range levels {
			gi := l.of(v)
			if st := &stats[i]; st.voters[gi] >= minVoters || i == len(levels)-1 {
				z[v] = float32((float64(val[v])/100 - st.centre[gi]) / max(st.scale[gi], 1))
				break
			}
		}
	}
	return z
}

// groupStatsOf computes the centre, scale and voters of nGroups groups,
// visit v with value val[v] belonging to group of(v) (visits with sc[v] < 0
// left out).
func groupStatsOf(vt *graph.VisitTable, sc []int8, val []int64, nGroups int, of func(v int) int32) groupStats {
	// Pack (group, institution, value) keys; groups are renumbered densely
	// and the fields sized to the data, values clamped to what is left.
	dense := make([]int32, nGroups)
	for i := range dense {
		dense[i] = -1
	}
	nDense, nInst := int32(0), uint32(0)
	for v := range sc {
		if sc[v] < 0 {
			continue
		}
		if g := of(v); dense[g] < 0 {
			dense[g] = nDense
			nDense++
		}
		nInst = max(nInst, vt.Institution[v]+1)
	}
	instBits := uint(bits.Len32(nInst))
	groupBits := uint(bits.Len32(uint32(nDense)))
	fundBits := min(40, 64-instBits-groupBits)
	keys := make([]uint64, 0, len(sc))
	for v := range sc {
		if sc[v] < 0 {
			continue
		}
		f := min(max(val[v], 0), 1<<fundBits-1)
		keys = append(keys, uint64(dense[of(v)])<<(fundBits+instBits)|uint64(vt.Institution[v])<<fundBits|uint64(f))
	}
	slices.Sort(keys)
	byDense := make([]int32, nDense)
	for g, d := range dense {
		if d >= 0 {
			byDense[d] = int32(g)
		}
	}
	gOf := func(k uint64) int32 { return byDense[k>>(fundBits+instBits)] }
	iOf := func(k uint64) uint64 { return k >> fundBits }
	fOf := func(k uint64) float64 { return float64(k&(1<<fundBits-1)) / 100 }
	st := groupStats{centre: make([]float64, nGroups), scale: make([]float64, nGroups), voters: make([]int32, nGroups)}
	var meds, mads, dev []float64
	medMad := func(ks []uint64) (float64, float64) {
		m := fOf(ks[len(ks)/2])
		dev = dev[:0]
		for _, k := range ks {
			dev = append(dev, math.Abs(fOf(k)-m))
		}
		slices.Sort(dev)
		return m, dev[len(dev)/2]
	}
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
				m, d := medMad(keys[b:c])
				meds, mads = append(meds, m), append(mads, d)
			}
			b = c
		}
		st.voters[gi] = int32(len(meds))
		if len(meds) == 0 { // no institution with enough visits: pool them
			m, d := medMad(keys[a:b])
			meds, mads = append(meds, m), append(mads, d)
		}
		slices.Sort(meds)
		slices.Sort(mads)
		st.centre[gi] = meds[len(meds)/2]
		st.scale[gi] = max(1.4826*mads[len(mads)/2], 0.1*math.Abs(st.centre[gi]), 1)
		a = b
	}
	return st
}

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

// elsewhere reports whether person row p may live away from institution
// node n: insured in another region, or either region unknown (both
// columns are optional; the card pattern and the peer comparison then
// carry the signal alone).
func (s *state) elsewhere(p uint32, n graph.NodeID) bool {
	if int(p) >= len(s.t.Persons.InsuplcAdmdvs) {
		return true
	}
	a, b := s.t.Persons.InsuplcAdmdvs[p], s.instRegion(n)
	return a == graph.None || b == graph.None || a != b
}
