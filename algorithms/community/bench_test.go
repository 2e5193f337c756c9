package community

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkLeidenDBLP times modularity Leiden on the SNAP com-DBLP graph
// (317,080 nodes, 1,049,866 edges) for 1 and 2 iterations and reports the
// modularity reached. Iterating until stable takes tens of iterations on this
// graph (about 0.839 after some 70), too slow for a routine benchmark.
func BenchmarkLeidenDBLP(b *testing.B) {
	n, edges := loadEdgeList(b, "com-dblp.ungraph.edges.gz", false)
	g := mustCSR(b, n, edges)
	for _, it := range []int{1, 2} {
		b.Run(fmt.Sprintf("iterations=%d", it), func(b *testing.B) {
			var p *Partition
			for i := 0; b.Loop(); i++ {
				var err error
				p, err = Leiden(context.Background(), g, Options{Seed: int64(i + 1), MaxIterations: it})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(p.Quality, "modularity")
			b.ReportMetric(float64(p.Communities), "communities")
		})
	}
}
