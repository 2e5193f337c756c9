package rings

import (
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// TestSame checks when two candidates describe the same ring: half of the
// smaller one's people shared, or a lockstep block (with a doctor) or an
// onset or offset cohort whose sites and doctors all belong to the other
// (one of its cohorts); sharing a site alone, or a block or cohort with a
// doctor or site of its own, is not enough.
func TestSame(t *testing.T) {
	ring := &candidate{source: SourceRelationExcess, patients: []graph.NodeID{1, 2, 3, 4, 5, 6}, doctors: []graph.NodeID{20, 21}, insts: []graph.NodeID{30, 31}}
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	cases := []struct {
		name string
		b    candidate
		want bool
	}{
		{"half the people shared", candidate{source: SourceLockstep, patients: nodes(1, 2, 3, 90, 91, 92), doctors: nodes(29), insts: nodes(39)}, true},
		{"a cohort block at its site with its doctor", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31)}, true},
		{"a block with a doctor of its own", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21, 22), insts: nodes(31)}, false},
		{"a block at another site", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31, 32)}, false},
		{"a block naming no doctor", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), insts: nodes(31)}, false},
		{"another generator's group at its site with its doctor", candidate{source: SourceRelationExcess, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31)}, false},
		{"an onset cohort at its site with its doctor", candidate{source: SourceOnset, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31)}, true},
		{"an offset cohort at its site naming no doctor", candidate{source: SourceOffset, patients: nodes(90, 91, 92, 93, 94), insts: nodes(30)}, true},
		{"an onset cohort with a doctor of its own", candidate{source: SourceOnset, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(22), insts: nodes(31)}, false},
		{"an offset cohort at another site", candidate{source: SourceOffset, patients: nodes(90, 91, 92, 93, 94), insts: nodes(32)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.b
			if got := same(ring, &b); got != c.want {
				t.Errorf("same(ring, b) = %v, want %v", got, c.want)
			}
			if got := same(&b, ring); got != c.want {
				t.Errorf("same(b, ring) = %v, want %v", got, c.want)
			}
		})
	}
}

// TestSamePharmacies checks that groups of the same pharmacies (and no
// other site) merge whoever found them, and groups of the same clinic or of
// different pharmacies do not.
func TestSamePharmacies(t *testing.T) {
	ph := itemCity{}.build(t)
	cl, _, _ := visitCity{ordinary: 3}.build(t)
	pharmacy := func(code string) graph.NodeID {
		n, ok := ph.Lookup(graph.KindPharmacy, code)
		if !ok {
			t.Fatalf("no pharmacy %s", code)
		}
		return n
	}
	clinic, ok := cl.Lookup(graph.KindInstitution, "A")
	if !ok {
		t.Fatal("no clinic A")
	}
	p0, p1 := pharmacy("P00"), pharmacy("P01")
	cases := []struct {
		name string
		g    *graph.Graph
		a, b []graph.NodeID
		want bool
	}{
		{"the same pharmacy", ph, []graph.NodeID{p0}, []graph.NodeID{p0}, true},
		{"the same two pharmacies", ph, []graph.NodeID{p0, p1}, []graph.NodeID{p0, p1}, true},
		{"one of two pharmacies", ph, []graph.NodeID{p0}, []graph.NodeID{p0, p1}, false},
		{"other pharmacies", ph, []graph.NodeID{p0}, []graph.NodeID{p1}, false},
		{"the same clinic", cl, []graph.NodeID{clinic}, []graph.NodeID{clinic}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &state{g: c.g}
			a := &candidate{source: SourceItemConcentration, patients: []graph.NodeID{1, 2}, insts: c.a}
			b := &candidate{source: SourceRelationExcess, patients: []graph.NodeID{3, 4}, insts: c.b}
			if got := s.samePharmacies(a, b); got != c.want {
				t.Errorf("samePharmacies = %v, want %v", got, c.want)
			}
		})
	}
}

// TestAbsorbTypology checks which typology hint a merged candidate keeps:
// a signature's (split stays, admission cohorts) over a broader
// candidate's; an onset cohort, which has none, takes the hint of what it
// absorbs; a relation-excess group, typed from its signals later, keeps
// none.
func TestAbsorbTypology(t *testing.T) {
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	cases := []struct {
		name       string
		a, b       candidate
		wantSource string
		wantTyp    string
	}{
		{"onset absorbs a lockstep block", candidate{source: SourceOnset}, candidate{source: SourceLockstep, typology: findings.TypLockstepSwiping},
			SourceOnset, findings.TypLockstepSwiping},
		{"onset absorbs relation excess", candidate{source: SourceOnset}, candidate{source: SourceRelationExcess},
			SourceOnset, ""},
		{"relation excess absorbs a lockstep block", candidate{source: SourceRelationExcess}, candidate{source: SourceLockstep, typology: findings.TypLockstepSwiping},
			SourceRelationExcess, ""},
		{"onset absorbs an admission cohort", candidate{source: SourceOnset}, candidate{source: SourceAdmitCohort, typology: findings.TypFakeHospitalisation},
			SourceAdmitCohort, findings.TypFakeHospitalisation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := c.a, c.b
			a.patients, b.patients = nodes(1, 2, 3), nodes(2, 3, 4)
			absorb(&a, &b)
			if a.source != c.wantSource || a.typology != c.wantTyp {
				t.Errorf("merged: source %s, typology %q; want %s, %q", a.source, a.typology, c.wantSource, c.wantTyp)
			}
			if len(a.patients) != 4 {
				t.Errorf("merged people %d, want 4", len(a.patients))
			}
		})
	}
}
