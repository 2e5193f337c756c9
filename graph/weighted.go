package graph

import "slices"

// WeightedEdge is an undirected edge between local indexes U and V with
// weight W, as given to NewWeighted.
type WeightedEdge struct {
	U, V int32
	W    float64
}

// Weighted is a weighted undirected graph over nodes 0..Len()-1 in CSR form:
// the neighbours of i are sorted by index, each undirected edge is stored in
// the lists of both ends, and a self-loop is stored once in its node's list.
// A Weighted is immutable and safe for concurrent readers.
type Weighted struct {
	off      []int64 // len Len()+1
	nbr      []int32
	wt       []float64
	strength []float64
	total    float64
}

// weightedKey packs an ordered pair for sorting.
type weightedRec struct {
	key uint64
	w   float64
}

func weightedRecKey(r *weightedRec) uint64 { return r.key }

// NewWeighted builds a Weighted with n nodes from edges. Edges are
// undirected: (u, v) and (v, u) are the same edge, and duplicates are merged
// by summing their weights (in input order, so results are deterministic).
// Edges with an end outside [0, n) are dropped.
func NewWeighted(n int, edges []WeightedEdge) *Weighted {
	n = max(n, 0)
	recs := make([]weightedRec, 0, len(edges))
	for _, e := range edges {
		u, v := e.U, e.V
		if u < 0 || v < 0 || int(u) >= n || int(v) >= n {
			continue
		}
		if u > v {
			u, v = v, u
		}
		recs = append(recs, weightedRec{uint64(u)<<32 | uint64(v), e.W})
	}
	recs = radixSort(recs, make([]weightedRec, len(recs)), weightedRecKey)
	// Merge duplicates in place.
	m := 0
	for i := 0; i < len(recs); i++ {
		if m > 0 && recs[m-1].key == recs[i].key {
			recs[m-1].w += recs[i].w
			continue
		}
		recs[m] = recs[i]
		m++
	}
	recs = recs[:m]
	return weightedFromSorted(n, recs)
}

// weightedFromSorted builds the CSR from distinct pairs sorted by (u, v)
// with u <= v.
func weightedFromSorted(n int, recs []weightedRec) *Weighted {
	w := &Weighted{off: make([]int64, n+1), strength: make([]float64, n)}
	for _, r := range recs {
		u, v := r.key>>32, uint32(r.key)
		w.off[u+1]++
		if uint64(v) != u {
			w.off[v+1]++
		}
	}
	for i := 1; i <= n; i++ {
		w.off[i] += w.off[i-1]
	}
	w.nbr = make([]int32, w.off[n])
	w.wt = make([]float64, w.off[n])
	pos := slices.Clone(w.off[:n])
	put := func(a, b int32, x float64) {
		w.nbr[pos[a]], w.wt[pos[a]] = b, x
		pos[a]++
	}
	// Lower neighbours (and self-loops) first in ascending order, then
	// higher ones, as in Graph's adjacency.
	for _, r := range recs {
		u, v := int32(r.key>>32), int32(uint32(r.key))
		put(v, u, r.w)
	}
	for _, r := range recs {
		u, v := int32(r.key>>32), int32(uint32(r.key))
		if u != v {
			put(u, v, r.w)
		}
	}
	for _, r := range recs {
		u, v := int32(r.key>>32), int32(uint32(r.key))
		w.total += r.w
		w.strength[u] += r.w
		w.strength[v] += r.w // a self-loop counts twice
	}
	return w
}

// Len returns the number of nodes.
func (w *Weighted) Len() int { return len(w.off) - 1 }

// NumEdges returns the number of distinct undirected edges, self-loops
// included.
func (w *Weighted) NumEdges() int {
	loops := 0
	for i := 0; i < w.Len(); i++ {
		if _, ok := w.find(int32(i), int32(i)); ok {
			loops++
		}
	}
	return (len(w.nbr)-loops)/2 + loops
}

// Degree returns the number of neighbours of i (a self-loop counts once).
func (w *Weighted) Degree(i int) int {
	if i < 0 || i >= w.Len() {
		return 0
	}
	return int(w.off[i+1] - w.off[i])
}

// Neighbors returns the neighbours of i sorted by index and the weights of
// the edges to them. The slices must not be modified.
func (w *Weighted) Neighbors(i int) ([]int32, []float64) {
	if i < 0 || i >= w.Len() {
		return nil, nil
	}
	a, b := w.off[i], w.off[i+1]
	return w.nbr[a:b:b], w.wt[a:b:b]
}

// Strength returns the weighted degree of i: the sum of the weights of its
// edges, a self-loop counted twice (the modularity convention, so that the
// strengths sum to 2*TotalWeight).
func (w *Weighted) Strength(i int) float64 {
	if i < 0 || i >= w.Len() {
		return 0
	}
	return w.strength[i]
}

// TotalWeight returns the sum of the weights of all edges, each undirected
// edge and self-loop counted once (m in the modularity formula).
func (w *Weighted) TotalWeight() float64 { return w.total }

// find returns the weight of the edge between u and v.
func (w *Weighted) find(u, v int32) (float64, bool) {
	nbr, wt := w.Neighbors(int(u))
	i, ok := slices.BinarySearch(nbr, v)
	if !ok {
		return 0, false
	}
	return wt[i], true
}

// MemoryBytes returns the approximate bytes held by w.
func (w *Weighted) MemoryBytes() int64 {
	return int64(8*cap(w.off) + 4*cap(w.nbr) + 8*cap(w.wt) + 8*cap(w.strength))
}

// CSR returns the graph's arrays without copying: offsets (len Len()+1),
// neighbour indexes and weights, laid out as described on Weighted. The
// slices alias the graph and must not be modified.
func (w *Weighted) CSR() (offsets []int64, targets []int32, weights []float64) {
	return w.off, w.nbr, w.wt
}
