package check

import (
	"slices"
	"sync"

	"github.com/ringlens/ringlens/graph"
)

// Index finds, without scanning the city, a person's visits and a visit's
// fee lines: those of the graph (graph.Graph.VisitsOf, FeesOf) and those
// appended to its tables after it was built (graph.Tables.AddVisit,
// AddFee: claims scored incrementally), which Sync indexes by person and
// by visit. It is safe for concurrent use; the caller must keep the
// tables from being written while Sync or a check reads them (the
// server's data lock).
type Index struct {
	g *graph.Graph

	mu          sync.RWMutex
	builtVisits int                 // visit rows the graph was built from
	builtFees   int                 // fee rows the graph was built from
	visits      int                 // visit rows indexed (appended rows included)
	fees        int                 // fee rows indexed
	byPerson    map[uint32][]uint32 // Persons row -> appended visit rows
	byVisit     map[uint32][]uint32 // Visits row -> appended fee rows
}

// NewIndex returns the index of g, with the rows appended to its tables
// so far indexed. The graph's visits end at FeeIndexVisits; its fee rows
// are found by binary search (a fee row belongs to the graph when its
// visit's FeesOf lists it), so its cost is logarithmic in the city plus
// linear in the appended rows.
func NewIndex(g *graph.Graph) *Index {
	x := &Index{g: g, byPerson: make(map[uint32][]uint32), byVisit: make(map[uint32][]uint32)}
	t := g.Tables()
	nv := t.Visits.Len()
	x.builtVisits = min(g.FeeIndexVisits(), nv)
	ft := &t.Fees
	x.builtFees = searchFirst(ft.Len(), func(f int) bool {
		v := ft.Visit.At(uint32(f))
		if int(v) >= x.builtVisits {
			return true
		}
		return !g.FeesOf(v).Contains(uint32(f))
	})
	x.visits, x.fees = x.builtVisits, x.builtFees
	x.sync()
	return x
}

// searchFirst returns the smallest i in [0, n) with pred(i), or n; pred
// must be false then true.
func searchFirst(n int, pred func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if pred(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Graph returns the graph indexed.
func (x *Index) Graph() *graph.Graph { return x.g }

// Sync indexes the rows appended to the graph's tables since the last
// call. The tables must not be written meanwhile.
func (x *Index) Sync() {
	t := x.g.Tables()
	x.mu.RLock()
	current := x.visits == t.Visits.Len() && x.fees == t.Fees.Len()
	x.mu.RUnlock()
	if current {
		return
	}
	x.mu.Lock()
	x.sync()
	x.mu.Unlock()
}

// sync indexes the appended rows; x.mu must be held for writing (or x not
// yet shared).
func (x *Index) sync() {
	t := x.g.Tables()
	vt, ft := &t.Visits, &t.Fees
	for ; x.visits < vt.Len(); x.visits++ {
		p := vt.Person[x.visits]
		x.byPerson[p] = append(x.byPerson[p], uint32(x.visits))
	}
	for ; x.fees < ft.Len(); x.fees++ {
		f, v := uint32(x.fees), ft.Visit.At(uint32(x.fees))
		if x.g.FeesOf(v).Contains(f) {
			continue // the graph lists it already (FeesOf is in row order)
		}
		x.byVisit[v] = append(x.byVisit[v], f)
	}
}

// appendHistory appends person row p's visits to dst: the graph's by
// time, then the appended ones in row order.
func (x *Index) appendHistory(dst []uint32, p uint32) []uint32 {
	var base []uint32
	if n := x.g.PatientNode(p); n != graph.NoNode {
		base = x.g.VisitsOf(n)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	extra := x.byPerson[p]
	dst = slices.Grow(dst, len(base)+len(extra))
	return append(append(dst, base...), extra...)
}

// feesOf appends visit row v's fee rows to dst: the graph's, then the
// appended ones.
func (x *Index) feesOf(dst []uint32, v uint32) []uint32 {
	dst = x.g.FeesOf(v).AppendTo(dst)
	x.mu.RLock()
	defer x.mu.RUnlock()
	return append(dst, x.byVisit[v]...)
}

// feeCount returns the number of visit row v's fee lines.
func (x *Index) feeCount(v uint32) int {
	n := x.g.FeesOf(v).Len()
	x.mu.RLock()
	defer x.mu.RUnlock()
	return n + len(x.byVisit[v])
}

// Appended returns how many visit and fee rows were appended to the
// tables after the graph was built (as indexed by the last Sync).
func (x *Index) Appended() (visits, fees int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.visits - x.builtVisits, x.fees - x.builtFees
}
