package graph

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBuildAdjacencyParts checks the adjacency built in parts, for several
// worker counts, against lists built the plain way: every edge entered in
// the lists of both ends, each list sorted by (neighbour, type).
func TestBuildAdjacencyParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for trial := range 40 {
		n := 1 + rng.IntN(300)
		g := &Graph{numNodes: uint32(n)}
		et := &g.edges
		for ty := range EdgeType(NumEdgeTypes) {
			g.edgeSeg[ty] = len(et.U)
			seen := map[[2]NodeID]bool{}
			var pairs [][2]NodeID
			for range rng.IntN(4 * n) {
				u, v := NodeID(rng.IntN(n)), NodeID(rng.IntN(n))
				if trial%4 == 0 {
					u = NodeID(rng.IntN(min(n, 3))) // a few nodes hold most edges
				}
				if u == v || seen[[2]NodeID{min(u, v), max(u, v)}] {
					continue
				}
				seen[[2]NodeID{min(u, v), max(u, v)}] = true
				pairs = append(pairs, [2]NodeID{min(u, v), max(u, v)})
			}
			slices.SortFunc(pairs, func(a, b [2]NodeID) int {
				return cmp.Compare(pack(uint32(a[0]), uint32(a[1])), pack(uint32(b[0]), uint32(b[1])))
			})
			for _, p := range pairs {
				et.Type, et.U, et.V = append(et.Type, ty), append(et.U, p[0]), append(et.V, p[1])
			}
		}
		g.edgeSeg[NumEdgeTypes] = len(et.U)
		want := make([][][2]uint32, n) // per node: (neighbour, edge)
		for i := range et.U {
			want[et.U[i]] = append(want[et.U[i]], [2]uint32{uint32(et.V[i]), uint32(i)})
			want[et.V[i]] = append(want[et.V[i]], [2]uint32{uint32(et.U[i]), uint32(i)})
		}
		for _, l := range want {
			slices.SortFunc(l, func(a, b [2]uint32) int {
				if a[0] != b[0] {
					return int(a[0]) - int(b[0])
				}
				return int(et.Type[a[1]]) - int(et.Type[b[1]])
			})
		}
		for _, workers := range []int{1, 2, 3, 7} {
			g.adjOff, g.adjNbr, g.adjEdge = nil, nil, nil
			if err := (&builder{g: g, workers: workers}).buildAdjacency(context.Background()); err != nil {
				t.Fatal(err)
			}
			for x := range n {
				nbr, eid := g.Neighbors(NodeID(x))
				if len(nbr) != len(want[x]) {
					t.Fatalf("trial %d, workers %d, node %d: %d neighbours, want %d", trial, workers, x, len(nbr), len(want[x]))
				}
				for i, w := range want[x] {
					if uint32(nbr[i]) != w[0] || uint32(eid[i]) != w[1] {
						t.Fatalf("trial %d, workers %d, node %d: entry %d is (%d, edge %d), want (%d, edge %d)", trial, workers, x, i, nbr[i], eid[i], w[0], w[1])
					}
				}
			}
		}
	}
}
