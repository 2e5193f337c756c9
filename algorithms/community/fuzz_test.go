package community

import (
	"context"
	"math"
	"testing"
)

// FuzzLeiden checks that Leiden never panics or hangs, rejects asymmetric
// CSRs, and returns connected, well-numbered communities on the CSRs it
// accepts and on the symmetric graph of the same pairs.
func FuzzLeiden(f *testing.F) {
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0}, uint8(0), 1.0, int64(1))
	f.Add([]byte{5, 0, 0, 1, 1, 4, 3, 3, 2}, uint8(1), 0.0, int64(2))
	f.Add([]byte{1}, uint8(1), 2.0, int64(3))
	f.Add([]byte{}, uint8(0), 0.5, int64(4))
	f.Fuzz(func(t *testing.T, data []byte, quality uint8, res float64, seed int64) {
		n := 0
		if len(data) > 0 {
			n = int(data[0]%32) + 1
			data = data[1:]
		}
		// Rows from pairs (node, target): asymmetric unless the input
		// lists both directions.
		var rows [][]int32
		var wts [][]float64
		for i := 0; i < n; i++ {
			rows, wts = append(rows, nil), append(wts, nil)
		}
		for i := 0; i+1 < len(data) && n > 0; i += 2 {
			u, v := int(data[i])%n, int32(int(data[i+1])%n)
			rows[u] = append(rows[u], v)
			wts[u] = append(wts[u], float64(data[i]%4))
		}
		g := &CSR{Offsets: make([]int64, n+1)}
		for i := range n {
			g.Targets = append(g.Targets, rows[i]...)
			g.Weights = append(g.Weights, wts[i]...)
			g.Offsets[i+1] = int64(len(g.Targets))
		}
		if n == 0 {
			g = &CSR{}
		}
		// The same pairs as undirected edges: always a valid CSR.
		var edges []Edge
		for u := range n {
			for i, v := range rows[u] {
				edges = append(edges, Edge{U: int32(u), V: v, W: wts[u][i]})
			}
		}
		sym, err := NewCSR(n, edges)
		if err != nil {
			t.Fatalf("NewCSR: %v", err)
		}
		if err := sym.Validate(); err != nil {
			t.Fatalf("NewCSR gave an invalid CSR: %v", err)
		}
		// Workers 2 on every other seed: the graphs are too small for the
		// parallel phases, and the parallel variant must fall back to the
		// sequential ones on them correctly.
		opt := Options{Quality: Quality(quality % 3), Resolution: res, Seed: seed, MaxIterations: int(seed & 3), Workers: int(seed>>2&1) * 2}
		validOpt := opt.Quality <= QualityCPM && res >= 0 && !math.IsInf(res, 1)
		for _, h := range []*CSR{g, sym} {
			p, err := Leiden(context.Background(), h, opt)
			if err != nil {
				if validOpt && h.Validate() == nil {
					t.Fatalf("valid input rejected: %v", err)
				}
				continue
			}
			if h.Validate() != nil {
				t.Fatalf("invalid CSR accepted: %v", h.Validate())
			}
			checkFuzzPartition(t, h, p)
		}
	})
}

// checkFuzzPartition fails t unless p's communities are connected in g and
// numbered in order of first node.
func checkFuzzPartition(t *testing.T, g *CSR, p *Partition) {
	t.Helper()
	if c, ok := disconnected(g, p.Membership); !ok {
		t.Fatalf("community %d not connected", c)
	}
	next := int32(0)
	for _, c := range p.Membership {
		if c > next {
			t.Fatalf("membership %v not numbered in order", p.Membership)
		}
		if c == next {
			next++
		}
	}
}
