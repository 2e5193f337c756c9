package neo4j

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
)

// openTestServer connects to the server named by NEO4J_URI (user
// NEO4J_USER, default neo4j; password NEO4J_PASSWORD; database
// NEO4J_DATABASE, default the server's) or skips the test (fails instead
// when RINGLENS_REQUIRE_NEO4J is set, as make test-neo4j does). The tests
// delete every node with a RingLens label: use a throwaway server (see
// docs/neo4j.md).
func openTestServer(t *testing.T) *Conn {
	t.Helper()
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		if os.Getenv("RINGLENS_REQUIRE_NEO4J") != "" {
			t.Fatal("RINGLENS_REQUIRE_NEO4J is set but NEO4J_URI is not: no Neo4j server to test against")
		}
		t.Skip("Neo4j integration test skipped: run `make test-neo4j` (starts a throwaway Neo4j 5 with GDS; needs Java 17 and Maven), or set NEO4J_URI and NEO4J_PASSWORD to a throwaway server; see docs/neo4j.md")
	}
	user := os.Getenv("NEO4J_USER")
	if user == "" {
		user = "neo4j"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Open(ctx, uri, user, os.Getenv("NEO4J_PASSWORD"), os.Getenv("NEO4J_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	wipe(t, c)
	return c
}

// wipe deletes RingLens's nodes in batches.
func wipe(t *testing.T, ex Executor) {
	t.Helper()
	ctx := context.Background()
	for _, l := range []string{LabelFeeLine, LabelItem, LabelVisit, LabelRuleHit, LabelRing, LabelPatient, LabelDoctor, LabelInstitution} {
		for {
			var n int64
			err := ex.ExecuteWrite(ctx, func(ctx context.Context, tx Runner) error {
				recs, err := collect(ctx, tx, "MATCH (n:"+l+") WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n", nil)
				if err == nil && len(recs) == 1 {
					n, _ = asInt64(recs[0]["n"])
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
	}
}

// fingerprint summarises the database: node and relationship counts and
// property sums.
func fingerprint(t *testing.T, ex Executor) map[string]any {
	t.Helper()
	var out map[string]any
	err := ex.ExecuteRead(context.Background(), func(ctx context.Context, tx Runner) error {
		recs, err := collect(ctx, tx, "MATCH (n) WITH count(n) AS nodes, sum(coalesce(n.fund, 0.0)) AS fund "+
			"MATCH ()-[r]->() RETURN nodes, fund, count(r) AS rels, sum(coalesce(r.visits, 0)) AS visits", nil)
		if err == nil && len(recs) == 1 {
			out = recs[0]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIntegrationPushExportReadBack(t *testing.T) {
	c := openTestServer(t)
	ctx := context.Background()
	fx := loadFixture(t)
	m := fx.model(t, false)

	st, err := Push(ctx, c, m, PushOptions{Batch: 2000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pushed %d nodes, %d relationships in %v (%.0f rows/s)", st.Nodes, st.Rels, st.Elapsed, st.RowsPerSecond())
	for _, ch := range st.Checks {
		if ch.Got != ch.Want {
			t.Errorf("count %s: %d in the database, %d written", ch.Set, ch.Got, ch.Want)
		}
	}
	before := fingerprint(t, c)

	// Idempotent re-push.
	if _, err := Push(ctx, c, m, PushOptions{Batch: 3000}); err != nil {
		t.Fatal(err)
	}
	if after := fingerprint(t, c); after["nodes"] != before["nodes"] || after["rels"] != before["rels"] ||
		after["visits"] != before["visits"] {
		t.Errorf("re-push changed the graph: %v then %v", before, after)
	}

	// The export holds exactly what the database counts.
	sink := &memSink{}
	ex, err := Export(ctx, sink, m, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := Count(ctx, c, m, Retry{})
	if err != nil {
		t.Fatal(err)
	}
	var dbNodes, dbRels int64
	for i, ch := range checks {
		if i < len(m.Nodes) {
			dbNodes += ch.Got
		} else {
			dbRels += ch.Got
		}
	}
	if dbNodes != ex.Nodes || dbRels != ex.Rels {
		t.Errorf("export has %d nodes %d relationships, database %d %d", ex.Nodes, ex.Rels, dbNodes, dbRels)
	}

	// The investigator queries of docs/neo4j.md run, and the hits behind
	// the first ring are those its evidence cites.
	if len(fx.f.Rings) > 0 {
		r := fx.f.Rings[0]
		cited := 0
		for _, e := range r.Evidence {
			if e.Kind == "rule" {
				cited++
			}
		}
		for _, q := range []struct {
			name, cypher string
			want         int // rows; -1: any
		}{
			{"show ring", ShowRingQuery(m.RunID, r.ID), 1},
			{"ring fee lines", RingFeeLinesQuery(m.RunID, r.ID), -1},
			{"ring hits", RingHitsQuery(m.RunID, r.ID), cited},
			{"ring over cap", RingOverCapQuery(m.RunID, r.ID), -1},
		} {
			var n int
			err := c.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
				recs, err := collect(ctx, tx, q.cypher, nil)
				n = len(recs)
				return err
			})
			if err != nil {
				t.Errorf("%s query: %v", q.name, err)
			} else if q.want >= 0 && n != q.want {
				t.Errorf("%s query: %d rows, want %d", q.name, n, q.want)
			}
		}
	}

	// Read back (fee lines and catalogue included) and detect.
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: c, Page: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := fx.g.Tables()
	if int(ls.Visits) != orig.Visits.Len() || ls.SkippedVisits != 0 || int(ls.Fees) != orig.Fees.Len() ||
		ls.SkippedFees != 0 || int(ls.Items) != orig.Catalog.Len() {
		t.Errorf("read back %+v; fixture has %d visits, %d fee lines, %d items", ls, orig.Visits.Len(), orig.Fees.Len(), orig.Catalog.Len())
	}
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := g.EdgeRange(graph.PatientInstitution)
	lo0, hi0 := fx.g.EdgeRange(graph.PatientInstitution)
	if hi-lo != hi0-lo0 {
		t.Errorf("VISITED edges: %d read back, %d pushed", hi-lo, hi0-lo0)
	}
	rr, err := rules.Run(ctx, g, rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	checkSameHits(t, orig, fx.hits, tb, rr.Hits)
	f, err := rings.Detect(ctx, g, rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkSameRings(t, fx.f, f)
	t.Logf("detected %d rings and %d rule hits on the read-back graph", len(f.Rings), len(rr.Hits))

	// gds.leiden when the plugin is there.
	theirs, err := RunLeiden(ctx, c, Retry{}, LeidenOptions{Seed: 1})
	if err != nil {
		t.Logf("gds.leiden not compared: %v", err)
		return
	}
	cmp, err := CompareLeiden(ctx, fx.g, theirs, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gds.leiden vs RingLens Leiden: %+v", cmp)
}
