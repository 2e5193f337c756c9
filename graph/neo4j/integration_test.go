package neo4j

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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

	// Read back (fee lines and catalogue included): the same rows. That
	// detection on them finds the same rule hits and rings is
	// TestIntegrationPushReadBackSameFindings of cmd/ringlens.
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: c, Page: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := fx.g.Tables()
	if int(ls.Visits) != orig.Visits.Len() || ls.SkippedVisits != 0 || int(ls.Fees) != orig.Fees.Len() ||
		ls.SkippedFees != 0 || int(ls.Items) != orig.Catalog.Len() || ls.RejectedVisits != 0 || ls.RejectedFees != 0 {
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
	checkSameTables(t, orig, tb)

	// gds.leiden when the plugin is there.
	theirs, err := RunLeiden(ctx, c, Retry{}, LeidenOptions{Seed: 1})
	if err != nil {
		if os.Getenv("RINGLENS_REQUIRE_NEO4J") != "" {
			t.Fatalf("gds.leiden: %v (make test-neo4j's server has GDS)", err)
		}
		t.Logf("gds.leiden not compared: %v", err)
		return
	}
	// Every person, doctor and site has a community; the comparison with
	// our Leiden runs in the command layer (TestIntegrationCLIPushDetectFromNeo4j).
	want := fx.g.NumKind(graph.KindPatient) + fx.g.NumKind(graph.KindDoctor) + fx.g.NumKind(graph.KindInstitution) + fx.g.NumKind(graph.KindPharmacy)
	communities := map[int64]bool{}
	for _, c := range theirs {
		communities[c] = true
	}
	if len(theirs) != want || len(communities) < 2 {
		t.Errorf("gds.leiden assigned %d nodes to %d communities; the graph has %d people, doctors and sites", len(theirs), len(communities), want)
	}
	t.Logf("gds.leiden: %d nodes in %d communities", len(theirs), len(communities))
}

// TestIntegrationAdminImport loads the admin-import export with the real
// import tool (neo4j-admin database import full, run in process by the
// launcher's ImportCheck into a fresh Neo4j home) and checks that the
// imported database counts what the export wrote. It needs the launcher
// built by make test-neo4j (RINGLENS_NEO4J_LAUNCHER, its directory).
func TestIntegrationAdminImport(t *testing.T) {
	launcher := os.Getenv("RINGLENS_NEO4J_LAUNCHER")
	if launcher == "" {
		if os.Getenv("RINGLENS_REQUIRE_NEO4J") != "" {
			t.Fatal("RINGLENS_REQUIRE_NEO4J is set but RINGLENS_NEO4J_LAUNCHER is not")
		}
		t.Skip("Neo4j import test skipped: run `make test-neo4j` (builds the launcher that runs neo4j-admin's import; needs Java 17 and Maven)")
	}
	fx := loadFixture(t)
	m := fx.model(t, false)
	dir := t.TempDir()
	ex, err := Export(context.Background(), DirSink(dir), m, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("java", "-Djava.io.tmpdir="+t.TempDir(), "-cp", filepath.Join(launcher, "target", "classes")+string(os.PathListSeparator)+filepath.Join(launcher, "target", "lib", "*"),
		"org.ringlens.neo4jlauncher.ImportCheck", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ImportCheck: %v\n%s", err, tail(stderr.String(), 2000))
	}
	var got struct {
		Nodes, Relationships int64
		ImportSeconds        float64 `json:"import_seconds"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
		t.Fatalf("ImportCheck printed %q: %v", out, err)
	}
	if got.Nodes != ex.Nodes || got.Relationships != ex.Rels {
		t.Errorf("imported %d nodes and %d relationships, the export wrote %d and %d", got.Nodes, got.Relationships, ex.Nodes, ex.Rels)
	}
	t.Logf("neo4j-admin database import full: %d nodes, %d relationships in %.2f s (%.0f rows/s)",
		got.Nodes, got.Relationships, got.ImportSeconds, float64(got.Nodes+got.Relationships)/got.ImportSeconds)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
