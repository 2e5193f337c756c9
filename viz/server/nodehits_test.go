package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// nodeReply decodes the rule-hit fields of GET /api/v1/nodes/{kind}/{id}.
type nodeReply struct {
	Key           string              `json:"key"`
	Label         string              `json:"label"`
	RuleHits      []findings.Evidence `json:"rule_hits"`
	RuleHitsTotal int                 `json:"rule_hits_total"`
}

// hitCounts counts, per table row, the hits citing it in the rows chosen
// by rowsOf.
func hitCounts(hits []findings.RuleHit, rowsOf func(*findings.RuleHit) []uint32) map[uint32]int {
	c := map[uint32]int{}
	for i := range hits {
		for _, r := range rowsOf(&hits[i]) {
			c[r]++
		}
	}
	return c
}

// mostHit returns the row with the most hits (lowest row on ties).
func mostHit(c map[uint32]int) (uint32, int) {
	best, n := graph.None, 0
	for r, k := range c {
		if k > n || k == n && r < best {
			best, n = r, k
		}
	}
	return best, n
}

func TestNodeRuleHits(t *testing.T) {
	s := startReady(t, nil)
	g, snap, _ := s.current()
	tb := g.Tables()
	hits := snap.findings.RuleHits
	if len(hits) == 0 {
		t.Fatal("fixture has no rule hits")
	}
	persons := hitCounts(hits, func(h *findings.RuleHit) []uint32 { return h.Persons })
	doctors := hitCounts(hits, func(h *findings.RuleHit) []uint32 { return h.Doctors })
	insts := hitCounts(hits, func(h *findings.RuleHit) []uint32 { return h.Institutions })
	pRow, pN := mostHit(persons)
	dRow, dN := mostHit(doctors)
	iRow, iN := mostHit(insts)
	if pN == 0 || dN == 0 || iN == 0 {
		t.Fatalf("fixture lacks hits on a patient (%d), doctor (%d) or institution (%d)", pN, dN, iN)
	}
	// A patient without any hit.
	quiet := graph.None
	for r := range uint32(tb.Persons.IDs.Len()) {
		if persons[r] == 0 && g.Degree(g.PatientNode(r)) > 0 {
			quiet = r
			break
		}
	}
	if quiet == graph.None {
		t.Fatal("every patient has a rule hit")
	}
	// Names of the persons with the most hits: never in a reply.
	var names []string
	for _, r := range []uint32{pRow, quiet} {
		if id := tb.Persons.Name[r]; id != graph.None {
			names = append(names, tb.PII.String(id))
		}
	}
	t.Logf("%d rule hits; most on a patient %d, a doctor %d, an institution %d", len(hits), pN, dN, iN)

	cases := []struct {
		name, path string
		want       int
	}{
		{"patient with hits", "/api/v1/nodes/patient/" + tb.Persons.IDs.String(pRow), pN},
		{"doctor with hits", "/api/v1/nodes/doctor/" + tb.Doctors.IDs.String(dRow), dN},
		{"institution with hits", "/api/v1/nodes/institution/" + tb.Institutions.IDs.String(iRow), iN},
		{"patient without hits", "/api/v1/nodes/patient/" + tb.Persons.IDs.String(quiet), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := s.do(t, "GET", c.path, "", nil)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %s", c.path, code, body)
			}
			if !strings.Contains(string(body), `"rule_hits":[`) {
				t.Fatalf("rule_hits missing or null: %.300s", body)
			}
			for _, name := range names {
				if strings.Contains(string(body), name) {
					t.Fatalf("reply carries a person's name")
				}
			}
			var rep nodeReply
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.RuleHitsTotal != c.want || len(rep.RuleHits) != min(c.want, maxNodeHits) {
				t.Fatalf("rule_hits %d, rule_hits_total %d; want %d in all", len(rep.RuleHits), rep.RuleHitsTotal, c.want)
			}
			for i, h := range rep.RuleHits {
				if h.Kind != "rule" || h.Rule == "" || (h.Result != "definite" && h.Result != "suspicious") || h.DetailZh == "" || h.Detail == "" {
					t.Errorf("hit %d: %+v", i, h)
				}
				if h.MdtrtIDs == nil || len(h.MdtrtIDs)+len(h.Fees) == 0 {
					t.Errorf("hit %d (%s) cites no rows", i, h.Rule)
				}
				if i > 0 && h.Amount > rep.RuleHits[i-1].Amount {
					t.Errorf("hit %d: amount %.2f after %.2f (want largest first)", i, h.Amount, rep.RuleHits[i-1].Amount)
				}
			}
		})
	}
}

// TestNodeRuleHitsCap checks that a node's hits are capped at maxNodeHits
// while rule_hits_total counts them all.
func TestNodeRuleHitsCap(t *testing.T) {
	s := startReady(t, nil)
	g, snap, _ := s.current()
	insts := hitCounts(snap.findings.RuleHits, func(h *findings.RuleHit) []uint32 { return h.Institutions })
	row, n := mostHit(insts)
	var mine []findings.RuleHit
	for _, h := range snap.findings.RuleHits {
		if slices.Contains(h.Institutions, row) {
			mine = append(mine, h)
		}
	}
	// A snapshot whose findings repeat the institution's hits past the cap.
	f := *snap.findings
	f.RuleHits = nil
	for len(f.RuleHits) <= maxNodeHits {
		f.RuleHits = append(f.RuleHits, mine...)
	}
	want := len(f.RuleHits)
	big := *snap
	big.findings = &f
	s.mu.Lock()
	s.snap = &big
	s.mu.Unlock()

	code, _, body := s.do(t, "GET", "/api/v1/nodes/institution/"+g.Tables().Institutions.IDs.String(row), "", nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var rep nodeReply
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.RuleHits) != maxNodeHits || rep.RuleHitsTotal != want {
		t.Fatalf("%d hits, total %d; want %d of %d (the institution has %d hits)", len(rep.RuleHits), rep.RuleHitsTotal, maxNodeHits, want, n)
	}
	for i := 1; i < len(rep.RuleHits); i++ {
		if rep.RuleHits[i].Amount > rep.RuleHits[i-1].Amount {
			t.Fatalf("hit %d not in descending amount order", i)
		}
	}
}

// BenchmarkNodeRuleHits measures the per-request scan of the rule hits for
// the institution with the most hits, on the fixture city or on the
// dataset named by RINGLENS_DEMO_CITY (e.g. out/huli-city of `make demo`).
func BenchmarkNodeRuleHits(b *testing.B) {
	dir := fixtureDir
	if d := os.Getenv("RINGLENS_DEMO_CITY"); d != "" {
		dir = d
	}
	ctx := context.Background()
	tb, err := loaderOf(dir)(ctx, 0, func(string, int64, int64) {})
	if err != nil {
		b.Fatal(err)
	}
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	f, err := rings.Detect(ctx, g, rings.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	row, _ := mostHit(hitCounts(f.RuleHits, func(h *findings.RuleHit) []uint32 { return h.Institutions }))
	code := tb.Institutions.IDs.String(row)
	n, ok := g.Lookup(graph.KindInstitution, code)
	if !ok {
		n, _ = g.Lookup(graph.KindPharmacy, code)
	}
	_, total := nodeRuleHits(g, f, n, maxNodeHits)
	for b.Loop() {
		nodeRuleHits(g, f, n, maxNodeHits)
	}
	b.ReportMetric(float64(len(f.RuleHits)), "hits")
	b.ReportMetric(float64(total), "node-hits")
}
