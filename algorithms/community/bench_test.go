package community

import (
	"context"
	"testing"
)

// BenchmarkLeidenDBLP times modularity Leiden, iterated to convergence, on
// the SNAP com-DBLP graph and reports the modularity reached.
func BenchmarkLeidenDBLP(b *testing.B) {
	n, edges := loadEdgeList(b, "com-dblp.ungraph.edges.gz", false)
	g := mustCSR(b, n, edges)
	b.ResetTimer()
	var p *Partition
	for i := 0; i < b.N; i++ {
		var err error
		p, err = Leiden(context.Background(), g, Options{Seed: int64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(p.Quality, "modularity")
	b.ReportMetric(float64(p.Communities), "communities")
	b.ReportMetric(float64(p.Iterations), "iterations")
}
