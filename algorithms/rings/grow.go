package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"gonum.org/v1/gonum/stat/distuv"
)

// growWard widens a candidate that is mostly admissions to its ward: the
// other people its ward doctors (each on at least ward_doctor_share of the
// candidate's admissions) admitted at its sites while it was active. The
// tests that form candidates flag people admitted again and again; a ward
// kept full with recruits also holds recruits admitted once or twice, whom
// nothing flags one by one, but whose admissions the same doctors sign in
// the same months. It returns the number of people added.
func (s *state) growWard(c *candidate) int {
	p := &s.opt.Params
	if p.WardDoctorShare <= 0 || len(c.visits) == 0 {
		return 0
	}
	vt := &s.t.Visits
	in := 0
	first, last := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	docs := newCounter[uint32]()
	for _, v := range c.visits {
		if !vt.MedType[v].Inpatient() {
			continue
		}
		in++
		first, last = min(first, vt.Begin[v]), max(last, vt.Begin[v])
		if d := vt.Doctor[v]; s.doctorOK(d) {
			docs.add(d, 1)
		}
	}
	if 2*in < len(c.visits) {
		return 0
	}
	ward := make(map[uint32]bool)
	for _, d := range docs.keys {
		if float64(docs.n[d]) >= p.WardDoctorShare*float64(in) {
			ward[d] = true
		}
	}
	if len(ward) == 0 {
		return 0
	}
	members := make(map[uint32]bool, len(c.patients))
	for _, n := range c.patients {
		members[s.g.Row(n)] = true
	}
	added := 0
	stays := make(map[uint32][]uint32)
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		for _, v := range s.visitsOf(h) {
			if !s.live(v) || !vt.MedType[v].Inpatient() || !ward[vt.Doctor[v]] || vt.Begin[v] < first || vt.Begin[v] > last {
				continue
			}
			x := vt.Person[v]
			if members[x] {
				c.visits = append(c.visits, v)
				continue
			}
			stays[x] = append(stays[x], v)
		}
	}
	var joined []uint32
	for x, vs := range stays {
		if len(vs) < p.WardStays {
			continue
		}
		c.patients = append(c.patients, s.g.PatientNode(x))
		joined = append(joined, vs...)
		added++
	}
	if added > 0 {
		slices.Sort(joined)
		c.visits = append(c.visits, joined...)
		c.facts = append(c.facts, fact{id: FactWard, visits: joined,
			params: map[string]float64{"ward_doctor_share": p.WardDoctorShare, "ward_stays": float64(p.WardStays), "joined": float64(added), "doctors": float64(len(ward))},
			detail: fmt.Sprintf("%d more people admitted at least %d times by the ring's %d ward doctors (each on at least %.0f%% of its admissions) at its sites while it was active joined it",
				added, p.WardStays, len(ward), 100*p.WardDoctorShare),
			detailZh: fmt.Sprintf("另有%d人在团伙活跃期间于其机构由其%d名病区医师（各占其住院的%.0f%%以上）收治至少%d次，并入该团伙",
				added, len(ward), 100*p.WardDoctorShare, p.WardStays)})
	}
	c.normalise()
	return added
}

// siteRegulars is a site's count of regulars (returning people with the
// period's repeat visits there) and the count its class's ordinary share
// of regulars among returning people predicts.
type siteRegulars struct {
	n        int32
	expected float64
}

// regularExcess returns, per site index, its regulars and their expected
// count: its returning people times the relation-weighted median share of
// regulars among the returning people of its class's sites.
func (s *state) regularExcess(lo int, tally []siteTally) []siteRegulars {
	shares, _ := s.classShares(lo, tally, nil, func(t siteTally) (n, f int32) { return t.relations, t.regulars })
	var rate [nClasses]float64
	for cl := range rate {
		rate[cl] = weightedQuantile(shares[cl], 0.5)
	}
	out := make([]siteRegulars, len(tally))
	for i, t := range tally {
		out[i] = siteRegulars{n: t.regulars, expected: rate[s.g.Class(graph.NodeID(lo+i))] * float64(t.relations)}
	}
	return out
}

// growRegulars widens a candidate to the regulars of its medical sites
// where they are the candidate's. A ring that keeps hundreds of recruits
// coming makes a site's regulars its own; the tests that form candidates
// flag those billed dearest, and the rest, billed like the site's other
// people, come just as often in the same months. At a site whose regulars
// are far beyond what its class's ordinary share explains (at least
// regular_excess_share of them in excess), where most of the candidate's
// people are regulars and they are at least regular_core_share of the
// site's regulars, the site's other regulars with at least
// min_relation_visits visits while the candidate was active there join
// it. A candidate holding a few of a site's regulars (a nursing home's
// sickest residents) is not widened to all of them. Only candidates of the
// relation-excess test are widened: a lockstep block, a cohort or a
// signature is exactly the people who share it. It returns the number of
// people added.
func (s *state) growRegulars(c *candidate) int {
	p := &s.opt.Params
	if p.RegularExcessShare <= 0 || len(s.regulars) == 0 || len(c.visits) == 0 || c.source != SourceRelationExcess {
		return 0
	}
	vt := &s.t.Visits
	members := make(map[uint32]bool, len(c.patients))
	for _, n := range c.patients {
		members[s.g.Row(n)] = true
	}
	var people []graph.NodeID
	var joined []uint32
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		r := s.regulars[s.siteIndex(h)]
		if int(r.n) < p.MinRingPeople || float64(r.n)-r.expected < p.RegularExcessShare*float64(r.n) {
			continue
		}
		first, last := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
		for _, v := range c.visits {
			if s.instNode(v) == h {
				first, last = min(first, vt.Begin[v]), max(last, vt.Begin[v])
			}
		}
		all := newCounter[uint32]()
		active := make(map[uint32][]uint32)
		for _, v := range s.visitsOf(h) {
			if !s.live(v) {
				continue
			}
			x := vt.Person[v]
			all.add(x, 1)
			if vt.Begin[v] >= first && vt.Begin[v] <= last {
				active[x] = append(active[x], v)
			}
		}
		at, regular := 0, 0
		for _, x := range all.keys {
			if members[x] {
				at++
				if all.n[x] >= s.repeat {
					regular++
				}
			}
		}
		if regular == 0 || 2*regular < at || float64(regular) < p.RegularCoreShare*float64(r.n) {
			continue
		}
		for _, x := range all.keys {
			if members[x] || all.n[x] < s.repeat || len(active[x]) < p.MinRelationVisits {
				continue
			}
			members[x] = true
			people = append(people, s.g.PatientNode(x))
			joined = append(joined, active[x]...)
		}
	}
	return c.widen(people, joined, func(added int) fact {
		return fact{id: FactRegulars,
			params: map[string]float64{"regular_excess_share": p.RegularExcessShare, "repeat_visits": float64(s.repeat), "joined": float64(added)},
			detail: fmt.Sprintf("%d more people who came at least %d times to its sites, whose regulars are at least %.0f%% beyond their class's share, joined it",
				added, s.repeat, 100*p.RegularExcessShare),
			detailZh: fmt.Sprintf("另有%d人至少%d次到其机构就诊（这些机构的常客至少%.0f%%超出同类机构比例），并入该团伙",
				added, s.repeat, 100*p.RegularExcessShare)}
	})
}

// widen adds people and their visits joined to c as widened members
// (counted in its size and money, not in its evidence; see finish), with
// the fact why(len(people)) says why, and returns the number of people
// added; nothing, and no fact, when people is empty.
func (c *candidate) widen(people []graph.NodeID, joined []uint32, why func(added int) fact) int {
	if len(people) > 0 {
		slices.Sort(joined)
		c.patients = append(c.patients, people...)
		c.visits = append(c.visits, joined...)
		c.widenedPeople = sortedUniq(append(c.widenedPeople, people...))
		c.widenedVisits = sortedUniq(append(c.widenedVisits, joined...))
		f := why(len(people))
		f.visits = joined
		c.facts = append(c.facts, f)
	}
	c.normalise()
	return len(people)
}

// growAdmissions widens a candidate to the other people admitted at its
// medical sites while it was active there, billed as its people were,
// where those admissions are the ring's. The tests that form candidates
// flag people admitted again and again or billed far above peers; a ward
// filled with hundreds of recruits also holds those admitted once or
// twice, whom nothing flags one by one, and without doctors on the visits
// growWard cannot find them. At a site where at least half of the
// candidate's people there were admitted, the candidate's admissions
// there set a band (admitBand: cost, fund share and length of stay); the
// other people's admissions inside the band between the candidate's first
// and last admission there are compared with what the site's admissions
// inside the band at other times predict. When at least admit_grow_share
// of them are beyond that (at least min_ring_people), and their split
// between the two times is no chance at min_significance + log10(the
// candidate's sites), the people admitted so join. A site whose time
// outside the candidate's is shorter than onset_window_days is not judged
// (a ring active all year leaves nothing to compare with). It returns the
// number of people added.
func (s *state) growAdmissions(c *candidate) int {
	p := &s.opt.Params
	if p.AdmitGrowShare <= 0 || len(c.visits) == 0 {
		return 0
	}
	vt := &s.t.Visits
	members := make(map[uint32]bool, len(c.patients))
	for _, n := range c.patients {
		members[s.g.Row(n)] = true
	}
	const day = 86400
	minSig := p.MinSignificance + math.Log10(float64(max(len(c.insts), 1)))
	var people []graph.NodeID
	var joined []uint32
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		here := make(map[uint32]bool)
		admitted := make(map[uint32]bool)
		var stays []uint32
		first, last := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
		for _, v := range c.visits {
			if s.instNode(v) != h {
				continue
			}
			here[vt.Person[v]] = true
			if vt.MedType[v].Inpatient() {
				admitted[vt.Person[v]] = true
				stays = append(stays, v)
				first, last = min(first, vt.Begin[v]), max(last, vt.Begin[v])
			}
		}
		if len(admitted) < p.MinRingPeople || 2*len(admitted) < len(here) {
			continue
		}
		band := s.admitBand(stays)
		from, to := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
		in := make(map[uint32][]uint32)
		nIn, nOut := 0, 0
		for _, v := range s.visitsOf(h) {
			if !s.live(v) {
				continue
			}
			from, to = min(from, vt.Begin[v]), max(to, vt.Begin[v])
			if x := vt.Person[v]; vt.MedType[v].Inpatient() && !members[x] && band.holds(vt, v) {
				if vt.Begin[v] >= first && vt.Begin[v] <= last {
					in[x] = append(in[x], v)
					nIn++
				} else {
					nOut++
				}
			}
		}
		window := float64(last-first)/day + 1
		outside := float64(to-from)/day + 1 - window
		if outside < float64(p.OnsetWindowDays) {
			continue
		}
		// The excess is measured against the rate outside the window; that
		// it is no chance is asked of the split of all such admissions
		// between the window and the rest of the site's time, which holds
		// when the outside is short and sparse (a few weeks whose handful
		// of admissions predict nothing).
		excess := float64(nIn) - float64(nOut)*window/outside
		split := distuv.Binomial{N: float64(nIn + nOut), P: window / (window + outside)}
		if excess < p.AdmitGrowShare*float64(nIn) || excess < float64(p.MinRingPeople) ||
			math.Log10(split.Survival(float64(nIn-1))) > -minSig {
			continue
		}
		xs := make([]uint32, 0, len(in))
		for x := range in {
			xs = append(xs, x)
		}
		slices.Sort(xs)
		for _, x := range xs {
			members[x] = true
			people = append(people, s.g.PatientNode(x))
			joined = append(joined, in[x]...)
		}
	}
	return c.widen(people, joined, func(added int) fact {
		return fact{id: FactAdmitSurge,
			params: map[string]float64{"admit_grow_share": p.AdmitGrowShare, "joined": float64(added)},
			detail: fmt.Sprintf("%d more people admitted at its sites while it was active, billed and kept as its people were, joined it: at least %.0f%% of those admissions are beyond what the sites' like admissions at other times predict",
				added, 100*p.AdmitGrowShare),
			detailZh: fmt.Sprintf("另有%d人在团伙活跃期间于其机构住院，费用与住院天数与团伙成员相同，并入该团伙：这些住院至少%.0f%%超出这些机构其他时期同类住院量的预期",
				added, 100*p.AdmitGrowShare)}
	})
}

// admitBand is the range of a ring's admissions at one site: the 10th to
// 90th percentile of their cost, fund share and length of stay (whole
// days; stays without a discharge time are not measured).
type admitBand struct {
	fee, share, days [2]float64
}

// admitBand returns the band of the admissions stays.
func (s *state) admitBand(stays []uint32) admitBand {
	vt := &s.t.Visits
	var fee, share, days []float64
	for _, v := range stays {
		fee = append(fee, float64(vt.MedFee[v]))
		share = append(share, float64(vt.FundPay[v])/math.Max(float64(vt.MedFee[v]), 1))
		if vt.End[v] != claims.NoTime {
			days = append(days, math.Floor(float64(vt.End[v]-vt.Begin[v])/86400))
		}
	}
	span := func(xs []float64) [2]float64 {
		if len(xs) == 0 {
			return [2]float64{math.Inf(-1), math.Inf(1)}
		}
		slices.Sort(xs)
		return [2]float64{xs[len(xs)/10], xs[(len(xs)*9)/10]}
	}
	return admitBand{fee: span(fee), share: span(share), days: span(days)}
}

// holds reports whether admission v lies inside the band.
func (b admitBand) holds(vt *graph.VisitTable, v uint32) bool {
	in := func(x float64, r [2]float64) bool { return x >= r[0] && x <= r[1] }
	if !in(float64(vt.MedFee[v]), b.fee) || !in(float64(vt.FundPay[v])/math.Max(float64(vt.MedFee[v]), 1), b.share) {
		return false
	}
	return vt.End[v] == claims.NoTime || in(math.Floor(float64(vt.End[v]-vt.Begin[v])/86400), b.days)
}
