package graph

import (
	"math"

	gonum "gonum.org/v1/gonum/graph"
)

// gonumAdapter implements gonum's graph.WeightedUndirected for graphs whose
// nodes are 0..n-1, given how to list a node's distinct neighbours and how
// to find the weight between two nodes. Weighted and GonumView embed it.
type gonumAdapter struct {
	n       int64
	from    func(id int64) gonum.Nodes
	between func(xid, yid int64) (float64, bool) // ids already checked
}

func (a *gonumAdapter) has(id int64) bool { return id >= 0 && id < a.n }

func (a *gonumAdapter) pair(xid, yid int64) (float64, bool) {
	if !a.has(xid) || !a.has(yid) {
		return 0, false
	}
	return a.between(xid, yid)
}

// Node returns the node with the given id, or nil (gonum interface).
func (a *gonumAdapter) Node(id int64) gonum.Node {
	if !a.has(id) {
		return nil
	}
	return gNode(id)
}

// Nodes returns all nodes in id order (gonum interface).
func (a *gonumAdapter) Nodes() gonum.Nodes { return &rangeNodes{lo: 0, cur: -1, hi: a.n} }

// From returns the distinct neighbours of id (gonum interface).
func (a *gonumAdapter) From(id int64) gonum.Nodes {
	if !a.has(id) {
		return gonum.Empty
	}
	return a.from(id)
}

// HasEdgeBetween reports whether x and y are joined (gonum interface).
func (a *gonumAdapter) HasEdgeBetween(xid, yid int64) bool {
	_, ok := a.pair(xid, yid)
	return ok
}

// Edge returns the edge from u to v, or nil (gonum interface).
func (a *gonumAdapter) Edge(uid, vid int64) gonum.Edge { return a.WeightedEdgeBetween(uid, vid) }

// EdgeBetween returns the edge between x and y, or nil (gonum interface).
func (a *gonumAdapter) EdgeBetween(xid, yid int64) gonum.Edge { return a.WeightedEdgeBetween(xid, yid) }

// WeightedEdge returns the weighted edge from u to v, or nil (gonum
// interface).
func (a *gonumAdapter) WeightedEdge(uid, vid int64) gonum.WeightedEdge {
	return a.WeightedEdgeBetween(uid, vid)
}

// WeightedEdgeBetween returns the weighted edge between x and y, or nil
// (gonum interface).
func (a *gonumAdapter) WeightedEdgeBetween(xid, yid int64) gonum.WeightedEdge {
	w, ok := a.pair(xid, yid)
	if !ok {
		return nil
	}
	return gEdge{gNode(xid), gNode(yid), w}
}

// Weight returns the weight between x and y (gonum interface). For x == y
// it returns the self-loop's weight, or 0, and true; for nodes that are not
// joined it returns +Inf and false, as gonum's simple graphs do by default.
func (a *gonumAdapter) Weight(xid, yid int64) (float64, bool) {
	if w, ok := a.pair(xid, yid); ok {
		return w, true
	}
	if xid == yid && a.has(xid) {
		return 0, true
	}
	return math.Inf(1), false
}

// gNode is a gonum node with a plain integer id.
type gNode int64

// ID returns the node id.
func (n gNode) ID() int64 { return int64(n) }

// gEdge is a gonum weighted edge.
type gEdge struct {
	from, to gNode
	w        float64
}

// From returns the edge's first node.
func (e gEdge) From() gonum.Node { return e.from }

// To returns the edge's second node.
func (e gEdge) To() gonum.Node { return e.to }

// ReversedEdge returns the edge with its ends swapped.
func (e gEdge) ReversedEdge() gonum.Edge { return gEdge{e.to, e.from, e.w} }

// Weight returns the edge weight.
func (e gEdge) Weight() float64 { return e.w }

// rangeNodes iterates the nodes lo..hi-1.
type rangeNodes struct{ lo, cur, hi int64 }

// Next advances the iterator and reports whether a node is available.
func (it *rangeNodes) Next() bool {
	if it.cur+1 >= it.hi {
		it.cur = it.hi
		return false
	}
	it.cur++
	return true
}

// Len returns the number of nodes left to iterate.
func (it *rangeNodes) Len() int { return int(it.hi - max(it.cur+1, it.lo)) }

// Reset returns the iterator to its start.
func (it *rangeNodes) Reset() { it.cur = it.lo - 1 }

// Node returns the current node, or nil.
func (it *rangeNodes) Node() gonum.Node {
	if it.cur < it.lo || it.cur >= it.hi {
		return nil
	}
	return gNode(it.cur)
}
