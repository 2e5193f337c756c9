package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	neo "github.com/ringlens/ringlens/graph/neo4j"
	"github.com/ringlens/ringlens/ingest"
)

// The Neo4j export of what detection finds. graph/neo4j sits below the
// algorithms and tests its model, push, export and read-back on findings
// made by hand; the checks that need detection itself live here.

// huliSmallGraph ingests the huli-small fixture and builds its graph.
func huliSmallGraph(t *testing.T) *graph.Graph {
	t.Helper()
	ctx := context.Background()
	res, err := ingest.Load(ctx, filepath.Join("..", "..", "fixtures", "testdata", "huli-small"), ingest.Options{}, func(ingest.Reject) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.Build(ctx, res.Tables, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// detectHuliSmall detects on the huli-small fixture with the default rules
// and seed 1.
func detectHuliSmall(t *testing.T) (*graph.Graph, *findings.Findings) {
	t.Helper()
	g := huliSmallGraph(t)
	f, err := rings.Detect(context.Background(), g, rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rings) == 0 || len(f.RuleHits) == 0 {
		t.Fatalf("%d rings and %d rule hits on the fixture: the checks would prove nothing", len(f.Rings), len(f.RuleHits))
	}
	return g, f
}

// propIndex returns the index of property name among props.
func propIndex(t *testing.T, props []neo.Prop, name string) int {
	t.Helper()
	i := slices.IndexFunc(props, func(p neo.Prop) bool { return p.Name == name })
	if i < 0 {
		t.Fatalf("no property %s", name)
	}
	return i
}

// TestNeo4jEvidenceOfDetected builds the Neo4j model of what detection
// finds on the fixture and checks that every rule hit a ring's evidence
// cites, and no other, is linked to that ring by EVIDENCE_OF, with the
// hit's rule and cited visits as rings.json shows them.
func TestNeo4jEvidenceOfDetected(t *testing.T) {
	g, f := detectHuliSmall(t)
	m, err := neo.NewModel(neo.Input{Graph: g, Findings: f, Hits: f.RuleHits, RunID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var hits *neo.NodeSet
	for i := range m.Nodes {
		if m.Nodes[i].Name == "rulehit" {
			hits = &m.Nodes[i]
		}
	}
	var links *neo.RelSet
	for i := range m.Rels {
		if m.Rels[i].Name == "evidence_of" {
			links = &m.Rels[i]
		}
	}
	if hits == nil || links == nil {
		t.Fatal("model without RuleHit nodes or EVIDENCE_OF relationships")
	}
	if hits.Len != len(f.RuleHits) {
		t.Fatalf("%d RuleHit nodes, %d rule hits", hits.Len, len(f.RuleHits))
	}
	// What a RuleHit node shows: rule and cited visits.
	rule, ids := propIndex(t, hits.Props, "rule"), propIndex(t, hits.Props, "mdtrt_ids")
	shown := make(map[string]string, hits.Len)
	props := make([]any, len(hits.Props))
	for i := 0; i < hits.Len; i++ {
		key := hits.Row(i, props)
		shown[key] = props[rule].(string) + " " + strings.Join(props[ids].([]string), ",")
	}
	got := map[string][]string{} // ring key -> linked hits
	rank := make([]any, len(links.Props))
	for i := 0; i < links.Len; i++ {
		from, to, ok := links.Row(i, rank)
		if !ok {
			t.Fatal("EVIDENCE_OF row skipped")
		}
		got[to] = append(got[to], shown[from])
	}
	cited := 0
	for _, r := range f.Rings {
		var want []string
		for _, e := range r.Evidence {
			if e.Kind == "rule" {
				want = append(want, e.Rule+" "+strings.Join(e.MdtrtIDs, ","))
			}
		}
		cited += len(want)
		have := got[neo.RingKey("test", r.ID)]
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(want, have) {
			t.Errorf("%s: EVIDENCE_OF links\n%v\nwant the rule evidence\n%v", r.ID, have, want)
		}
	}
	if cited == 0 || links.Len != cited {
		t.Errorf("%d EVIDENCE_OF rows, %d rule evidence items", links.Len, cited)
	}
	t.Logf("%d rule hits linked to %d rings", cited, len(f.Rings))
}

// TestIntegrationPushReadBackSameFindings pushes the fixture and what
// detection finds on it into a real server, reads the tables back and
// checks that detection on them finds the same rule hits and rings.
func TestIntegrationPushReadBackSameFindings(t *testing.T) {
	uri := neo4jServer(t)
	g, f := detectHuliSmall(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := neo.Open(ctx, uri, "neo4j", os.Getenv("NEO4J_PASSWORD"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	m, err := neo.NewModel(neo.Input{Graph: g, Findings: f, Hits: f.RuleHits, RunID: "test", Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := neo.Push(ctx, c, m, neo.PushOptions{Batch: 2000}); err != nil {
		t.Fatal(err)
	}
	tb, ls, err := neo.LoadTablesStats(ctx, neo.Source{Exec: c, Page: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := g.Tables()
	if int(ls.Visits) != orig.Visits.Len() || int(ls.Fees) != orig.Fees.Len() || ls.SkippedVisits != 0 || ls.SkippedFees != 0 {
		t.Fatalf("read back %+v; fixture has %d visits, %d fee lines", ls, orig.Visits.Len(), orig.Fees.Len())
	}
	g2, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f2, err := rings.Detect(ctx, g2, rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkSameHits(t, orig, f.RuleHits, tb, f2.RuleHits)
	checkSameRings(t, f, f2)
}

// hitSignature describes a rule hit by natural keys only (no table rows),
// so that hits found on two tables holding the same data in a different
// row order compare equal.
func hitSignature(t *graph.Tables, h *findings.RuleHit) string {
	return hitIdentity(t, h) + fmt.Sprintf(" amount=%d %q", h.Amount, h.Detail)
}

// hitIdentity is hitSignature without the amount and the detail.
func hitIdentity(t *graph.Tables, h *findings.RuleHit) string {
	keys := func(rows []uint32, n int, key func(uint32) string) string {
		var out []string
		for _, r := range rows {
			if int(r) < n {
				out = append(out, key(r))
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	ids, fees := findings.Cite(t, h, nil)
	slices.Sort(ids)
	fs := make([]string, len(fees))
	for i, f := range fees {
		fs[i] = f.MdtrtID + "/" + f.FeedetlSn
	}
	slices.Sort(fs)
	return fmt.Sprintf("%s %s %s visits=%d fees=%d at=%d persons=[%s] doctors=[%s] insts=[%s] items=[%s] cites=[%s] fees=[%s]",
		h.Rule, h.Version, h.Result, h.NVisits, h.NFees, h.At,
		keys(h.Persons, t.Persons.Len(), t.Persons.IDs.String), keys(h.Doctors, t.Doctors.Len(), t.Doctors.IDs.String),
		keys(h.Institutions, t.Institutions.Len(), t.Institutions.IDs.String), keys(h.Items, t.Catalog.Len(), t.Catalog.IDs.String),
		strings.Join(ids, ","), strings.Join(fs, ","))
}

func hitSignatures(t *graph.Tables, hits []findings.RuleHit) []string {
	out := make([]string, len(hits))
	for i := range hits {
		out[i] = hitSignature(t, &hits[i])
	}
	slices.Sort(out)
	return out
}

// ringSignature describes a ring by its members, typology, score and
// amount.
func ringSignature(r *findings.Ring) string {
	ms := make([]string, len(r.Members))
	for i, m := range r.Members {
		ms[i] = m.Kind + ":" + m.ID + ":" + m.Role
	}
	slices.Sort(ms)
	return fmt.Sprintf("%s %s score=%.4f amount=%.2f visits=%d rule_hits=%v members=[%s]",
		r.ID, r.Typology, r.Score, r.AmountAtRisk, r.Visits, r.Features["rule_hits"], strings.Join(ms, " "))
}

// diffSorted returns the elements only in a and only in b (sorted inputs).
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

// sameDayFills reports whether two of the fee lines h cites, at different
// visits, fall on the same day.
func sameDayFills(t *graph.Tables, h *findings.RuleHit) bool {
	ft := &t.Fees
	for i, a := range h.Fees {
		for _, b := range h.Fees[i+1:] {
			if ft.Visit.At(a) != ft.Visit.At(b) && ft.Time.At(a).Day() == ft.Time.At(b).Day() {
				return true
			}
		}
	}
	return false
}

// checkSameHits checks that the rule hits found on the read-back tables
// tb are those found on the ingested tables orig.
func checkSameHits(t *testing.T, orig *graph.Tables, wantHits []findings.RuleHit, tb *graph.Tables, gotHits []findings.RuleHit) {
	t.Helper()
	// Hits are compared by natural keys. The read-back tables hold their
	// rows in key order (mdtrt_id, then mdtrt_id/feedetl_sn) instead of
	// file order, and R-REPEAT-RX orders a patient's fills of an item by
	// day, breaking ties by fee-line row: when two fills of the item fall
	// on one day at different visits, which of them counts as the earlier
	// changes the supply left over, so the hit's amount and the days in
	// its detail (and, in principle, whether it fires). Differences in
	// amount and detail of such hits are the only ones allowed, and each
	// must show such a same-day pair.
	want, got := hitSignatures(orig, wantHits), hitSignatures(tb, gotHits)
	onlyIngest, onlyRead := diffSorted(want, got)
	idOf := func(tt *graph.Tables, hits []findings.RuleHit, sigs []string) map[string]*findings.RuleHit {
		m := map[string]*findings.RuleHit{}
		for i := range hits {
			if slices.Contains(sigs, hitSignature(tt, &hits[i])) {
				m[hitIdentity(tt, &hits[i])] = &hits[i]
			}
		}
		return m
	}
	ingestByID, readByID := idOf(orig, wantHits, onlyIngest), idOf(tb, gotHits, onlyRead)
	if len(ingestByID) != len(onlyIngest) || len(readByID) != len(onlyRead) {
		t.Errorf("hits differing only in amount or detail are not one to one")
	}
	for id, h := range ingestByID {
		if readByID[id] == nil {
			t.Errorf("hit only on the ingested tables: %s", hitSignature(orig, h))
			continue
		}
		if h.Rule != rules.IDRepeatRx || !sameDayFills(orig, h) {
			t.Errorf("hit differs after read back:\n  ingested:  %s\n  read back: %s", hitSignature(orig, h), hitSignature(tb, readByID[id]))
		}
	}
	for id, h := range readByID {
		if ingestByID[id] == nil {
			t.Errorf("hit only on the read-back tables: %s", hitSignature(tb, h))
		}
	}
	t.Logf("%d rule hits on both; %d R-REPEAT-RX hits differ in amount and detail only (same-day fills, ordered by row)",
		len(got), len(ingestByID))
}

// checkSameRings checks that detection on the read-back tables reports the
// rings reported on the ingested tables.
func checkSameRings(t *testing.T, want, got *findings.Findings) {
	t.Helper()
	var wantRings, gotRings []string
	for i := range want.Rings {
		wantRings = append(wantRings, ringSignature(&want.Rings[i]))
	}
	for i := range got.Rings {
		gotRings = append(gotRings, ringSignature(&got.Rings[i]))
	}
	slices.Sort(wantRings)
	slices.Sort(gotRings)
	onlyIngest, onlyRead := diffSorted(wantRings, gotRings)
	for _, s := range onlyIngest {
		t.Errorf("ring only on the ingested tables: %s", s)
	}
	for _, s := range onlyRead {
		t.Errorf("ring only on the read-back tables: %s", s)
	}
	t.Logf("%d rings on both", len(gotRings))
}
