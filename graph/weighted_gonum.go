package graph

import (
	gonum "gonum.org/v1/gonum/graph"
)

// Compile-time check that Weighted is a gonum weighted undirected graph.
var _ gonum.WeightedUndirected = (*Weighted)(nil)

// initGonum sets up the gonum methods of w over its CSR arrays: node ids
// are indexes, From includes a self-loop's node.
func (w *Weighted) initGonum() {
	w.gonumAdapter = gonumAdapter{
		n: int64(w.Len()),
		from: func(id int64) gonum.Nodes {
			nbr, _ := w.Neighbors(int(id))
			return &sliceNodes{ids: nbr, cur: -1}
		},
		between: func(x, y int64) (float64, bool) { return w.find(int32(x), int32(y)) },
	}
}

// sliceNodes iterates the ids in a CSR neighbour slice.
type sliceNodes struct {
	ids []int32
	cur int
}

// Next advances the iterator and reports whether a node is available.
func (it *sliceNodes) Next() bool {
	if it.cur+1 >= len(it.ids) {
		it.cur = len(it.ids)
		return false
	}
	it.cur++
	return true
}

// Len returns the number of nodes left to iterate.
func (it *sliceNodes) Len() int { return len(it.ids) - min(it.cur+1, len(it.ids)) }

// Reset returns the iterator to its start.
func (it *sliceNodes) Reset() { it.cur = -1 }

// Node returns the current node, or nil.
func (it *sliceNodes) Node() gonum.Node {
	if it.cur < 0 || it.cur >= len(it.ids) {
		return nil
	}
	return gNode(it.ids[it.cur])
}
