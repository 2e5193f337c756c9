package community

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// sparsePlanted returns a graph of k planted communities of s nodes each,
// numbered in a random order, in which every node has about din edges
// inside its community and dout to random nodes, with weights 1 to 3: a
// graph large enough for the parallel levels of Leiden (parallelMoves)
// that is built in time linear in its edges.
func sparsePlanted(seed uint64, k, s, din, dout int) (int, []Edge) {
	r := rand.New(rand.NewPCG(seed, 2))
	n := k * s
	id := r.Perm(n)
	var edges []Edge
	for u := range n {
		c := u / s
		for range din {
			v := c*s + r.IntN(s)
			edges = append(edges, Edge{int32(id[u]), int32(id[v]), 1 + float64(r.IntN(3))})
		}
		for range dout {
			edges = append(edges, Edge{int32(id[u]), int32(r.IntN(n)), 1})
		}
	}
	return n, edges
}

// TestLeidenParallelDeterministic checks that the parallel variant gives
// the same partition for a fixed seed whatever the number of workers and
// the scheduling (several runs at once, under -race in make test), that
// its communities are connected and well numbered, that its quality is
// close to the sequential one, and that Workers 1 is the sequential
// algorithm.
func TestLeidenParallelDeterministic(t *testing.T) {
	// Leiden starts at most GOMAXPROCS goroutines: allow 8 whatever the
	// machine, so that the worker counts below differ.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	n, edges := sparsePlanted(1, 350, 100, 4, 3)
	big := mustCSR(t, n, edges)
	if lv := (level{off: big.Offsets, adj: big.Targets}); !parallelMoves(&lv) || !parallelLevel(&lv) {
		t.Fatalf("graph of %d nodes and %d entries too small for the parallel levels", n, len(big.Targets))
	}
	en, eedges := loadEdgeList(t, "email-Eu-core.edges", false)
	email := mustCSR(t, en, eedges)
	for _, tc := range []struct {
		name string
		g    *CSR
		opt  Options
	}{
		{"planted/modularity/1 iteration", big, Options{Seed: 1, MaxIterations: 1}},
		{"planted/modularity/γ=2 θ=0.1", big, Options{Seed: 3, Resolution: 2, Randomness: 0.1, MaxIterations: 2}},
		{"planted/modularity/until stable", big, Options{Seed: 2}},
		{"planted/CPM", big, Options{Seed: 4, Quality: QualityCPM, Resolution: 0.05, MaxIterations: 2}},
		{"email-Eu-core/modularity", email, Options{Seed: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seqOpt := tc.opt
			seq := run(t, tc.g, seqOpt)
			seqOpt.Workers = 1
			if one := run(t, tc.g, seqOpt); !slices.Equal(one.Membership, seq.Membership) || one.Quality != seq.Quality {
				t.Errorf("Workers 1 differs from the sequential algorithm")
			}

			workers := []int{2, 3, 8}
			parts := make([]*Partition, len(workers))
			var wg sync.WaitGroup
			for i, w := range workers {
				opt := tc.opt
				opt.Workers = w
				wg.Go(func() {
					p, err := Leiden(context.Background(), tc.g, opt)
					if err != nil {
						t.Error(err)
						return
					}
					parts[i] = p
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			for i, p := range parts {
				opt := tc.opt
				opt.Workers = workers[i]
				checkPartition(t, tc.g, opt, p)
				if !slices.Equal(p.Membership, parts[0].Membership) || p.Quality != parts[0].Quality {
					t.Errorf("Workers %d: partition differs from Workers %d (quality %v, %v)", workers[i], workers[0], p.Quality, parts[0].Quality)
				}
			}
			par := parts[0]
			if tc.opt.Quality == QualityModularity && par.Quality < seq.Quality-0.01 {
				t.Errorf("parallel modularity %.4f, sequential %.4f", par.Quality, seq.Quality)
			}
			t.Logf("sequential %.5f (%d communities), parallel %.5f (%d)", seq.Quality, seq.Communities, par.Quality, par.Communities)
		})
	}
}

func TestLeidenWorkersInvalid(t *testing.T) {
	g := mustCSR(t, 2, []Edge{{0, 1, 1}})
	if _, err := Leiden(context.Background(), g, Options{Workers: -1}); err == nil {
		t.Error("Workers -1: no error")
	}
}

// TestMoveOrder checks that movePos and moveNode are inverse permutations
// of each block, that a batch of the order holds ids of one class, and that
// nextFlag finds set bits cyclically.
func TestMoveOrder(t *testing.T) {
	seen := make([]bool, 3*moveBlock)
	for v := range int32(3 * moveBlock) {
		q := movePos(v)
		if q < 0 || q >= len(seen) || seen[q] || moveNode(q) != v {
			t.Fatalf("node %d: position %d (seen %v), back to %d", v, q, q < len(seen) && q >= 0 && seen[q], moveNode(q))
		}
		seen[q] = true
		if q/moveBatch != int(v)/moveBlock*moveStride+int(v)%moveStride {
			t.Fatalf("node %d in batch %d", v, q/moveBatch)
		}
	}
	flags := make([]uint64, 4)
	for _, tc := range []struct{ set, at, want int }{{5, 0, 5}, {5, 5, 5}, {5, 6, 5}, {200, 6, 200}, {70, 255, 70}, {0, 300, 0}} {
		clear(flags)
		flags[tc.set>>6] |= 1 << (tc.set & 63)
		if got := nextFlag(flags, tc.at); got != tc.want {
			t.Errorf("bit %d, from %d: got %d", tc.set, tc.at, got)
		}
	}
}

// TestValidateParallel checks validate on a graph of many row chunks with
// several goroutines: it accepts the valid graph with Strengths' values,
// reports the first layout violation as validateLayout does, and rejects an
// asymmetric weight.
func TestValidateParallel(t *testing.T) {
	n, edges := sparsePlanted(2, 100, 100, 3, 2)
	g := mustCSR(t, n, edges)
	for _, workers := range []int{1, 2, 4} {
		k := make([]float64, n)
		if err := g.validate(workers, k); err != nil || !slices.Equal(k, g.Strengths()) {
			t.Fatalf("workers %d: %v, strengths equal %v", workers, err, slices.Equal(k, g.Strengths()))
		}
	}
	bad := func(edit func(h *CSR)) *CSR {
		h := &CSR{Offsets: slices.Clone(g.Offsets), Targets: slices.Clone(g.Targets), Weights: slices.Clone(g.Weights)}
		edit(h)
		return h
	}
	for _, tc := range []struct {
		name string
		g    *CSR
	}{
		{"target out of range late", bad(func(h *CSR) { h.Targets[len(h.Targets)-3] = int32(n) })},
		{"two targets out of range", bad(func(h *CSR) { h.Targets[len(h.Targets)-3], h.Targets[5] = int32(n), -1 })},
		{"negative weight", bad(func(h *CSR) { h.Weights[len(h.Weights)/2] = -1 })},
		{"offsets decrease", bad(func(h *CSR) { h.Offsets[n/2] = h.Offsets[n/2+1] + 1 })},
		{"asymmetric weight", bad(func(h *CSR) { h.Weights[len(h.Weights)/3] += 0.5 })},
	} {
		want := tc.g.validateLayout()
		if want == nil {
			want = tc.g.checkSymmetric()
		}
		for _, workers := range []int{1, 2, 4} {
			got := tc.g.validate(workers, make([]float64, n))
			if got == nil || got.Error() != want.Error() {
				t.Errorf("%s, workers %d: %v, want %v", tc.name, workers, got, want)
			}
		}
	}
}

// TestLeidenParallelZeroWeights runs the parallel variant on a graph large
// enough for its parallel phases in which a fifth of the edges weigh zero:
// a sub-community may then form through zero-weight edges only, and the
// final pass must still split every community into connected ones.
func TestLeidenParallelZeroWeights(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	n, edges := sparsePlanted(5, 350, 100, 4, 3)
	for i := range edges {
		if i%5 == 0 {
			edges[i].W = 0
		}
	}
	g := mustCSR(t, n, edges)
	for _, opt := range []Options{{Seed: 1, MaxIterations: 1, Workers: 2}, {Seed: 2, MaxIterations: 2, Workers: 3}, {Seed: 3, Quality: QualityCPM, Resolution: 0.05, MaxIterations: 1, Workers: 2}} {
		checkPartition(t, g, opt, run(t, g, opt))
	}
}

// TestConnect checks the final connectivity pass when the last iteration
// does not vouch for connected communities: every community is split into
// its components through edges of positive weight, numbered in order of
// their smallest node, sequentially and on the workers alike.
func TestConnect(t *testing.T) {
	// A path 0-1-2, an edge 3-4 joined to it by a zero weight only, and 5
	// alone, all in one community but 5.
	small := mustCSR(t, 6, []Edge{{0, 1, 1}, {1, 2, 1}, {2, 3, 0}, {3, 4, 2}})
	n, edges := sparsePlanted(6, 350, 100, 2, 1)
	big := mustCSR(t, n, edges)
	for _, tc := range []struct {
		name    string
		g       *CSR
		memb    []int32
		workers int
	}{
		{"small", small, []int32{0, 0, 0, 0, 0, 1}, 1},
		{"planted, sequential", big, modulo(n, 40), 1},
		{"planted, parallel", big, modulo(n, 40), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			base := level{off: g.Offsets, adj: g.Targets, w: g.Weights}
			if tc.workers > 1 && !parallelLevel(&base) {
				t.Fatal("graph too small for the parallel pass")
			}
			l := newLeiden(g.Len(), 1, DefaultRandomness, 1, tc.workers)
			memb := slices.Clone(tc.memb)
			k := int(slices.Max(memb)) + 1
			l.connected = false
			got := l.connect(&base, memb, k)
			want, wantK := components(g, tc.memb)
			if wantK <= k {
				t.Fatalf("%d components for %d communities: nothing to split", wantK, k)
			}
			if got != wantK || !slices.Equal(memb, want) {
				t.Errorf("%d communities %v, want %d %v", got, head(memb), wantK, head(want))
			}
		})
	}
}

// modulo returns the membership i % k of n nodes.
func modulo(n, k int) []int32 {
	m := make([]int32, n)
	for i := range m {
		m[i] = int32(i % k)
	}
	return m
}

// head returns the first 20 values of s at most, for messages.
func head(s []int32) []int32 { return s[:min(len(s), 20)] }

// components labels the nodes of g by the components of the positive-weight
// edges inside the communities of memb, numbered in order of their smallest
// node, by union-find, and returns the labels and their number.
func components(g *CSR, memb []int32) ([]int32, int) {
	n := g.Len()
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for u := range n {
		for e := g.Offsets[u]; e < g.Offsets[u+1]; e++ {
			if v := int(g.Targets[e]); memb[u] == memb[v] && (g.Weights == nil || g.Weights[e] > 0) {
				parent[find(u)] = find(v)
			}
		}
	}
	label := make([]int32, n)
	id := map[int]int32{}
	for u := range n {
		r := find(u)
		if _, ok := id[r]; !ok {
			id[r] = int32(len(id))
		}
		label[u] = id[r]
	}
	return label, len(id)
}
