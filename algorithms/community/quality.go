package community

import "math"

// Modularity returns the modularity of the partition of g given by
// membership (the community of each node) at the given resolution γ:
//
//	Q = 1/2m \sum_{ij} [ A_{ij} - γ k_i k_j / 2m ] \delta(c_i, c_j),
//
// where A_{ij} is the weight of the edge between i and j (twice the loop
// weight for i == j), k_i is the strength of i (CSR.Strengths) and 2m the
// sum of all strengths. For graphs without self-loops this is gonum's
// community.Q. Community labels may be any int32 values, negative ones
// included; nodes with equal labels form a community.
//
// Modularity returns NaN if g is not valid, len(membership) != g.Len(), or
// the graph has no edge weight (m = 0).
func Modularity(g *CSR, membership []int32, resolution float64) float64 {
	if g.Validate() != nil || len(membership) != g.Len() {
		return nan()
	}
	ids, nc := denseLabels(membership)
	return modularity(g, ids, nc, g.Strengths(), resolution)
}

// modularity is Modularity for a valid g, community ids in [0, nc) and the
// strengths k of g.
func modularity(g *CSR, ids []int32, nc int, k []float64, resolution float64) float64 {
	var m2 float64
	for _, x := range k {
		m2 += x
	}
	if m2 == 0 {
		return nan()
	}
	in := internalWeights(g, ids, nc)
	tot := make([]float64, nc) // \sum k_i of each community
	for i, c := range ids {
		tot[c] += k[i]
	}
	var q float64
	for c := range nc {
		q += in[c] - resolution*tot[c]*tot[c]/m2
	}
	return q / m2
}

// CPM returns the Constant Potts Model quality (Traag, Van Dooren &
// Nesterov 2011) of the partition of g given by membership, at resolution γ
// and with node weights n_i:
//
//	H = \sum_c [ e_c - γ \sum_{i<j; i,j \in c} n_i n_j ],
//
// where e_c is the total weight of the edges inside community c, self-loops
// counted once. With unit node weights (nodeWeights nil) the penalty of a
// community of n_c nodes is γ n_c (n_c - 1) / 2. Community labels may be any
// int32 values; nodes with equal labels form a community.
//
// CPM returns NaN if g is not valid, len(membership) != g.Len(), or
// nodeWeights is not nil and len(nodeWeights) != g.Len().
func CPM(g *CSR, membership []int32, resolution float64, nodeWeights []float64) float64 {
	n := g.Len()
	if g.Validate() != nil || len(membership) != n || (nodeWeights != nil && len(nodeWeights) != n) {
		return nan()
	}
	ids, nc := denseLabels(membership)
	return cpm(g, ids, nc, resolution, nodeWeights)
}

// cpm is CPM for a valid g, community ids in [0, nc) and nil or valid
// nodeWeights.
func cpm(g *CSR, ids []int32, nc int, resolution float64, nodeWeights []float64) float64 {
	e2 := internalWeights(g, ids, nc)
	sum := make([]float64, nc)
	sq := make([]float64, nc)
	for i, c := range ids {
		x := 1.0
		if nodeWeights != nil {
			x = nodeWeights[i]
		}
		sum[c] += x
		sq[c] += x * x
	}
	var h float64
	for c := range nc {
		h += e2[c]/2 - resolution*(sum[c]*sum[c]-sq[c])/2
	}
	return h
}

// internalWeights returns, per community of ids (in [0, nc)), the sum of
// A_{ij} over its ordered pairs of nodes: twice its internal edge weight,
// self-loops included.
func internalWeights(g *CSR, ids []int32, nc int) []float64 {
	in := make([]float64, nc)
	for i, c := range ids {
		for e := g.Offsets[i]; e < g.Offsets[i+1]; e++ {
			t := g.Targets[e]
			if ids[t] != c {
				continue
			}
			w := g.weight(e)
			if int(t) == i {
				w *= 2
			}
			in[c] += w
		}
	}
	return in
}

// relabel sets dst[i] to the label of src[i] numbered 0..k-1 in order of
// first appearance and returns k. The labels of src must lie in
// [0, len(scratch)); scratch is overwritten. dst may be src.
func relabel(dst, src, scratch []int32) int {
	for i := range scratch {
		scratch[i] = -1
	}
	k := int32(0)
	for i, c := range src {
		if scratch[c] < 0 {
			scratch[c] = k
			k++
		}
		dst[i] = scratch[c]
	}
	return int(k)
}

// denseLabels maps arbitrary labels to 0..k-1 in order of first appearance.
// Labels in [0, len(membership)) are mapped through a slice, others through
// a map.
func denseLabels(membership []int32) ([]int32, int) {
	n := len(membership)
	ids := make([]int32, n)
	small := true
	for _, c := range membership {
		if c < 0 || int(c) >= n {
			small = false
			break
		}
	}
	if small {
		return ids, relabel(ids, membership, make([]int32, n))
	}
	next := make(map[int32]int32)
	for i, c := range membership {
		d, ok := next[c]
		if !ok {
			d = int32(len(next))
			next[c] = d
		}
		ids[i] = d
	}
	return ids, len(next)
}

func nan() float64 { return math.NaN() }
