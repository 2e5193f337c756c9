package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
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
		{"sort, persons far more than rows", 10 * sparseKeys * 10},
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

// TestPersons checks which persons the person-by-person rules look at:
// every person while they do not far outnumber the visits, else only
// those with a visit, in ascending order either way.
func TestPersons(t *testing.T) {
	build := func(idle int) *fx {
		x := base() // persons M (row 0) and F (row 1)
		for i := range idle {
			x.person(fmt.Sprintf("IDLE%03d", i), claims.Female, day(1970, 1, 1))
		}
		x.person("Z", claims.Male, day(1960, 1, 1))
		x.add(v{id: "V1", psn: "Z", inst: "C1", begin: at(2024, 3, 1, 9, 0)},
			v{id: "V2", psn: "M", inst: "C1", begin: at(2024, 3, 2, 9, 0)},
			v{id: "V3", psn: "Z", inst: "C1", begin: at(2024, 3, 3, 9, 0)})
		return x
	}
	cases := []struct {
		name string
		idle int
		want []uint32
	}{
		{"few persons: all of them", 2, []uint32{0, 1, 2, 3, 4}},
		{"persons far beyond the visits: those with visits", 3 * sparseKeys, []uint32{0, 3*sparseKeys + 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := build(c.idle)
			g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defs := Defaults()
			got := slices.Collect(newEnv(g, &defs).persons())
			if !slices.Equal(got, c.want) {
				t.Errorf("persons %v, want %v", got, c.want)
			}
		})
	}
}
