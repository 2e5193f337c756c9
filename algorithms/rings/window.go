package rings

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// maxWindowBins caps the bins of the window scan: a period longer than
// two years is binned by several days, so that the scan's cost (quadratic
// in the bins holding visits) does not grow with the data's years.
const maxWindowBins = 732

// timeWindow is a half-open range [from, to) of bins of the window scan.
type timeWindow struct{ from, to int }

// windowScan holds the daily counts of a ring's visits over the data
// period for the operation-window scan (operationWindows).
type windowScan struct {
	counts []int // visits per bin
	binLen int64 // seconds per bin
	origin claims.Time
}

// newWindowScan bins the begin times of visits vs (NoTime skipped) over the
// data period [first, last] of s, by days or, past maxWindowBins days, by
// as many days as keep the bins within it.
func (s *state) newWindowScan(vs []uint32) *windowScan {
	const day = 86400
	days := int64(s.last-s.first)/day + 1
	perBin := (days + maxWindowBins - 1) / maxWindowBins
	ws := &windowScan{counts: make([]int, (days+perBin-1)/perBin), binLen: perBin * day, origin: s.first}
	for _, v := range vs {
		if b := ws.bin(s.t.Visits.Begin.At(v)); b >= 0 {
			ws.counts[b]++
		}
	}
	return ws
}

// bin returns the bin of time t, -1 for NoTime or outside the period.
func (ws *windowScan) bin(t claims.Time) int {
	if t == claims.NoTime || t < ws.origin {
		return -1
	}
	b := int64(t-ws.origin) / ws.binLen
	if b >= int64(len(ws.counts)) {
		return -1
	}
	return int(b)
}

// operationWindows returns the windows of time in which the binned visits
// are concentrated, found one after another by a scan statistic
// (Kulldorff, "A spatial scan statistic", Commun. Stat. Theory Methods
// 26(6), 1997, in time alone): the window of at least minBins bins whose
// share of the visits most exceeds its share of the period (the binomial
// log-likelihood ratio) is kept when it spans at most maxShare of the
// period, its visits come at rateRatio times the rate of the visits
// outside it or more, and its count is beyond chance at minSig +
// log10(windows tested) (the binomial tail); its visits and time are then
// taken out and the scan repeats on the rest, at most maxCount times. None
// when the visits are not concentrated: a ring active all year, or one
// whose busiest months hold the ordinary ups and downs of its care.
func (ws *windowScan) operationWindows(minBins, maxCount int, maxShare, rateRatio, minSig float64) []timeWindow {
	counts := slices.Clone(ws.counts)
	period := float64(len(counts))
	left := period // bins not yet taken by a window
	var out []timeWindow
	for len(out) < maxCount {
		w, occupied, ok := bestWindow(counts, left, minBins)
		if !ok {
			break
		}
		n, k := 0, 0
		for i, c := range counts {
			n += c
			if i >= w.from && i < w.to {
				k += c
			}
		}
		span := float64(max(w.to-w.from, minBins))
		if span > maxShare*period || span >= left {
			break
		}
		if n > k && float64(k)/span < rateRatio*float64(n-k)/(left-span) {
			break
		}
		tail := distuv.Binomial{N: float64(n), P: span / left}.Survival(float64(k - 1))
		if math.Log10(tail) > -(minSig + math.Log10(float64(occupied*(occupied+1)/2))) {
			break
		}
		out = append(out, w)
		for i := w.from; i < w.to; i++ {
			counts[i] = 0
		}
		left -= span
	}
	return out
}

// bestWindow returns the window of counts (from a bin holding visits to
// one holding visits, at least minBins long) whose share of the visits
// most exceeds its share of period bins, by the binomial log-likelihood
// ratio, and the number of bins holding visits (the windows tested are
// their pairs); false when no window holds more than its share.
func bestWindow(counts []int, period float64, minBins int) (timeWindow, int, bool) {
	cum := make([]int, len(counts)+1)
	var occupied []int
	for i, c := range counts {
		cum[i+1] = cum[i] + c
		if c > 0 {
			occupied = append(occupied, i)
		}
	}
	n := float64(cum[len(counts)])
	best, bestLLR := timeWindow{}, 0.0
	for a, from := range occupied {
		for _, last := range occupied[a:] {
			k := float64(cum[last+1] - cum[from])
			p := float64(max(last+1-from, minBins)) / period
			if p >= 1 || k/n <= p {
				continue
			}
			llr := k * math.Log(k/(n*p))
			if n > k {
				llr += (n - k) * math.Log((n-k)/(n*(1-p)))
			}
			if llr > bestLLR {
				best, bestLLR = timeWindow{from, last + 1}, llr
			}
		}
	}
	return best, len(occupied), bestLLR > 0
}

// trimOffWindow leaves out of c, a ring of at least twice min_ring_people
// people, the people most of whose ring visits fall outside its operation
// windows (operationWindows over its visits: at least window_min_days
// long, at most window_max_count of them, each at most window_max_share of
// the data period and window_rate_ratio times as busy as the ring's time
// outside them), when at least min_ring_people stay, and says so (fact
// G-OFF-WINDOW). An operation runs for months: its recruits come while it
// does; the site's ordinary patients, whom the ring's tests take in with
// them (billed above peers at a clinic that overbills everyone, say), come
// in any month. It returns the number of people left out.
func (s *state) trimOffWindow(c *candidate) int {
	p := &s.opt.Params
	if p.WindowRateRatio <= 0 || len(c.patients) < 2*p.MinRingPeople || s.last <= s.first {
		return 0
	}
	vt := &s.t.Visits
	var vs []uint32
	for _, v := range c.visits {
		if s.live(v) {
			vs = append(vs, v)
		}
	}
	ws := s.newWindowScan(vs)
	minBins := max(1, int((int64(p.WindowMinDays)*86400+ws.binLen-1)/ws.binLen))
	wins := ws.operationWindows(minBins, p.WindowMaxCount, p.WindowMaxShare, p.WindowRateRatio, p.MinSignificance)
	if len(wins) == 0 {
		return 0
	}
	inside := func(b int) bool {
		for _, w := range wins {
			if b >= w.from && b < w.to {
				return true
			}
		}
		return false
	}
	in, all := map[uint32]int{}, map[uint32]int{}
	for _, v := range vs {
		x := vt.Person[v]
		all[x]++
		if b := ws.bin(vt.Begin.At(v)); b >= 0 && inside(b) {
			in[x]++
		}
	}
	var out []graph.NodeID
	for _, x := range c.patients {
		if r := s.g.Row(x); 2*in[r] < all[r] {
			out = append(out, x)
		}
	}
	if len(out) == 0 || len(c.patients)-len(out) < p.MinRingPeople {
		return 0
	}
	dropped := s.dropPeople(c, out)
	first := ws.origin + claims.Time(int64(wins[0].from)*ws.binLen)
	last := ws.origin + claims.Time(int64(wins[0].to)*ws.binLen-1)
	c.facts = append(c.facts, fact{id: FactOffWindow, visits: dropped,
		params: map[string]float64{"windows": float64(len(wins)), "window_rate_ratio": p.WindowRateRatio, "left_out": float64(len(out))},
		detail: fmt.Sprintf("%d people most of whose ring visits fall outside the ring's %d operation window(s) (the busiest %s to %s) were left out (%d visits)",
			len(out), len(wins), first.Day(), last.Day(), len(dropped)),
		detailZh: fmt.Sprintf("%d人的团伙就诊大多不在团伙的%d个活跃期内（最集中的为%s至%s），已剔除（%d次就诊）",
			len(out), len(wins), first.Day(), last.Day(), len(dropped))})
	return len(out)
}

// dropPeople takes the people out (sorted) out of c with their visits
// (from its visits, widened visits and facts) and returns the visits
// taken out.
func (s *state) dropPeople(c *candidate, out []graph.NodeID) []uint32 {
	gone := make(map[uint32]bool, len(out))
	for _, x := range out {
		gone[s.g.Row(x)] = true
	}
	vt := &s.t.Visits
	keep := func(vs []uint32) []uint32 {
		return slices.DeleteFunc(vs, func(v uint32) bool { return gone[vt.Person[v]] })
	}
	var dropped []uint32
	for _, v := range c.visits {
		if gone[vt.Person[v]] {
			dropped = append(dropped, v)
		}
	}
	c.patients = without(c.patients, out)
	c.widenedPeople = without(c.widenedPeople, out)
	c.visits = keep(c.visits)
	c.widenedVisits = keep(c.widenedVisits)
	for i := range c.facts {
		c.facts[i].visits = keep(slices.Clone(c.facts[i].visits))
	}
	return dropped
}
