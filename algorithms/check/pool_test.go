package check

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/claims"
)

// variedClaims returns claims of the Huli fixture made different from
// one another: settled ones as they are, new ones (a fresh mdtrt_id),
// ones with a fee line dropped or repeated, each at one of the stages.
func variedClaims(tb testing.TB) (*Index, []*Claim) {
	tb.Helper()
	x, base := fixtureClaims(tb, 120)
	stages := []rules.Stages{0, rules.AtBefore, rules.AtDuring, rules.AtBefore | rules.AtDuring}
	vary := []struct {
		name string
		f    func(cl *Claim)
	}{
		{"as settled", func(*Claim) {}},
		{"new", func(cl *Claim) { cl.renumber(cl.Visit.MdtrtID + "-NEW") }},
		{"without its first fee line", func(cl *Claim) {
			if len(cl.Fees) > 0 {
				cl.Fees = cl.Fees[1:]
			}
			cl.renumber(cl.Visit.MdtrtID + "-LESS")
		}},
		{"with a fee line twice", func(cl *Claim) {
			if len(cl.Fees) > 0 {
				again := cl.Fees[0]
				again.FeedetlSn += "-AGAIN"
				cl.Fees = append(cl.Fees, again)
			}
			cl.renumber(cl.Visit.MdtrtID + "-MORE")
		}},
	}
	var out []*Claim
	for i, b := range base {
		v := vary[i%len(vary)]
		cl := &Claim{Visit: b.Visit, Fees: append([]claims.FeeLine(nil), b.Fees...), Stages: stages[(i/len(vary))%len(stages)]}
		v.f(cl)
		out = append(out, cl)
	}
	return x, out
}

// renumber gives cl, and its fee lines, the mdtrt_id id.
func (cl *Claim) renumber(id string) {
	cl.Visit.MdtrtID = id
	for i := range cl.Fees {
		cl.Fees[i].MdtrtID = id
	}
}

// answer is a check's answer as JSON, with its unexported hit ranks.
func answer(tb testing.TB, res *Result) string {
	tb.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		tb.Fatal(err)
	}
	ranks := make([]int, len(res.Hits))
	for i := range res.Hits {
		ranks[i] = res.Hits[i].rank
	}
	return fmt.Sprintf("%s %v", b, ranks)
}

// TestPooledChecker checks varied claims with one checker, whose scratch
// (small cities, graphs, prepared rules) goes from check to check, and
// compares every answer with that of a new checker: one after the other,
// in two orders, and concurrently. Run with -race, it also shows that
// concurrent checks share no scratch; answers kept from early checks must
// not change while later checks reuse the scratch.
func TestPooledChecker(t *testing.T) {
	x, cls := variedClaims(t)
	ctx := context.Background()
	want := make([]string, len(cls))
	wantRes := make([]*Result, len(cls))
	hits, settled := 0, 0
	for i, cl := range cls {
		res, err := newChecker(t, Options{}).Check(ctx, View{Index: x}, cl)
		if err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
		want[i], wantRes[i] = answer(t, res), res
		hits += len(res.Hits)
		if res.AlreadySettled {
			settled++
		}
	}
	if hits == 0 || settled == 0 || settled == len(cls) {
		t.Fatalf("%d hits, %d settled of %d claims: the claims are not varied enough", hits, settled, len(cls))
	}
	pooled := newChecker(t, Options{})
	forward := make([]int, len(cls))
	backward := make([]int, len(cls))
	for i := range cls {
		forward[i], backward[i] = i, len(cls)-1-i
	}
	interleaved := make([]int, 0, len(cls))
	for i := range len(cls) / 2 {
		interleaved = append(interleaved, i, len(cls)/2+i)
	}
	tests := []struct {
		name    string
		workers int
		orders  [][]int
	}{
		{"one after the other", 1, [][]int{forward}},
		{"backwards", 1, [][]int{backward}},
		{"concurrently", 4, [][]int{forward, backward, interleaved, forward}},
		{"concurrently, many", 8, [][]int{interleaved, backward, forward, interleaved, backward, forward, interleaved, backward}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make([][]*Result, tc.workers)
			var wg sync.WaitGroup
			for w := range tc.workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, i := range tc.orders[w%len(tc.orders)] {
						res, err := pooled.Check(ctx, View{Index: x}, cls[i])
						if err != nil {
							t.Errorf("claim %d: %v", i, err)
							return
						}
						got[w] = append(got[w], res)
					}
				}()
			}
			wg.Wait()
			// Compared after all checks: an answer must not change when
			// later checks reuse the scratch its check used.
			for w := range tc.workers {
				for k, i := range tc.orders[w%len(tc.orders)][:len(got[w])] {
					if a := answer(t, got[w][k]); a != want[i] {
						t.Fatalf("worker %d, claim %d:\n got %s\nwant %s", w, i, a, want[i])
					}
					if !reflect.DeepEqual(got[w][k], wantRes[i]) {
						t.Fatalf("worker %d, claim %d: the answers are equal as JSON only", w, i)
					}
				}
			}
		})
	}
}

// TestPreparedNotRun prepares checks that are never run, between checks
// that are: their scratch is then the collector's, and the checker's
// answers do not change.
func TestPreparedNotRun(t *testing.T) {
	x, cls := variedClaims(t)
	ctx := context.Background()
	fresh, pooled := newChecker(t, Options{}), newChecker(t, Options{})
	for i, cl := range cls[:40] {
		if _, err := pooled.Prepare(View{Index: x}, cls[len(cls)-1-i]); err != nil {
			t.Fatal(err)
		}
		want, err := fresh.Check(ctx, View{Index: x}, cl)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pooled.Check(ctx, View{Index: x}, cl)
		if err != nil {
			t.Fatal(err)
		}
		if answer(t, got) != answer(t, want) {
			t.Fatalf("claim %d: %s, want %s", i, answer(t, got), answer(t, want))
		}
	}
}
