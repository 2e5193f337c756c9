package neo4j

import (
	"context"
	"strings"
	"testing"

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

// kindOfSpace maps an id space back to a node kind (an Institution may
// also be a pharmacy node).
func kindOfSpace(space string) graph.Kind {
	switch space {
	case LabelPatient:
		return graph.KindPatient
	case LabelDoctor:
		return graph.KindDoctor
	}
	return graph.KindInstitution
}

// TestRunLeiden checks the GDS statements and that the membership read
// back is the one the (fake) database streamed.
func TestRunLeiden(t *testing.T) {
	ctx := context.Background()
	g := smallGraph(t)
	// The fake "GDS" answers with a partition of its own: the node's kind
	// (the comparison with our Leiden lives in the command layer).
	community := func(n graph.NodeID) int64 { return int64(100 + g.Kind(n)) }
	db := newFakeDB()
	for i := 0; i < g.NumNodes(); i++ {
		n := graph.NodeID(i)
		db.membership = append(db.membership, map[string]any{
			"space": SpaceOf(g.Kind(n)), "key": g.Key(n), "community": community(n),
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
	for k, c := range theirs {
		n, ok := g.Lookup(kindOfSpace(k.Space), k.Key)
		if !ok && k.Space == LabelInstitution {
			n, ok = g.Lookup(graph.KindPharmacy, k.Key)
		}
		if !ok || community(n) != c {
			t.Errorf("membership of %v: %d", k, c)
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
