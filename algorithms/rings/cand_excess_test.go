package rings

import (
	"math"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
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
