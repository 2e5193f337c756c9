package graph

import (
	"math"

	gonum "gonum.org/v1/gonum/graph"
)

// Compile-time check that Weighted is a gonum weighted undirected graph.
var _ gonum.WeightedUndirected = (*Weighted)(nil)

// gNode is a gonum node with a plain integer id.
type gNode int64

// ID returns the node id.
func (n gNode) ID() int64 { return int64(n) }

// gEdge is a gonum weighted edge.
type gEdge struct {
	from, to gNode
	w        float64
}

func (e gEdge) From() gonum.Node         { return e.from }
func (e gEdge) To() gonum.Node           { return e.to }
func (e gEdge) ReversedEdge() gonum.Edge { return gEdge{e.to, e.from, e.w} }
func (e gEdge) Weight() float64          { return e.w }
func (w *Weighted) has(id int64) bool    { return id >= 0 && id < int64(w.Len()) }
func (w *Weighted) pair(x, y int64) (float64, bool) {
	if !w.has(x) || !w.has(y) {
		return 0, false
	}
	return w.find(int32(x), int32(y))
}

// rangeNodes iterates the nodes lo..hi-1.
type rangeNodes struct{ lo, cur, hi int64 }

func (it *rangeNodes) Next() bool {
	if it.cur+1 >= it.hi {
		it.cur = it.hi
		return false
	}
	it.cur++
	return true
}
func (it *rangeNodes) Len() int { return int(it.hi - max(it.cur+1, it.lo)) }
func (it *rangeNodes) Reset()   { it.cur = it.lo - 1 }
func (it *rangeNodes) Node() gonum.Node {
	if it.cur < it.lo || it.cur >= it.hi {
		return nil
	}
	return gNode(it.cur)
}

// sliceNodes iterates the ids in a CSR neighbour slice.
type sliceNodes struct {
	ids []int32
	cur int
}

func (it *sliceNodes) Next() bool {
	if it.cur+1 >= len(it.ids) {
		it.cur = len(it.ids)
		return false
	}
	it.cur++
	return true
}
func (it *sliceNodes) Len() int { return len(it.ids) - min(it.cur+1, len(it.ids)) }
func (it *sliceNodes) Reset()   { it.cur = -1 }
func (it *sliceNodes) Node() gonum.Node {
	if it.cur < 0 || it.cur >= len(it.ids) {
		return nil
	}
	return gNode(it.ids[it.cur])
}

// Node returns the node with the given id, or nil (gonum interface).
func (w *Weighted) Node(id int64) gonum.Node {
	if !w.has(id) {
		return nil
	}
	return gNode(id)
}

// Nodes returns all nodes in index order (gonum interface).
func (w *Weighted) Nodes() gonum.Nodes {
	return &rangeNodes{lo: 0, cur: -1, hi: int64(w.Len())}
}

// From returns the neighbours of id, a self-loop's node included (gonum
// interface).
func (w *Weighted) From(id int64) gonum.Nodes {
	if !w.has(id) {
		return gonum.Empty
	}
	nbr, _ := w.Neighbors(int(id))
	return &sliceNodes{ids: nbr, cur: -1}
}

// HasEdgeBetween reports whether x and y are joined (gonum interface).
func (w *Weighted) HasEdgeBetween(xid, yid int64) bool {
	_, ok := w.pair(xid, yid)
	return ok
}

// Edge returns the edge from u to v, or nil (gonum interface).
func (w *Weighted) Edge(uid, vid int64) gonum.Edge { return w.WeightedEdgeBetween(uid, vid) }

// EdgeBetween returns the edge between x and y, or nil (gonum interface).
func (w *Weighted) EdgeBetween(xid, yid int64) gonum.Edge { return w.WeightedEdgeBetween(xid, yid) }

// WeightedEdge returns the weighted edge from u to v, or nil (gonum
// interface).
func (w *Weighted) WeightedEdge(uid, vid int64) gonum.WeightedEdge {
	return w.WeightedEdgeBetween(uid, vid)
}

// WeightedEdgeBetween returns the weighted edge between x and y, or nil
// (gonum interface).
func (w *Weighted) WeightedEdgeBetween(xid, yid int64) gonum.WeightedEdge {
	x, ok := w.pair(xid, yid)
	if !ok {
		return nil
	}
	return gEdge{gNode(xid), gNode(yid), x}
}

// Weight returns the weight of the edge between x and y (gonum interface).
// For x == y it returns the self-loop's weight, or 0, and true; for absent
// edges it returns +Inf and false, as gonum's simple graphs do by default.
func (w *Weighted) Weight(xid, yid int64) (float64, bool) {
	if x, ok := w.pair(xid, yid); ok {
		return x, true
	}
	if xid == yid && w.has(xid) {
		return 0, true
	}
	return math.Inf(1), false
}
