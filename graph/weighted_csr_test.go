package graph

import "testing"

func TestWeightedCSRSharesArrays(t *testing.T) {
	w := NewWeighted(3, []WeightedEdge{{0, 1, 2}, {1, 2, 1}, {2, 2, 5}})
	off, nbr, wt := w.CSR()
	if len(off) != w.Len()+1 || int(off[w.Len()]) != len(nbr) || len(nbr) != len(wt) {
		t.Fatalf("inconsistent CSR: off %v nbr %v wt %v", off, nbr, wt)
	}
	for i := 0; i < w.Len(); i++ {
		got, gw := w.Neighbors(i)
		if len(got) != int(off[i+1]-off[i]) {
			t.Fatalf("node %d: %d neighbours via Neighbors, %d via CSR", i, len(got), off[i+1]-off[i])
		}
		for j := range got {
			if got[j] != nbr[off[i]+int64(j)] || gw[j] != wt[off[i]+int64(j)] {
				t.Fatalf("node %d entry %d differs", i, j)
			}
		}
	}
	if len(nbr) > 0 && &nbr[0] != &w.nbr[0] {
		t.Fatal("CSR copied the neighbour array")
	}
}
