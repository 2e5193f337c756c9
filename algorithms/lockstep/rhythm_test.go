package lockstep

import (
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestRhythm checks the period found for groups of 10 patients visiting
// clinic 1 with doctor 1 on various schedules.
func TestRhythm(t *testing.T) {
	for _, tc := range []struct {
		name     string
		schedule func(w *world, p int) []int // visit days of patient p
		want     int
		minShare float64
	}{
		{"lockstep-12", every(12, 0, 0), 12, 0.95},
		{"lockstep-24", every(24, 0, 0), 24, 0.95},
		{"lockstep-17", every(17, 0, 0), 17, 0.95},
		{"jittered-12", every(12, 1, 0), 12, 0.7}, // 7/9 of intervals within ±1
		{"12-with-misses", every(12, 0, 0.2), 12, 0.6},
		{"own-phase-30", func(w *world, p int) []int { return every(30, 0, 0)(w, p) }, 30, 0.95},
		{"random", func(w *world, _ int) []int {
			var days []int
			for d := w.r.IntN(5); d < 365; d += 1 + w.r.IntN(30) {
				days = append(days, d)
			}
			return days
		}, 0, 0},
		{"too-few", func(_ *world, p int) []int {
			if p > 0 {
				return nil
			}
			return []int{3, 15, 27}
		}, 0, 0},
		{"daily", func(*world, int) []int { return span(0, 100) }, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(7, 20, 3, 0, 3)
			for p := 0; p < 10; p++ {
				for _, d := range tc.schedule(w, p) {
					w.visit(p, 1, w.doc(1), w.at(d, 9*60+w.r.IntN(300)))
					// Visits elsewhere do not count.
					w.visit(p, 2, w.doc(2), w.at(w.r.IntN(365), 9*60))
				}
			}
			g := w.build(t)
			pats := patients(g, span(0, 10))
			for _, hubs := range [][]graph.NodeID{{g.InstitutionNode(1)}, {g.DoctorNode(1)}} {
				p, share := Rhythm(g, pats, hubs)
				if p != tc.want || (tc.want != 0 && share < tc.minShare) {
					t.Errorf("hubs %v: period %d share %.2f, want %d share ≥ %.2f", hubs, p, share, tc.want, tc.minShare)
				}
			}
		})
	}
}

// every returns a schedule of visits every period days from a per-patient
// phase, each moved by up to ±jitter days and skipped with probability
// miss.
func every(period, jitter int, miss float64) func(w *world, p int) []int {
	return func(w *world, p int) []int {
		var days []int
		for d := 5 + p%3; d < 360; d += period {
			if w.r.Float64() < miss {
				continue
			}
			days = append(days, d+w.r.IntN(2*jitter+1)-jitter)
		}
		return days
	}
}
