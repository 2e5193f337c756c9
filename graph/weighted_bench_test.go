package graph

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// dblpFile is the SNAP com-DBLP graph (317,080 nodes, 1,049,866 edges) in
// the directory named by RINGLENS_BENCH_GRAPHS.
const dblpFile = "com-dblp.ungraph.edges.gz"

// BenchmarkReadEdgeListDBLP measures ReadEdgeList plus NewWeighted on
// com-DBLP, gunzip included.
func BenchmarkReadEdgeListDBLP(b *testing.B) {
	dblpPath := filepath.Join(os.Getenv("RINGLENS_BENCH_GRAPHS"), dblpFile)
	if _, err := os.Stat(dblpPath); os.Getenv("RINGLENS_BENCH_GRAPHS") == "" || err != nil {
		b.Skipf("%s: set RINGLENS_BENCH_GRAPHS to the directory of the benchmark graphs (%v)", dblpFile, err)
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
