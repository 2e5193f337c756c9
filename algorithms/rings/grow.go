package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
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
	var joined []uint32
	added := 0
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
			c.patients = append(c.patients, s.g.PatientNode(x))
			c.widenedPeople = append(c.widenedPeople, s.g.PatientNode(x))
			joined = append(joined, active[x]...)
			added++
		}
	}
	if added > 0 {
		slices.Sort(joined)
		c.visits = append(c.visits, joined...)
		c.widenedPeople = sortedUniq(c.widenedPeople)
		c.widenedVisits = sortedUniq(append(c.widenedVisits, joined...))
		c.facts = append(c.facts, fact{id: FactRegulars, visits: joined,
			params: map[string]float64{"regular_excess_share": p.RegularExcessShare, "repeat_visits": float64(s.repeat), "joined": float64(added)},
			detail: fmt.Sprintf("%d more people who came at least %d times to its sites, whose regulars are at least %.0f%% beyond their class's share, joined it",
				added, s.repeat, 100*p.RegularExcessShare),
			detailZh: fmt.Sprintf("另有%d人至少%d次到其机构就诊（这些机构的常客至少%.0f%%超出同类机构比例），并入该团伙",
				added, s.repeat, 100*p.RegularExcessShare)})
	}
	c.normalise()
	return added
}
