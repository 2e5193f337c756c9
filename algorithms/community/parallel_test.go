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
