package rules

import (
	"strings"

	"github.com/ringlens/ringlens/graph"
)

// Context is what a rule needs, besides the new rows themselves, to judge
// rows appended to a city after a full run (incremental scoring: the rings
// package's Live runs the library on a neighbourhood of the new rows).
// Every rule declares its context in its definition (registry.go): a new
// rule that looks beyond its own rows must say how far, or incremental
// results will differ from a full run (TestLiveAddMatchesFullRun in
// algorithms/rings compares them).
type Context uint8

// The contexts a rule may need.
const (
	// PersonHistory: every visit of the persons of the new rows (repeat
	// prescribing, split admissions, claims after death, per-person
	// thresholds).
	PersonHistory Context = 1 << iota
	// DoctorDay: the visits of the new rows' doctors within a day of them
	// (a doctor at distant sites at once, over capacity).
	DoctorDay
	// Census: the inpatient stays of the new stays' hospitals overlapping
	// them, a day either side (census above approved beds).
	Census
	// TraceCode: the fee lines carrying the new lines' drug trace codes
	// (a code sold more than once).
	TraceCode
	// PharmacyItem: the purchases of the same item at the same pharmacy,
	// for the new fee lines the rule's ContextFees test selects (a share
	// of a drug's purchases there).
	PharmacyItem
	// WholeCity: the rule's peers are the whole city; it cannot run on a
	// neighbourhood and runs in full runs only.
	WholeCity
)

// String lists the contexts of c, e.g. "person history, doctor day".
func (c Context) String() string {
	names := []string{"person history", "doctor day", "census", "trace code", "pharmacy item", "whole city"}
	var out []string
	for i, n := range names {
		if c&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "own rows"
	}
	return strings.Join(out, ", ")
}

// Incremental reports whether r can judge new rows on a neighbourhood.
func (r *Rule) Incremental() bool { return r.Context&WholeCity == 0 }

// ContextFees returns, for a rule needing PharmacyItem context, the test
// of which fee lines of ft need it (nil for other rules).
func (r *Rule) ContextFees(ft *graph.FeeTable) func(f uint32) bool {
	if r.Context&PharmacyItem == 0 || r.contextFees == nil {
		return nil
	}
	return r.contextFees(r, ft)
}

// Context returns the union of the contexts the enabled incremental rules
// of s need, and the test of which fee lines need PharmacyItem context
// (never true when no enabled rule needs it).
func (s *Set) Context(ft *graph.FeeTable) (Context, func(f uint32) bool) {
	var need Context
	var tests []func(uint32) bool
	for i := range s.Rules {
		r := &s.Rules[i]
		if !r.Enabled || !r.Incremental() {
			continue
		}
		need |= r.Context
		if t := r.ContextFees(ft); t != nil {
			tests = append(tests, t)
		}
	}
	return need, func(f uint32) bool {
		for _, t := range tests {
			if t(f) {
				return true
			}
		}
		return false
	}
}
