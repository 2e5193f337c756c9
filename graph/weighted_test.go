package graph

import (
	"math"
	"slices"
	"strings"
	"testing"
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
				back, _ := w.Neighbors(int(j))
				if _, ok := slices.BinarySearch(back, int32(i)); !ok {
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
