package rules

import "strings"

// Stages is a set of settlement stages: the stages a rule serves. A rule's
// Stage is its main stage (the one its hits carry); Rule.AlsoAt adds the
// other stages it serves, declared with the rule in registry.go, so that
// checks before and during settlement (algorithms/check) know which rules
// to run without a second list of rules.
type Stages uint8

// The stages of a Stages set.
const (
	AtBefore Stages = 1 << iota // before settlement (事前提醒)
	AtDuring                    // during settlement (事中审核)
	AtAfter                     // after settlement (事后监管)
)

// Set returns the one-stage set of s (empty for an unknown stage).
func (s Stage) Set() Stages {
	switch s {
	case Before:
		return AtBefore
	case During:
		return AtDuring
	case After:
		return AtAfter
	}
	return 0
}

// List returns the stages of s in process order.
func (s Stages) List() []Stage {
	var out []Stage
	for _, st := range [...]Stage{Before, During, After} {
		if s&st.Set() != 0 {
			out = append(out, st)
		}
	}
	return out
}

// String lists the stages of s in process order, e.g. "before, during".
func (s Stages) String() string {
	var names []string
	for _, st := range s.List() {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

// Stages returns every stage r serves: its Stage and AlsoAt.
func (r *Rule) Stages() Stages { return r.Stage.Set() | r.AlsoAt }

// OnOneClaim reports whether r can judge one claim with its person's
// history alone: it has an implementation, it is not the data-quality
// check, and its declared Context needs nothing beyond the person's
// history (not a doctor's day, a census, a trace code's other sales, a
// pharmacy's purchases or the whole city).
func (r *Rule) OnOneClaim() bool {
	return r.run != nil && r.Result != DataQualityResult && r.Context&^PersonHistory == 0
}

// StageText describes r's stages for RULES.md: its stages, and "(one
// claim)" when a check can run it on one claim with its person's history.
func (r *Rule) StageText() string {
	s := r.Stages().String()
	if r.OnOneClaim() && r.Stages()&(AtBefore|AtDuring) != 0 {
		s += " (one claim)"
	}
	return s
}

// ForCheck returns the rules a check of one claim runs at the given
// stages: a copy of s holding, in canonical order, the enabled rules that
// serve one of the stages and run on one claim with its person's history
// (OnOneClaim), with every row of a hit listed (so that a hit resting on
// the claim's rows is known as such). The other rules are left out, not
// disabled: Run would report them as such.
func (s Set) ForCheck(stages Stages) Set {
	c := s.Clone()
	kept := c.Rules[:0]
	for _, r := range c.Rules {
		if r.Enabled && r.OnOneClaim() && r.Stages()&stages != 0 {
			kept = append(kept, r)
		}
	}
	c.Rules = kept
	c.MaxRowsPerHit = 1 << 20
	return c
}
