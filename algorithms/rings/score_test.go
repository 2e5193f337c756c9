package rings

import (
	"fmt"
	"math"
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cohortFraction(c.es); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("cohortFraction = %v, want %v", got, c.want)
			}
		})
	}
}
