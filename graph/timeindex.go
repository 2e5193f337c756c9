package graph

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// timeIndex is the build state of the per-node visit lists: visit ranks in
// time order, read by the jobs that fill the lists of each node kind group.
type timeIndex struct {
	rank []uint32
}

// prepareTimeIndex ranks the valid visits in ti by their order in byTime
// (sortVisitsByTime) and counts the visits of every node (patient,
// institution or pharmacy, each distinct attending or billing doctor).
func (g *Graph) prepareTimeIndex(vd *visitDoctors, ti *timeIndex) {
	vt := &g.t.Visits
	ti.rank = resize(ti.rank, vt.Len())
	for i, v := range g.byTime {
		ti.rank[v] = uint32(i)
	}
	n := g.numNodes
	off := resize(g.nodeVisOff, int(n)+1)
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitOK(vv) {
			continue
		}
		off[vt.Person[v]+1]++
		off[g.instNode[vt.Institution[v]]+1]++
		for _, d := range vd.of(vv) {
			off[g.docBase+d&^billFlag+1]++
		}
	}
	for i := uint32(1); i <= n; i++ {
		off[i] += off[i-1]
	}
	g.nodeVisOff = off
	g.nodeVis = resize(g.nodeVis, int(off[n]))
}

// fillTimeIndex fills the visit lists of the nodes of kind group k
// (KindPatient, KindDoctor, or KindInstitution for institutions and
// pharmacies). Visiting rows in time order would make every column access a
// cache miss, so it emits (node, rank) keys in row order and radix-sorts
// them. Groups fill disjoint parts of nodeVis and may run concurrently.
// packBits (64 but in tests) is the widest packed (node, rank, visit) key.
func (g *Graph) fillTimeIndex(ti *timeIndex, vd *visitDoctors, k Kind, packBits uint, s *scratch) {
	vt := &g.t.Visits
	lo, hi := g.kindRange(k)
	if k == KindInstitution {
		hi = NodeID(g.numNodes)
	}
	a, b := g.nodeVisOff[lo], g.nodeVisOff[hi]
	rBits := uint(bits.Len(uint(len(g.byTime))))
	nodeBits := uint(bits.Len32(uint32(hi - lo)))
	// Carry the visit row in the key when it fits in 64 bits; otherwise
	// sort (node, rank) alone and look the rows up in byTime.
	vBits := uint(bits.Len(uint(vt.Len())))
	if nodeBits+rBits+vBits > packBits {
		vBits = 0
	}
	recs := &s.srt
	recs.reset(int(b-a), nodeBits+rBits, vBits)
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitOK(vv) {
			continue
		}
		r := uint64(ti.rank[v])
		switch k {
		case KindPatient:
			recs.add(uint64(vt.Person[v])<<rBits|r, vv)
		case KindInstitution:
			inst := uint32(g.instNode[vt.Institution[v]]) - uint32(lo)
			recs.add(uint64(inst)<<rBits|r, vv)
		case KindDoctor:
			for _, d := range vd.of(vv) {
				recs.add(uint64(d&^billFlag)<<rBits|r, vv)
			}
		}
	}
	recs.sort(s.sort)
	out := g.nodeVis[a:b]
	for i := range out {
		k, v := recs.at(i)
		if vBits == 0 {
			v = g.byTime[k&(1<<rBits-1)]
		}
		out[i] = v
	}
}

// sortVisitsByTime sets byTime to the valid visit rows ordered by (Begin,
// row), with a radix sort of packed keys when the time span allows.
func (g *Graph) sortVisitsByTime(s *scratch) {
	vt := &g.t.Visits
	lo, hi := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			lo, hi = min(lo, vt.Begin.At(uint32(v))), max(hi, vt.Begin.At(uint32(v)))
		}
	}
	if hi >= lo && uint64(hi)-uint64(lo) < 1<<31 {
		keys := slices.Grow(s.keys[:0], vt.Len())
		for v := 0; v < vt.Len(); v++ {
			if g.visitOK(uint32(v)) {
				keys = append(keys, uint64(vt.Begin.At(uint32(v))-lo)<<32|uint64(v))
			}
		}
		s.keys = s.sort.sortU64(keys, 32) // stable: rows stay in order within a time
		rows := resize(g.byTime, len(s.keys))
		for i, k := range s.keys {
			rows[i] = uint32(k)
		}
		g.byTime = rows
		return
	}
	rows := g.byTime[:0]
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			rows = append(rows, uint32(v))
		}
	}
	slices.SortFunc(rows, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(vt.Begin.At(a), vt.Begin.At(b)), cmp.Compare(a, b))
	})
	g.byTime = rows
}

// VisitsByTime returns the visit rows sorted by Begin, ties by row
// (reversed visits included; rows with out-of-range references excluded).
// The slice must not be modified.
func (g *Graph) VisitsByTime() []uint32 { return g.byTime }

// LiveSpan returns the earliest and the latest Begin of the visits of
// VisitsByTime that are not reversed (claims.NoTime twice when there are
// none): the first and last of them in time order, found in one pass in
// row order.
func (g *Graph) LiveSpan() (first, last claims.Time) {
	vt := &g.t.Visits
	first, last = claims.NoTime, claims.NoTime
	for v := range uint32(g.FeeIndexVisits()) { // the visits the graph was built with
		if !g.visitLive(v) {
			continue
		}
		first, last = claims.Widen(first, last, vt.Begin.At(v))
	}
	return first, last
}

// VisitsOf returns the visits of node n sorted by (Begin, row): a patient's
// visits, an institution's or pharmacy's visits, or a doctor's visits as
// attending or billing doctor, each visit once. Reversed visits are
// included (check Visits.Flags). The slice must not be modified.
func (g *Graph) VisitsOf(n NodeID) []uint32 {
	if !g.valid(n) {
		return nil
	}
	a, b := g.nodeVisOff[n], g.nodeVisOff[n+1]
	return g.nodeVis[a:b:b]
}

// buildTotals sums the non-reversed visits and net fund per node and
// counts skipped visits.
func (g *Graph) buildTotals(vd *visitDoctors) {
	vt := &g.t.Visits
	g.nodeVisits = resize(g.nodeVisits, int(g.numNodes))
	g.nodeFund = resize(g.nodeFund, int(g.numNodes))
	add := func(n uint32, f claims.Money) {
		g.nodeVisits[n]++
		g.nodeFund[n] += f
	}
	g.skippedVisits = vt.Len() - len(g.byTime)
	for v := 0; v < vt.Len(); v++ { // row order: sequential column access
		vv := uint32(v)
		if !g.visitLive(vv) {
			continue
		}
		f := vt.FundPay.At(uint32(v))
		add(vt.Person[v], f)
		add(uint32(g.instNode[vt.Institution[v]]), f)
		for _, d := range vd.of(vv) {
			add(g.docBase+d&^billFlag, f)
		}
	}
}
