package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/neo4j"
)

// neo4jServer returns the Bolt URI of the throwaway server of make
// test-neo4j (NEO4J_URI, password in NEO4J_PASSWORD), or skips the test
// (fails when RINGLENS_REQUIRE_NEO4J is set).
func neo4jServer(t *testing.T) string {
	t.Helper()
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		if os.Getenv("RINGLENS_REQUIRE_NEO4J") != "" {
			t.Fatal("RINGLENS_REQUIRE_NEO4J is set but NEO4J_URI is not: no Neo4j server to test against")
		}
		t.Skip("Neo4j integration test skipped: run `make test-neo4j` (starts a throwaway Neo4j 5 with GDS; needs Java 17 and Maven)")
	}
	emptyDatabase(t, uri)
	return uri
}

// emptyDatabase deletes every node of the test server's default database,
// in batches, so that what the test pushes is all there is.
func emptyDatabase(t *testing.T, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := neo4j.Open(ctx, uri, "neo4j", os.Getenv("NEO4J_PASSWORD"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for {
		deleted := false
		err := c.ExecuteWrite(ctx, func(ctx context.Context, tx neo4j.Runner) error {
			recs, err := tx.Run(ctx, "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n", nil)
			if err != nil {
				return err
			}
			deleted = false
			for recs.Next(ctx) {
				if n, ok := recs.Record()["n"].(int64); ok && n > 0 {
					deleted = true
				}
			}
			return recs.Err()
		})
		if err != nil {
			t.Fatalf("emptying the test database: %v", err)
		}
		if !deleted {
			return
		}
	}
}

// ringSummary is what two detections of the same data must agree on.
type ringSummary struct {
	Typology string
	Members  []string
}

func readRingSummaries(t *testing.T, path string) []ringSummary {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rings []struct {
			Typology string `json:"typology"`
			Members  []struct {
				Kind string `json:"kind"`
				ID   string `json:"id"`
			} `json:"members"`
		} `json:"rings"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []ringSummary
	for _, r := range doc.Rings {
		s := ringSummary{Typology: r.Typology}
		for _, m := range r.Members {
			s.Members = append(s.Members, m.Kind+":"+m.ID)
		}
		slices.Sort(s.Members)
		out = append(out, s)
	}
	return out
}

// TestIntegrationCLIPushDetectFromNeo4j runs the binary against a real
// server: push a generated city, detect from the database, and find the
// same rings (typology and members) as detecting from the files; then
// gds.leiden runs beside our Leiden.
func TestIntegrationCLIPushDetectFromNeo4j(t *testing.T) {
	uri := neo4jServer(t)
	dir := t.TempDir()
	city := filepath.Join(dir, "city")
	if r := runBinary(t, "generate", "--preset", "huli", "--seed", "3", "--scale", "30k", "--out", city); r.code != exitOK {
		t.Fatalf("generate: %d %s", r.code, r.stderr)
	}
	files := filepath.Join(dir, "from-files")
	if r := runBinary(t, "detect", "--in", city, "--out", files, "--log-format", "json"); r.code != exitOK {
		t.Fatalf("detect --in: %d %s", r.code, r.stderr)
	}
	if r := runBinary(t, "neo4j", "push", "--in", city, "--uri", uri, "--log-format", "json"); r.code != exitOK {
		t.Fatalf("neo4j push: %d %s", r.code, r.stderr)
	}
	db := filepath.Join(dir, "from-neo4j")
	r := runBinary(t, "detect", "--from-neo4j", "--uri", uri, "--neo4j-gds", "--out", db, "--log-format", "json")
	if r.code != exitOK {
		t.Fatalf("detect --from-neo4j: %d %s", r.code, r.stderr)
	}
	// Two Leiden runs on the same weighted graph: partitions of about the
	// same quality that largely agree.
	m := regexp.MustCompile(`NMI ([0-9.]+), adjusted Rand ([-0-9.]+); communities (\d+) \(gds\) vs (\d+) \(ringlens\); modularity ([0-9.]+) \(gds\) vs ([0-9.]+) \(ringlens\)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("detect --neo4j-gds printed no comparison with gds.leiden:\n%s\n%s", r.stdout, r.stderr)
	}
	nmi, _ := strconv.ParseFloat(m[1], 64)
	modTheirs, _ := strconv.ParseFloat(m[5], 64)
	modOurs, _ := strconv.ParseFloat(m[6], 64)
	if nmi < 0.6 || math.Abs(modTheirs-modOurs) > 0.05 {
		t.Errorf("gds.leiden and RingLens's Leiden disagree: %s", m[0])
	}
	t.Logf("gds.leiden vs ours: %s", m[0])
	want, got := readRingSummaries(t, filepath.Join(files, "rings.json")), readRingSummaries(t, filepath.Join(db, "rings.json"))
	if len(want) == 0 {
		t.Fatal("no ring detected from the files: the comparison would prove nothing")
	}
	if len(got) != len(want) {
		t.Fatalf("%d rings from Neo4j, %d from the files", len(got), len(want))
	}
	for i := range want {
		if got[i].Typology != want[i].Typology || !slices.Equal(got[i].Members, want[i].Members) {
			t.Errorf("ring %d: from Neo4j %s with %d members, from the files %s with %d", i+1, got[i].Typology, len(got[i].Members), want[i].Typology, len(want[i].Members))
		}
	}
	t.Logf("%d rings agree between detect --in and detect --from-neo4j", len(want))
}

// TestIntegrationBenchProvinceNeo4j exchanges a generated province's keys
// through a real server: every partition pushes its keys, and the
// crossing queries must count the same people, doctors and trace codes as
// the keys read from the partitions' files.
func TestIntegrationBenchProvinceNeo4j(t *testing.T) {
	uri := neo4jServer(t)
	r := runBinary(t, "bench", "province", "--scale", "30k", "--seed", "3", "--cities", "3", "--level", "city",
		"--neo4j", "--uri", uri, "--json", "--log-format", "json")
	if r.code != exitOK {
		t.Fatalf("bench province --neo4j: %d %s", r.code, r.stderr)
	}
	var b provinceBench
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("decode result: %v\n%s", err, r.stdout)
	}
	n := b.Neo4j
	if n == nil || len(n.Pushes) != len(b.Partitions) || len(n.Crossing) != 4 {
		t.Fatalf("exchange %+v: want one push per partition (%d) and four crossing counts", n, len(b.Partitions))
	}
	want := b.Cross.counts()
	for _, c := range n.Crossing {
		if c.Count != int64(want[c.Name]) {
			t.Errorf("%s: %d in Neo4j, %d from the files", c.Name, c.Count, want[c.Name])
		}
	}
	if !n.Agrees || want["people"] == 0 || want["trace_codes"] == 0 {
		t.Errorf("agrees %v, file counts %v: want agreement on crossing people and trace codes", n.Agrees, want)
	}
	// A second run finds the database full and refuses.
	again := runBinary(t, "bench", "province", "--scale", "30k", "--seed", "3", "--cities", "3", "--level", "city",
		"--neo4j", "--uri", uri, "--log-format", "json")
	if again.code != exitUsage || !strings.Contains(again.stderr, "want an empty one") {
		t.Errorf("second run on a full database: code %d, stderr %s", again.code, again.stderr)
	}
}
