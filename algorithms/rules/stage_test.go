package rules

import (
	"slices"
	"testing"
)

// TestStages checks the stage declarations: every rule serves its Stage,
// AlsoAt adds other stages only, the rules a check may run are exactly the
// enabled rules of the stage whose context is the person's history, and
// ForCheck keeps them in canonical order with every row of a hit listed.
func TestStages(t *testing.T) {
	s := Defaults()
	for i := range s.Rules {
		r := &s.Rules[i]
		if r.Stages()&r.Stage.Set() == 0 || r.Stage.Set() == 0 {
			t.Errorf("%s: stage %q not among its stages %s", r.ID, r.Stage, r.Stages())
		}
		if r.AlsoAt&r.Stage.Set() != 0 {
			t.Errorf("%s: AlsoAt repeats its stage %s", r.ID, r.Stage)
		}
		want := r.ID != IDPlaceholderDoctor && r.Context == PersonHistory
		if r.OnOneClaim() != want {
			t.Errorf("%s: OnOneClaim %v, context %s", r.ID, r.OnOneClaim(), r.Context)
		}
	}
	for _, tc := range []struct {
		stages Stages
		in     []string
		out    []string
	}{
		{AtBefore, []string{IDOverSupply, IDRepeatRx, IDSexItem, IDAfterDeath}, []string{IDPriceCap, IDDuplicateBilling, IDFrequentVisits}},
		{AtDuring, []string{IDPriceCap, IDDuplicateBilling, IDRepeatRx, IDSplitAdmission, IDPersonDistant}, []string{IDTraceDuplicate, IDGhostBed}},
		{AtBefore | AtDuring, []string{IDSexDiagnosis, IDAgeDiagnosis, IDAgeItem}, []string{IDCensusBeds, IDDoctorCapacity, IDRoundQuantity, IDPlaceholderDoctor}},
	} {
		c := s.ForCheck(tc.stages)
		ids := c.IDs()
		for _, id := range tc.in {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: %s missing from %v", tc.stages, id, ids)
			}
		}
		for _, id := range tc.out {
			if slices.Contains(ids, id) {
				t.Errorf("%s: %s in %v", tc.stages, id, ids)
			}
		}
		if !slices.IsSortedFunc(ids, func(a, b string) int { return slices.Index(s.IDs(), a) - slices.Index(s.IDs(), b) }) {
			t.Errorf("%s: %v not in canonical order", tc.stages, ids)
		}
		if c.MaxRowsPerHit < 1<<20 {
			t.Errorf("%s: rows per hit capped at %d", tc.stages, c.MaxRowsPerHit)
		}
	}
	off := s.Clone()
	r, _ := off.Rule(IDPriceCap)
	r.Enabled = false
	if during := off.ForCheck(AtDuring); slices.Contains(during.IDs(), IDPriceCap) {
		t.Error("a disabled rule runs in checks")
	}
	if got := (AtBefore | AtAfter).String(); got != "before, after" {
		t.Errorf("String %q", got)
	}
	rx, _ := s.Rule(IDRepeatRx)
	if got := rx.StageText(); got != "before, during, after (one claim)" {
		t.Errorf("StageText %q", got)
	}
}
