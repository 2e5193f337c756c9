package community

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	gonumgraph "gonum.org/v1/gonum/graph"
	gonumcommunity "gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/ringlens/ringlens/graph"
)

// zachary is Zachary's karate club (W. W. Zachary 1977), as adjacency of
// each node to lower- or higher-numbered nodes, each edge once.
var zachary = [][]int32{
	1: {0, 2}, 2: {0, 32}, 3: {0, 1, 2}, 4: {0, 6, 10}, 5: {0, 6}, 6: {0, 5},
	7: {0, 1, 2, 3}, 8: {0, 2, 32, 33}, 9: {2, 33}, 10: {0, 5}, 11: {0},
	12: {0, 3}, 13: {0, 1, 2, 3, 33}, 14: {32, 33}, 15: {32, 33}, 16: {5, 6},
	17: {0, 1}, 18: {32, 33}, 19: {0, 1, 33}, 20: {32, 33}, 21: {0, 1},
	22: {32, 33}, 23: {32, 33}, 24: {27, 31}, 25: {23, 24, 31}, 26: {29, 33},
	27: {2, 23, 33}, 28: {2, 31, 33}, 29: {23, 32, 33}, 30: {1, 8, 32, 33},
	31: {0, 32, 33}, 32: {33}, 33: nil,
}

func karate() (int, []Edge) {
	var edges []Edge
	for u, nb := range zachary {
		for _, v := range nb {
			edges = append(edges, Edge{int32(u), v, 1})
		}
	}
	return len(zachary), edges
}

// cliques returns k cliques of size s; if ring, clique i is joined to clique
// i+1 (mod k) by one edge, else only clique 0 to clique 1.
func cliques(k, s int, ring bool) (int, []Edge) {
	var edges []Edge
	for c := range k {
		b := int32(c * s)
		for i := range int32(s) {
			for j := i + 1; j < int32(s); j++ {
				edges = append(edges, Edge{b + i, b + j, 1})
			}
		}
	}
	for c := range k {
		if !ring && c > 0 {
			break
		}
		next := (c + 1) % k
		edges = append(edges, Edge{int32(c*s + s - 1), int32(next * s), 1})
	}
	return k * s, edges
}

// planted returns a planted-partition graph: k groups of s nodes, each pair
// linked with probability pin inside a group and pout across, and the
// groups as ground truth. Edges are distinct and loop-free.
func planted(seed uint64, k, s int, pin, pout float64) (int, []Edge, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	n := k * s
	truth := make([]int32, n)
	for i := range truth {
		truth[i] = int32(i / s)
	}
	var edges []Edge
	for u := range n {
		for v := u + 1; v < n; v++ {
			p := pout
			if truth[u] == truth[v] {
				p = pin
			}
			if r.Float64() < p {
				edges = append(edges, Edge{int32(u), int32(v), 1 + float64(r.IntN(3))})
			}
		}
	}
	return n, edges, truth
}

// gonumGraph builds gonum's view of distinct, loop-free edges.
func gonumGraph(n int, edges []Edge) *simple.WeightedUndirectedGraph {
	g := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range n {
		g.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		g.SetWeightedEdge(g.NewWeightedEdge(simple.Node(e.U), simple.Node(e.V), e.W))
	}
	return g
}

// gonumCommunities converts a membership to gonum's community lists.
func gonumCommunities(membership []int32) [][]gonumgraph.Node {
	var cs [][]gonumgraph.Node
	for i, c := range membership {
		for int(c) >= len(cs) {
			cs = append(cs, nil)
		}
		cs[c] = append(cs[c], simple.Node(i))
	}
	return cs
}

// checkPartition checks the invariants of every Leiden result: membership
// numbered in order of smallest node, Communities right, Quality right and
// every community connected.
func checkPartition(t *testing.T, g *CSR, opt Options, p *Partition) {
	t.Helper()
	if len(p.Membership) != g.Len() {
		t.Fatalf("len(Membership) = %d, want %d", len(p.Membership), g.Len())
	}
	next := int32(0)
	for i, c := range p.Membership {
		if c > next || c < 0 {
			t.Fatalf("node %d in community %d before any node of community %d", i, c, next)
		}
		if c == next {
			next++
		}
	}
	if int(next) != p.Communities {
		t.Fatalf("Communities = %d, membership has %d", p.Communities, next)
	}
	var q float64
	res := opt.Resolution
	if opt.Quality == QualityModularity {
		if res == 0 {
			res = 1
		}
		q = Modularity(g, p.Membership, res)
	} else {
		q = CPM(g, p.Membership, res, opt.NodeWeights)
	}
	if !(math.Abs(q-p.Quality) <= 1e-9*math.Max(1, math.Abs(q))) && !(math.IsNaN(q) && math.IsNaN(p.Quality)) {
		t.Fatalf("Quality = %v, recomputed %v", p.Quality, q)
	}
	if c, ok := disconnected(g, p.Membership); !ok {
		t.Fatalf("community %d is not connected", c)
	}
}

// disconnected reports a community whose nodes are not connected through
// positive-weight edges inside it, found by BFS from its smallest node.
func disconnected(g *CSR, membership []int32) (int32, bool) {
	n := g.Len()
	size := map[int32]int{}
	for _, c := range membership {
		size[c]++
	}
	seen := make([]bool, n)
	done := map[int32]bool{}
	for s := range n {
		c := membership[s]
		if done[c] {
			continue
		}
		done[c] = true
		queue := []int32{int32(s)}
		seen[s] = true
		reached := 0
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			reached++
			for e := g.Offsets[v]; e < g.Offsets[v+1]; e++ {
				u := g.Targets[e]
				if !seen[u] && membership[u] == c && g.weight(e) > 0 {
					seen[u] = true
					queue = append(queue, u)
				}
			}
		}
		if reached != size[c] {
			return c, false
		}
	}
	return 0, true
}

func run(t *testing.T, g *CSR, opt Options) *Partition {
	t.Helper()
	p, err := Leiden(context.Background(), g, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, g, opt, p)
	return p
}

func TestLeidenKnownOptimum(t *testing.T) {
	for _, tc := range []struct {
		name        string
		graph       func() (int, []Edge)
		communities int     // 0: not checked
		minQ        float64 // modularity at least
		want        []int32 // exact membership, if given
	}{
		{
			name:        "two K5 joined by an edge",
			graph:       func() (int, []Edge) { return cliques(2, 5, false) },
			communities: 2,
			minQ:        0.45 - 1e-12, // 2*(21/42 - (21/42)^2) - ... exact optimum 0.4523...
			want:        []int32{0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
		},
		{
			name:        "ring of 12 K6",
			graph:       func() (int, []Edge) { return cliques(12, 6, true) },
			communities: 12,
			minQ:        0.854, // 12 * (15/192 - (32/384)^2)
		},
		{
			name:  "karate club",
			graph: karate,
			minQ:  0.419,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, edges := tc.graph()
			g := mustCSR(t, n, edges)
			best := math.Inf(-1)
			for seed := range int64(5) {
				p := run(t, g, Options{Seed: seed})
				if tc.communities > 0 && p.Communities != tc.communities {
					t.Errorf("seed %d: %d communities, want %d", seed, p.Communities, tc.communities)
				}
				if tc.want != nil && !slices.Equal(p.Membership, tc.want) {
					t.Errorf("seed %d: membership %v, want %v", seed, p.Membership, tc.want)
				}
				best = max(best, p.Quality)
			}
			if best < tc.minQ {
				t.Errorf("best modularity %.6f < %.6f", best, tc.minQ)
			}
			// Against gonum's Louvain on the same graph.
			gq := gonumModularity(n, edges, 1)
			if best < gq-1e-9 {
				t.Errorf("modularity %.6f below gonum's %.6f", best, gq)
			}
		})
	}
}

// gonumModularity runs gonum's community.Modularize and returns community.Q
// of its communities.
func gonumModularity(n int, edges []Edge, seed uint64) float64 {
	gg := gonumGraph(n, edges)
	r := gonumcommunity.Modularize(gg, 1, rand.NewPCG(seed, seed))
	return gonumcommunity.Q(gg, r.Communities(), 1)
}

func TestLeidenConnectedOnRandomGraphs(t *testing.T) {
	for seed := range uint64(12) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 50 + r.IntN(300)
		m := n + r.IntN(4*n)
		edges := make([]Edge, 0, m)
		for range m {
			w := float64(r.IntN(4)) // zero weights included
			if r.IntN(10) == 0 {
				w = r.Float64()
			}
			u := int32(r.IntN(n))
			v := u // some self-loops
			if r.IntN(20) != 0 {
				v = int32(r.IntN(n))
			}
			edges = append(edges, Edge{u, v, w})
		}
		g := mustCSR(t, n, edges)
		for _, opt := range []Options{
			{Seed: int64(seed)},
			{Seed: int64(seed), Resolution: 2.5},
			{Seed: int64(seed), MaxIterations: 1},
			{Seed: int64(seed), Quality: QualityCPM, Resolution: 0.05},
			{Seed: int64(seed), Quality: QualityCPM, Resolution: 0.5, Randomness: 1},
		} {
			run(t, g, opt)
		}
	}
}

func TestLeidenAtLeastGonum(t *testing.T) {
	type graphCase struct {
		name  string
		n     int
		edges []Edge
	}
	var cases []graphCase
	for i, p := range []struct {
		k, s     int
		pin, pou float64
	}{{4, 25, 0.3, 0.02}, {8, 30, 0.2, 0.03}, {10, 20, 0.4, 0.05}} {
		n, edges, _ := planted(uint64(i+1), p.k, p.s, p.pin, p.pou)
		cases = append(cases, graphCase{"planted", n, edges})
	}
	if !testing.Short() {
		n, edges := loadEdgeList(t, "email-Eu-core.edges", true)
		cases = append(cases, graphCase{"email-Eu-core", n, edges})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := mustCSR(t, tc.n, tc.edges)
			start := time.Now()
			p := run(t, g, Options{Seed: 1})
			ours := time.Since(start)
			start = time.Now()
			gq := gonumModularity(tc.n, tc.edges, 1)
			t.Logf("%d nodes: Leiden Q=%.4f (%d communities, %d iterations) in %v, gonum Q=%.4f in %v",
				tc.n, p.Quality, p.Communities, p.Iterations, ours, gq, time.Since(start))
			if p.Quality < gq-1e-9 {
				t.Errorf("modularity %.6f below gonum's %.6f", p.Quality, gq)
			}
			if tc.name == "email-Eu-core" && p.Quality < 0.414 {
				t.Errorf("email-Eu-core modularity %.4f below gonum's published 0.414", p.Quality)
			}
		})
	}
}

func TestModularityAgreesWithGonum(t *testing.T) {
	for seed := range uint64(6) {
		n, edges, truth := planted(seed+10, 3+int(seed), 12, 0.5, 0.05)
		g := mustCSR(t, n, edges)
		gg := gonumGraph(n, edges)
		r := rand.New(rand.NewPCG(seed, 3))
		random := make([]int32, n)
		for i := range random {
			random[i] = int32(r.IntN(5))
		}
		singletons := make([]int32, n)
		for i := range singletons {
			singletons[i] = int32(i)
		}
		for _, memb := range [][]int32{truth, random, singletons, make([]int32, n)} {
			dense, _ := denseLabels(memb)
			for _, res := range []float64{1, 0.5, 2} {
				got := Modularity(g, memb, res)
				want := gonumcommunity.Q(gg, gonumCommunities(dense), res)
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("seed %d res %v: Modularity = %.12f, gonum Q = %.12f", seed, res, got, want)
				}
			}
		}
	}
}

// TestModularitySelfLoops checks the self-loop convention: collapsing the
// communities of a partition into nodes carrying their internal weight as
// self-loops preserves modularity.
func TestModularitySelfLoops(t *testing.T) {
	n, edges, truth := planted(5, 4, 10, 0.5, 0.1)
	g := mustCSR(t, n, edges)
	var agg []Edge
	for _, e := range edges {
		agg = append(agg, Edge{truth[e.U], truth[e.V], e.W})
	}
	h := mustCSR(t, 4, agg)
	want := Modularity(g, truth, 1)
	if got := Modularity(h, []int32{0, 1, 2, 3}, 1); math.Abs(got-want) > 1e-12 {
		t.Errorf("aggregate modularity %.12f, want %.12f", got, want)
	}
	// A lone self-loop: strength 2w, modularity 1 - 1 = 0.
	loop := mustCSR(t, 1, []Edge{{0, 0, 3}})
	if q := Modularity(loop, []int32{0}, 1); q != 0 {
		t.Errorf("single loop modularity %v, want 0", q)
	}
	if k := loop.Strengths(); k[0] != 6 {
		t.Errorf("loop strength %v, want 6", k[0])
	}
	p := run(t, h, Options{Seed: 1})
	if p.Communities != 4 {
		t.Errorf("aggregate graph: %d communities, want 4", p.Communities)
	}
}

func TestFromAdjacencyWeighted(t *testing.T) {
	n, edges, truth := planted(9, 5, 20, 0.3, 0.02)
	var we []graph.WeightedEdge
	for _, e := range edges {
		we = append(we, graph.WeightedEdge{U: e.U, V: e.V, W: e.W})
	}
	we = append(we, graph.WeightedEdge{U: 3, V: 3, W: 2}) // a self-loop
	edges = append(edges, Edge{3, 3, 2})
	w := graph.NewWeighted(n, we)
	g := FromAdjacency(w)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	k := g.Strengths()
	for i := range n {
		if math.Abs(k[i]-w.Strength(i)) > 1e-12 {
			t.Fatalf("node %d: strength %v, graph.Weighted says %v", i, k[i], w.Strength(i))
		}
	}
	want := Modularity(mustCSR(t, n, edges), truth, 1)
	if got := Modularity(g, truth, 1); math.Abs(got-want) > 1e-12 {
		t.Errorf("modularity %v via graph.Weighted, %v via NewCSR", got, want)
	}
}

func TestCPM(t *testing.T) {
	n, edges, _ := planted(3, 6, 20, 0.4, 0.05)
	g := mustCSR(t, n, edges)
	prev := 0
	for _, res := range []float64{0, 0.05, 0.2, 0.6, 1.5, 4} {
		p := run(t, g, Options{Quality: QualityCPM, Resolution: res, Seed: 1})
		if p.Communities < prev {
			t.Errorf("resolution %v: %d communities, fewer than %d at a lower resolution", res, p.Communities, prev)
		}
		prev = p.Communities
	}
	if prev != n {
		t.Errorf("resolution 4 (above every edge weight): %d communities, want singletons (%d)", prev, n)
	}

	// Resolution 0: the connected components.
	comps := []Edge{{0, 1, 1}, {1, 2, 2}, {3, 4, 1}, {5, 6, 1}, {6, 7, 1}, {7, 5, 1}, {9, 9, 1}}
	cg := mustCSR(t, 10, comps)
	p := run(t, cg, Options{Quality: QualityCPM, Seed: 4})
	want := []int32{0, 0, 0, 1, 1, 2, 2, 2, 3, 4}
	if !slices.Equal(p.Membership, want) {
		t.Errorf("resolution 0: membership %v, want components %v", p.Membership, want)
	}

	// Node weights: a heavy node is left alone.
	nw := []float64{1, 1, 1, 100, 1, 1, 1, 1, 1, 1}
	p = run(t, cg, Options{Quality: QualityCPM, Resolution: 0.1, NodeWeights: nw, Seed: 1})
	if p.Membership[3] == p.Membership[4] {
		t.Errorf("heavy node 3 merged with node 4: %v", p.Membership)
	}
	// CPM value by hand: {0,1,2} e=3, pairs 3; {3},{4}; {5,6,7} e=3, pairs 3.
	if got, want := CPM(cg, []int32{0, 0, 0, 1, 2, 3, 3, 3, 4, 5}, 0.5, nil), 3-1.5+3-1.5+1.0; got != want {
		t.Errorf("CPM = %v, want %v", got, want)
	}
}

func TestLeidenDeterministic(t *testing.T) {
	n, edges := loadEdgeList(t, "email-Eu-core.edges", false)
	g := mustCSR(t, n, edges)
	a := run(t, g, Options{Seed: 7})
	b := run(t, g, Options{Seed: 7})
	if !slices.Equal(a.Membership, b.Membership) || a.Quality != b.Quality {
		t.Fatal("same seed, different partitions")
	}
	c := run(t, g, Options{Seed: 8})
	t.Logf("seed 7: Q=%.6f k=%d; seed 8: Q=%.6f k=%d, identical=%v",
		a.Quality, a.Communities, c.Quality, c.Communities, slices.Equal(a.Membership, c.Membership))
}

// nmi returns the normalised mutual information of two partitions.
func nmi(a, b []int32) float64 {
	n := float64(len(a))
	joint := map[[2]int32]float64{}
	pa, pb := map[int32]float64{}, map[int32]float64{}
	for i := range a {
		joint[[2]int32{a[i], b[i]}]++
		pa[a[i]]++
		pb[b[i]]++
	}
	entropy := func(p map[int32]float64) float64 {
		var h float64
		for _, c := range p {
			h -= c / n * math.Log(c/n)
		}
		return h
	}
	var mi float64
	for k, c := range joint {
		mi += c / n * math.Log(c*n/(pa[k[0]]*pb[k[1]]))
	}
	ha, hb := entropy(pa), entropy(pb)
	if ha+hb == 0 {
		return 1
	}
	return 2 * mi / (ha + hb)
}

func TestLeidenRecoversPlanted(t *testing.T) {
	n, edges, truth := planted(11, 8, 40, 0.25, 0.01)
	g := mustCSR(t, n, edges)
	p := run(t, g, Options{Seed: 1})
	if s := nmi(p.Membership, truth); s < 0.95 {
		t.Errorf("NMI with planted partition %.3f < 0.95 (%d communities)", s, p.Communities)
	}
}

func TestLeidenEdgeCases(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		n     int
		edges []Edge
		opt   Options
		want  []int32
	}{
		{"empty graph", 0, nil, Options{}, []int32{}},
		{"isolated nodes", 4, nil, Options{}, []int32{0, 1, 2, 3}},
		{"isolated nodes CPM", 3, nil, Options{Quality: QualityCPM}, []int32{0, 1, 2}},
		{"zero weights", 3, []Edge{{0, 1, 0}, {1, 2, 0}}, Options{}, []int32{0, 1, 2}},
		{"only self-loops", 3, []Edge{{0, 0, 1}, {2, 2, 1}}, Options{}, []int32{0, 1, 2}},
		{"one edge", 3, []Edge{{0, 2, 1}}, Options{}, []int32{0, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustCSR(t, tc.n, tc.edges)
			p := run(t, g, tc.opt)
			if !slices.Equal(p.Membership, tc.want) {
				t.Errorf("membership %v, want %v", p.Membership, tc.want)
			}
		})
	}

	g := mustCSR(t, 3, []Edge{{0, 1, 1}})
	for _, tc := range []struct {
		name string
		g    *CSR
		opt  Options
		msg  string
	}{
		{"nil graph", nil, Options{}, "nil graph"},
		{"bad offsets", &CSR{Offsets: []int64{0, 2, 1}, Targets: []int32{0}}, Options{}, "decrease"},
		{"bad target", &CSR{Offsets: []int64{0, 1}, Targets: []int32{5}}, Options{}, "out of range"},
		{"negative weight", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}, Weights: []float64{-1, -1}}, Options{}, "non-negative"},
		{"NaN weight", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}, Weights: []float64{math.NaN(), 1}}, Options{}, "non-negative"},
		{"short weights", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}, Weights: []float64{1}}, Options{}, "len(Weights)"},
		{"asymmetric weights", &CSR{Offsets: []int64{0, 1, 1, 2}, Targets: []int32{2, 0}, Weights: []float64{0, 2}}, Options{}, "not symmetric"},
		{"one-way edge", &CSR{Offsets: []int64{0, 1, 1}, Targets: []int32{1}}, Options{}, "not symmetric"},
		{"parallel entries one way", &CSR{Offsets: []int64{0, 2, 3}, Targets: []int32{1, 1, 0}, Weights: []float64{1, 1, 1}}, Options{}, "not symmetric"},
		{"overflowing weights", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}, Weights: []float64{math.MaxFloat64, math.MaxFloat64}}, Options{}, "overflows"},
		{"negative resolution", g, Options{Resolution: -1}, "resolution"},
		{"infinite resolution", g, Options{Quality: QualityCPM, Resolution: math.Inf(1)}, "resolution"},
		{"negative iterations", g, Options{MaxIterations: -1}, "MaxIterations"},
		{"negative randomness", g, Options{Randomness: -0.1}, "randomness"},
		{"unknown quality", g, Options{Quality: 7}, "Quality(7)"},
		{"node weights for modularity", g, Options{NodeWeights: []float64{1, 1, 1}}, "NodeWeights"},
		{"short node weights", g, Options{Quality: QualityCPM, NodeWeights: []float64{1}}, "NodeWeights"},
		{"negative node weight", g, Options{Quality: QualityCPM, NodeWeights: []float64{1, -1, 1}}, "node 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Leiden(ctx, tc.g, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one mentioning %q", err, tc.msg)
			}
		})
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Leiden(cancelled, g, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
	if _, err := NewCSR(2, []Edge{{0, 2, 1}}); err == nil {
		t.Error("NewCSR accepted an edge out of range")
	}
	if q := Modularity(g, []int32{0}, 1); !math.IsNaN(q) {
		t.Errorf("Modularity with a short membership = %v, want NaN", q)
	}
	if q := Modularity(mustCSR(t, 2, nil), []int32{0, 1}, 1); !math.IsNaN(q) {
		t.Errorf("Modularity without edges = %v, want NaN", q)
	}
	if q := Modularity(g, []int32{-5, -5, 1 << 30}, 1); math.Abs(q-Modularity(g, []int32{0, 0, 1}, 1)) > 1e-15 {
		t.Errorf("Modularity depends on label values: %v", q)
	}
}

// arrays is an Adjacency that hands out its CSR arrays.
type arrays struct{ c *CSR }

func (a arrays) Len() int { return a.c.Len() }
func (a arrays) Neighbors(i int) ([]int32, []float64) {
	lo, hi := a.c.Offsets[i], a.c.Offsets[i+1]
	return a.c.Targets[lo:hi], a.c.Weights[lo:hi]
}
func (a arrays) CSR() ([]int64, []int32, []float64) { return a.c.Offsets, a.c.Targets, a.c.Weights }

func TestFromAdjacencyZeroCopy(t *testing.T) {
	n, edges := karate()
	g := mustCSR(t, n, edges)
	c := FromAdjacency(arrays{g})
	if &c.Targets[0] != &g.Targets[0] || &c.Weights[0] != &g.Weights[0] || &c.Offsets[0] != &g.Offsets[0] {
		t.Error("FromAdjacency copied the arrays of a graph with a CSR method")
	}
	if FromAdjacency(graph.NewWeighted(0, nil)).Len() != 0 {
		t.Error("empty graph.Weighted gave nodes")
	}
}

// TestValidateSymmetry checks which CSRs count as symmetric: parallel
// entries are summed, self-loops are free, and zero-weight entries need no
// partner.
func TestValidateSymmetry(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    *CSR
		ok   bool
	}{
		{"unweighted pair", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}}, true},
		{"parallel entries summed", &CSR{Offsets: []int64{0, 2, 3}, Targets: []int32{1, 1, 0}, Weights: []float64{0.25, 0.75, 1}}, true},
		{"rounding of sums", &CSR{Offsets: []int64{0, 3, 4}, Targets: []int32{1, 1, 1, 0}, Weights: []float64{0.1, 0.2, 0.3, 0.6}}, true},
		{"self-loop alone", &CSR{Offsets: []int64{0, 1}, Targets: []int32{0}, Weights: []float64{3}}, true},
		{"zero weight one way", &CSR{Offsets: []int64{0, 1, 1}, Targets: []int32{1}, Weights: []float64{0}}, true},
		{"fuzz hang: 2->0 weight 2, 0->2 weight 0", &CSR{Offsets: []int64{0, 1, 1, 2}, Targets: []int32{2, 0}, Weights: []float64{0, 2}}, false},
		{"different weights", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0}, Weights: []float64{1, 1.5}}, false},
		{"unweighted one way", &CSR{Offsets: []int64{0, 1, 1}, Targets: []int32{1}}, false},
		// Rows sorted without repeats.
		{"sorted triangle with self-loops", &CSR{Offsets: []int64{0, 3, 5, 8}, Targets: []int32{0, 1, 2, 0, 2, 0, 1, 2},
			Weights: []float64{5, 1, 2, 1, 3, 2, 3, 4}}, true},
		{"sorted, a weight differs", &CSR{Offsets: []int64{0, 2, 4, 6}, Targets: []int32{1, 2, 0, 2, 0, 1},
			Weights: []float64{1, 2, 1, 3, 2, 3.5}}, false},
		{"sorted, an entry missing", &CSR{Offsets: []int64{0, 2, 3, 4}, Targets: []int32{1, 2, 0, 1}}, false},
		{"sorted, a partner left over", &CSR{Offsets: []int64{0, 1, 3, 4}, Targets: []int32{1, 0, 2, 0}}, false},
		{"sorted, zero weight one way", &CSR{Offsets: []int64{0, 2, 3, 3}, Targets: []int32{1, 2, 0},
			Weights: []float64{1, 0, 1}}, true},
		{"sorted, rounding of one direction", &CSR{Offsets: []int64{0, 1, 2}, Targets: []int32{1, 0},
			Weights: []float64{0.3, 0.1 + 0.2}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.g.Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if h, ok := tc.g.checkRows(0, tc.g.Len(), 12345, nil); !tc.ok && ok && h == 0 {
				t.Error("the symmetry hash accepts an asymmetric graph")
			}
		})
	}
}

// TestSymmetryHash checks the hashed symmetry check of Validate against the
// transposing one on random graphs, rows sorted or reversed: it never
// accepts an asymmetric graph, it accepts every graph whose entries pair up
// with equal weights, and validate gives Validate's answer on any number of
// goroutines.
func TestSymmetryHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := range 300 {
		n := 1 + rng.IntN(30)
		seen := map[[2]int32]bool{}
		var edges []Edge
		for range rng.IntN(4 * n) {
			u, v := int32(rng.IntN(n)), int32(rng.IntN(n))
			if !seen[[2]int32{min(u, v), max(u, v)}] {
				seen[[2]int32{min(u, v), max(u, v)}] = true
				edges = append(edges, Edge{U: u, V: v, W: float64(1 + rng.IntN(3))})
			}
		}
		g := mustCSR(t, n, edges)
		if trial%2 == 0 {
			sortRows(g)
		} else {
			for u := range n {
				lo, hi := g.Offsets[u], g.Offsets[u+1]
				slices.Reverse(g.Targets[lo:hi])
				slices.Reverse(g.Weights[lo:hi])
			}
		}
		if trial%3 == 1 && len(g.Targets) > 0 {
			// Break symmetry: one entry's weight, or its neighbour.
			e := rng.IntN(len(g.Targets))
			if trial%2 == 0 {
				g.Weights[e]++
			} else {
				g.Targets[e] = int32(rng.IntN(n))
			}
		}
		want := g.checkSymmetric() == nil
		for key := range uint64(3) {
			h, ok := g.checkRows(0, n, key*0x9e3779b97f4a7c15, nil)
			if !ok {
				t.Fatalf("trial %d: a valid layout rejected", trial)
			}
			if (h == 0) != want {
				t.Fatalf("trial %d, key %d: hash zero %v, transposed check %v on %+v", trial, key, h == 0, want, g)
			}
		}
		for _, workers := range []int{1, 2, 3} {
			k := make([]float64, n)
			if err := g.validate(workers, k); (err == nil) != want {
				t.Fatalf("trial %d: validate(%d) = %v, transposed check %v", trial, workers, err, want)
			}
			if want && !slices.Equal(k, g.Strengths()) {
				t.Fatalf("trial %d: validate(%d) strengths %v, Strengths %v", trial, workers, k, g.Strengths())
			}
		}
	}
}

// sortRows sorts each row of g by neighbour, weights alongside.
func sortRows(g *CSR) {
	for u := range g.Len() {
		lo, hi := g.Offsets[u], g.Offsets[u+1]
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return g.Targets[lo+int64(idx[a])] < g.Targets[lo+int64(idx[b])] })
		ts, ws := make([]int32, len(idx)), make([]float64, len(idx))
		for i, k := range idx {
			ts[i], ws[i] = g.Targets[lo+int64(k)], g.Weights[lo+int64(k)]
		}
		copy(g.Targets[lo:hi], ts)
		copy(g.Weights[lo:hi], ws)
	}
}

// TestLeidenAsymmetricHang runs the input on which FuzzLeiden found local
// moving to cycle forever (testdata/fuzz/FuzzLeiden/asymmetric-hang): it must
// be rejected at once, and its symmetric version partitioned.
func TestLeidenAsymmetricHang(t *testing.T) {
	g := &CSR{Offsets: []int64{0, 1, 1, 2}, Targets: []int32{2, 0}, Weights: []float64{0, 2}}
	if _, err := Leiden(context.Background(), g, Options{Seed: 52}); err == nil || !strings.Contains(err.Error(), "not symmetric") {
		t.Fatalf("asymmetric CSR: error %v", err)
	}
	sym := mustCSR(t, 3, []Edge{{2, 0, 2}})
	p := run(t, sym, Options{Seed: 52})
	if !slices.Equal(p.Membership, []int32{0, 1, 0}) {
		t.Errorf("membership %v, want [0 1 0]", p.Membership)
	}
}

// TestLeidenPhases checks the phases Options.Phase reports: validation and
// setup first, then per iteration the levels' local moving, refinement and
// aggregation down to a last local moving, then connect and quality; the
// levels' graphs shrink, and the partition is the one found without the
// hook.
func TestLeidenPhases(t *testing.T) {
	n, edges := loadEdgeList(t, "email-Eu-core.edges", false)
	g := mustCSR(t, n, edges)
	for _, workers := range []int{1, 2} {
		var got []PhaseTiming
		opt := Options{Seed: 3, MaxIterations: 2, Workers: workers}
		plain := run(t, g, opt)
		opt.Phase = func(p PhaseTiming) { got = append(got, p) }
		p := run(t, g, opt)
		if !slices.Equal(p.Membership, plain.Membership) || p.Quality != plain.Quality {
			t.Fatalf("workers %d: the hook changed the partition", workers)
		}
		var names []string
		for _, ph := range got {
			names = append(names, ph.Name)
			if ph.Duration < 0 || ph.Nodes <= 0 || ph.Nodes > n {
				t.Errorf("workers %d: phase %+v", workers, ph)
			}
		}
		seq := strings.Join(names, " ")
		if !strings.HasPrefix(seq, "validate setup move refine aggregate move") || !strings.HasSuffix(seq, "move connect quality") {
			t.Fatalf("workers %d: phases %s", workers, seq)
		}
		for i, ph := range got {
			if ph.Name == "move" && i > 0 && got[i-1].Name == "aggregate" {
				if prev := got[i-1]; ph.Iteration != prev.Iteration || ph.Level != prev.Level+1 || ph.Nodes >= prev.Nodes {
					t.Errorf("workers %d: %+v after %+v", workers, ph, prev)
				}
			}
		}
		if last := got[len(got)-3]; last.Iteration != 2 {
			t.Errorf("workers %d: last local moving in iteration %d, want 2", workers, last.Iteration)
		}
	}
}

// TestRefineLooseMerge checks that refinement records a merge through an
// edge of zero weight only (possible at resolution 0, where such a merge
// does not lower the quality): the iteration then no longer vouches for
// connected communities, and connect searches them. Two nodes joined by a
// zero-weight edge merge for some seeds and not for others.
func TestRefineLooseMerge(t *testing.T) {
	g := mustCSR(t, 2, []Edge{{0, 1, 0}})
	lv := level{off: g.Offsets, adj: g.Targets, w: g.Weights, nw: []float64{1, 1}}
	for _, workers := range []int{1, 2} { // refine, and refinePar called directly
		merged := 0
		for seed := range int64(20) {
			l := newLeiden(2, 0, DefaultRandomness, seed, workers)
			l.connected = true
			var r int
			if workers == 1 {
				_, r = l.refine(&lv, []int32{0, 0}, 1)
			} else {
				_, r = l.refinePar(&lv, []int32{0, 0}, 1)
			}
			if l.connected != (r == 2) {
				t.Fatalf("workers %d, seed %d: %d sub-communities, connected %v", workers, seed, r, l.connected)
			}
			if r == 1 {
				merged++
				memb := []int32{0, 0}
				if k := l.connect(&level{off: g.Offsets, adj: g.Targets, w: g.Weights}, memb, 1); k != 2 || memb[1] != 1 {
					t.Fatalf("workers %d, seed %d: connect gave %d communities %v, want the two nodes apart", workers, seed, k, memb)
				}
			}
		}
		if merged == 0 || merged == 20 {
			t.Errorf("workers %d: %d of 20 seeds merged the two nodes: want some and not all", workers, merged)
		}
	}
}
