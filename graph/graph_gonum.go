package graph

import (
	gonum "gonum.org/v1/gonum/graph"
)

// GonumView exposes a Graph as gonum's graph.WeightedUndirected without
// copying: gonum node ids are NodeIDs, parallel edges of different types
// between two nodes appear as one gonum edge whose weight is the sum of
// their weights.
type GonumView struct {
	gonumAdapter
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
	v := &GonumView{g: g, weight: weight}
	v.gonumAdapter = gonumAdapter{n: int64(g.numNodes), from: v.distinct, between: v.sum}
	return v
}

// VisitWeight weights an edge by its visit count (the web view's and
// detection's usual choice); registrations weigh 0.
func (g *Graph) VisitWeight(e EdgeIndex) float64 {
	if int(e) >= g.edges.Len() {
		return 0
	}
	return float64(g.edges.Visits[e])
}

// distinct iterates the distinct neighbours of id.
func (v *GonumView) distinct(id int64) gonum.Nodes {
	nbr, _ := v.g.Neighbors(NodeID(id))
	n := 0
	for i := range nbr {
		if i == 0 || nbr[i] != nbr[i-1] {
			n++
		}
	}
	return &distinctNodes{ids: nbr, cur: -1, left: n, total: n}
}

// sum adds the weights of the edges between x and y.
func (v *GonumView) sum(xid, yid int64) (float64, bool) {
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

// distinctNodes iterates a sorted NodeID slice skipping repeats.
type distinctNodes struct {
	ids         []NodeID
	cur         int
	left, total int
}

// Next advances the iterator and reports whether a node is available.
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

// Len returns the number of nodes left to iterate.
func (it *distinctNodes) Len() int { return it.left }

// Reset returns the iterator to its start.
func (it *distinctNodes) Reset() { it.cur, it.left = -1, it.total }

// Node returns the current node, or nil.
func (it *distinctNodes) Node() gonum.Node {
	if it.cur < 0 || it.cur >= len(it.ids) {
		return nil
	}
	return gNode(it.ids[it.cur])
}
