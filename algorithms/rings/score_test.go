package rings

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
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

// TestPackReasons checks that packing keeps every entity's reasons and
// parameters (an empty list stays empty, not nil), leaves no spare
// capacity, and that appending to one list cannot write over the next.
func TestPackReasons(t *testing.T) {
	es := []findings.EntityScore{
		{ID: "a", Reasons: []findings.Reason{{Code: vocab.ReasonPeerFund, Params: vocab.Params{{Name: "z", Value: "2.5"}}}}},
		{ID: "b", Reasons: []findings.Reason{}},
		{ID: "c", Reasons: []findings.Reason{{Code: vocab.ReasonPlaceholderDoctor}, {Code: vocab.ReasonRuleHits, Params: vocab.Params{{Name: "n", Value: "3"}, {Name: "rule", Value: "R-X"}}}}},
		{ID: "d"},
	}
	want, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	packReasons(es)
	got, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("packed %s, want %s", got, want)
	}
	if es[1].Reasons == nil || es[3].Reasons != nil {
		t.Errorf("empty and nil lists changed: %v, %v", es[1].Reasons, es[3].Reasons)
	}
	for _, e := range es {
		if cap(e.Reasons) != len(e.Reasons) {
			t.Errorf("entity %s: %d reasons, capacity %d", e.ID, len(e.Reasons), cap(e.Reasons))
		}
	}
	_ = append(es[0].Reasons, findings.Reason{Code: "x"})
	_ = append(es[0].Reasons[0].Params, vocab.Param{Name: "y", Value: "1"})
	if es[2].Reasons[0].Code != vocab.ReasonPlaceholderDoctor || es[2].Reasons[1].Params[0].Name != "n" {
		t.Errorf("appending to a packed list wrote over the next")
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
