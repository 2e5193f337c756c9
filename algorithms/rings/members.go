package rings

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// memberStat is one member's share of its ring's own evidence: the ring
// visits it takes part in (as patient, institution or attending doctor),
// their net fund, the rule hits assigned to the ring that name it, and its
// first and last ring visit.
type memberStat struct {
	visits      int
	fund        claims.Money
	hits        int
	first, last claims.Time
}

// memberStats returns the statistics of every member of c over c's visits
// (the rows behind its amount at risk) and the rule hits assigned to its
// ring (c.ringHits). Members without any ring visit have zero statistics
// and NoTime bounds.
func (s *state) memberStats(c *candidate) map[graph.NodeID]*memberStat {
	g, vt := s.g, &s.t.Visits
	out := make(map[graph.NodeID]*memberStat, c.members())
	for _, x := range members(c) {
		out[x] = &memberStat{first: claims.NoTime, last: claims.NoTime}
	}
	visit := func(x graph.NodeID, v uint32) {
		m := out[x]
		if m == nil {
			return
		}
		m.visits++
		m.fund += vt.FundPay.At(v)
		if b := vt.Begin.At(v); b != claims.NoTime {
			if m.first == claims.NoTime || b < m.first {
				m.first = b
			}
			if m.last == claims.NoTime || b > m.last {
				m.last = b
			}
		}
	}
	for _, v := range c.visits {
		if !s.live(v) {
			continue
		}
		visit(g.PatientNode(vt.Person[v]), v)
		visit(s.instNode(v), v)
		if d := vt.Doctor[v]; s.doctorOK(d) {
			visit(g.DoctorNode(d), v)
		}
	}
	for _, i := range c.ringHits {
		seen := make(map[graph.NodeID]bool)
		s.hitNodes(&s.hits[i], func(x graph.NodeID) {
			if m := out[x]; m != nil && !seen[x] {
				seen[x] = true
				m.hits++
			}
		})
	}
	return out
}

// memberShares returns each member's share of its ring's evidence: the mean of its ring visits against
// the ring's median member's and its fund against the median member's
// (medians floored at one visit and one yuan, so that a ring where most
// members hold no visit of their own does not divide by zero).
func memberShares(stats map[graph.NodeID]*memberStat) map[graph.NodeID]float64 {
	vs := make([]float64, 0, len(stats))
	fs := make([]float64, 0, len(stats))
	for _, m := range stats {
		vs = append(vs, float64(m.visits))
		fs = append(fs, float64(m.fund))
	}
	medV, medF := math.Max(1, median(vs)), math.Max(100, median(fs))
	out := make(map[graph.NodeID]float64, len(stats))
	for x, m := range stats {
		out[x] = (float64(m.visits)/medV + math.Max(0, float64(m.fund))/medF) / 2
	}
	return out
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none; xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// memberScore is the score of a member of a reported ring of score ring
// whose share of the ring's evidence is share (memberShares): 0.5 plus half
// the ring's score scaled by the squashed share,
//
//	0.5 + 0.5 · ring · share/(share + member_share_half),
//
// in [0.5, 1]: the ring's median member scores 0.5 + 0.5·ring·½ at the
// default member_share_half of 1, a member holding many times the median's
// visits and fund (a tout, the organising clinic) nears 0.5 + 0.5·ring, a
// member without ring visits of its own (a card lender named by one hit)
// stays near 0.5.
func memberScore(ring, share, half float64) float64 {
	return math.Max(0.5, math.Min(1, 0.5+0.5*ring*squash(share, half)))
}

// memberScores sets the statistics of each member of reported c (c.stats)
// and its share of c's evidence (c.share); c.ringHits must be set.
func (s *state) memberScores(c *candidate) {
	c.stats = s.memberStats(c)
	c.share = memberShares(c.stats)
	for d, role := range c.roles {
		if role == RoleRegisteredDoctor {
			c.share[d] = math.Max(c.share[d], s.registeredShare(d, c.insts))
		}
	}
}

// registeredShare is the share of a ring's evidence held by doctor d,
// whom no row of the ring names, from its registrations (staff.csv) at the
// ring's medical sites among insts: (k − 1)/(n − 1) for k of the n sites,
// 0 for a ring of one medical site. Where visits name no doctor, the
// doctors registered at a ring's sites are all its doctors, the honest
// among them too; a doctor registered at every site of an operation is
// its own (the Huli clinics shared their doctors), one registered at one
// of them as likely that site's alone.
func (s *state) registeredShare(d graph.NodeID, insts []graph.NodeID) float64 {
	g := s.g
	n := 0
	for _, h := range insts {
		if g.Kind(h) == graph.KindInstitution {
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(max(s.registeredAmong(d, insts)-1, 0)) / float64(n-1)
}

// registeredAmong returns the number of medical sites among insts (sorted)
// at which doctor d is registered (staff.csv).
func (s *state) registeredAmong(d graph.NodeID, insts []graph.NodeID) int {
	k, _ := s.registrations(d, func(h graph.NodeID) bool { return s.g.Kind(h) == graph.KindInstitution && contains(insts, h) })
	return k
}

// trimPeripheral leaves out of c, a ring of at least twice min_ring_people
// people, the people holding less than trim_share of its median person's
// share of its visits and fund (memberStats) when they are at most
// trim_max_share of its people, and the people below a clean break of
// core_gap in both visits and fund (coreCut) however many they are, and
// says so (fact G-TRIMMED). People two merged candidates both held, and
// people a widening took in on its own test, are not left out. The
// generators and widenings take people by what they share with the ring (a
// window of arrivals, a site's admissions, a merged group), and with the
// recruits come a few who share it by chance: a family member who came
// once with a recruit, an ordinary patient admitted in the ring's months.
// They hold a fraction of the recruits' ring visits and money. It returns
// the number of people left out.
func (s *state) trimPeripheral(c *candidate) int {
	p := &s.opt.Params
	if p.TrimShare <= 0 && p.CoreGap <= 0 || len(c.patients) < 2*p.MinRingPeople {
		return 0
	}
	stats := s.memberStats(c)
	people := make(map[graph.NodeID]*memberStat, len(c.patients))
	for _, x := range c.patients {
		people[x] = stats[x]
	}
	share := memberShares(people)
	var out []graph.NodeID
	for _, x := range c.patients {
		if share[x] < p.TrimShare && !contains(c.twice, x) && !contains(c.widenedPeople, x) {
			out = append(out, x)
		}
	}
	if float64(len(out)) > p.TrimMaxShare*float64(len(c.patients)) {
		// Many light people: the ring's people differ in weight by its
		// design (a few heavy organisers, many light recruits), not by
		// chance.
		out = nil
	}
	light := len(out)
	var below []graph.NodeID
	if p.CoreGap > 0 {
		below = coreCut(c.patients, c.twice, c.widenedPeople, people, share, p.MinRingPeople, p.CoreGap)
		out = sortedUniq(append(out, below...))
	}
	if len(out) == 0 {
		return 0
	}
	dropped := s.dropPeople(c, out)
	params := map[string]float64{"trim_share": p.TrimShare, "left_out": float64(len(out))}
	why := fmt.Sprintf("holding less than %.0f%% of the median person's ring visits and money", 100*p.TrimShare)
	whyZh := fmt.Sprintf("团伙就诊次数与金额不足中位成员的%.0f%%", 100*p.TrimShare)
	if len(below) > 0 {
		params["core_gap"] = p.CoreGap
		core := len(c.patients) + len(out) - len(below)
		cut := fmt.Sprintf("holding less than 1/%s of the ring visits and of the money of each of the ring's %d core people",
			strconv.FormatFloat(p.CoreGap, 'g', -1, 64), core)
		cutZh := fmt.Sprintf("团伙就诊次数与金额均不足核心%d人中任何一人的1/%s", core, strconv.FormatFloat(p.CoreGap, 'g', -1, 64))
		if light == 0 {
			why, whyZh = cut, cutZh
		} else {
			why, whyZh = why+", or "+cut, whyZh+"，或"+cutZh
		}
	}
	c.facts = append(c.facts, fact{id: FactTrimmed, visits: dropped, params: params,
		detail:   fmt.Sprintf("%d people %s were left out (%d visits)", len(out), why, len(dropped)),
		detailZh: fmt.Sprintf("%d人%s，已剔除（%d次就诊）", len(out), whyZh, len(dropped))})
	return len(out)
}

// coreCut returns the people of ps below the widest clean break in their
// weight, those in twice or widened (sorted) excepted: ordered by share
// (memberShares), the first k people (at least minPeople) each hold at
// least gap times the ring visits and gap times the ring fund of everyone
// after them (stats). None when no break is that clean. A ring of a few
// recruits billed again and again at a busy site takes in the site's
// ordinary people flagged with it (billed above peers at a clinic that
// overbills everyone, say): they hold a small part of what the recruits
// do and can outnumber them, so that trim_share, taken against the median
// person, sees no one light. Members who differ by design differ in one
// of the two (a ring mixing stays and visits bills its inpatients ten
// times the fund for the same visits), not in both.
func coreCut(ps, twice, widened []graph.NodeID, stats map[graph.NodeID]*memberStat, share map[graph.NodeID]float64, minPeople int, gap float64) []graph.NodeID {
	order := slices.Clone(ps)
	slices.SortStableFunc(order, func(a, b graph.NodeID) int { return cmp.Compare(share[b], share[a]) })
	n := len(order)
	// restV[k], restF[k]: the most visits and fund of order[k:].
	restV := make([]float64, n+1)
	restF := make([]float64, n+1)
	for i := n - 1; i >= 0; i-- {
		restV[i] = math.Max(restV[i+1], float64(stats[order[i]].visits))
		restF[i] = math.Max(restF[i+1], math.Max(0, float64(stats[order[i]].fund)))
	}
	cut, widest := -1, gap
	coreV, coreF := math.Inf(1), math.Inf(1)
	for k := 1; k < n; k++ {
		coreV = math.Min(coreV, float64(stats[order[k-1]].visits))
		coreF = math.Min(coreF, float64(stats[order[k-1]].fund))
		if k < minPeople {
			continue
		}
		if r := math.Min(coreV/math.Max(restV[k], 1), coreF/math.Max(restF[k], 1)); r >= widest {
			cut, widest = k, r
		}
	}
	if cut < 0 {
		return nil
	}
	var out []graph.NodeID
	for _, x := range order[cut:] {
		if !contains(twice, x) && !contains(widened, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
