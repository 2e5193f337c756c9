package rings_test

import (
	"context"
	"math"
	"testing"

	. "github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
)

// TestMemberStats checks the members' statistics over their ring's visits
// against the ring's own totals, and that member scores follow each
// member's share of the ring's evidence: in [0.5, 1], distinct within a
// ring whose members hold different shares, and the entity score of a
// member of one ring equal to its score there.
func TestMemberStats(t *testing.T) {
	g, _ := loadCity(t, genCity(t, fixtures.PresetDefault, 1, 100_000))
	f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	entity := make(map[string]findings.EntityScore, f.Entities.Len())
	for _, e := range f.Entities.All() {
		entity[e.Kind+"|"+e.ID] = e
	}
	distinct := 0
	for _, r := range f.Rings {
		patientVisits, patientFund, patients := 0, 0.0, 0
		scores := make(map[float64]bool)
		var most, least *findings.Member
		for i := range r.Members {
			m := &r.Members[i]
			if m.Score < 0.5 || m.Score > 1 {
				t.Errorf("ring %s: member %s score %v outside [0.5, 1]", r.ID, m.ID, m.Score)
			}
			if m.Visits > r.Visits || m.RuleHits > int(r.Features["rule_hits"]) {
				t.Errorf("ring %s: member %s has %d visits, %d hits; the ring %d, %v", r.ID, m.ID, m.Visits, m.RuleHits, r.Visits, r.Features["rule_hits"])
			}
			if (m.Visits == 0) != (m.First == "") || m.Last < m.First || (m.First != "" && (m.First < r.First || m.Last > r.Last)) {
				t.Errorf("ring %s: member %s visits %d from %q to %q, ring from %q to %q", r.ID, m.ID, m.Visits, m.First, m.Last, r.First, r.Last)
			}
			if m.Fund != math.Round(m.Fund*100)/100 {
				t.Errorf("ring %s: member %s fund %v not fen-rounded", r.ID, m.ID, m.Fund)
			}
			if m.Kind == findings.KindPatient {
				patients++
				patientVisits += m.Visits
				patientFund += m.Fund
			}
			if e := entity[m.Kind+"|"+m.ID]; e.Score != m.Score {
				t.Errorf("ring %s: member %s scores %v, its entity %v", r.ID, m.ID, m.Score, e.Score)
			}
			scores[m.Score] = true
			if most == nil || m.Visits > most.Visits || (m.Visits == most.Visits && m.Fund > most.Fund) {
				most = m
			}
			if least == nil || m.Visits < least.Visits || (m.Visits == least.Visits && m.Fund < least.Fund) {
				least = m
			}
		}
		// Every ring visit has one patient: the patients' visits and fund
		// add up to the ring's (rings of doctors and sites only, such as
		// borrowed qualifications, list no patients).
		if patients > 0 && (patientVisits != r.Visits || math.Abs(patientFund-r.AmountAtRisk) > 0.005*float64(patients)) {
			t.Errorf("ring %s: patients hold %d visits, %.2f yuan; the ring %d, %.2f", r.ID, patientVisits, patientFund, r.Visits, r.AmountAtRisk)
		}
		if most.Visits > least.Visits && most.Fund > least.Fund && most.Score <= least.Score {
			t.Errorf("ring %s: member %s (%d visits, %.2f yuan) scores %v, not above %s (%d, %.2f) at %v",
				r.ID, most.ID, most.Visits, most.Fund, most.Score, least.ID, least.Visits, least.Fund, least.Score)
		}
		if len(scores) > 1 {
			distinct++
		}
	}
	if distinct == 0 {
		t.Error("no ring scores its members differently")
	}
}
