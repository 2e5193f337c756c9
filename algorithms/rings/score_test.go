package rings

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFixed checks that fixed writes what fmt's %.*f writes, ties and
// values outside the shared table included, and that a common value costs
// no allocation.
func TestFixed(t *testing.T) {
	values := []float64{0, 0.005, 0.015, 0.125, 0.375, 0.5, 0.994, 0.995, 0.999, 1, 1.25, 2.45, 7.5, 8.5, 12.5,
		99.95, 99.94, 100, 999.5, 1000, 1000.5, 123456.789, -0.3, -2.5, 3 * 100.0 / 40, 100 * (3.0 / 40), math.Inf(1), math.NaN()}
	for _, x := range values {
		for prec := range 3 {
			if got, want := fixed(x, prec), fmt.Sprintf("%.*f", prec, x); got != want {
				t.Errorf("fixed(%v, %d) = %q, want %q", x, prec, got, want)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = fixed(0.37, 2) }); n != 0 {
		t.Errorf("fixed(0.37, 2) allocates %.0f times", n)
	}
}

// TestCohortFraction checks the share of visits whose (doctor, hour)
// column holds at least cohortMin distinct people, repeat visits of one
// person counted as visits but not as people.
func TestCohortFraction(t *testing.T) {
	col := func(doctor uint32, hour uint32) uint64 { return uint64(doctor)<<32 | uint64(hour) }
	many := func(c uint64, people ...uint32) []cohortEntry {
		out := make([]cohortEntry, len(people))
		for i, p := range people {
			out[i] = cohortEntry{col: c, person: p}
		}
		return out
	}
	cases := []struct {
		name string
		es   []cohortEntry
		want float64
	}{
		{"none", nil, 0},
		{"four people in one column", many(col(1, 10), 1, 2, 3, 4), 1},
		{"three people, six visits", many(col(1, 10), 1, 1, 2, 2, 3, 3), 0},
		{"a cohort and stray visits", append(many(col(1, 10), 4, 3, 2, 1, 1), many(col(2, 10), 1, 2)...), 5.0 / 7},
		{"the same people an hour apart", append(many(col(1, 10), 1, 2), many(col(1, 11), 3, 4)...), 0},
		{"too wide to pack", append(many(col(0, 0), 0, 1<<31, 5, 6), many(col(1<<31, 1<<31), 1, 2)...), 4.0 / 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cohortFraction(slices.Clone(c.es)); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("cohortFraction = %v, want %v", got, c.want)
			}
		})
	}
	// The packed keys give what a comparison sort of the entries gives,
	// on entries as cohortShare makes them (which pack).
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		es := make([]cohortEntry, 1+rng.IntN(3000))
		hubs, hours, people := 1+rng.IntN(20), 1+rng.IntN(50), 1+rng.IntN(400)
		for i := range es {
			es[i] = cohortEntry{col: col(uint32(9000+rng.IntN(hubs)), uint32(470_000+rng.IntN(hours))), person: uint32(1000 + rng.IntN(people))}
		}
		_, _, ok := cohortKeys(es)
		packed := cohortFraction(slices.Clone(es))
		slices.SortFunc(es, func(a, b cohortEntry) int { return cmp.Or(cmp.Compare(a.col, b.col), cmp.Compare(a.person, b.person)) })
		want := 0
		for a := 0; a < len(es); {
			b, n := a, 0
			for ; b < len(es) && es[b].col == es[a].col; b++ {
				if b == a || es[b].person != es[b-1].person {
					n++
				}
			}
			if n >= cohortMin {
				want += b - a
			}
			a = b
		}
		if !ok || math.Abs(packed-float64(want)/float64(len(es))) > 1e-12 {
			t.Fatalf("packed %v (ok %v), sorted %v", packed, ok, float64(want)/float64(len(es)))
		}
	}
}
