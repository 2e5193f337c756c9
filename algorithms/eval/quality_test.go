package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// pats lists n patient keys "patient/<prefix><i>", i from 1.
func pats(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("patient/%s%d", prefix, i+1)
	}
	return out
}

// cat concatenates member lists.
func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// twoOps is a truth of three planted rings: A and B of 10 members (a clinic
// and 9 patients each, 20% = 2, so 3 members are substantial) sharing the
// doctor D, and C of 30 patients (20% = 6). K = 6.
func twoOps() *fixtures.Truth {
	return &fixtures.Truth{Rings: []fixtures.Ring{
		{ID: "A", Typology: vocab.TypFabricatedOutpatient, Members: tm(cat([]string{"clinic/CA", "doctor/D"}, pats("a", 8))...)},
		{ID: "B", Typology: vocab.TypLockstepSwiping, Members: tm(cat([]string{"clinic/CB", "doctor/D"}, pats("b", 8))...)},
		{ID: "C", Typology: vocab.TypCardCollection, Members: tm(pats("c", 30)...)},
	}}
}

// fillers returns n reported rings F1..Fn of ranks 1..n, each of one
// patient "patient/<prefix><i>" of no planted ring.
func fillers(prefix string, n int) []findings.Ring {
	out := make([]findings.Ring, n)
	for i := range out {
		out[i] = ring(fmt.Sprintf("F%d", i+1), i+1, fmt.Sprintf("patient/%s%d", prefix, i))
	}
	return out
}

func TestMergedRings(t *testing.T) {
	filler := func(n int) []findings.Ring { return fillers("z", n) }
	tests := []struct {
		name    string
		rings   []findings.Ring
		planted []string // planted rings of the single merged ring; nil: none merged
		shared  []int
	}{
		{"5 of A and 5 of B", []findings.Ring{ring("R", 1, cat(pats("a", 5), pats("b", 5))...)}, []string{"A", "B"}, []int{5, 5}},
		{"5 of A and 1 of B", []findings.Ring{ring("R", 1, cat(pats("a", 5), pats("b", 1))...)}, nil, nil},
		{"3 of A and 3 of B: exactly the floor", []findings.Ring{ring("R", 1, cat(pats("a", 3), pats("b", 3))...)}, []string{"A", "B"}, []int{3, 3}},
		{"2 of A and 2 of B: under the floor of 3", []findings.Ring{ring("R", 1, cat(pats("a", 2), pats("b", 2))...)}, nil, nil},
		{"5 of C is under 20% of its 30", []findings.Ring{ring("R", 1, cat(pats("a", 5), pats("c", 5))...)}, nil, nil},
		{"6 of C is 20%", []findings.Ring{ring("R", 1, cat(pats("a", 5), pats("c", 6))...)}, []string{"A", "C"}, []int{5, 6}},
		{"a member of two rings counts for both", []findings.Ring{ring("R", 1, "doctor/D", "patient/a1", "patient/a2", "patient/b1", "patient/b2")},
			[]string{"A", "B"}, []int{3, 3}},
		{"three operations", []findings.Ring{ring("R", 1, cat(pats("a", 4), pats("b", 4), pats("c", 10))...)}, []string{"A", "B", "C"}, []int{4, 4, 10}},
		{"beyond K is not counted", append(filler(6), ring("R", 7, cat(pats("a", 5), pats("b", 5))...)), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(twoOps(), &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			if tc.planted == nil {
				if r.Merged != 0 || len(r.MergedRings) != 0 {
					t.Errorf("merged %d %+v; want none", r.Merged, r.MergedRings)
				}
				return
			}
			want := []MergedRing{{Ring: "R", Rank: 1, Members: len(tc.rings[0].Members), Planted: tc.planted, Shared: tc.shared}}
			if r.Merged != 1 || !reflect.DeepEqual(r.MergedRings, want) {
				t.Errorf("merged %d %+v; want %+v", r.Merged, r.MergedRings, want)
			}
		})
	}
}

// typCity has two planted rings of known typologies and three unclassified
// ones.
func typCity() *fixtures.Truth {
	return &fixtures.Truth{Rings: []fixtures.Ring{
		{ID: "K1", Typology: vocab.TypFabricatedOutpatient, Members: tm(pats("k", 6)...)},
		{ID: "K2", Typology: vocab.TypLockstepSwiping, Members: tm(pats("l", 6)...)},
		{ID: "U1", Typology: unclassified, Members: tm(pats("u", 6)...)},
		{ID: "U2", Typology: unclassified, Members: tm(pats("v", 6)...)},
		{ID: "U3", Typology: unclassified, Members: tm(pats("w", 6)...)},
	}}
}

func typed(id string, rank int, typology string, ms []string) findings.Ring {
	r := ring(id, rank, ms...)
	r.Typology = typology
	return r
}

func TestTypologyAccuracy(t *testing.T) {
	tests := []struct {
		name                string
		rings               []findings.Ring
		known, knownRight   int
		accuracy            float64 // -1: n/a
		right, unclassFound int
		called              []TypologyCount
	}{
		{name: "nothing found", accuracy: -1, called: []TypologyCount{}},
		{
			name: "one right, one wrong; unclassified called two ways",
			rings: []findings.Ring{
				typed("R1", 1, findings.TypFabricatedOutpatient, pats("k", 6)),
				typed("R2", 2, findings.TypCardCollection, pats("l", 6)),
				typed("R3", 3, findings.TypUnclassified, pats("u", 6)),
				typed("R4", 4, findings.TypLockstepSwiping, pats("v", 6)),
				typed("R5", 5, findings.TypLockstepSwiping, pats("w", 6)),
			},
			known: 2, knownRight: 1, accuracy: 0.5, right: 2, unclassFound: 3,
			called: []TypologyCount{{findings.TypLockstepSwiping, 2}, {findings.TypUnclassified, 1}},
		},
		{
			name:     "only unclassified found: accuracy n/a",
			rings:    []findings.Ring{typed("R1", 1, findings.TypUnclassified, pats("u", 6))},
			accuracy: -1, right: 1, unclassFound: 1,
			called: []TypologyCount{{findings.TypUnclassified, 1}},
		},
		{
			name:  "calling a known ring unclassified is wrong",
			rings: []findings.Ring{typed("R1", 1, findings.TypUnclassified, pats("k", 6))},
			known: 1, accuracy: 0, called: []TypologyCount{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(typCity(), &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			if r.TypologyKnown != tc.known || r.TypologyKnownRight != tc.knownRight || r.TypologyRight != tc.right {
				t.Errorf("known %d right %d (all right %d); want %d, %d (%d)", r.TypologyKnown, r.TypologyKnownRight, r.TypologyRight,
					tc.known, tc.knownRight, tc.right)
			}
			if (tc.accuracy < 0) != (r.TypologyAccuracy == nil) || (tc.accuracy >= 0 && !approx(r.TypologyAccuracy, tc.accuracy)) {
				t.Errorf("accuracy %v; want %v", r.TypologyAccuracy, tc.accuracy)
			}
			if r.UnclassifiedFound != tc.unclassFound || !reflect.DeepEqual(r.UnclassifiedCalled, tc.called) {
				t.Errorf("unclassified found %d called %+v; want %d %+v", r.UnclassifiedFound, r.UnclassifiedCalled, tc.unclassFound, tc.called)
			}
		})
	}
}

func TestSizeBand(t *testing.T) {
	tests := map[int]string{0: "<5", 4: "<5", 5: "5-7", 7: "5-7", 8: "8-24", 24: "8-24", 25: "25-99", 99: "25-99", 100: "100+", 500: "100+"}
	for n, want := range tests {
		if got := sizeBand(n); got != want {
			t.Errorf("sizeBand(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestCamouflageLevel(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		c    *float64
		want string
	}{
		{nil, "unknown"}, {f(0), "none"}, {f(0.19), "none"}, {f(0.2), "low"}, {f(0.5), "low"}, {f(0.51), "high"}, {f(1), "high"},
	}
	for _, tc := range tests {
		if got := camouflageLevel(tc.c); got != tc.want {
			t.Errorf("camouflageLevel(%v) = %q; want %q", tc.c, got, tc.want)
		}
	}
}

// rows renders breakdown rows as "label planted/found/foundAtK".
func rows(bs []Breakdown) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, fmt.Sprintf("%s %d/%d/%d", b.Label, b.Planted, b.Found, b.FoundAtK))
	}
	return strings.Join(parts, ", ")
}

func TestBreakdownsWithoutShape(t *testing.T) {
	truth := &fixtures.Truth{Rings: []fixtures.Ring{
		// borrowed qualification: doctors and clinics only
		{ID: "Q", Typology: vocab.TypBorrowedQualif, Members: tm("doctor/D1", "clinic/C1", "clinic/C2")},
		{ID: "S", Typology: vocab.TypPharmacyCashout, Members: tm(cat([]string{"pharmacy/PH"}, pats("s", 6))...)},
		{ID: "M", Typology: unclassified, Members: tm(pats("m", 30)...)},
		{ID: "L", Typology: unclassified, Members: tm(cat(pats("l", 100), pats("l", 100))...)}, // listed twice: 100 patients
	}}
	tests := []struct {
		name                    string
		rings                   []findings.Ring
		size, camouflage, typol string
	}{
		{
			name: "nothing reported",
			size: "<5 1/0/0, 5-7 1/0/0, 25-99 1/0/0, 100+ 1/0/0", camouflage: "unknown 4/0/0",
			typol: "borrowed_qualification 1/0/0, pharmacy_cashout 1/0/0, unclassified 2/0/0",
		},
		{
			name: "the small ones found, the 100 only beyond K",
			rings: append([]findings.Ring{
				ring("R1", 1, "doctor/D1", "clinic/C1"),
				ring("R2", 2, cat([]string{"pharmacy/PH"}, pats("s", 6))...),
				ring("R3", 3, "patient/x"), ring("R4", 4, "patient/y"), ring("R5", 5, "patient/z"),
				ring("R6", 6, "patient/w"), ring("R7", 7, "patient/v"), ring("R8", 8, "patient/u"),
			}, ring("R9", 9, pats("l", 100)...)),
			size: "<5 1/1/1, 5-7 1/1/1, 25-99 1/0/0, 100+ 1/1/0", camouflage: "unknown 4/3/2",
			typol: "borrowed_qualification 1/1/1, pharmacy_cashout 1/1/1, unclassified 2/1/0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(truth, &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(r.BySize); got != tc.size {
				t.Errorf("by size %s; want %s", got, tc.size)
			}
			if got := rows(r.ByCamouflage); got != tc.camouflage {
				t.Errorf("by camouflage %s; want %s", got, tc.camouflage)
			}
			if got := rows(TypologyBreakdown(r.ByTypology)); got != tc.typol {
				t.Errorf("by typology %s; want %s", got, tc.typol)
			}
			if len(r.ByPrimitive) != 0 {
				t.Errorf("by primitive %+v; want none without shapes", r.ByPrimitive)
			}
			if r.Rings[3].Patients != 100 || r.Rings[0].Patients != 0 {
				t.Errorf("patients %d, %d; want 100, 0", r.Rings[3].Patients, r.Rings[0].Patients)
			}
		})
	}
}

func TestSumBreakdowns(t *testing.T) {
	a := []Breakdown{{Label: "5-7", Planted: 2, Found: 1, FoundAtK: 1}, {Label: "100+", Planted: 1, Found: 1}}
	b := []Breakdown{{Label: "<5", Planted: 1}, {Label: "5-7", Planted: 2, Found: 2, FoundAtK: 2}}
	got := SumBreakdowns(a, b)
	if s := rows(got); s != "<5 1/0/0, 5-7 4/3/3, 100+ 1/1/0" {
		t.Errorf("sum %s", s)
	}
	if !approx(got[1].Recall, 0.75) || !approx(got[1].RecallAtK, 0.75) || !approx(got[0].Recall, 0) {
		t.Errorf("ratios %+v", got)
	}
	if s := rows(SumBreakdowns([]Breakdown{{Label: "rhythm", Planted: 1}}, []Breakdown{{Label: "cohort", Planted: 2}})); s != "cohort 2/0/0, rhythm 1/0/0" {
		t.Errorf("other labels sorted: %s", s)
	}
	if got := SumBreakdowns(); got == nil || len(got) != 0 {
		t.Errorf("empty sum %#v; want an empty list", got)
	}
}

func TestQualityTextAndJSON(t *testing.T) {
	r, err := Evaluate(twoOps(), &findings.Findings{Rings: []findings.Ring{
		typed("R", 1, findings.TypFabricatedOutpatient, cat(pats("a", 5), pats("b", 5))),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"typology accuracy", "merged rings in top K", "R (rank 1, 10 members) holds 5 of A, 5 of B",
		"Recall per size band", "8-24", "Recall per camouflage level", "unknown", "Recall per primitive", "(none)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"merged":1`, `"merged_rings":[{"ring":"R","rank":1,"members":10,"planted":["A","B"],"shared":[5,5]}]`,
		`"by_size":[`, `"by_camouflage":[`, `"by_primitive":[]`, `"typology_accuracy":`, `"unclassified_called":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}

func TestBreakdownsByShape(t *testing.T) {
	shape := func(people int, camo float64, prims ...string) *fixtures.Shape {
		return &fixtures.Shape{People: people, Camouflage: camo, Primitives: prims}
	}
	truth := &fixtures.Truth{Rings: []fixtures.Ring{
		// the shape's people set the band, not the members listed
		{ID: "G1", Typology: unclassified, Members: tm(pats("a", 6)...), Shape: shape(6, 0.1, fixtures.PrimClinicRhythm, fixtures.PrimSharedDoctors)},
		{ID: "G2", Typology: unclassified, Members: tm(pats("b", 6)...), Shape: shape(30, 0.3, fixtures.PrimClinicRhythm)},
		{ID: "G3", Typology: vocab.TypPharmacyCashout, Members: tm(pats("c", 6)...), Shape: shape(120, 0.9, fixtures.PrimRoundQuantities)},
		{ID: "OLD", Typology: vocab.TypCardCollection, Members: tm(pats("d", 9)...)},
	}}
	tests := []struct {
		name                         string
		rings                        []findings.Ring
		size, camouflage, primitives string
	}{
		{
			name:       "nothing reported",
			size:       "5-7 1/0/0, 8-24 1/0/0, 25-99 1/0/0, 100+ 1/0/0",
			camouflage: "none 1/0/0, low 1/0/0, high 1/0/0, unknown 1/0/0",
			primitives: "clinic_rhythm 2/0/0, round_quantities 1/0/0, shared_doctors 1/0/0",
		},
		{
			name:       "G1 and the old ring found",
			rings:      []findings.Ring{ring("R1", 1, pats("a", 6)...), ring("R2", 2, pats("d", 9)...)},
			size:       "5-7 1/1/1, 8-24 1/1/1, 25-99 1/0/0, 100+ 1/0/0",
			camouflage: "none 1/1/1, low 1/0/0, high 1/0/0, unknown 1/1/1",
			primitives: "clinic_rhythm 2/1/1, round_quantities 1/0/0, shared_doctors 1/1/1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(truth, &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(r.BySize); got != tc.size {
				t.Errorf("by size %s; want %s", got, tc.size)
			}
			if got := rows(r.ByCamouflage); got != tc.camouflage {
				t.Errorf("by camouflage %s; want %s", got, tc.camouflage)
			}
			if got := rows(r.ByPrimitive); got != tc.primitives {
				t.Errorf("by primitive %s; want %s", got, tc.primitives)
			}
			if p := r.Rings[1]; p.Patients != 30 || p.SizeBand != "25-99" || p.Camouflage != "low" {
				t.Errorf("G2 %+v", p)
			}
		})
	}
}

func TestFragmentRings(t *testing.T) {
	outsiders := func(n int) []string { return pats("z", n) }
	filler := func(n int) []findings.Ring { return fillers("y", n) }
	tests := []struct {
		name  string
		rings []findings.Ring
		want  []FragmentRing
	}{
		{"4 of A's 10: a fragment of a ring not found",
			[]findings.Ring{ring("R", 1, pats("a", 4)...)},
			[]FragmentRing{{Ring: "R", Rank: 1, Members: 4, Planted: "A", PlantedMembers: 10, Shared: 4}}},
		{"4 of A and 4 outsiders: half, still a fragment",
			[]findings.Ring{ring("R", 1, cat(pats("a", 4), outsiders(4))...)},
			[]FragmentRing{{Ring: "R", Rank: 1, Members: 8, Planted: "A", PlantedMembers: 10, Shared: 4}}},
		{"3 of A and 4 outsiders: mostly innocent, no fragment",
			[]findings.Ring{ring("R", 1, cat(pats("a", 3), outsiders(4))...)}, nil},
		{"a matching ring is no fragment",
			[]findings.Ring{ring("R", 1, pats("a", 5)...)}, nil},
		{"a piece of a ring found whole by another",
			[]findings.Ring{ring("W", 1, cat([]string{"clinic/CA"}, pats("a", 8))...), ring("R", 2, pats("c", 6)...), ring("S", 3, "clinic/CA", "patient/a1")},
			[]FragmentRing{{Ring: "R", Rank: 2, Members: 6, Planted: "C", PlantedMembers: 30, Shared: 6},
				{Ring: "S", Rank: 3, Members: 2, Planted: "A", PlantedMembers: 10, Shared: 2, PlantedFound: true}}},
		{"a duplicate that matches too is no fragment",
			[]findings.Ring{ring("W", 1, cat([]string{"clinic/CA"}, pats("a", 8))...), ring("S", 2, pats("a", 5)...)}, nil},
		{"shared members tie: the first planted ring in truth order",
			[]findings.Ring{ring("R", 1, "doctor/D", "patient/a1", "patient/b1")},
			[]FragmentRing{{Ring: "R", Rank: 1, Members: 3, Planted: "A", PlantedMembers: 10, Shared: 2}}},
		{"beyond K is not counted",
			append(filler(6), ring("R", 7, pats("a", 4)...)), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(twoOps(), &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = []FragmentRing{}
			}
			if r.Fragments != len(want) || !reflect.DeepEqual(r.FragmentRings, want) {
				t.Errorf("fragments %d %+v; want %+v", r.Fragments, r.FragmentRings, want)
			}
			// The planted share counts the matching rings and the
			// fragments of the top K.
			if wantShare := float64(r.TopKMatched+len(want)) / float64(r.TopK); r.PlantedShareAtK == nil || *r.PlantedShareAtK != wantShare ||
				*r.PlantedShareAtK < *r.PrecisionAtK || len(want) > 0 && *r.PlantedShareAtK == *r.PrecisionAtK {
				t.Errorf("planted share %v (precision %v, %d matching, %d fragments, top %d)", r.PlantedShareAtK, *r.PrecisionAtK, r.TopKMatched, len(want), r.TopK)
			}
		})
	}
}
