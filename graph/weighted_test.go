package graph

import (
	"math"
	"slices"
	"strings"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
	"math/rand/v2"
)

func TestNewWeighted(t *testing.T) {
	w := NewWeighted(5, []WeightedEdge{
		{0, 1, 1}, {1, 0, 2}, {2, 1, 0.5}, {3, 3, 4}, {0, 9, 1}, {-1, 0, 1}, {1, 3, 1},
	})
	tests := []struct {
		node     int
		nbr      []int32
		wt       []float64
		strength float64
	}{
		{0, []int32{1}, []float64{3}, 3},
		{1, []int32{0, 2, 3}, []float64{3, 0.5, 1}, 4.5},
		{2, []int32{1}, []float64{0.5}, 0.5},
		{3, []int32{1, 3}, []float64{1, 4}, 9},
		{4, nil, nil, 0},
	}
	for _, tc := range tests {
		nbr, wt := w.Neighbors(tc.node)
		if !slices.Equal(nbr, tc.nbr) || !slices.Equal(wt, tc.wt) || w.Strength(tc.node) != tc.strength || w.Degree(tc.node) != len(tc.nbr) {
			t.Errorf("node %d: %v %v strength %v", tc.node, nbr, wt, w.Strength(tc.node))
		}
	}
	if w.Len() != 5 || w.TotalWeight() != 8.5 || w.NumEdges() != 4 {
		t.Errorf("Len %d TotalWeight %v NumEdges %d", w.Len(), w.TotalWeight(), w.NumEdges())
	}
	if w.Degree(-1) != 0 || w.Strength(7) != 0 {
		t.Error("out-of-range queries must give 0")
	}
	if e := NewWeighted(0, nil); e.Len() != 0 || e.TotalWeight() != 0 {
		t.Error("empty graph")
	}
	if e := NewWeighted(-3, []WeightedEdge{{0, 0, 1}}); e.Len() != 0 {
		t.Error("negative n")
	}
}

func TestWeightedGonum(t *testing.T) {
	w := NewWeighted(4, []WeightedEdge{{0, 1, 2}, {1, 2, 3}, {2, 2, 5}})
	var g gonum.WeightedUndirected = w
	if g.Node(3) == nil || g.Node(4) != nil || g.Node(-1) != nil {
		t.Error("Node")
	}
	if got := gonum.NodesOf(g.Nodes()); len(got) != 4 || got[3].ID() != 3 {
		t.Errorf("Nodes = %v", got)
	}
	it := g.From(1)
	if it.Len() != 2 {
		t.Errorf("From(1).Len = %d", it.Len())
	}
	var ids []int64
	for it.Next() {
		ids = append(ids, it.Node().ID())
	}
	if !slices.Equal(ids, []int64{0, 2}) || it.Len() != 0 || it.Node() != nil {
		t.Errorf("From(1) = %v", ids)
	}
	it.Reset()
	if it.Len() != 2 || !it.Next() || it.Node().ID() != 0 {
		t.Error("Reset")
	}
	if g.From(9).Len() != 0 {
		t.Error("From of a missing node")
	}
	if !g.HasEdgeBetween(2, 1) || g.HasEdgeBetween(0, 2) || g.HasEdgeBetween(0, 99) {
		t.Error("HasEdgeBetween")
	}
	if e := g.WeightedEdgeBetween(2, 1); e == nil || e.Weight() != 3 || e.From().ID() != 2 || e.To().ID() != 1 {
		t.Errorf("WeightedEdgeBetween = %v", e)
	}
	if e := g.Edge(1, 0).ReversedEdge(); e.From().ID() != 0 || e.To().ID() != 1 {
		t.Error("ReversedEdge")
	}
	if g.Edge(0, 3) != nil || w.EdgeBetween(0, 3) != nil || g.WeightedEdge(0, 3) != nil {
		t.Error("missing edge must be nil")
	}
	for _, tc := range []struct {
		x, y int64
		w    float64
		ok   bool
	}{{0, 1, 2, true}, {2, 2, 5, true}, {0, 0, 0, true}, {0, 3, math.Inf(1), false}, {9, 9, math.Inf(1), false}} {
		if x, ok := g.Weight(tc.x, tc.y); x != tc.w || ok != tc.ok {
			t.Errorf("Weight(%d, %d) = %v, %v", tc.x, tc.y, x, ok)
		}
	}
	n := g.Nodes()
	if n.Node() != nil {
		t.Error("Node before Next must be nil")
	}
}

// twoCliques returns two 5-cliques joined by the edge 4-5.
func twoCliques() []WeightedEdge {
	var edges []WeightedEdge
	for c := int32(0); c < 2; c++ {
		for i := int32(0); i < 5; i++ {
			for j := i + 1; j < 5; j++ {
				edges = append(edges, WeightedEdge{5*c + i, 5*c + j, 1})
			}
		}
	}
	return append(edges, WeightedEdge{4, 5, 1})
}

// zacharyEdges is Zachary's karate club (W. W. Zachary, J. Anthropol. Res.
// 33, 1977), 34 nodes and 78 edges, from gonum's community tests (which
// list 5-6 twice; it is listed once here).
func zacharyEdges() []WeightedEdge {
	adj := [][]int32{
		1: {0, 2}, 2: {0, 32}, 3: {0, 1, 2}, 4: {0, 6, 10}, 5: {0, 6}, 6: {0}, 7: {0, 1, 2, 3},
		8: {0, 2, 32, 33}, 9: {2, 33}, 10: {0, 5}, 11: {0}, 12: {0, 3}, 13: {0, 1, 2, 3, 33},
		14: {32, 33}, 15: {32, 33}, 16: {5, 6}, 17: {0, 1}, 18: {32, 33}, 19: {0, 1, 33}, 20: {32, 33},
		21: {0, 1}, 22: {32, 33}, 23: {32, 33}, 24: {27, 31}, 25: {23, 24, 31}, 26: {29, 33},
		27: {2, 23, 33}, 28: {2, 31, 33}, 29: {23, 32, 33}, 30: {1, 8, 32, 33}, 31: {0, 32, 33}, 32: {33},
	}
	var edges []WeightedEdge
	for u, vs := range adj {
		for _, v := range vs {
			edges = append(edges, WeightedEdge{int32(u), v, 1})
		}
	}
	return edges
}

// simpleOf copies edges into a gonum simple graph, as a reference.
func simpleOf(n int, edges []WeightedEdge) *simple.WeightedUndirectedGraph {
	s := simple.NewWeightedUndirectedGraph(0, 0)
	for i := 0; i < n; i++ {
		s.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		s.SetWeightedEdge(s.NewWeightedEdge(simple.Node(e.U), simple.Node(e.V), e.W))
	}
	return s
}

func TestWeightedModularize(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges []WeightedEdge
		m     int
		comms int
		minQ  float64
	}{
		{"two cliques", 10, twoCliques(), 21, 2, 0.45},
		{"zachary", 34, zacharyEdges(), 78, 4, 0.41},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWeighted(tc.n, tc.edges)
			if got := w.NumEdges(); got != tc.m {
				t.Fatalf("NumEdges = %d, want %d", got, tc.m)
			}
			r := community.Modularize(w, 1, rand.NewPCG(1, 2))
			comms := r.Communities()
			if len(comms) != tc.comms {
				t.Errorf("%d communities, want %d", len(comms), tc.comms)
			}
			q := community.Q(w, comms, 1)
			if q < tc.minQ {
				t.Errorf("Q = %v, want >= %v", q, tc.minQ)
			}
			ref := community.Q(simpleOf(tc.n, tc.edges), comms, 1)
			if math.Abs(q-ref) > 1e-12 {
				t.Errorf("Q on Weighted %v, on gonum simple graph %v", q, ref)
			}
			if tc.name == "two cliques" {
				for _, c := range comms {
					var ids []int64
					for _, n := range c {
						ids = append(ids, n.ID())
					}
					slices.Sort(ids)
					if !slices.Equal(ids, []int64{0, 1, 2, 3, 4}) && !slices.Equal(ids, []int64{5, 6, 7, 8, 9}) {
						t.Errorf("community %v", ids)
					}
				}
			}
		})
	}
}

func TestReadEdgeList(t *testing.T) {
	tests := []struct {
		name, in string
		ids      []int64
		edges    int
		total    float64
		err      string
	}{
		{"plain", "# header\n10 20\n20 30 2.5\n\n% also comment\n30 10 # tail\n20 10\n", []int64{10, 20, 30}, 3, 5.5, ""},
		{"tabs and crlf", "1\t2\r\n-5\t1\t0.5\r\n", []int64{1, 2, -5}, 2, 1.5, ""},
		{"empty", "", nil, 0, 0, ""},
		{"one field", "1 2\n3\n", nil, 0, 0, "line 2"},
		{"bad id", "1 x\n", nil, 0, 0, "line 1: node id"},
		{"bad weight", "1 2 w\n", nil, 0, 0, "line 1: weight"},
		{"nan weight", "1 2 NaN\n", nil, 0, 0, "not finite"},
		{"too many", "1 2 3 4\n", nil, 0, 0, "more than 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, ids, err := ReadEdgeList(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, tc.ids) || w.NumEdges() != tc.edges || w.TotalWeight() != tc.total || w.Len() != len(tc.ids) {
				t.Errorf("ids %v edges %d total %v", ids, w.NumEdges(), w.TotalWeight())
			}
		})
	}
}

func FuzzReadEdgeList(f *testing.F) {
	for _, s := range []string{"1 2\n2 3 0.5\n", "# c\n-1 9223372036854775807 1e300\n", "1 1\n", "a b\n", "1\n", "1 2 3 4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		w, ids, err := ReadEdgeList(strings.NewReader(in))
		if err != nil {
			return
		}
		if w.Len() != len(ids) {
			t.Fatalf("Len %d, %d ids", w.Len(), len(ids))
		}
		sum := 0.0
		for i := 0; i < w.Len(); i++ {
			nbr, _ := w.Neighbors(i)
			if !slices.IsSorted(nbr) {
				t.Fatalf("neighbours of %d unsorted", i)
			}
			for _, j := range nbr {
				if !w.HasEdgeBetween(int64(j), int64(i)) {
					t.Fatalf("asymmetric %d-%d", i, j)
				}
			}
			sum += w.Strength(i)
		}
		if tot := w.TotalWeight(); math.Abs(sum-2*tot) > 1e-9*math.Max(1, math.Abs(sum)) && !math.IsInf(tot, 0) && !math.IsNaN(sum-2*tot) {
			t.Fatalf("strengths sum %v, total %v", sum, tot)
		}
	})
}
