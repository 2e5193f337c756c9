package main

import (
	"context"
	"math"
	"testing"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
	neo "github.com/ringlens/ringlens/graph/neo4j"
)

// TestCompareLeiden compares our Leiden with a "GDS" membership that is
// our own partition renamed, and then with one that merges everything:
// the first agrees perfectly, the second not at all.
func TestCompareLeiden(t *testing.T) {
	ctx := context.Background()
	g := huliSmallGraph(t)
	csr, err := weightedCSR(g)
	if err != nil {
		t.Fatal(err)
	}
	part, err := community.Leiden(ctx, csr, community.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	same, one := map[neo.MemberKey]int64{}, map[neo.MemberKey]int64{}
	for i := 0; i < g.NumNodes(); i++ {
		n := graph.NodeID(i)
		k := neo.MemberKey{Space: neo.SpaceOf(g.Kind(n)), Key: g.Key(n)}
		same[k] = int64(1000 + part.Membership[i])
		one[k] = 7
	}
	c, err := compareLeiden(ctx, g, same, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes != g.NumNodes() || math.Abs(c.NMI-1) > 1e-9 || math.Abs(c.ARI-1) > 1e-9 ||
		math.Abs(c.ModularityOurs-c.ModularityTheirs) > 1e-9 || c.CommunitiesOurs != c.CommunitiesTheirs {
		t.Errorf("the same partition renamed: %+v", c)
	}
	c, err = compareLeiden(ctx, g, one, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.CommunitiesTheirs != 1 || c.NMI > 1e-9 || math.Abs(c.ARI) > 1e-9 || c.ModularityTheirs > 1e-9 {
		t.Errorf("one community for all: %+v", c)
	}
}
