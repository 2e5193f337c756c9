package server

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
)

// maxNodeHits caps the rule hits of GET /api/v1/nodes/{kind}/{id}.
const maxNodeHits = 50

// nodeRuleHits returns the rule hits of f that concern node n of g, largest
// amount first (ties in the rule library's order), at most limit of them,
// and how many there are in all. A hit concerns a patient through its
// Persons rows, a doctor through its Doctors rows, an institution or
// pharmacy through its Institutions rows. The rule library caps the entity
// lists of very large hits, so an entity left out of such a list is not
// found here.
//
// It scans every hit: f.RuleHits is bounded by the rule set's
// MaxHitsPerRule, and the scan costs well under a millisecond on a city
// (BenchmarkNodeRuleHits).
func nodeRuleHits(g *graph.Graph, f *rings.Findings, n graph.NodeID, limit int) ([]rings.Evidence, int) {
	out := []rings.Evidence{}
	if g == nil || f == nil {
		return out, 0
	}
	row := g.Row(n)
	if row == graph.None {
		return out, 0
	}
	rowsOf := entityRows(g.Kind(n))
	if rowsOf == nil {
		return out, 0
	}
	var found []int
	for i := range f.RuleHits {
		if _, ok := slices.BinarySearch(rowsOf(&f.RuleHits[i]), row); ok {
			found = append(found, i)
		}
	}
	slices.SortStableFunc(found, func(a, b int) int {
		return cmp.Compare(f.RuleHits[b].Amount, f.RuleHits[a].Amount)
	})
	t := g.Tables()
	for _, i := range found[:min(len(found), limit)] {
		out = append(out, hitEvidence(t, &f.RuleHits[i]))
	}
	return out, len(found)
}

// entityRows returns the accessor of a hit's (sorted) rows of an entity
// kind's table, or nil for an unknown kind.
func entityRows(k graph.Kind) func(*rules.Hit) []uint32 {
	switch k {
	case graph.KindPatient:
		return func(h *rules.Hit) []uint32 { return h.Persons }
	case graph.KindDoctor:
		return func(h *rules.Hit) []uint32 { return h.Doctors }
	case graph.KindInstitution, graph.KindPharmacy:
		return func(h *rules.Hit) []uint32 { return h.Institutions }
	}
	return nil
}

// hitEvidence encodes a rule hit as the evidence of rings.json (the shape
// rings gives a ring's rule evidence), citing its rows by mdtrt_id and
// (mdtrt_id, feedetl_sn). Rule details never carry names.
func hitEvidence(t *graph.Tables, h *rules.Hit) rings.Evidence {
	ids, fees := rules.Cite(t, *h)
	e := rings.Evidence{Kind: "rule", Rule: h.Rule, Version: h.Version, Params: h.Params, Result: string(h.Result),
		Article: h.Article, ArticleEn: h.ArticleEn, Detail: h.Detail, DetailZh: h.DetailZh,
		Amount: h.Amount.Yuan(), Visits: h.NVisits, MdtrtIDs: ids}
	if e.MdtrtIDs == nil {
		e.MdtrtIDs = []string{}
	}
	for _, f := range fees {
		e.Fees = append(e.Fees, rings.FeeRef{MdtrtID: f.MdtrtID, FeedetlSn: f.FeedetlSn})
	}
	return e
}
