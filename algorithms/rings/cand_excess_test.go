package rings

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestOwnExcess checks which relations of a group of linked sites stay:
// people flagged at two sites always, a site's own people only while they
// are an excess by themselves, and a pharmacy only while it holds one.
func TestOwnExcess(t *testing.T) {
	const (
		clinicA  graph.NodeID = 0
		clinicB  graph.NodeID = 1
		pharmacy graph.NodeID = 2
	)
	kind := func(h graph.NodeID) graph.Kind {
		if h == pharmacy {
			return graph.KindPharmacy
		}
		return graph.KindInstitution
	}
	// rel builds n relations at hub for people first, first+1, ...
	rel := func(hub graph.NodeID, first, n int) []relation {
		out := make([]relation, n)
		for i := range out {
			out[i] = relation{person: uint32(first + i), hub: hub}
		}
		return out
	}
	join := func(parts ...[]relation) []relation { return slices.Concat(parts...) }
	inf := math.Inf(1)
	cases := []struct {
		name   string
		rels   []relation
		seeded []bool
		expect []float64
		// want: the relations kept, as hub*1000+person
		want []int
	}{
		{"one site keeps everyone", rel(clinicA, 0, 3), []bool{true, false, false}, []float64{1, inf, inf},
			[]int{0, 1, 2}},
		{"own people beyond chance stay", join(rel(clinicA, 0, 4), rel(clinicB, 2, 5)),
			[]bool{true, true, false}, []float64{0.5, 1, inf},
			[]int{0, 1, 2, 3, 1002, 1003, 1004, 1005, 1006}},
		{"own people at chance leave, shared people stay", join(rel(clinicA, 0, 10), rel(clinicB, 8, 4)),
			[]bool{true, true, false}, []float64{0.5, 1, inf},
			// clinic B: 2 own people (10, 11) against 3 × 1 expected.
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1008, 1009}},
		{"a clinic at chance keeps its shared people", join(rel(clinicA, 0, 10), rel(clinicB, 9, 3)),
			[]bool{true, true, false}, []float64{0.5, 2, inf},
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1009}},
		{"a pharmacy at chance leaves", join(rel(clinicA, 0, 10), rel(pharmacy, 8, 6)),
			[]bool{true, false, true}, []float64{0.5, inf, 2},
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"a pharmacy whose shared people are an excess stays", join(rel(clinicA, 0, 10), rel(pharmacy, 2, 9)),
			[]bool{true, false, true}, []float64{0.5, inf, 2},
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009}},
		{"a site not seeded is left as it is", join(rel(clinicA, 0, 10), rel(pharmacy, 8, 6)),
			[]bool{true, false, false}, []float64{0.5, inf, inf},
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2008, 2009, 2010, 2011, 2012, 2013}},
	}
	p := DefaultParams()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idx := make([]int, len(tc.rels))
			for i := range idx {
				idx[i] = i
			}
			sd := seeding{seeded: tc.seeded, expect: tc.expect}
			var got []int
			for _, i := range ownExcess(&p, kind, tc.rels, idx, &sd, 0) {
				got = append(got, int(tc.rels[i].hub)*1000+int(tc.rels[i].person))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("kept %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWeightedQuantile checks that weight, not the count of values, sets
// the quantile.
func TestWeightedQuantile(t *testing.T) {
	cases := []struct {
		name string
		xs   []weighted
		q    float64
		want float64
	}{
		{"none", nil, 0.25, 0},
		{"one", []weighted{{0.3, 5}}, 0.25, 0.3},
		{"equal weights", []weighted{{0.4, 1}, {0.1, 1}, {0.3, 1}, {0.2, 1}}, 0.25, 0.2},
		{"small sites at nothing do not set the rate",
			[]weighted{{0, 15}, {0, 9}, {0, 25}, {0.1, 100}, {0.12, 80}, {0.2, 116}}, 0.25, 0.1},
		{"median", []weighted{{1, 1}, {2, 1}, {3, 10}}, 0.5, 3},
	}
	for _, tc := range cases {
		if got := weightedQuantile(tc.xs, tc.q); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRhythmFlag checks which regular relations of people living away
// earn a rhythm flag: far and rhythmic (flagAway), or from the next
// district on a strict rhythm to a medical institution (flagRhythm), never
// at a pharmacy, never with rhythm_strict 0.
func TestRhythmFlag(t *testing.T) {
	p := DefaultParams()
	off := DefaultParams()
	off.RhythmStrict = 0
	cases := []struct {
		name     string
		p        *Params
		dist     int
		pharmacy bool
		reg      float64
		want     relFlag
	}{
		{"far, rhythmic", &p, distFar, false, p.RhythmMin, flagAway},
		{"far, strict, at a pharmacy", &p, distFar, true, 0.95, flagAway},
		{"far, irregular", &p, distFar, false, p.RhythmMin - 0.01, 0},
		{"near, strict", &p, distNear, false, p.RhythmStrict, flagRhythm},
		{"near, rhythmic but not strict", &p, distNear, false, p.RhythmStrict - 0.01, 0},
		{"near, strict, at a pharmacy", &p, distNear, true, 0.99, 0},
		{"near, strict, test off", &off, distNear, false, 0.99, 0},
		{"same district, strict", &p, distSame, false, 0.99, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rhythmFlag(c.p, c.dist, c.pharmacy, c.reg); got != c.want {
				t.Errorf("rhythmFlag = %06b, want %06b", got, c.want)
			}
		})
	}
}

// TestOwnSeeding checks the site tests of the kinds that only their own
// tests count (strict rhythms among regulars, heavy visits among returning
// people of ordinary care): against the class's pooled share, a clinic
// holding far more seeds on them alone (only they stay), a clinic holding
// a few more does not, and a clinic seeded by all its flagged relations
// keeps them through the same test, not through the per-kind tests.
func TestOwnSeeding(t *testing.T) {
	kinds := []struct {
		name string
		kind relFlag
		// base sets the i-th site of a class: half the sites have none,
		// half a few of their regulars (rhythms: 4 of 40, a pooled share of
		// 5%) or returning people of ordinary care (heavy: 2 of 100, 1%).
		base            func(t *siteTally, i int)
		ring, few, both int32
		stands          func(sd *seeding, i int) bool
	}{
		{"strict rhythms", flagRhythm, func(t *siteTally, i int) {
			*t = siteTally{relations: 60, regulars: 40, flagged: 3, flaggedRegulars: 2}
			t.byKind[kindIndex(flagRhythm)] = int32(4 * (i % 2))
		}, 15, 6, 15, func(sd *seeding, i int) bool { return sd.rhythm[i] }},
		{"heavy visits", flagHeavy, func(t *siteTally, i int) {
			*t = siteTally{relations: 100, regulars: 40, flagged: 3, flaggedRegulars: 2}
			t.byCare[careOther].relations = 100
			t.byKind[kindIndex(flagHeavy)] = int32(2 * (i % 2))
		}, 12, 4, 12, func(sd *seeding, i int) bool { return sd.heavy[i] }},
	}
	g, idx := rateGraph(t)
	opt := &Options{Params: DefaultParams()}
	s := &state{g: g, opt: opt}
	for _, k := range kinds {
		kk := kindIndex(k.kind)
		tally := make([]siteTally, len(idx[0])+len(idx[1])+len(idx[2])+len(idx[3]))
		for cl := range idx {
			for i, j := range idx[cl] {
				k.base(&tally[j], i)
			}
		}
		clinics := idx[graph.ClassClinic]
		ring, few, both := clinics[0], clinics[1], clinics[2]
		tally[ring].byKind[kk] = k.ring
		tally[few].byKind[kk] = k.few
		tally[both].flagged, tally[both].flaggedRegulars = 30, 25
		tally[both].byKind[kindIndex(flagCostly)] = 30
		tally[both].byKind[kk] = k.both
		minSig := opt.Params.MinSignificance + math.Log10(float64(len(tally)))
		sd := s.seedSites(s.siteLo(), tally, minSig)
		cases := []struct {
			name          string
			site          int
			seeded, stand bool
			kinds         relFlag
		}{
			{"far beyond the class", ring, true, true, k.kind},
			{"a few more than the class", few, false, false, 0},
			{"seeded by its costly people as well", both, true, true, flagCostly},
			{"ordinary clinic", clinics[3], false, false, 0},
		}
		for _, c := range cases {
			t.Run(k.name+"/"+c.name, func(t *testing.T) {
				if sd.seeded[c.site] != c.seeded || k.stands(&sd, c.site) != c.stand || sd.seeded[c.site] && sd.kinds[c.site] != c.kinds {
					t.Errorf("seeded %v, own test %v, kinds %09b; want %v, %v, %09b",
						sd.seeded[c.site], k.stands(&sd, c.site), sd.kinds[c.site], c.seeded, c.stand, c.kinds)
				}
			})
		}
	}
}

// TestRelationRecordsSplit checks that relationRecords, whose sites are
// shared out among workers, returns what one pass over all the sites
// returns, record for record and visit for visit.
func TestRelationRecordsSplit(t *testing.T) {
	g, _, _ := visitCity{ordinary: 400, shared: 120, flagged: 40, crossing: 16}.build(t)
	s := newTestState(t, g)
	ctx := context.Background()
	lo := s.siteLo()
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	recs, all, err := s.relationRecords(ctx, lo, nSites)
	if err != nil {
		t.Fatal(err)
	}
	wantAll := make([]uint32, len(all))
	// Chunks of 7 records: the one pass fills and joins many of them.
	chunks, err := s.relationRecordsOf(ctx, lo, 0, nSites, wantAll, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 3 {
		t.Fatalf("%d chunks of 7 records: the city is too small to test their joining", len(chunks))
	}
	for i, c := range chunks[:len(chunks)-1] {
		if len(c) != 7 {
			t.Fatalf("chunk %d holds %d records, want 7", i, len(c))
		}
	}
	wantRecs := slices.Concat(chunks...)
	if len(recs) == 0 || !slices.Equal(recs, wantRecs) || !slices.Equal(all, wantAll) {
		t.Errorf("split: %d records over %d visits; one pass: %d over %d", len(recs), len(all), len(wantRecs), len(wantAll))
	}
	for _, r := range recs[:min(len(recs), 1000)] {
		vs := all[r.off : r.off+r.n]
		for k, v := range vs {
			if s.t.Visits.Person[v] != r.person || k > 0 && s.t.Visits.Begin.At(v) < s.t.Visits.Begin.At(vs[k-1]) {
				t.Fatalf("record of person %d at site %d: visits %v out of place", r.person, r.site, vs)
			}
		}
	}
}

// TestClosedSites checks which sites serve a closed population: most of
// their returning people have almost all their visits there, and they are
// many; an outpatient clinic whose regulars also see doctors elsewhere, a
// small station with a few loyal patients and a site where residents are
// only half of its returning people are not.
func TestClosedSites(t *testing.T) {
	p := DefaultParams()
	// A group's people have min_relation_visits+2 visits at site 0; the
	// resided first of them no other visit, the rest as many again at
	// site 1.
	type group struct {
		site            int32
		people, resided int
	}
	cases := []struct {
		name   string
		groups []group
		closed bool
	}{
		{"nursing home: every regular a resident", []group{{0, 80, 80}}, true},
		{"nursing home with a few outside patients", []group{{0, 100, 80}}, true},
		{"clinic whose regulars see doctors elsewhere too", []group{{0, 80, 20}}, false},
		{"half residents", []group{{0, 80, 40}}, false},
		{"small station of loyal patients", []group{{0, p.ClosedMinResidents - 1, p.ClosedMinResidents - 1}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []relRecord
			var visits []int32
			n := int32(p.MinRelationVisits + 2)
			for _, gr := range c.groups {
				for i := 0; i < gr.people; i++ {
					person := uint32(len(visits))
					recs = append(recs, relRecord{person: person, site: gr.site, n: n})
					total := n
					if i >= gr.resided {
						recs = append(recs, relRecord{person: person, site: 1, n: n})
						total += n
					}
					visits = append(visits, total)
				}
			}
			got := closedSites(&p, recs, visits, 2)
			if got[0] != c.closed {
				t.Errorf("closed %v, want %v", got[0], c.closed)
			}
			if got[1] {
				t.Errorf("the other site is closed")
			}
		})
	}
}

// TestCareStrata checks the site tests' standardisation by kind of care
// (expectedFlagged): half the clinics care for chronic patients, about
// a sixth of whose relations are flagged (dear multi-drug prescriptions),
// and 2% of everyone's other relations are. A clinic with more chronic
// patients than most, flagged at chronic care's rate, stood out against
// the pooled rate and is not seeded; a ring among the colds of a clinic
// with chronic patients is, though its chronic patients dilute it as a
// whole.
func TestCareStrata(t *testing.T) {
	g, idx := rateGraph(t)
	clinics := idx[graph.ClassClinic]
	n := 0
	for cl := range idx {
		n += len(idx[cl])
	}
	clinic := func(other, otherFlagged, chronic, chronicFlagged int32) siteTally {
		t := siteTally{relations: other + chronic, flagged: otherFlagged + chronicFlagged}
		t.byCare[careOther] = careTally{relations: other, flagged: otherFlagged}
		t.byCare[careChronic] = careTally{relations: chronic, flagged: chronicFlagged}
		t.byKind[kindIndex(flagCostly)] = t.flagged
		return t
	}
	tally := make([]siteTally, n)
	for k, i := range clinics {
		if k%2 == 0 {
			tally[i] = clinic(300, 6, 0, 0)
		} else {
			tally[i] = clinic(300, 6, 60, 10)
		}
	}
	chronicTail, coldsRing := clinics[0], clinics[2]
	tally[chronicTail] = clinic(300, 6, 120, 20)
	tally[coldsRing] = clinic(300, 25, 60, 10)
	p := DefaultParams()
	s := &state{g: g, opt: &Options{Params: p}}
	sd := s.seedSites(s.siteLo(), tally, p.MinSignificance+math.Log10(float64(n)))
	cases := []struct {
		name   string
		site   int
		seeded bool
	}{
		{"chronic patients flagged at chronic care's rate", chronicTail, false},
		{"a ring among the colds of a clinic with chronic patients", coldsRing, true},
		{"ordinary clinic with chronic patients", clinics[1], false},
		{"ordinary clinic without", clinics[4], false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if sd.seeded[c.site] != c.seeded {
				t.Errorf("seeded %v, want %v (lift %.1f)", sd.seeded[c.site], c.seeded, sd.lift[c.site])
			}
		})
	}
	// Against the pooled rate alone (no strata), the chronic clinic
	// stands out: the test above is what keeps it out.
	pooled := s.classRates(s.siteLo(), tally, false, nil)[graph.ClassClinic]
	if l, ok := excessTest(&p, int(tally[chronicTail].flagged), pooled*float64(tally[chronicTail].relations), p.MinSignificance+math.Log10(float64(n))); !ok {
		t.Errorf("the chronic clinic does not stand out against the pooled rate (lift %.1f): the case tests nothing", l)
	}
}

// TestLoneSeeding checks the site tests on strict rhythms of people seen
// nowhere else (flagLone) beside those from the next district
// (flagRhythm): each against its class's pooled share among regulars, and
// both together against the sum, with the far-away regulars (flagAway)
// too, so that a card-holding station whose cards come from everywhere
// stands out though no kind does alone.
func TestLoneSeeding(t *testing.T) {
	g, idx := rateGraph(t)
	opt := &Options{Params: DefaultParams()}
	s := &state{g: g, opt: opt}
	kr, kl := kindIndex(flagRhythm), kindIndex(flagLone)
	tally := make([]siteTally, len(idx[0])+len(idx[1])+len(idx[2])+len(idx[3]))
	for cl := range idx {
		for i, j := range idx[cl] {
			// Half the sites have 2 of their 60 regulars of each kind.
			tally[j] = siteTally{relations: 90, regulars: 60, flagged: 3, flaggedRegulars: 2}
			tally[j].byKind[kr] = int32(2 * (i % 2))
			tally[j].byKind[kl] = int32(2 * (i % 2))
		}
	}
	clinics := idx[graph.ClassClinic]
	lone, both, few, everywhere := clinics[0], clinics[2], clinics[4], clinics[8]
	tally[lone].byKind[kl] = 14
	tally[both].byKind[kr], tally[both].byKind[kl] = 10, 10
	tally[few].byKind[kr], tally[few].byKind[kl] = 5, 5
	// The cards of people from everywhere: 5 of the next district, 5 seen
	// nowhere else and 14 from far away (whom no other site has).
	tally[everywhere].byKind[kr], tally[everywhere].byKind[kl], tally[everywhere].byKind[kindIndex(flagAway)] = 5, 5, 14
	minSig := opt.Params.MinSignificance + math.Log10(float64(len(tally)))
	sd := s.seedSites(s.siteLo(), tally, minSig)
	cases := []struct {
		name             string
		site             int
		seeded, rhy, lon bool
		kinds            relFlag
	}{
		{"people seen nowhere else far beyond the class", lone, true, false, true, flagLone},
		{"both kinds, neither enough alone", both, true, true, true, flagRhythm | flagLone},
		{"a few more of both", few, false, false, false, 0},
		{"with the far-away regulars", everywhere, true, true, true, flagRhythm | flagLone | flagAway},
		{"ordinary clinic", clinics[6], false, false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if sd.seeded[c.site] != c.seeded || sd.rhythm[c.site] != c.rhy || sd.lone[c.site] != c.lon || c.seeded && sd.kinds[c.site] != c.kinds {
				t.Errorf("seeded %v, rhythm %v, lone %v, kinds %08b; want %v, %v, %v, %08b",
					sd.seeded[c.site], sd.rhythm[c.site], sd.lone[c.site], sd.kinds[c.site], c.seeded, c.rhy, c.lon, c.kinds)
			}
		})
	}
}

// TestCore checks which people of a group its core keeps: the lightest are
// left out of a group that stays a ring without them, not of a small ring
// whose lightest recruit would take it below min_ring_people; at
// pharmacies only people flagged at two or more stay, however few.
func TestCore(t *testing.T) {
	tb := graph.NewTables(0, 0)
	clinic, _ := tb.AddInstitution(&claims.Institution{Code: "HA", Name: "甲诊所", Type: claims.Medical})
	pharmacy, _ := tb.AddInstitution(&claims.Institution{Code: "PA", Name: "甲药房", Type: claims.Pharmacy, Beds: -1})
	g := graphOf(t, tb)
	s := &state{g: g, opt: &Options{Params: DefaultParams()}}
	// rels builds one relation per count at hub, person i with counts[i]
	// visits.
	rels := func(hub uint32, counts ...int) []relation {
		out := make([]relation, len(counts))
		for i, n := range counts {
			out[i] = relation{person: uint32(i), hub: g.InstitutionNode(hub), visits: make([]uint32, n)}
		}
		return out
	}
	cases := []struct {
		name string
		rels []relation
		want []uint32 // people kept
	}{
		{"a ring of eight leaves its lightest", rels(clinic, 33, 10, 39, 28, 33, 30, 31, 35), []uint32{0, 2, 3, 4, 5, 6, 7}},
		{"a ring of five keeps its lightest", rels(clinic, 33, 10, 39, 28, 33), []uint32{0, 1, 2, 3, 4}},
		{"a ring of six keeps two light people", rels(clinic, 33, 10, 39, 8, 33, 30), []uint32{0, 1, 2, 3, 4, 5}},
		{"one pharmacy keeps no one", rels(pharmacy, 12, 12, 12, 12, 12), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx := make([]int, len(c.rels))
			for i := range idx {
				idx[i] = i
			}
			var got []uint32
			for _, i := range s.core(c.rels, idx) {
				got = append(got, c.rels[i].person)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("kept %v, want %v", got, c.want)
			}
		})
	}
}

// TestPairHalfSeeds checks which half-seeded sites (flagged regulars that
// stand out but are fewer than min_ring_people) are seeded: two sharing a
// flagged regular or a doctor of their flagged visits, whose tails
// together are beyond chance and who hold min_ring_people people; not a
// pair whose tails are weak, a pair of four people, or a site sharing no
// one.
func TestPairHalfSeeds(t *testing.T) {
	tb := graph.NewTables(0, 0)
	s := &state{t: tb, opt: &Options{Params: DefaultParams()}, repeat: 3}
	// rels builds regular relations (four visits each) at site i for
	// people xs.
	rels := func(i int, xs ...uint32) []relation {
		out := make([]relation, len(xs))
		for k, x := range xs {
			out[k] = relation{person: x, hub: graph.NodeID(i), visits: make([]uint32, 4), flags: flagCostly}
		}
		return out
	}
	// byDoctor is rels whose visits all name doctor row 0 (visit 1).
	byDoctor := func(i int, xs ...uint32) []relation {
		out := rels(i, xs...)
		for k := range out {
			out[k].visits = []uint32{1, 1, 1, 1}
		}
		return out
	}
	vt := &tb.Visits
	vt.Doctor = append(vt.Doctor, graph.None, 0) // visit 0 names no doctor, visit 1 doctor row 0
	s.excluded, s.visitDoctors = make([]bool, 1), true
	cases := []struct {
		name string
		rels []relation
		tail []float64
		want []bool
	}{
		{"two sites sharing a person", slices.Concat(rels(0, 1, 2, 3), rels(1, 3, 4, 5), rels(2, 6, 7, 8)), []float64{-3.8, -3.8, -3.8}, []bool{true, true, false}},
		{"weak tails", slices.Concat(rels(0, 1, 2, 3), rels(1, 3, 4, 5)), []float64{-0.9, -0.9, 0}, []bool{false, false, false}},
		{"four people", slices.Concat(rels(0, 1, 2, 3), rels(1, 2, 3, 4)), []float64{-3.8, -3.8, 0}, []bool{false, false, false}},
		{"a site not half-seeded", slices.Concat(rels(0, 1, 2, 3), rels(1, 3, 4, 5)), []float64{-3.8, 0, 0}, []bool{false, false, false}},
		{"two sites sharing a doctor", slices.Concat(byDoctor(0, 1, 2, 3), byDoctor(1, 4, 5, 6), rels(2, 7, 8, 9)), []float64{-3.8, -3.8, -3.8}, []bool{true, true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inf := math.Inf(1)
			sd := seeding{seeded: make([]bool, 3), regOnly: make([]bool, 3), expect: []float64{inf, inf, inf},
				halfTail: c.tail, halfExpect: []float64{0.1, 0.1, 0.1}}
			s.pairHalfSeeds(0, c.rels, &sd)
			if !slices.Equal(sd.seeded, c.want) || !slices.Equal(sd.regOnly, c.want) {
				t.Errorf("seeded %v, regulars only %v, want %v", sd.seeded, sd.regOnly, c.want)
			}
			for i, ok := range c.want {
				if ok && sd.expect[i] != 0.1 {
					t.Errorf("site %d expects %v, want 0.1", i, sd.expect[i])
				}
			}
		})
	}
}

// TestRegisteredDoctors checks whom a ring lists among its doctors where
// visits name none: those registered mostly at its sites, none of a site
// where more than registered_max_doctors are registered (a hospital's
// staff), and a doctor of both a clinic and such a hospital through the
// clinic.
func TestRegisteredDoctors(t *testing.T) {
	tb := graph.NewTables(0, 0)
	clinic, _ := tb.AddInstitution(&claims.Institution{Code: "C1", Name: "某某诊所", Type: claims.Medical, Beds: -1})
	hospital, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某某人民医院", Type: claims.Medical, Beds: 300})
	tb.AddStaff(&claims.Staff{DrCode: "D350203000001", InstitutionCode: "C1"}, clinic)
	tb.AddStaff(&claims.Staff{DrCode: "D350203000002", InstitutionCode: "C1"}, clinic)
	tb.AddStaff(&claims.Staff{DrCode: "D350203000002", InstitutionCode: "H1"}, hospital)
	for i := range 40 {
		tb.AddStaff(&claims.Staff{DrCode: fmt.Sprintf("D350203100%03d", i), InstitutionCode: "H1"}, hospital)
	}
	p, _ := tb.AddPerson(&claims.Person{PsnNo: "p", Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
	for n, row := range []uint32{clinic, hospital} {
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: []string{"C1", "H1"}[n], MedType: claims.MedOutpatient,
			Begin: claims.DateOf(2025, 1, 1+n).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, p, row, uint32(n))
	}
	g := graphOf(t, tb)
	s := newTestState(t, g)
	sites := []graph.NodeID{g.InstitutionNode(clinic), g.InstitutionNode(hospital)}
	for _, c := range []struct {
		name  string
		max   int
		sites []graph.NodeID
		want  int
	}{
		{"clinic and hospital, hospital over the cap", 30, sites, 2},
		{"hospital alone, over the cap", 30, sites[1:], 0},
		{"cap lifted", 100, sites, 42},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.opt.Params.RegisteredMaxDoctors = c.max
			if got := s.registeredDoctors(c.sites); len(got) != c.want {
				t.Errorf("%d doctors listed, want %d", len(got), c.want)
			}
		})
	}
}
