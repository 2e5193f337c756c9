package rings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
)

// TestRunGenerators checks that the generators' candidates keep their
// places whatever the number of workers, that the first error in the
// order given is the one returned, and that no generator starts once one
// failed or the context is done.
func TestRunGenerators(t *testing.T) {
	errA, errB := errors.New("a failed"), errors.New("b failed")
	tests := []struct {
		name    string
		fail    map[int]error // generator index → its error
		cancel  int           // cancel the context as this generator starts (-1 never)
		wantErr error
		// wantRun lists the generators that must have run (with one
		// worker; with more, later ones may have started too).
		wantRun []int
	}{
		{name: "all succeed", cancel: -1, wantRun: []int{3, 0, 2, 1, 4}},
		{name: "first error in order", fail: map[int]error{2: errA, 4: errB}, cancel: -1, wantErr: errA, wantRun: []int{3, 0, 2}},
		{name: "later error", fail: map[int]error{4: errB}, cancel: -1, wantErr: errB, wantRun: []int{3, 0, 2, 1, 4}},
		{name: "cancelled", cancel: 0, wantErr: context.Canceled, wantRun: []int{3, 0}},
	}
	order := []int{3, 0, 2, 1, 4}
	for _, tt := range tests {
		for _, workers := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, workers), func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var ran [5]atomic.Bool
				gens := make([]generator, 5)
				for i := range gens {
					gens[i] = generator{name: fmt.Sprint("gen ", i), run: func(context.Context) ([]*candidate, error) {
						ran[i].Store(true)
						if i == tt.cancel {
							cancel()
						}
						if err := tt.fail[i]; err != nil {
							return nil, err
						}
						return []*candidate{{source: fmt.Sprint(i)}}, nil
					}}
				}
				var started []string
				opt := &Options{Progress: func(stage string, _, _ int64) { started = append(started, stage) }}
				found := make([][]*candidate, len(gens))
				err := runGenerators(ctx, opt, gens, order, 0, len(order), found, workers)
				if tt.cancel >= 0 && workers > 1 && err == nil {
					return // every generator had started: the cancellation is for the next stage to see
				}
				if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				for _, i := range tt.wantRun {
					if !ran[i].Load() {
						t.Errorf("generator %d did not run", i)
					}
				}
				if workers == 1 {
					for i := range gens {
						if ran[i].Load() && !slices.Contains(tt.wantRun, i) {
							t.Errorf("generator %d ran after the failure", i)
						}
					}
				}
				for i, cs := range found {
					if cs != nil && (len(cs) != 1 || cs[0].source != fmt.Sprint(i)) {
						t.Errorf("found[%d] = %v, want generator %d's candidate", i, cs, i)
					}
					if cs == nil && tt.wantErr == nil {
						t.Errorf("found[%d] empty", i)
					}
				}
				for k, stage := range started {
					if want := gens[order[k]].name; stage != want {
						t.Errorf("start %d: %s, want %s", k, stage, want)
					}
				}
			})
		}
	}
}

// TestEachCandidate checks that every candidate is handed to f exactly
// once, whatever the number of workers.
func TestEachCandidate(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		for _, workers := range []int{1, 2, 8} {
			cands := make([]*candidate, n)
			for i := range cands {
				cands[i] = &candidate{}
			}
			eachCandidate(cands, workers, func(c *candidate) { c.ruleHits++ })
			for i, c := range cands {
				if c.ruleHits != 1 {
					t.Fatalf("%d candidates, %d workers: candidate %d handed %d times", n, workers, i, c.ruleHits)
				}
			}
		}
	}
}
