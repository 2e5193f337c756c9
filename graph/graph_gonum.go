package graph

import (
	"math"

	gonum "gonum.org/v1/gonum/graph"
)

// GonumView exposes a Graph as gonum's graph.WeightedUndirected without
// copying: gonum node ids are NodeIDs, parallel edges of different types
// between two nodes appear as one gonum edge whose weight is the sum of
// their weights.
type GonumView struct {
	g      *Graph
	weight func(e EdgeIndex) float64
}

// Compile-time check of the gonum interface.
var _ gonum.WeightedUndirected = (*GonumView)(nil)

// Gonum returns a gonum view of g weighting edge e by weight(e); a nil
// weight gives every edge weight 1.
func (g *Graph) Gonum(weight func(e EdgeIndex) float64) *GonumView {
	if weight == nil {
		weight = func(EdgeIndex) float64 { return 1 }
	}
	return &GonumView{g: g, weight: weight}
}

// VisitWeight weights an edge by its visit count (the web view's and
// detection's usual choice); registrations weigh 0.
func (g *Graph) VisitWeight(e EdgeIndex) float64 {
	if int(e) >= g.edges.Len() {
		return 0
	}
	return float64(g.edges.Visits[e])
}

func (v *GonumView) has(id int64) bool { return id >= 0 && id < int64(v.g.numNodes) }

// Node returns the node with the given id, or nil (gonum interface).
func (v *GonumView) Node(id int64) gonum.Node {
	if !v.has(id) {
		return nil
	}
	return gNode(id)
}

// Nodes returns all nodes in id order (gonum interface).
func (v *GonumView) Nodes() gonum.Nodes {
	return &rangeNodes{lo: 0, cur: -1, hi: int64(v.g.numNodes)}
}

// From returns the distinct neighbours of id (gonum interface).
func (v *GonumView) From(id int64) gonum.Nodes {
	if !v.has(id) {
		return gonum.Empty
	}
	nbr, _ := v.g.Neighbors(NodeID(id))
	n := 0
	for i := range nbr {
		if i == 0 || nbr[i] != nbr[i-1] {
			n++
		}
	}
	return &distinctNodes{ids: nbr, cur: -1, left: n, total: n}
}

// distinctNodes iterates a sorted NodeID slice skipping repeats.
type distinctNodes struct {
	ids         []NodeID
	cur         int
	left, total int
}

func (it *distinctNodes) Next() bool {
	for it.cur+1 < len(it.ids) {
		it.cur++
		if it.cur == 0 || it.ids[it.cur] != it.ids[it.cur-1] {
			it.left--
			return true
		}
	}
	it.cur = len(it.ids)
	return false
}

func (it *distinctNodes) Len() int { return it.left }

func (it *distinctNodes) Reset() { it.cur, it.left = -1, it.total }

func (it *distinctNodes) Node() gonum.Node {
	if it.cur < 0 || it.cur >= len(it.ids) {
		return nil
	}
	return gNode(it.ids[it.cur])
}

// between sums the weights of the edges between x and y.
func (v *GonumView) between(xid, yid int64) (float64, bool) {
	if !v.has(xid) || !v.has(yid) {
		return 0, false
	}
	nbr, eid := v.g.Neighbors(NodeID(xid))
	y := NodeID(yid)
	lo, hi := 0, len(nbr)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if nbr[m] < y {
			lo = m + 1
		} else {
			hi = m
		}
	}
	w, found := 0.0, false
	for i := lo; i < len(nbr) && nbr[i] == y; i++ {
		w += v.weight(eid[i])
		found = true
	}
	return w, found
}

// HasEdgeBetween reports whether x and y are joined (gonum interface).
func (v *GonumView) HasEdgeBetween(xid, yid int64) bool {
	_, ok := v.between(xid, yid)
	return ok
}

// Edge returns the edge from u to v, or nil (gonum interface).
func (v *GonumView) Edge(uid, vid int64) gonum.Edge { return v.WeightedEdgeBetween(uid, vid) }

// EdgeBetween returns the edge between x and y, or nil (gonum interface).
func (v *GonumView) EdgeBetween(xid, yid int64) gonum.Edge { return v.WeightedEdgeBetween(xid, yid) }

// WeightedEdge returns the weighted edge from u to v, or nil (gonum
// interface).
func (v *GonumView) WeightedEdge(uid, vid int64) gonum.WeightedEdge {
	return v.WeightedEdgeBetween(uid, vid)
}

// WeightedEdgeBetween returns the weighted edge between x and y, or nil
// (gonum interface).
func (v *GonumView) WeightedEdgeBetween(xid, yid int64) gonum.WeightedEdge {
	w, ok := v.between(xid, yid)
	if !ok {
		return nil
	}
	return gEdge{gNode(xid), gNode(yid), w}
}

// Weight returns the summed weight between x and y (gonum interface): 0
// and true for x == y, +Inf and false when they are not joined.
func (v *GonumView) Weight(xid, yid int64) (float64, bool) {
	if w, ok := v.between(xid, yid); ok {
		return w, true
	}
	if xid == yid && v.has(xid) {
		return 0, true
	}
	return math.Inf(1), false
}
