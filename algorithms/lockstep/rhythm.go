package lockstep

import (
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Rhythm parameters.
const (
	// MinPeriod is the shortest period Rhythm reports, in days.
	MinPeriod = 5
	// MaxPeriod is the longest period Rhythm reports, in days.
	MaxPeriod = 92
	// MinPeriodShare is the smallest share of intervals near the period
	// for Rhythm to report it.
	MinPeriodShare = 0.4
	// MinIntervals is the fewest pooled intervals Rhythm judges.
	MinIntervals = 4
)

// hubMatcher tells whether a visit is at one of a set of hubs: an
// institution or pharmacy node (the visit's institution) or a doctor node
// (the visit's attending doctor).
type hubMatcher struct {
	vt    *graph.VisitTable
	insts []uint32 // Institutions rows, sorted
	docs  []uint32 // Doctors rows, sorted
}

// newHubMatcher sorts hubs into institution rows and doctor rows; nodes of
// other kinds are ignored.
func newHubMatcher(g *graph.Graph, hubs []graph.NodeID) hubMatcher {
	m := hubMatcher{vt: &g.Tables().Visits}
	for _, h := range hubs {
		switch g.Kind(h) {
		case graph.KindInstitution, graph.KindPharmacy:
			m.insts = append(m.insts, g.Row(h))
		case graph.KindDoctor:
			m.docs = append(m.docs, g.Row(h))
		}
	}
	slices.Sort(m.insts)
	slices.Sort(m.docs)
	return m
}

// match reports whether visit v is live and at one of the hubs.
func (m *hubMatcher) match(v uint32) bool {
	if m.vt.Flags[v]&graph.VisitReversed != 0 {
		return false
	}
	if _, ok := slices.BinarySearch(m.insts, m.vt.Institution[v]); ok {
		return true
	}
	_, ok := slices.BinarySearch(m.docs, m.vt.Doctor[v])
	return ok
}

// Rhythm measures the shared revisit period of patients at hubs. For each
// patient it takes the distinct days of their live visits at the hubs
// (institution or pharmacy nodes match the visit's institution, doctor
// nodes its attending doctor), pools the intervals in days between
// consecutive visit days over all patients, and returns the period P in
// [MinPeriod, MaxPeriod] that the most intervals fall within ±1 day of
// (ties go to the P that the most intervals equal exactly, then to the
// smallest P), with share the fraction of all pooled intervals within ±1
// day of P. It returns (0, share) when fewer than MinIntervals intervals
// exist or share is below MinPeriodShare; share is then the best found.
// Invalid nodes are ignored.
func Rhythm(g *graph.Graph, patients []graph.NodeID, hubs []graph.NodeID) (period int, share float64) {
	if g == nil || g.Tables() == nil || checkTables(g) != nil {
		return 0, 0
	}
	return rhythm(g, patients, newHubMatcher(g, hubs))
}

// rhythm is Rhythm with a prepared matcher.
func rhythm(g *graph.Graph, patients []graph.NodeID, m hubMatcher) (int, float64) {
	vt := &g.Tables().Visits
	var hist [MaxPeriod + 2]int // hist[d] = intervals of d days; MaxPeriod+1 holds longer ones
	total := 0
	for _, p := range patients {
		if g.Kind(p) != graph.KindPatient {
			continue
		}
		last := claims.NoDate
		for _, v := range g.VisitsOf(p) { // sorted by time
			if !m.match(v) {
				continue
			}
			d := vt.Begin.At(v).Day()
			if gap := int64(d) - int64(last); last != claims.NoDate && gap > 0 {
				hist[min(gap, MaxPeriod+1)]++
				total++
			}
			last = d
		}
	}
	return bestPeriod(&hist, total)
}

// bestPeriod picks the period from an interval histogram.
func bestPeriod(hist *[MaxPeriod + 2]int, total int) (int, float64) {
	if total == 0 {
		return 0, 0
	}
	best, bestWin, bestExact := 0, 0, 0
	for p := MinPeriod; p <= MaxPeriod; p++ {
		win := hist[p-1] + hist[p]
		if p+1 <= MaxPeriod {
			win += hist[p+1]
		}
		if win > bestWin || (win == bestWin && hist[p] > bestExact) {
			best, bestWin, bestExact = p, win, hist[p]
		}
	}
	share := float64(bestWin) / float64(total)
	if best == 0 || total < MinIntervals || share < MinPeriodShare {
		return 0, share
	}
	return best, share
}
