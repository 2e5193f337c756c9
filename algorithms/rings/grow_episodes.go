package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// episodeWeeksShare is the share of a candidate's outpatient visits or
// purchases at a site whose shortest stretch of time is the candidate's
// weeks there (growEpisodes): its people's ordinary care before and after
// the operation must not widen them.
const episodeWeeksShare = 0.8

// densestSpan returns the shortest stretch [first, last] of times holding
// share of them (sorted in place).
func densestSpan(times []claims.Time, share float64) (first, last claims.Time) {
	slices.Sort(times)
	k := max(int(math.Ceil(share*float64(len(times)))), 1) // times the stretch holds
	first, last = times[0], times[len(times)-1]
	for i := 0; i+k <= len(times); i++ {
		if times[i+k-1]-times[i] < last-first {
			first, last = times[i], times[i+k-1]
		}
	}
	return first, last
}

// episode is one person's outpatient visits or purchases at one site, as
// growEpisodes sees them: their number, how many lie inside a ring's
// band, and the first and the last.
type episode struct {
	visits, inBand int
	first, last    claims.Time
}

// growEpisodes widens a candidate to the other people whose whole stay at
// one of its sites (outpatient visits or pharmacy purchases) fell inside
// the weeks it was active there, billed as its people were, where such
// short stays are far more common in those weeks than at the site's other
// times. A ring that recruits people for a few weeks brings hundreds of
// card holders who come two or five times and never again; the tests that
// form candidates find those who came most often (onsets of
// onset_min_visits visits, crowded slots they came to twice), and the rest
// look like anyone's short illness, one by one. Together they are a surge
// of short stays in the ring's weeks.
//
// At a site where at least min_ring_people of the candidate's people, and
// half of them, came as outpatients or customers, the candidate's visits
// there set the weeks (the shortest stretch of time holding
// episodeWeeksShare of them, widened at each end by half of the rest of an
// operation that visits evenly through its weeks) and the band (admitBand: the 10th
// to 90th percentile of their cost and fund share). Every other person's
// visits of that kind at the site make an episode when they are at least
// episode_min_visits, span no more than the weeks, and at least half lie
// in the band; it is inside when it begins and ends within the weeks.
// Under the null a short stay of span d days lies anywhere its span fits
// in the site's period (from its first live visit to its last), inside
// the weeks with chance (weeks − d) / (period − d); the sum over the
// site's short stays is the inside stays chance explains. When at least
// episode_grow_share of the inside stays (and min_ring_people) are
// beyond it, and their count is no chance (Poisson tail at
// min_significance + log10(the candidate's sites)), the inside stays'
// people join with those visits. A site whose other time is shorter than
// onset_window_days is not judged. The chance counts the ring's own short
// stays too, so a ring whose weeks are more than 1 − episode_grow_share of
// the site's period cannot pass: one active all year leaves no weeks to
// compare. Like growAdmissions (its counterpart for admissions), it
// widens the members, not the evidence. It returns the number of people
// added.
func (s *state) growEpisodes(c *candidate) int {
	p := &s.opt.Params
	if p.EpisodeGrowShare <= 0 || len(c.visits) == 0 {
		return 0
	}
	vt := &s.t.Visits
	members := s.memberRows(c)
	const day = 86400
	minSig := p.MinSignificance + math.Log10(float64(max(len(c.insts), 1)))
	var people []graph.NodeID
	var joined []uint32
	inside, chance := 0, 0.0 // short stays inside the weeks where they joined, and what chance gives there
	for _, h := range c.insts {
		ours := s.siteCare(c, h, false)
		if ours == nil {
			continue
		}
		times := make([]claims.Time, len(ours))
		for i, v := range ours {
			times[i] = vt.Begin.At(v)
		}
		first, last := densestSpan(times, episodeWeeksShare)
		// The stretch holds episodeWeeksShare of an operation visiting
		// evenly through its weeks: widened by the rest, half at each end.
		widen := claims.Time(float64(last-first) * (1/episodeWeeksShare - 1) / 2)
		first, last = first-widen, last+widen
		band := s.admitBand(ours)
		eps := make(map[uint32]*episode)
		var order []uint32
		from, to := claims.Time(math.MaxInt64), claims.Time(math.MinInt64) // the site's period
		for _, v := range s.visitsOf(h) {
			if !s.live(v) || vt.Begin.At(v) == claims.NoTime {
				continue
			}
			from, to = min(from, vt.Begin.At(v)), max(to, vt.Begin.At(v))
			x := vt.Person[v]
			if members[x] || vt.MedType[v].Inpatient() {
				continue
			}
			e := eps[x]
			if e == nil {
				e = &episode{first: vt.Begin.At(v), last: vt.Begin.At(v)}
				eps[x] = e
				order = append(order, x)
			}
			e.visits++
			if band.holds(vt, v) {
				e.inBand++
			}
			e.first, e.last = min(e.first, vt.Begin.At(v)), max(e.last, vt.Begin.At(v))
		}
		weeks := float64(last-first)/day + 1
		period := float64(to-from)/day + 1
		if period-weeks < float64(p.OnsetWindowDays) {
			continue
		}
		// Under the null a short stay of span d days is anywhere its span
		// fits in the site's period: inside the weeks with chance
		// (weeks − d) / (period − d).
		var in []uint32
		expected := 0.0
		for _, x := range order {
			e := eps[x]
			d := float64(e.last-e.first) / day
			if e.visits < p.EpisodeMinVisits || 2*e.inBand < e.visits || d+1 > weeks {
				continue
			}
			expected += (weeks - 1 - d) / max(period-1-d, 1)
			if e.first >= first && e.last <= last {
				in = append(in, x)
			}
		}
		nIn := len(in)
		excess := float64(nIn) - expected
		if excess < p.EpisodeGrowShare*float64(nIn) || excess < float64(p.MinRingPeople) ||
			poissonTailLog10(nIn, max(expected, minExpected/100)) > -minSig {
			continue
		}
		inside, chance = inside+nIn, chance+expected
		slices.Sort(in)
		joins := make(map[uint32]bool, len(in))
		for _, x := range in {
			joins[x] = true
			members[x] = true
			people = append(people, s.g.PatientNode(x))
		}
		for _, v := range s.visitsOf(h) {
			if joins[vt.Person[v]] && s.live(v) && !vt.MedType[v].Inpatient() && vt.Begin.At(v) != claims.NoTime {
				joined = append(joined, v)
			}
		}
	}
	return c.widen(people, joined, func(added int) fact {
		return fact{id: FactEpisodes,
			params: map[string]float64{"episode_grow_share": p.EpisodeGrowShare, "episode_min_visits": float64(p.EpisodeMinVisits), "joined": float64(added),
				"inside": float64(inside), "expected": chance},
			detail: fmt.Sprintf("%d more people whose whole stay at its sites (%d visits or more) fell in the weeks it was active there, billed as its people were, joined it: %d such short stays lie in those weeks, where chance (the sites' short stays of the same lengths placed anywhere in their year) gives %.1f",
				added, p.EpisodeMinVisits, inside, chance),
			detailZh: fmt.Sprintf("另有%d人在其机构的全部就诊（至少%d次）均落在团伙活跃的数周内，费用与团伙成员相同，并入该团伙：这几周内有此类短期就诊者%d人，而将这些机构同等时长的短期就诊随机置于全年，偶然情况下约为%.1f人",
				added, p.EpisodeMinVisits, inside, chance)}
	})
}
