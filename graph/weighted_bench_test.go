package graph

import (
	"compress/gzip"
	"os"
	"testing"
)

// dblpPath is the SNAP com-DBLP graph (317,080 nodes, 1,049,866 edges).
const dblpPath = "/work/shared/bench/graphs/com-dblp.ungraph.edges.gz"

// BenchmarkReadEdgeListDBLP measures ReadEdgeList plus NewWeighted on
// com-DBLP, gunzip included.
func BenchmarkReadEdgeListDBLP(b *testing.B) {
	if _, err := os.Stat(dblpPath); err != nil {
		b.Skipf("%s: %v", dblpPath, err)
	}
	for b.Loop() {
		f, err := os.Open(dblpPath)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		w, ids, err := ReadEdgeList(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(ids) != 317080 || w.NumEdges() != 1049866 {
			b.Fatalf("%d nodes, %d edges", len(ids), w.NumEdges())
		}
	}
}
