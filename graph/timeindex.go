package graph

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// buildTimeIndex sorts the valid visits by (Begin, row) and groups them per
// node (patient, institution or pharmacy, and each distinct attending or
// billing doctor), each list in time order.
func (g *Graph) buildTimeIndex(vd *visitDoctors) {
	g.byTime = g.sortVisitsByTime()
	vt := &g.t.Visits
	n := g.numNodes
	off := make([]uint32, n+1)
	for _, v := range g.byTime {
		off[vt.Person[v]+1]++
		off[g.instNode[vt.Institution[v]]+1]++
		for _, d := range vd.of(v) {
			off[g.docBase+d&^billFlag+1]++
		}
	}
	for i := uint32(1); i <= n; i++ {
		off[i] += off[i-1]
	}
	pos := make([]uint32, n)
	copy(pos, off[:n])
	vis := make([]uint32, off[n])
	put := func(node uint32, v uint32) {
		vis[pos[node]] = v
		pos[node]++
	}
	for _, v := range g.byTime {
		put(vt.Person[v], v)
		put(uint32(g.instNode[vt.Institution[v]]), v)
		for _, d := range vd.of(v) {
			put(g.docBase+d&^billFlag, v)
		}
	}
	g.nodeVisOff, g.nodeVis = off, vis
}

// sortVisitsByTime returns the valid visit rows ordered by (Begin, row),
// with a radix sort of packed keys when the time span allows.
func (g *Graph) sortVisitsByTime() []uint32 {
	vt := &g.t.Visits
	lo, hi := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			lo, hi = min(lo, vt.Begin[v]), max(hi, vt.Begin[v])
		}
	}
	var rows []uint32
	if hi >= lo && uint64(hi)-uint64(lo) < 1<<31 {
		keys := make([]uint64, 0, vt.Len())
		for v := 0; v < vt.Len(); v++ {
			if g.visitOK(uint32(v)) {
				keys = append(keys, uint64(vt.Begin[v]-lo)<<32|uint64(v))
			}
		}
		keys = radixSort(keys, make([]uint64, len(keys)), keyU64)
		rows = make([]uint32, len(keys))
		for i, k := range keys {
			rows[i] = uint32(k)
		}
		return rows
	}
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			rows = append(rows, uint32(v))
		}
	}
	slices.SortFunc(rows, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(vt.Begin[a], vt.Begin[b]), cmp.Compare(a, b))
	})
	return rows
}

// VisitsByTime returns the visit rows sorted by Begin, ties by row
// (reversed visits included; rows with out-of-range references excluded).
// The slice must not be modified.
func (g *Graph) VisitsByTime() []uint32 { return g.byTime }

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
	g.nodeVisits = make([]uint32, g.numNodes)
	g.nodeFund = make([]claims.Money, g.numNodes)
	add := func(n uint32, f claims.Money) {
		g.nodeVisits[n]++
		g.nodeFund[n] += f
	}
	g.skippedVisits = vt.Len() - len(g.byTime)
	for _, v := range g.byTime {
		if vt.Flags[v]&VisitReversed != 0 {
			continue
		}
		f := vt.FundPay[v]
		add(vt.Person[v], f)
		add(uint32(g.instNode[vt.Institution[v]]), f)
		for _, d := range vd.of(v) {
			add(g.docBase+d&^billFlag, f)
		}
	}
}
