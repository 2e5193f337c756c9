package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
)

// TestEvidenceOfFixture pushes the fixture and checks that every rule hit
// cited in a ring's evidence, and no other, is linked to that ring by
// EVIDENCE_OF, with the hit's rule and cited visits.
func TestEvidenceOfFixture(t *testing.T) {
	ctx := context.Background()
	fx := loadFixture(t)
	db := newFakeDB()
	m := fx.model(t, false)
	if _, err := Push(ctx, db, m, PushOptions{Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	cited := 0
	for _, r := range fx.f.Rings {
		// What rings.json shows: rule, cited visits.
		var want []string
		for _, e := range r.Evidence {
			if e.Kind == "rule" {
				want = append(want, e.Rule+" "+strings.Join(e.MdtrtIDs, ","))
			}
		}
		cited += len(want)
		var got []string
		ranks := map[int64]bool{}
		for k, p := range db.rels {
			if k.typ != RelEvidenceOf || k.to != RingKey("test", r.ID) {
				continue
			}
			if k.fromSpace != LabelRuleHit || k.toSpace != LabelRing {
				t.Fatalf("EVIDENCE_OF between %s and %s", k.fromSpace, k.toSpace)
			}
			h := db.nodes[[2]string{LabelRuleHit, k.from}].props
			ids, _ := h["mdtrt_ids"].([]any)
			s := make([]string, len(ids))
			for i, id := range ids {
				s[i] = id.(string)
			}
			got = append(got, h["rule"].(string)+" "+strings.Join(s, ","))
			rank := p["rank"].(int64)
			if ranks[rank] || rank < 1 || int(rank) > len(want) {
				t.Errorf("%s: bad or repeated rank %d", r.ID, rank)
			}
			ranks[rank] = true
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: EVIDENCE_OF links\n%v\nwant the rule evidence\n%v", r.ID, got, want)
		}
		ringNode := db.nodes[[2]string{LabelRing, RingKey("test", r.ID)}]
		if ringNode.props["rule_hits"] != int64(r.Features["rule_hits"]) || int(r.Features["rule_hits"]) < len(want) {
			t.Errorf("%s: rule_hits %v, feature %v, cited %d", r.ID, ringNode.props["rule_hits"], r.Features["rule_hits"], len(want))
		}
	}
	if cited == 0 {
		t.Fatal("fixture rings cite no rule hits")
	}
	if n := relSet(t, m, "evidence_of").Len; n != cited {
		t.Errorf("%d EVIDENCE_OF rows, %d rule evidence items", n, cited)
	}
	t.Logf("%d rule hits linked to %d rings", cited, len(fx.f.Rings))
}

// TestEvidenceOfMatching checks the matching on hand-made findings: two
// hits with identical evidence are linked one to one, a hit cited by no
// ring is not linked, graph evidence is ignored, and re-pushing replaces
// the links of the run.
func TestEvidenceOfMatching(t *testing.T) {
	ctx := context.Background()
	g := smallGraph(t)
	tb := g.Tables()
	v1, v2 := tb.Visits.IDs.Lookup("V1"), tb.Visits.IDs.Lookup("V2")
	p1 := tb.Persons.IDs.Lookup("A1")
	hit := func(rule string, visits ...uint32) findings.RuleHit {
		return findings.RuleHit{Rule: rule, Version: "1.0", Result: "suspicious", Persons: []uint32{p1}, Visits: visits,
			NVisits: len(visits), Amount: 1250, Detail: rule + " detail"}
	}
	hits := []findings.RuleHit{hit("R-A", v1), hit("R-A", v1), hit("R-B", v2), hit("R-C", v1, v2)}
	ev := func(h *findings.RuleHit) findings.Evidence { return findings.RuleEvidence(tb, h, nil) }
	f := &findings.Findings{Rings: []findings.Ring{
		{ID: "R001", Rank: 1, Members: []findings.Member{{Kind: findings.KindPatient, ID: "A1", Role: "recruited_patient"}},
			Features: map[string]float64{"rule_hits": 3},
			Evidence: []findings.Evidence{{Kind: "graph", Rule: "G-LOCKSTEP", MdtrtIDs: []string{"V1"}}, ev(&hits[0]), ev(&hits[1]), ev(&hits[2])}},
		{ID: "R002", Rank: 2, Members: []findings.Member{{Kind: findings.KindClinic, ID: "H001", Role: "organising_clinic"}},
			Features: map[string]float64{"rule_hits": 0}},
	}, RuleHits: hits}
	m, err := NewModel(Input{Graph: g, Findings: f, Hits: hits, RunID: "r1", Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	s := relSet(t, m, "evidence_of")
	var links []string
	for i := 0; i < s.Len; i++ {
		p := make([]any, 1)
		from, to, ok := s.Row(i, p)
		if !ok {
			t.Fatal("row skipped")
		}
		links = append(links, fmt.Sprintf("%s->%s#%d", from, to, p[0]))
	}
	want := []string{"r1/R-A/0->r1/R001#1", "r1/R-A/1->r1/R001#2", "r1/R-B/2->r1/R001#3"}
	if !slices.Equal(links, want) {
		t.Errorf("links %v, want %v", links, want)
	}
	db := newFakeDB()
	if _, err := Push(ctx, db, m, PushOptions{Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	// Pushing the run again without findings removes its links with its
	// Ring and RuleHit nodes.
	m2, err := NewModel(Input{Graph: g, RunID: "r1", Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Push(ctx, db, m2, PushOptions{Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	for k := range db.rels {
		if k.typ == RelEvidenceOf {
			t.Errorf("EVIDENCE_OF left after re-push: %v", k)
		}
	}
}
