package rules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// peers adds n people with diagnosis dise visiting C1 every `every` days
// over 60 days.
func peers(x *fx, prefix string, n int, dise string, every int) {
	for i := 0; i < n; i++ {
		psn := fmt.Sprintf("%s%03d", prefix, i)
		x.person(psn, claims.Female, day(1960, 1, 1))
		for d := 0; d < 60; d += every {
			x.add(v{id: fmt.Sprintf("%s-%d", psn, d), psn: psn, inst: "C1", dise: dise, begin: at(2024, 3, 1, 9, 0) + claims.Time(d*86400)})
		}
	}
}

// frequent adds person psn with k visits in 30 days.
func frequent(x *fx, psn, dise string, k int) {
	x.person(psn, claims.Female, day(1962, 1, 1))
	for i := 0; i < k; i++ {
		x.add(v{id: fmt.Sprintf("%s-%d", psn, i), psn: psn, inst: "C1", dise: dise, begin: at(2024, 3, 2, 10, 0) + claims.Time(i*86400*29/k)})
	}
}

func TestFrequentVisits(t *testing.T) {
	runCases(t, IDFrequentVisits, []ruleCase{
		{name: "20 visits in 30 days against peers at 2", build: func() *fx {
			x := base()
			peers(x, "P", 40, "J20", 15)
			frequent(x, "HOT", "J20.9", 20)
			return x
		}, want: 1, check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
			if hs[0].NVisits != 20 || hs[0].Amount != 20*8000 {
				t.Errorf("visits %d amount %v", hs[0].NVisits, hs[0].Amount)
			}
		}},
		{name: "6 visits: under the absolute floor", build: func() *fx {
			x := base()
			peers(x, "P", 40, "J20", 30)
			frequent(x, "HOT", "J20", 6)
			return x
		}, want: 0},
		{name: "dialysis patients among dialysis peers", build: func() *fx {
			x := base()
			peers(x, "P", 40, "N18.5", 2) // 15 visits in 30 days each
			frequent(x, "HOT", "N18.5", 16)
			return x
		}, want: 0},
		{name: "small peer group falls back to everyone", build: func() *fx {
			x := base()
			peers(x, "P", 40, "J20", 15)
			frequent(x, "HOT", "K29", 20)
			return x
		}, want: 1},
		{name: "reversed visits do not count", build: func() *fx {
			x := base()
			peers(x, "P", 40, "J20", 15)
			x.person("HOT", claims.Female, day(1962, 1, 1))
			for i := 0; i < 20; i++ {
				x.add(v{id: fmt.Sprintf("HOT-%d", i), psn: "HOT", inst: "C1", dise: "J20", begin: at(2024, 3, 2, 10, 0) + claims.Time(i*3600*30), reversed: i%4 != 0}) // 5 live visits
			}
			return x
		}, want: 0},
	})
}

// TestFrequencyPeers checks frequencyPeers against a direct computation
// of each group's median and MAD on random entries, and that it leaves the
// entries in their order.
func TestFrequencyPeers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 5, 300, 5000} {
		entries := make([]freqEntry, n)
		for i := range entries {
			cat := uint64(rng.IntN(4))
			entries[i] = freqEntry{keys: [3]uint64{cat<<16 | uint64(rng.IntN(3)), cat, 0}, count: uint32(1 + rng.IntN(30)), person: uint32(i)}
		}
		before := slices.Clone(entries)
		stats := frequencyPeers(entries, 3, 8)
		if !slices.Equal(entries, before) {
			t.Fatalf("%d entries: reordered", n)
		}
		for level := range 3 {
			groups := make(map[uint64][]float64)
			for _, e := range entries {
				groups[e.keys[level]] = append(groups[e.keys[level]], float64(e.count))
			}
			if len(stats[level]) != len(groups) {
				t.Fatalf("%d entries, level %d: %d groups, want %d", n, level, len(stats[level]), len(groups))
			}
			for key, counts := range groups {
				st := stats.find(level, key)
				if st == nil {
					t.Fatalf("%d entries, level %d: group %x missing", n, level, key)
				}
				med := medianOf(counts)
				dev := make([]float64, len(counts))
				for i, c := range counts {
					dev[i] = math.Abs(c - med)
				}
				mad := medianOf(dev)
				want := max(med+3*1.4826*max(mad, 1), 8)
				if st.n != len(counts) || st.median != med || st.mad != mad || st.threshold != want {
					t.Errorf("%d entries, level %d, group %x: n %d median %v mad %v threshold %v, want %d %v %v %v",
						n, level, key, st.n, st.median, st.mad, st.threshold, len(counts), med, mad, want)
				}
			}
		}
	}
}

// medianOf returns the median of xs (the mean of the middle two for an
// even count), sorting them.
func medianOf(xs []float64) float64 {
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
