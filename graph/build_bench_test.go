package graph

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// benchBuild synthesises visits visits with about 3 fee lines each and
// measures Build.
func benchBuild(b *testing.B, visits int) {
	tb := synthTables(visits, 3)
	b.ResetTimer()
	var g *Graph
	for b.Loop() {
		var err error
		if g, err = Build(context.Background(), tb, BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.MemoryBytes())/(1<<20), "graph-MiB")
	b.ReportMetric(float64(g.NumEdges()), "edges")
}

// BenchmarkBuild measures Build at 1M visits and about 3M fee lines.
func BenchmarkBuild(b *testing.B) { benchBuild(b, 1_000_000) }

// BenchmarkBuildLarge measures Build at RINGLENS_BENCH_VISITS visits
// (e.g. 10000000); skipped unless the variable is set.
func BenchmarkBuildLarge(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv("RINGLENS_BENCH_VISITS"))
	if err != nil || n <= 0 {
		b.Skip("set RINGLENS_BENCH_VISITS to run")
	}
	benchBuild(b, n)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<30), "sys-GiB")
}

// BenchmarkCoVisits measures the institution co-visit projection at 1M
// visits.
func BenchmarkCoVisits(b *testing.B) {
	g := synthGraph(b, 1_000_000, 3)
	b.ResetTimer()
	var p *Projection
	for b.Loop() {
		var err error
		if p, err = g.CoVisits(context.Background(), CoVisitOptions{Window: 30 * time.Minute}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.W.NumEdges()), "pairs")
}

// BenchmarkNeighbourhood measures a 2-hop neighbourhood capped at 500
// nodes around a busy doctor at 1M visits.
func BenchmarkNeighbourhood(b *testing.B) {
	g := synthGraph(b, 1_000_000, 3)
	seed := NodeID(g.docBase)
	b.ResetTimer()
	for b.Loop() {
		if s := g.Neighbourhood([]NodeID{seed}, 2, 500); len(s.Nodes) == 0 {
			b.Fatal("empty")
		}
	}
}
