package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestForEachPerson checks that both ways of grouping rows by person (the
// counting sort of many rows, the sort of a few among many persons) call
// back persons in ascending order with their rows in ascending order, and
// stop at the first error.
func TestForEachPerson(t *testing.T) {
	owner := []uint32{3, 0, 3, 7, 1, 3, 0, 9, 7, 2} // row -> person
	person := func(r uint32) uint32 { return owner[r] }
	want := "0:[1 6] 1:[4] 2:[9] 3:[0 2 5] 7:[3 8] 9:[7] "
	cases := []struct {
		name     string
		nPersons int
	}{
		{"counting sort", 10},
		{"sort, persons far more than rows", 10 * sparsePersons * 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cand := []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
			got := ""
			err := forEachPerson(context.Background(), cand, c.nPersons, person, func(p uint32, rows []uint32) error {
				got += fmt.Sprintf("%d:%v ", p, rows)
				return nil
			})
			if err != nil || got != want {
				t.Errorf("got %q, %v; want %q", got, err, want)
			}
			if !slices.Equal(cand, []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Errorf("cand modified: %v", cand)
			}
			stop := errors.New("stop")
			calls := 0
			err = forEachPerson(context.Background(), cand, c.nPersons, person, func(uint32, []uint32) error {
				calls++
				if calls == 2 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 2 {
				t.Errorf("after an error: %d calls, %v; want 2, stop", calls, err)
			}
		})
	}
}
