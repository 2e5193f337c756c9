package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
	neo "github.com/ringlens/ringlens/graph/neo4j"
)

// gdsComparison compares RingLens's Leiden with gds.leiden on the same
// graph. It lives in the command layer, where both are visible: the graph
// layer (graph/neo4j) runs gds.leiden and reads its membership back, the
// algorithms run ours.
type gdsComparison struct {
	Nodes             int     // nodes assigned by both
	CommunitiesOurs   int     // distinct communities among them
	CommunitiesTheirs int     //
	NMI               float64 // normalised mutual information in [0, 1]
	ARI               float64 // adjusted Rand index (1 identical, about 0 by chance)
	ModularityOurs    float64 // modularity on the visit-weighted graph
	ModularityTheirs  float64
	Ours              time.Duration // our Leiden's time on the weighted graph
}

// weightedCSR returns the undirected visit-weighted graph GDS projects
// (registrations weigh 1) over g's nodes.
func weightedCSR(g *graph.Graph) (*community.CSR, error) {
	et := g.Edges()
	edges := make([]community.Edge, 0, et.Len())
	for i := 0; i < et.Len(); i++ {
		w := float64(et.Visits[i])
		if et.Type[i] == graph.DoctorInstitutionRegistered || w <= 0 {
			w = 1
		}
		edges = append(edges, community.Edge{U: int32(et.U[i]), V: int32(et.V[i]), W: w})
	}
	return community.NewCSR(g.NumNodes(), edges)
}

// compareLeiden runs RingLens's Leiden (modularity, seed) on the same
// weighted graph GDS projects and compares its communities with theirs
// (from neo.RunLeiden).
func compareLeiden(ctx context.Context, g *graph.Graph, theirs map[neo.MemberKey]int64, seed int64) (*gdsComparison, error) {
	csr, err := weightedCSR(g)
	if err != nil {
		return nil, fmt.Errorf("weighted graph: %w", err)
	}
	start := time.Now()
	part, err := community.Leiden(ctx, csr, community.Options{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("leiden: %w", err)
	}
	took := time.Since(start)
	cmp := comparePartitions(g, csr, part.Membership, theirs)
	cmp.Ours = took
	return cmp, nil
}

// comparePartitions compares ours (a membership per node of g) with
// theirs: NMI and adjusted Rand index over the nodes both assign, and the
// modularity of each partition (nodes GDS left out count as singletons).
func comparePartitions(g *graph.Graph, csr *community.CSR, ours []int32, theirs map[neo.MemberKey]int64) *gdsComparison {
	n := g.NumNodes()
	th := make([]int32, n)
	ids := map[int64]int32{}
	next := int32(0)
	var a, b []int32
	for i := 0; i < n; i++ {
		node := graph.NodeID(i)
		c, ok := theirs[neo.MemberKey{Space: neo.SpaceOf(g.Kind(node)), Key: g.Key(node)}]
		if !ok {
			th[i] = -1
			continue
		}
		id, seen := ids[c]
		if !seen {
			id = next
			ids[c] = id
			next++
		}
		th[i] = id
		if i < len(ours) {
			a = append(a, ours[i])
			b = append(b, id)
		}
	}
	for i := range th {
		if th[i] < 0 {
			th[i] = next
			next++
		}
	}
	return &gdsComparison{
		Nodes: len(a), CommunitiesOurs: distinctLabels(a), CommunitiesTheirs: distinctLabels(b),
		NMI: community.NMI(a, b), ARI: community.ARI(a, b),
		ModularityOurs: community.Modularity(csr, ours, 1), ModularityTheirs: community.Modularity(csr, th, 1),
	}
}

// distinctLabels counts the distinct values of x.
func distinctLabels(x []int32) int {
	m := map[int32]bool{}
	for _, v := range x {
		m[v] = true
	}
	return len(m)
}
