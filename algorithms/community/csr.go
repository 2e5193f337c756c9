package community

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// CSR is a weighted undirected graph over the nodes 0..Len()-1 in compressed
// sparse row form, the input of Leiden, Modularity and CPM.
//
// The neighbours of node i are Targets[Offsets[i]:Offsets[i+1]] and the
// weights of the edges to them are the same range of Weights. Each
// undirected edge {u, v} with u != v must be stored twice, once in the row of
// u and once in the row of v, with the same weight. A self-loop {u, u} of
// weight w is stored once, in the row of u, and counts twice towards the
// strength of u (the modularity convention: strengths sum to twice the total
// edge weight, and a community's internal weight is preserved when it is
// collapsed into a single node). Parallel entries are allowed and act as one
// edge with the sum of their weights. Rows need not be sorted.
//
// This is the layout of graph.Weighted, from which FromAdjacency builds a
// CSR. Leiden, Modularity and CPM never modify a CSR.
type CSR struct {
	// Offsets has length Len()+1, starts at 0, is non-decreasing and
	// ends at len(Targets). A nil or empty Offsets is the empty graph.
	Offsets []int64
	// Targets holds the neighbour of each adjacency entry, in [0, Len()).
	Targets []int32
	// Weights holds the weight of each adjacency entry: finite and
	// non-negative. A nil Weights gives every entry weight 1.
	Weights []float64
}

// Len returns the number of nodes of g.
func (g *CSR) Len() int {
	if g == nil || len(g.Offsets) == 0 {
		return 0
	}
	return len(g.Offsets) - 1
}

// Validate returns an error describing the first violation of the CSR layout
// rules: offsets, target ranges, weight values and symmetry. The rows are
// symmetric when, for every pair of distinct nodes u and v, the weights of
// the entries of row u that point to v sum to those of row v that point to
// u (up to a relative rounding difference of symmetryTolerance, since
// parallel entries may be summed in different orders); a pair linked by
// entries of zero weight only in one direction is symmetric. An asymmetric
// CSR is rejected rather than symmetrised: it is a caller's bug, and on one
// Leiden's local moving, whose gains assume symmetry, may never settle.
//
// Validate runs in O(Len() + len(Targets)) time. The symmetry check is first
// one streaming pass over the entries that sums a keyed 64-bit hash of
// (smaller node, larger node, weight bits), added for the entries u -> v
// with u < v and subtracted for those with u > v: the sum is zero when every
// entry has a partner of the same weight in the other direction, and a
// random key drawn for each call makes it zero otherwise with a probability
// of about 2^-64. When it is not zero (parallel entries, a zero weight in
// one direction only, rounding, or a real asymmetry), a transposed copy of
// the adjacency (12 bytes an entry) is built and the summed weights compared
// exactly as described above.
func (g *CSR) Validate() error { return g.validate(1, nil) }

// rowChunk is the number of rows a goroutine checks at a time in validate.
const rowChunk = 4096

// validate is Validate on up to workers goroutines (the result does not
// depend on their number). If strength is not nil (length Len()) it also
// sets it to Strengths, in the same order of additions, when it returns nil.
func (g *CSR) validate(workers int, strength []float64) error {
	if err := g.validateHeader(); err != nil {
		return err
	}
	n := g.Len()
	if n == 0 {
		return nil
	}
	key := rand.Uint64()
	sums := make([]uint64, max(workers, 1))
	var bad atomic.Bool
	forChunks(workers, n, rowChunk, func(i, lo, hi int) {
		h, ok := g.checkRows(lo, hi, key, strength)
		if !ok {
			bad.Store(true)
		}
		sums[i] += h // addition modulo 2^64 commutes: any chunk order gives the same sum
	})
	if bad.Load() {
		return g.validateLayout() // reports the first violation
	}
	var d uint64
	for _, s := range sums {
		d += s
	}
	if d == 0 {
		return nil
	}
	return g.checkSymmetric()
}

// checkRows checks the offsets, targets and weights of rows [lo, hi) of g,
// whose header is valid, and returns their share of the symmetry hash
// (see Validate) keyed by key. If strength is not nil it sets the strengths
// of the rows. ok false means that some rule of validateLayout is broken
// (not necessarily in these rows); the hash is then meaningless.
func (g *CSR) checkRows(lo, hi int, key uint64, strength []float64) (h uint64, ok bool) {
	off, adj, wts := g.Offsets, g.Targets, g.Weights
	n := int32(g.Len())
	if off[lo] < 0 || off[hi] > int64(len(adj)) {
		return 0, false // the offsets decrease somewhere
	}
	for u := lo; u < hi; u++ {
		if off[u+1] < off[u] {
			return 0, false
		}
	}
	for u := lo; u < hi; u++ {
		var s float64
		for e := off[u]; e < off[u+1]; e++ {
			v := adj[e]
			w := 1.0
			if wts != nil {
				w = wts[e]
			}
			if v < 0 || v >= n || !(w >= 0) || math.IsInf(w, 1) {
				return 0, false
			}
			switch {
			case int(v) == u:
				s += 2 * w
				continue
			case int(v) > u:
				h += pairHash(int32(u), v, w, key)
			default:
				h -= pairHash(v, int32(u), w, key)
			}
			s += w
		}
		if strength != nil {
			strength[u] = s
		}
	}
	return h, true
}

// pairHash is the keyed hash of an edge {a, b} (a < b) of weight w in the
// symmetry check of Validate.
func pairHash(a, b int32, w float64, key uint64) uint64 {
	return splitmix(splitmix(uint64(uint32(a))<<32|uint64(uint32(b))^key) ^ math.Float64bits(w))
}

// symmetryTolerance is the relative difference allowed between the summed
// weights of (u, v) and (v, u).
const symmetryTolerance = 1e-9

// checkSymmetric reports the first pair of nodes whose two directions have
// different summed weights. g must have a valid layout.
func (g *CSR) checkSymmetric() error {
	n := g.Len()
	if n == 0 {
		return nil
	}
	// Transpose the off-diagonal entries: row v of (toff, tsrc, tw) lists
	// the entries u -> v of g.
	toff := make([]int64, n+1)
	for u := range n {
		for e := g.Offsets[u]; e < g.Offsets[u+1]; e++ {
			if v := g.Targets[e]; int(v) != u {
				toff[v+1]++
			}
		}
	}
	for v := 1; v <= n; v++ {
		toff[v] += toff[v-1]
	}
	tsrc := make([]int32, toff[n])
	tw := make([]float64, toff[n])
	pos := make([]int64, n)
	copy(pos, toff[:n])
	for u := range n {
		for e := g.Offsets[u]; e < g.Offsets[u+1]; e++ {
			if v := g.Targets[e]; int(v) != u {
				tsrc[pos[v]], tw[pos[v]] = int32(u), g.weight(e)
				pos[v]++
			}
		}
	}
	// For each node v, sum its row (out) and its transposed row (in) by
	// neighbour and compare.
	out, in := make([]float64, n), make([]float64, n)
	seen := make([]bool, n)
	var touched []int32
	for v := range n {
		touched = touched[:0]
		for e := g.Offsets[v]; e < g.Offsets[v+1]; e++ {
			u := g.Targets[e]
			if int(u) == v {
				continue
			}
			if !seen[u] {
				seen[u] = true
				touched = append(touched, u)
			}
			out[u] += g.weight(e)
		}
		for e := toff[v]; e < toff[v+1]; e++ {
			u := tsrc[e]
			if !seen[u] {
				seen[u] = true
				touched = append(touched, u)
			}
			in[u] += tw[e]
		}
		var err error
		for _, u := range touched {
			a, b := out[u], in[u]
			if err == nil && math.Abs(a-b) > symmetryTolerance*max(a, b) {
				err = fmt.Errorf("community: rows not symmetric: weight %v from node %d to %d but %v from %d to %d", a, v, u, b, u, v)
			}
			out[u], in[u], seen[u] = 0, 0, false
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// validateHeader checks what validateLayout checks in constant time: the
// graph, the ends of the offsets and the lengths of the arrays.
func (g *CSR) validateHeader() error {
	if g == nil {
		return fmt.Errorf("community: nil graph")
	}
	n := g.Len()
	if n == 0 {
		if len(g.Targets) != 0 || len(g.Weights) != 0 {
			return fmt.Errorf("community: %d targets but no offsets", len(g.Targets))
		}
		return nil
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("community: %d nodes exceed the int32 node ids", n)
	}
	if g.Offsets[0] != 0 {
		return fmt.Errorf("community: Offsets[0] = %d, want 0", g.Offsets[0])
	}
	if g.Offsets[n] != int64(len(g.Targets)) {
		return fmt.Errorf("community: Offsets[%d] = %d, want len(Targets) = %d", n, g.Offsets[n], len(g.Targets))
	}
	if g.Weights != nil && len(g.Weights) != len(g.Targets) {
		return fmt.Errorf("community: len(Weights) = %d, want len(Targets) = %d", len(g.Weights), len(g.Targets))
	}
	return nil
}

// validateLayout checks offsets, target ranges and weight values, and
// reports the first violation.
func (g *CSR) validateLayout() error {
	if err := g.validateHeader(); err != nil {
		return err
	}
	n := g.Len()
	if n == 0 {
		return nil
	}
	for i := 1; i <= n; i++ {
		if g.Offsets[i] < g.Offsets[i-1] {
			return fmt.Errorf("community: Offsets decrease at node %d (%d < %d)", i-1, g.Offsets[i], g.Offsets[i-1])
		}
	}
	for e, t := range g.Targets {
		if t < 0 || int(t) >= n {
			return fmt.Errorf("community: adjacency entry %d: target %d out of range [0, %d)", e, t, n)
		}
	}
	for e, w := range g.Weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("community: adjacency entry %d: weight %v is not finite and non-negative", e, w)
		}
	}
	return nil
}

// Strengths returns the weighted degree of every node: the sum of the
// weights of its row, its self-loops counted twice. The strengths sum to
// twice the total edge weight. g must be valid.
func (g *CSR) Strengths() []float64 {
	n := g.Len()
	k := make([]float64, n)
	for i := range n {
		var s float64
		for e := g.Offsets[i]; e < g.Offsets[i+1]; e++ {
			w := g.weight(e)
			if int(g.Targets[e]) == i {
				w *= 2
			}
			s += w
		}
		k[i] = s
	}
	return k
}

// weight returns the weight of adjacency entry e.
func (g *CSR) weight(e int64) float64 {
	if g.Weights == nil {
		return 1
	}
	return g.Weights[e]
}

// Edge is an undirected edge between nodes U and V with weight W, as given
// to NewCSR. U == V is a self-loop.
type Edge struct {
	U, V int32
	W    float64
}

// NewCSR returns the CSR of the undirected graph with n nodes and the given
// edges. Each edge is stored in the rows of both of its ends (a self-loop in
// its node's row only), rows in input order; duplicate edges are kept as
// parallel entries, which all functions of this package treat as one edge of
// the summed weight. It returns an error if n is negative or too large, or an
// edge has an end outside [0, n) or a weight that is not finite and
// non-negative.
func NewCSR(n int, edges []Edge) (*CSR, error) {
	if n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("community: invalid node count %d", n)
	}
	off := make([]int64, n+1)
	for i, e := range edges {
		if e.U < 0 || int(e.U) >= n || e.V < 0 || int(e.V) >= n {
			return nil, fmt.Errorf("community: edge %d (%d, %d): end out of range [0, %d)", i, e.U, e.V, n)
		}
		if !(e.W >= 0) || math.IsInf(e.W, 1) {
			return nil, fmt.Errorf("community: edge %d (%d, %d): weight %v is not finite and non-negative", i, e.U, e.V, e.W)
		}
		off[e.U+1]++
		if e.U != e.V {
			off[e.V+1]++
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	g := &CSR{Offsets: off, Targets: make([]int32, off[n]), Weights: make([]float64, off[n])}
	pos := make([]int64, n)
	copy(pos, off[:n])
	for _, e := range edges {
		g.Targets[pos[e.U]], g.Weights[pos[e.U]] = e.V, e.W
		pos[e.U]++
		if e.U != e.V {
			g.Targets[pos[e.V]], g.Weights[pos[e.V]] = e.U, e.W
			pos[e.V]++
		}
	}
	return g, nil
}

// Adjacency is a weighted undirected graph that exposes its rows, such as
// *graph.Weighted: Neighbors(i) returns the neighbours of node i and the
// weights of the edges to them, following the layout rules of CSR.
type Adjacency interface {
	Len() int
	Neighbors(i int) ([]int32, []float64)
}

// csrArrays is implemented by graphs that can hand out their CSR arrays
// without copying.
type csrArrays interface {
	CSR() (offsets []int64, targets []int32, weights []float64)
}

// FromAdjacency returns the CSR of g. If g has a method
//
//	CSR() (offsets []int64, targets []int32, weights []float64)
//
// its arrays are shared without copying, in O(1); otherwise the rows are
// copied in O(Len() + entries). The result is not validated.
func FromAdjacency(g Adjacency) *CSR {
	if a, ok := g.(csrArrays); ok {
		off, t, w := a.CSR()
		return &CSR{Offsets: off, Targets: t, Weights: w}
	}
	n := g.Len()
	if n <= 0 {
		return &CSR{}
	}
	off := make([]int64, n+1)
	for i := range n {
		nb, _ := g.Neighbors(i)
		off[i+1] = off[i] + int64(len(nb))
	}
	c := &CSR{Offsets: off, Targets: make([]int32, off[n]), Weights: make([]float64, off[n])}
	for i := range n {
		nb, wt := g.Neighbors(i)
		copy(c.Targets[off[i]:off[i+1]], nb)
		copy(c.Weights[off[i]:off[i+1]], wt)
	}
	return c
}
