package rings

import (
	"fmt"
	"slices"
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
	cases := []sameCase{
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
	checkSame(t, ring, cases)
}

// sameCase is a candidate b and whether it describes the same ring as the
// one a test compares it with.
type sameCase struct {
	name string
	b    candidate
	want bool
}

// checkSame runs same both ways between ring and each case's candidate.
func checkSame(t *testing.T, ring *candidate, cases []sameCase) {
	t.Helper()
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

// TestSameLeader checks that a lockstep block and any candidate sharing a
// doctor with it are one operation wherever they are when the doctor leads
// the block (bills block_leader_share of its visits), and that nothing else
// joins them: a doctor with a few of the block's visits, blocks of other
// doctors, or two candidates of which neither is a block.
func TestSameLeader(t *testing.T) {
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	// Visits 0-9: doctor 20 bills 0-5, doctor 21 bills 6-9; visits 100-109
	// belong to the other candidates, doctor 21 billing them all.
	doctorOf := func(v uint32) graph.NodeID {
		switch {
		case v < 6:
			return 20
		case v < 10 || v >= 100:
			return 21
		}
		return graph.NoNode
	}
	visits := func(from, n uint32) []uint32 {
		vs := make([]uint32, n)
		for i := range vs {
			vs[i] = from + uint32(i)
		}
		return vs
	}
	block := &candidate{source: SourceLockstep, doctors: nodes(20, 21), insts: nodes(30), visits: visits(0, 10)}
	cases := []struct {
		name  string
		other candidate
		share float64
		want  bool
	}{
		{"a group of its leader elsewhere", candidate{source: SourceRelationExcess, doctors: nodes(20), insts: nodes(35), visits: visits(100, 10)}, 0.5, true},
		{"a block of its leader elsewhere", candidate{source: SourceLockstep, doctors: nodes(20, 25), insts: nodes(35), visits: visits(100, 10)}, 0.5, true},
		{"a group of a doctor with 40% of its visits", candidate{source: SourceRelationExcess, doctors: nodes(21), insts: nodes(35), visits: visits(100, 10)}, 0.5, false},
		{"the same at block_leader_share 0.4", candidate{source: SourceRelationExcess, doctors: nodes(21), insts: nodes(35), visits: visits(100, 10)}, 0.4, true},
		{"a group of other doctors", candidate{source: SourceRelationExcess, doctors: nodes(22), insts: nodes(30), visits: visits(100, 10)}, 0.5, false},
		{"at block_leader_share above 1", candidate{source: SourceRelationExcess, doctors: nodes(20), insts: nodes(35), visits: visits(100, 10)}, 1.01, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.other
			if got := sameLeader(block, &o, c.share, doctorOf); got != c.want {
				t.Errorf("sameLeader(block, other) = %v, want %v", got, c.want)
			}
			if got := sameLeader(&o, block, c.share, doctorOf); got != c.want {
				t.Errorf("sameLeader(other, block) = %v, want %v", got, c.want)
			}
		})
	}
	// Neither a block: the other candidate's sole doctor leads all its
	// visits, and still nothing joins.
	group := &candidate{source: SourceRelationExcess, doctors: nodes(21), insts: nodes(30), visits: visits(100, 10)}
	other := &candidate{source: SourceItemConcentration, doctors: nodes(21), insts: nodes(35), visits: visits(100, 10)}
	if sameLeader(group, other, 0.5, doctorOf) {
		t.Error("two candidates that are not blocks joined by a shared doctor")
	}
}

// TestMergeAllChains checks that merging repeats until nothing joins: two
// blocks with no doctor in common are one ring when a third, smaller block
// shares a doctor with each (whatever order they come in), a fourth block
// of other doctors stays apart, and each merge is recorded.
func TestMergeAllChains(t *testing.T) {
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	visits := func(n, from uint32) []uint32 {
		vs := make([]uint32, n)
		for i := range vs {
			vs[i] = from + uint32(i)
		}
		return vs
	}
	// Each block's visits are billed by its first doctor.
	doctorOf := func(v uint32) graph.NodeID {
		switch v / 100 {
		case 0:
			return 20
		case 1:
			return 21
		case 2:
			return 20
		}
		return 22
	}
	mk := func() []*candidate {
		return []*candidate{
			{source: SourceLockstep, patients: nodes(1, 2, 3, 4, 5), doctors: nodes(20), insts: nodes(30), visits: visits(30, 0)},
			{source: SourceLockstep, patients: nodes(6, 7, 8, 9, 10), doctors: nodes(21), insts: nodes(31), visits: visits(20, 100)},
			{source: SourceLockstep, patients: nodes(11, 12, 13, 14, 15), doctors: nodes(20, 21), insts: nodes(32), visits: visits(10, 200)},
			{source: SourceLockstep, patients: nodes(16, 17, 18, 19, 40), doctors: nodes(22), insts: nodes(33), visits: visits(25, 300)},
		}
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {2, 3, 1, 0}, {3, 1, 0, 2}} {
		in := mk()
		cands := make([]*candidate, len(order))
		for i, j := range order {
			cands[i] = in[j]
		}
		out := mergeAll(cands, func(a, b *candidate) bool { return same(a, b) || sameLeader(a, b, 0.5, doctorOf) })
		if len(out) != 2 {
			t.Fatalf("order %v: %d candidates, want 2", order, len(out))
		}
		ring := out[0]
		if !slices.Equal(ring.doctors, nodes(20, 21)) || !slices.Equal(ring.insts, nodes(30, 31, 32)) || len(ring.patients) != 15 || len(ring.visits) != 60 {
			t.Errorf("order %v: merged ring has doctors %v, sites %v, %d people, %d visits", order, ring.doctors, ring.insts, len(ring.patients), len(ring.visits))
		}
		merges := 0
		for _, f := range ring.facts {
			if f.id == FactMerged {
				merges++
			}
		}
		if merges != 2 {
			t.Errorf("order %v: %d merge facts, want 2", order, merges)
		}
		if !slices.Equal(out[1].doctors, nodes(22)) {
			t.Errorf("order %v: the other block has doctors %v", order, out[1].doctors)
		}
	}
}

// TestStanding checks that a pharmacy's co-visit cohorts join the ring
// they go together with as widened members (people, visits and the
// pharmacy, not evidence), and stand as a ring of their own only when the
// cohorts of two counters were joined.
func TestStanding(t *testing.T) {
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	cohorts := func(sites []graph.NodeID, people ...graph.NodeID) *candidate {
		return &candidate{source: SourceCohorts, support: true, patients: people, insts: sites, visits: []uint32{uint32(people[0]) + 1000}}
	}
	newRing := func() *candidate {
		return &candidate{source: SourceRelationExcess, typology: "", patients: nodes(1, 2, 3, 4, 5, 6), insts: nodes(30), visits: []uint32{1, 2, 3}}
	}
	cases := []struct {
		name     string
		support  *candidate
		standing int            // support candidates standing alone
		patients int            // the ring's people afterwards
		widened  int            // of which widened
		insts    []graph.NodeID // the ring's sites afterwards
	}{
		{"alone at one pharmacy", cohorts(nodes(40), 10, 11, 12, 13, 14, 15, 16, 17), 0, 6, 0, nodes(30)},
		{"holding the ring's people", cohorts(nodes(40), 1, 2, 3, 4, 5, 6, 7, 8), 0, 8, 2, nodes(30, 40)},
		{"two pharmacies' cohorts joined", cohorts(nodes(40, 41), 10, 11, 12, 13, 14, 15, 16, 17), 1, 6, 0, nodes(30)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ring := newRing()
			out := standing([]*candidate{ring}, []*candidate{c.support}, same)
			if len(out) != c.standing {
				t.Errorf("%d support candidates stand, want %d", len(out), c.standing)
			}
			if len(ring.patients) != c.patients || len(ring.widenedPeople) != c.widened || !slices.Equal(ring.insts, c.insts) {
				t.Errorf("ring of %d people (%d widened) at %v, want %d (%d) at %v", len(ring.patients), len(ring.widenedPeople), ring.insts, c.patients, c.widened, c.insts)
			}
			if ring.source != SourceRelationExcess || ring.typology != "" {
				t.Errorf("ring became %s %q: support must not change what it is", ring.source, ring.typology)
			}
		})
	}
}

// TestAbsorbContained checks that a reportable candidate all of whose
// members are another reportable candidate's joins it (whichever comes
// first), that of two with the same members the first keeps them, and
// that a candidate with a member of its own, or one not reportable,
// stands.
func TestAbsorbContained(t *testing.T) {
	// In operationCity, group 0 (six people) is at the first site (row 0),
	// group 1 at the second: seven members each.
	type pieces struct{ ring, other, part, twin, weak *candidate }
	build := func(t *testing.T) (*state, pieces) {
		g, groups := operationCity{item: "OTHER", fills: 6, span: 100}.build(t)
		ring := groups[0]
		sub := func(visits []uint32, score float64) *candidate {
			c := candidateAt(g, g.Tables(), 0, visits)
			c.strength, c.score = score, score
			return c
		}
		// ring.visits[:12]: the first two of its people (six fills each).
		return newTestState(t, g), pieces{ring: ring, other: groups[1], part: sub(ring.visits[:12], 1),
			twin: sub(ring.visits, 1), weak: sub(ring.visits[:12], 0)}
	}
	cases := []struct {
		name  string
		cands func(p pieces) []*candidate
		want  []int // members of the candidates left, in order
		fact  int   // the one of them that must record a merged fact; -1: none
	}{
		{"a part after its ring joins it", func(p pieces) []*candidate { return []*candidate{p.ring, p.part, p.other} }, []int{7, 7}, 0},
		{"a part before its ring joins it", func(p pieces) []*candidate { return []*candidate{p.part, p.ring, p.other} }, []int{7, 7}, 0},
		{"the same members: the first keeps them", func(p pieces) []*candidate { return []*candidate{p.ring, p.twin} }, []int{7}, 0},
		{"disjoint rings stand", func(p pieces) []*candidate { return []*candidate{p.ring, p.other} }, []int{7, 7}, -1},
		{"a part not reportable stands", func(p pieces) []*candidate { return []*candidate{p.ring, p.weak} }, []int{7, 3}, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, p := build(t)
			if p.part.members() != 3 || p.ring.members() != 7 {
				t.Fatalf("part of %d members, ring of %d; the city changed", p.part.members(), p.ring.members())
			}
			out := s.absorbContained(tc.cands(p))
			var got []int
			for _, c := range out {
				got = append(got, c.members())
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("members of the candidates left %v; want %v", got, tc.want)
			}
			if tc.fact < 0 {
				return
			}
			merged := false
			for _, f := range out[tc.fact].facts {
				merged = merged || f.id == FactMerged
			}
			if !merged {
				t.Errorf("the ring that took its part in records no merged fact: %+v", out[tc.fact].facts)
			}
		})
	}
}
