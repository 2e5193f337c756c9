package neo4j

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
)

func TestLeidenQueries(t *testing.T) {
	project, stream, drop, params := LeidenQueries(LeidenOptions{Seed: 7, MaxLevels: 5})
	if !strings.HasPrefix(project, "CALL gds.graph.project($graph, ['Patient', 'Doctor', 'Institution']") ||
		!strings.Contains(project, "VISITED: {orientation: 'UNDIRECTED'") {
		t.Errorf("project %q", project)
	}
	if !strings.Contains(stream, "gds.leiden.stream($graph, {relationshipWeightProperty: 'visits', randomSeed: $seed, concurrency: 1, maxLevels: 5})") {
		t.Errorf("stream %q", stream)
	}
	if !strings.Contains(drop, "gds.graph.drop($graph, false)") || params["graph"] != "ringlens" || params["seed"] != int64(7) {
		t.Errorf("drop %q params %v", drop, params)
	}
}

func TestRunLeidenAndCompare(t *testing.T) {
	ctx := context.Background()
	g := smallGraph(t)
	csr, err := WeightedCSR(g)
	if err != nil {
		t.Fatal(err)
	}
	part, err := community.Leiden(ctx, csr, community.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The fake "GDS" answers with our own partition, renamed.
	db := newFakeDB()
	for i := 0; i < g.NumNodes(); i++ {
		n := graph.NodeID(i)
		db.membership = append(db.membership, map[string]any{
			"space": spaceOf(g.Kind(n)), "key": g.Key(n), "community": int64(100 + part.Membership[i]),
		})
	}
	theirs, err := RunLeiden(ctx, db, Retry{Sleep: noSleep}, LeidenOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(theirs) != g.NumNodes() {
		t.Fatalf("membership of %d nodes", len(theirs))
	}
	var sawProject, sawDrop bool
	for _, q := range db.queries {
		sawProject = sawProject || strings.HasPrefix(q.cypher, "CALL gds.graph.project")
		sawDrop = sawDrop || strings.HasPrefix(q.cypher, "CALL gds.graph.drop")
	}
	if !sawProject || !sawDrop {
		t.Error("projection not created or dropped")
	}
	c, err := CompareLeiden(ctx, g, theirs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes != g.NumNodes() || math.Abs(c.NMI-1) > 1e-9 || math.Abs(c.ModularityOurs-c.ModularityTheirs) > 1e-9 {
		t.Errorf("comparison %+v", c)
	}
}

func TestNMI(t *testing.T) {
	for _, c := range []struct {
		a, b []int32
		want float64
	}{
		{[]int32{0, 0, 1, 1}, []int32{5, 5, 9, 9}, 1},
		{[]int32{0, 0, 0, 0}, []int32{1, 1, 1, 1}, 1},
		{[]int32{0, 0, 1, 1}, []int32{0, 1, 0, 1}, 0},
		{nil, nil, 0},
	} {
		if got := NMI(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("NMI(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := NMI([]int32{0, 0, 1, 1}, []int32{0, 0, 0, 1}); got <= 0 || got >= 1 {
		t.Errorf("partial NMI %v", got)
	}
}

func TestARI(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []int32
		want float64
	}{
		{"identical up to renaming", []int32{0, 0, 1, 1, 2}, []int32{7, 7, 3, 3, 9}, 1},
		// Contingency (2,1 / 0,1,2): index 2, expected 6·3/15 = 1.2, max 4.5.
		{"worked example", []int32{0, 0, 0, 1, 1, 1}, []int32{0, 0, 1, 1, 2, 2}, 0.8 / 3.3},
		{"crossed halves", []int32{0, 0, 1, 1}, []int32{0, 1, 0, 1}, -0.5},
		{"both trivial", []int32{0, 0, 0}, []int32{4, 4, 4}, 0},
		{"empty", nil, nil, 0},
	} {
		if got := ARI(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: ARI(%v, %v) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}

func TestReadMembershipMalformed(t *testing.T) {
	_, err := ReadMembership(context.Background(), &fakeRecords{recs: []map[string]any{{"space": "Patient"}}})
	if err == nil {
		t.Error("malformed record accepted")
	}
}

func TestShowQueries(t *testing.T) {
	q := ShowRingQuery("latest", "R-0001")
	if !strings.Contains(q, "{id: 'latest/R-0001'}") {
		t.Errorf("ring query %q", q)
	}
	if q := ShowEntityQuery("doctor", "D'1"); !strings.Contains(q, `(n:Doctor {dr_code: 'D\'1'})`) {
		t.Errorf("entity query %q", q)
	}
	if q := ShowEntityQuery("pharmacy", "P1"); !strings.Contains(q, "(n:Institution {code: 'P1'})") {
		t.Errorf("entity query %q", q)
	}
}
