package server

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
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
func nodeRuleHits(g *graph.Graph, f *findings.Findings, n graph.NodeID, limit int) ([]findings.Evidence, int) {
	out := []findings.Evidence{}
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
		out = append(out, findings.RuleEvidence(t, &f.RuleHits[i], nil))
	}
	return out, len(found)
}

// entityRows returns the accessor of a hit's (sorted) rows of an entity
// kind's table, or nil for an unknown kind.
func entityRows(k graph.Kind) func(*findings.RuleHit) []uint32 {
	switch k {
	case graph.KindPatient:
		return func(h *findings.RuleHit) []uint32 { return h.Persons }
	case graph.KindDoctor:
		return func(h *findings.RuleHit) []uint32 { return h.Doctors }
	case graph.KindInstitution, graph.KindPharmacy:
		return func(h *findings.RuleHit) []uint32 { return h.Institutions }
	}
	return nil
}
