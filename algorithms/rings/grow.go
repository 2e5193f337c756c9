package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"gonum.org/v1/gonum/stat/distuv"
)

// memberRows returns the Persons rows of c's patients, as a set the
// widening steps add their people to.
func (s *state) memberRows(c *candidate) map[uint32]bool {
	members := make(map[uint32]bool, len(c.patients))
	for _, n := range c.patients {
		members[s.g.Row(n)] = true
	}
	return members
}

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
		first, last = min(first, vt.Begin.At(v)), max(last, vt.Begin.At(v))
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
	members := s.memberRows(c)
	added := 0
	stays := make(map[uint32][]uint32)
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		for _, v := range s.visitsOf(h) {
			if !s.live(v) || !vt.MedType[v].Inpatient() || !ward[vt.Doctor[v]] || vt.Begin.At(v) < first || vt.Begin.At(v) > last {
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
	members := s.memberRows(c)
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
				first, last = min(first, vt.Begin.At(v)), max(last, vt.Begin.At(v))
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
			if vt.Begin.At(v) >= first && vt.Begin.At(v) <= last {
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
	members := s.memberRows(c)
	const day = 86400
	minSig := p.MinSignificance + math.Log10(float64(max(len(c.insts), 1)))
	var people []graph.NodeID
	var joined []uint32
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		stays := s.siteCare(c, h, true)
		if stays == nil {
			continue
		}
		first, last := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
		for _, v := range stays {
			first, last = min(first, vt.Begin.At(v)), max(last, vt.Begin.At(v))
		}
		band := s.admitBand(stays)
		from, to := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
		in := make(map[uint32][]uint32)
		nIn, nOut := 0, 0
		for _, v := range s.visitsOf(h) {
			if !s.live(v) {
				continue
			}
			from, to = min(from, vt.Begin.At(v)), max(to, vt.Begin.At(v))
			if x := vt.Person[v]; vt.MedType[v].Inpatient() && !members[x] && band.holds(vt, v) {
				if vt.Begin.At(v) >= first && vt.Begin.At(v) <= last {
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

// siteCare returns c's visits at site h that are admissions (inpatient)
// or not, when their people are min_ring_people or more and at least half
// of c's people there (the site is the candidate's for that kind of
// care), and nil otherwise: the ground growAdmissions and growEpisodes
// compare a site's other people with.
func (s *state) siteCare(c *candidate, h graph.NodeID, inpatient bool) []uint32 {
	vt := &s.t.Visits
	here := make(map[uint32]bool)
	kind := make(map[uint32]bool)
	var out []uint32
	for _, v := range c.visits {
		if s.instNode(v) != h {
			continue
		}
		here[vt.Person[v]] = true
		if vt.MedType[v].Inpatient() == inpatient {
			kind[vt.Person[v]] = true
			out = append(out, v)
		}
	}
	if len(kind) < s.opt.Params.MinRingPeople || 2*len(kind) < len(here) {
		return nil
	}
	return out
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
		fee = append(fee, float64(vt.MedFee.At(v)))
		share = append(share, float64(vt.FundPay.At(v))/math.Max(float64(vt.MedFee.At(v)), 1))
		if vt.End.At(v) != claims.NoTime {
			days = append(days, math.Floor(float64(vt.End.At(v)-vt.Begin.At(v))/86400))
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
	if !in(float64(vt.MedFee.At(v)), b.fee) || !in(float64(vt.FundPay.At(v))/math.Max(float64(vt.MedFee.At(v)), 1), b.share) {
		return false
	}
	return vt.End.At(v) == claims.NoTime || in(math.Floor(float64(vt.End.At(v)-vt.Begin.At(v))/86400), b.days)
}

// growSites widens a scored candidate to the other sites its people go to
// together: a ring's recruits are brought to all of its clinics, while the
// tests that form candidates may have seeded only the one where they are
// billed most. A site h outside the candidate holds at least
// grow_site_share of its people (and growSiteMinPeople) with a live visit
// there; it is
// compared with the candidate's neighbours, the other people with a live
// visit at its sites, who live where its people live and use the same
// clinics, pharmacies and hospitals nearby: their share q with a visit at
// h predicts n·q of the candidate's n people, and h joins when the count
// is flagged_lift times that and its Poisson tail is beyond
// min_significance + log10(sites tested). The site joins with the
// candidate's people's visits there and the doctors of at least
// min_doctor_visits of them, as widened visits (money, not evidence); no
// person joins. Only candidates scoring at least report_score are widened.
// It returns the number of sites added.
func (s *state) growSites(c *candidate) int {
	p := &s.opt.Params
	if p.GrowSiteShare <= 0 || c.score < p.ReportScore || len(c.insts) == 0 || !c.typologyFree() {
		return 0
	}
	g, vt := s.g, &s.t.Visits
	core := without(c.patients, c.widenedPeople)
	n := len(core)
	if n < p.MinRingPeople {
		return 0
	}
	member := make(map[uint32]bool, len(c.patients))
	for _, x := range c.patients {
		member[g.Row(x)] = true
	}
	own := make(map[graph.NodeID]bool, len(c.insts))
	for _, h := range c.insts {
		own[h] = true
	}
	// Sites of the candidate's people, with each person counted once.
	people := make(map[graph.NodeID]int)
	at := make(map[graph.NodeID][]uint32)
	seen := make(map[graph.NodeID]bool)
	for _, x := range core {
		clear(seen)
		for _, v := range s.visitsOf(x) {
			if !s.live(v) {
				continue
			}
			h := s.instNode(v)
			if h == graph.NoNode || own[h] {
				continue
			}
			at[h] = append(at[h], v)
			if !seen[h] {
				seen[h] = true
				people[h]++
			}
		}
	}
	need := max(growSiteMinPeople, int(math.Ceil(p.GrowSiteShare*float64(n))))
	var tested []graph.NodeID
	for h, k := range people {
		if k >= need {
			tested = append(tested, h)
		}
	}
	if len(tested) == 0 {
		return 0
	}
	slices.Sort(tested)
	// The neighbours: everyone else with a live visit at the candidate's
	// sites, by age band (a ward's elderly recruits use the clinics and
	// pharmacies of the elderly near them, as its elderly neighbours do).
	band := s.ageBands()
	neighbours := make(map[uint32]bool)
	var inBand [nAgeBands]int
	for _, h := range c.insts {
		for _, v := range s.visitsOf(h) {
			if x := vt.Person[v]; s.live(v) && !member[x] && !neighbours[x] {
				neighbours[x] = true
				inBand[band(x)]++
			}
		}
	}
	var coreBand [nAgeBands]int
	for _, x := range core {
		coreBand[band(g.Row(x))]++
	}
	sig := p.MinSignificance + math.Log10(float64(len(tested)))
	var visits []uint32
	added := 0
	for _, h := range tested {
		there := make(map[uint32]bool)
		var thereBand [nAgeBands]int
		for _, v := range s.visitsOf(h) {
			if x := vt.Person[v]; s.live(v) && neighbours[x] && !there[x] {
				there[x] = true
				thereBand[band(x)]++
			}
		}
		exp := 0.0
		for b, k := range coreBand {
			if k > 0 {
				// A band without neighbours expects every one of its people
				// there: nothing tells them from the rest.
				q := 1.0
				if inBand[b] > 0 {
					q = float64(thereBand[b]) / float64(inBand[b])
				}
				exp += float64(k) * q
			}
		}
		exp = max(exp, minExpected)
		k := people[h]
		if float64(k) < p.FlaggedLift*exp || poissonTailLog10(k, exp) > -sig {
			continue
		}
		c.insts = append(c.insts, h)
		vs := at[h]
		visits = append(visits, vs...)
		if g.Kind(h) == graph.KindInstitution {
			c.doctors = append(c.doctors, s.doctorsOf(vs, 0, p.MinDoctorVisits)...)
		}
		added++
	}
	if added == 0 {
		return 0
	}
	slices.Sort(visits)
	c.visits = append(c.visits, visits...)
	c.widenedVisits = sortedUniq(append(c.widenedVisits, visits...))
	c.facts = append(c.facts, fact{id: FactSites, visits: visits,
		params: map[string]float64{"grow_site_share": p.GrowSiteShare, "sites": float64(added)},
		detail: fmt.Sprintf("%d more sites where at least %.0f%% of its people go, far beyond the share of the other people of its sites who go there",
			added, 100*p.GrowSiteShare),
		detailZh: fmt.Sprintf("另有%d家机构：其至少%.0f%%的人员前往就诊，远超其所在机构其他就诊人员前往的比例",
			added, 100*p.GrowSiteShare)})
	c.normalise()
	return added
}

// growSiteMinPeople is the fewest people of a ring with a visit at a site
// for growSites to test it: two are a couple's or a household's habit.
const growSiteMinPeople = 3

// nAgeBands is the number of age bands of ageBands: decades to 80 and
// over, and unknown.
const nAgeBands = 10

// ageBands returns a function giving a person row's age band at the end
// of the data: its decade of age (80 and over together), or the last band
// when the birth date is unknown.
func (s *state) ageBands() func(x uint32) int {
	pt := &s.t.Persons
	at := claims.Date(int64(s.last) / 86400)
	return func(x uint32) int {
		if int(x) >= len(pt.Birth) || pt.Birth[x] == claims.NoDate {
			return nAgeBands - 1
		}
		return min(max(pt.Birth[x].AgeAt(at)/10, 0), nAgeBands-2)
	}
}

// typologyFree reports whether c was formed by a generator that needs no
// typology's signature (relation excess, onset and offset cohorts,
// lockstep blocks, co-visit cohorts, crowded slots): its people are who the relations
// found, and the sites they go to together are the ring's. A signature's
// candidate is the people who share it.
func (c *candidate) typologyFree() bool {
	return c.cohort() || c.source == SourceRelationExcess || c.inStep()
}
