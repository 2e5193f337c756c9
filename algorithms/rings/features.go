package rings

import (
	"math"
	"math/bits"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// cohortMin is the number of distinct ring patients in one doctor's hour
// that makes the hour a cohort (a lockstep column).
const cohortMin = 4

// cohortBaseFloor is added to a site's ordinary cohort share before a
// ring's share is divided by it, so that a site with no cohorts at all does
// not make any cohort an infinite lift (score's lockstep evidence uses the
// same floor).
const cohortBaseFloor = 0.05

// maxBaselineVisits caps the visits of one site read for the baseline of
// the sites' other visits (cohortShare): a large hospital's first 200,000
// visits say as much as all of them.
const maxBaselineVisits = 200000

// recount updates the size and money of c's features (patients, doctors,
// sites, visits, fund) after it grew, leaving the features its evidence
// rests on as finish computed them.
func (s *state) recount(c *candidate) {
	f := &c.feat
	f.Patients = float64(len(c.patients))
	f.Doctors = float64(len(c.doctors))
	f.Institutions = float64(len(c.insts))
	f.Visits = float64(len(c.visits))
	f.FundYuan = s.fund(c.visits).Yuan()
}

// finish computes the features of c from its visits: the signals scoring
// reads (size, fund, distance from peers, lockstep density against the
// baseline of the same institutions, rule-hit concentration, rhythm,
// card-based share).
func (s *state) finish(c *candidate) {
	c.normalise()
	if len(c.widenedPeople) > 0 || len(c.widenedVisits) > 0 {
		// The evidence is that of the people found before growRegulars
		// took in the others; size and money count everyone.
		all, people := c.visits, c.patients
		c.visits, c.patients = without(all, c.widenedVisits), without(people, c.widenedPeople)
		s.finishEvidence(c)
		c.visits, c.patients = all, people
		s.recount(c)
		return
	}
	s.finishEvidence(c)
}

// finishEvidence is finish on all of c's people and visits.
func (s *state) finishEvidence(c *candidate) {
	vt := &s.t.Visits
	f := &c.feat
	s.recount(c)
	if len(c.visits) == 0 {
		return
	}
	zs := make([]float64, 0, len(c.visits))
	shares := make([]float64, 0, len(c.visits))
	card, hit, checked, inpatient, pharmacy := 0, 0, 0, 0, 0
	for _, v := range c.visits {
		switch scenario(vt.MedType[v]) {
		case 1:
			inpatient++
		case 2:
			pharmacy++
		}
		zs = append(zs, float64(s.visitZ[v]))
		if int(v) < len(s.shareZ) {
			shares = append(shares, float64(s.shareZ[v]))
		}
		if vt.Cert[v] == claims.CertSocialCard {
			card++
		}
		if int(v) < s.checked {
			// Rows appended later have not met the rule library.
			checked++
			if s.hitVisit[v] > 0 {
				hit++
			}
		}
	}
	slices.Sort(zs)
	f.PeerZ = zs[len(zs)/2]
	f.ShareZ = 0
	if len(shares) > 0 {
		slices.Sort(shares)
		f.ShareZ = shares[len(shares)/2]
	}
	f.CardShare = float64(card) / float64(len(c.visits))
	f.InpatientShare = float64(inpatient) / float64(len(c.visits))
	f.PharmacyShare = float64(pharmacy) / float64(len(c.visits))
	f.RuleHitShare = 0
	if checked > 0 {
		f.RuleHitShare = float64(hit) / float64(checked)
	}
	f.FundPerVisit = f.FundYuan / float64(len(c.visits))
	f.LockstepDensity, f.LockstepBaseline = s.cohortShare(c)
	f.Rhythm = s.rhythm(c)
	f.MonthlyShare = s.monthlyShare(c)
	f.LocalShare = s.localShare(c)
	f.Concentration = s.concentration(c)
	f.OveruseShare, f.OveruseLift = s.markedShare(c, s.overused)
	f.OnsetShare, f.OnsetLift = s.markedShare(c, s.onsetPeople)
	f.OffsetShare, f.OffsetLift = s.markedShare(c, s.offsetPeople)
	f.HeavyShare, f.HeavyLift = s.heavyShare(c)
}

// heavyShare returns the share of c's patients whose ring visits of
// ordinary care at one of c's institutions are heavy there (heavy: far
// more than the site's returning people make), and the median of their
// visits there over the site's reference (heavyRefs); 0, 0 when none.
func (s *state) heavyShare(c *candidate) (share, lift float64) {
	if len(s.heavyRef) == 0 || len(c.patients) == 0 {
		return 0, 0
	}
	vt := &s.t.Visits
	n := s.personSiteVisits(c, func(v uint32) bool { return vt.MedType[v] != claims.MedChronic })
	best := make(map[uint32]float64) // person: largest lift at a site where heavy
	for k, m := range n {
		if i := int(k.site); s.heavy(i, m) {
			best[k.person] = max(best[k.person], float64(m)/float64(s.heavyRef[i]))
		}
	}
	if len(best) == 0 {
		return 0, 0
	}
	lifts := make([]float64, 0, len(best))
	for _, l := range best {
		lifts = append(lifts, l)
	}
	slices.Sort(lifts)
	return float64(len(best)) / float64(len(c.patients)), lifts[len(lifts)/2]
}

// personSiteVisits counts c's visits that keep reports true by person and
// site (index: node − siteLo).
func (s *state) personSiteVisits(c *candidate, keep func(v uint32) bool) map[personSite]int {
	vt := &s.t.Visits
	lo := s.siteLo()
	n := make(map[personSite]int)
	for _, v := range c.visits {
		if !keep(v) {
			continue
		}
		if h := s.instNode(v); h != graph.NoNode {
			n[personSite{vt.Person[v], int32(int(h) - lo)}]++
		}
	}
	return n
}

// markedShare returns the share of c's patients that marked holds (people
// of the cohorts or over-users that seeded a candidate, with their
// lifts), and the median of their lifts (0, 0 when there are none).
func (s *state) markedShare(c *candidate, marked map[uint32]float64) (share, lift float64) {
	if len(marked) == 0 || len(c.patients) == 0 {
		return 0, 0
	}
	var lifts []float64
	for _, p := range c.patients {
		if l, ok := marked[uint32(s.g.Row(p))]; ok {
			lifts = append(lifts, l)
		}
	}
	if len(lifts) == 0 {
		return 0, 0
	}
	slices.Sort(lifts)
	return float64(len(lifts)) / float64(len(c.patients)), lifts[len(lifts)/2]
}

// cohortShare returns the share of c's outpatient visits that fall in a
// (doctor, day, hour) column holding at least cohortMin of c's patients
// (the institution stands for the doctor on visits naming no usable one:
// an export without doctor columns still shows people sent in together),
// and the same share for the other visits of c's institutions (the
// baseline of ordinary traffic there).
func (s *state) cohortShare(c *candidate) (share, baseline float64) {
	vt := &s.t.Visits
	ringVisit := make(map[uint32]bool, len(c.visits))
	for _, v := range c.visits {
		ringVisit[v] = true
	}
	// Each outpatient visit as its (doctor, hour) column and person, ring
	// visits and the others apart; sorted, a column's people are a run.
	// The visits of each institution first, to size the entries once.
	type site struct {
		h  graph.NodeID
		vs []uint32
	}
	sites := make([]site, 0, len(c.insts))
	total := 0
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		vs := s.visitsOf(h)
		if len(vs) > maxBaselineVisits {
			vs = vs[:maxBaselineVisits]
		}
		sites, total = append(sites, site{h, vs}), total+len(vs)
	}
	ring := make([]cohortEntry, 0, min(total, len(c.visits)))
	other := make([]cohortEntry, 0, total)
	for _, st := range sites {
		h := st.h
		for _, v := range st.vs {
			if !s.live(v) || vt.MedType[v].Inpatient() {
				continue
			}
			// The column's hub: the visit's doctor, or its institution
			// when it names no usable doctor (exports without doctor
			// columns).
			hub := uint64(vt.Doctor[v])
			if !s.doctorOK(vt.Doctor[v]) {
				hub = uint64(s.t.Doctors.Len()) + uint64(h) // after every doctor row
			}
			e := cohortEntry{col: hub<<32 | uint64(uint32(vt.Begin.At(v).Hour())), person: vt.Person[v]}
			if ringVisit[v] {
				ring = append(ring, e)
			} else {
				other = append(other, e)
			}
		}
	}
	return cohortFraction(ring), cohortFraction(other)
}

// cohortEntry is one visit in a (doctor, hour) column: the column packed
// as doctor row (high half) and hour (low half), and the person.
type cohortEntry struct {
	col    uint64
	person uint32
}

// cohortFraction returns the share of es (visits) whose column holds at
// least cohortMin distinct people of es: the entries are packed into
// uint64 keys (cohortKeys), radix sorted, and a column's people counted
// along its run.
func cohortFraction(es []cohortEntry) float64 {
	if len(es) == 0 {
		return 0
	}
	keys, personBits, _ := cohortKeys(es)
	keys = graph.SortKeys(keys)
	n := 0
	for a := 0; a < len(keys); {
		b, people := a, 0
		for ; b < len(keys) && keys[b]>>personBits == keys[a]>>personBits; b++ {
			if b == a || keys[b] != keys[b-1] {
				people++
			}
		}
		if people >= cohortMin {
			n += b - a
		}
		a = b
	}
	return float64(n) / float64(len(keys))
}

// cohortKeys packs each entry of es into a key whose bits above
// personBits are its column and below them its person: hub, hour and
// person each less its least value in es where the three fit 64 bits
// together (packed; as a rule, a candidate's data span a few years), else
// the column numbered densely in a map and the person whole.
func cohortKeys(es []cohortEntry) (keys []uint64, personBits uint, packed bool) {
	loHub, hiHub := uint32(math.MaxUint32), uint32(0)
	loHour, hiHour := uint32(math.MaxUint32), uint32(0)
	loPerson, hiPerson := uint32(math.MaxUint32), uint32(0)
	for _, e := range es {
		hub, hour := uint32(e.col>>32), uint32(e.col)
		loHub, hiHub = min(loHub, hub), max(hiHub, hub)
		loHour, hiHour = min(loHour, hour), max(hiHour, hour)
		loPerson, hiPerson = min(loPerson, e.person), max(hiPerson, e.person)
	}
	keys = make([]uint64, len(es))
	hourBits, personBits := uint(bits.Len32(hiHour-loHour)), uint(bits.Len32(hiPerson-loPerson))
	if uint(bits.Len32(hiHub-loHub))+hourBits+personBits > 64 {
		dense := make(map[uint64]uint64)
		for i, e := range es {
			c, ok := dense[e.col]
			if !ok {
				c = uint64(len(dense))
				dense[e.col] = c
			}
			keys[i] = c<<32 | uint64(e.person)
		}
		return keys, 32, false
	}
	for i, e := range es {
		keys[i] = uint64(uint32(e.col>>32)-loHub)<<(hourBits+personBits) | uint64(uint32(e.col)-loHour)<<personBits |
			uint64(e.person-loPerson)
	}
	return keys, personBits, true
}

// rhythm returns the median over c's patients of the regularity of their
// ring visits: 1 − the coefficient of variation of the days between them
// (0 for patients with fewer than four visits).
func (s *state) rhythm(c *candidate) float64 {
	if len(c.patients) == 0 {
		return 0
	}
	days := s.personDays(c, func(uint32) bool { return true })
	var regs []float64
	for _, p := range c.patients {
		ds := days[uint32(s.g.Row(p))]
		if len(ds) < 4 {
			regs = append(regs, 0)
			continue
		}
		var sum, sq float64
		n := 0
		for i := 1; i < len(ds); i++ {
			if d := float64(ds[i] - ds[i-1]); d > 0 {
				sum += d
				sq += d * d
				n++
			}
		}
		if n < 3 {
			regs = append(regs, 0)
			continue
		}
		mean := sum / float64(n)
		cv := math.Sqrt(max(0, sq/float64(n)-mean*mean)) / mean
		regs = append(regs, max(0, 1-cv))
	}
	slices.Sort(regs)
	return regs[len(regs)/2]
}

// personDays returns, by Patients row, the sorted days of c's visits that
// keep reports true (a day once per visit).
func (s *state) personDays(c *candidate, keep func(v uint32) bool) map[uint32][]claims.Date {
	vt := &s.t.Visits
	days := make(map[uint32][]claims.Date)
	for _, v := range c.visits {
		if keep(v) {
			days[vt.Person[v]] = append(days[vt.Person[v]], vt.Begin.At(v).Day())
		}
	}
	for _, ds := range days {
		slices.Sort(ds)
	}
	return days
}

// Calendar months: two visits are a month apart on the same day of the
// month when monthGapMin to monthGapMax days and at most monthDayDrift days
// of the month apart (a follow-up day moved to the next working day).
const (
	monthGapMin   = 26
	monthGapMax   = 35
	monthDayDrift = 2
)

// monthlyShare returns the share of the successive outpatient visit days
// of c's people (their ring visits) that fall a calendar month apart on
// the same day of the month: the rhythm of a site's routine (a station's
// chronic follow-up day, 慢病随访日, a village doctor's monthly round), not
// of a schedule of swipes.
func (s *state) monthlyShare(c *candidate) float64 {
	vt := &s.t.Visits
	days := s.personDays(c, func(v uint32) bool { return vt.MedType[v].Outpatient() && s.live(v) })
	gaps, monthly := 0, 0
	for _, ds := range days {
		g, _, m := monthGaps(slices.Compact(ds))
		gaps, monthly = gaps+g, monthly+m
	}
	if gaps == 0 {
		return 0
	}
	return float64(monthly) / float64(gaps)
}

// monthGaps returns the gaps between successive days of ds (sorted and
// distinct), how many of them are a month's supply apart (refills:
// monthGapMin to monthGapMax days, whatever the day of the month) and how
// many of those are a calendar month apart on the same day of the month
// (monthly: at most monthDayDrift days of the month apart).
func monthGaps(ds []claims.Date) (gaps, refills, monthly int) {
	for i := 1; i < len(ds); i++ {
		gaps++
		g := int(ds[i] - ds[i-1])
		if g < monthGapMin || g > monthGapMax {
			continue
		}
		refills++
		_, _, a := ds[i-1].Civil()
		_, _, b := ds[i].Civil()
		d := a - b
		if d < 0 {
			d = -d
		}
		if min(d, 31-d) <= monthDayDrift {
			monthly++
		}
	}
	return gaps, refills, monthly
}

// localShare returns the share of c's patients who live where they come
// (away: the same district, or the same area of the inferred geography, or
// not known to live elsewhere) at the site of most of their ring visits.
func (s *state) localShare(c *candidate) float64 {
	if len(c.patients) == 0 {
		return 0
	}
	n := s.personSiteVisits(c, func(uint32) bool { return true })
	main := make(map[uint32]personSite, len(c.patients))
	for k, x := range n {
		if m, ok := main[k.person]; !ok || x > n[m] || x == n[m] && k.site < m.site {
			main[k.person] = k
		}
	}
	if len(main) == 0 {
		return 0
	}
	local, lo := 0, s.siteLo()
	for p, k := range main {
		if d, _ := s.away(p, graph.NodeID(lo+int(k.site))); d == distSame {
			local++
		}
	}
	return float64(local) / float64(len(main))
}

// concentration returns the share of c's patients' live visits that are
// ring visits.
func (s *state) concentration(c *candidate) float64 {
	total := 0
	for _, p := range c.patients {
		total += int(s.nodeVisits(p))
	}
	if total == 0 {
		return 0
	}
	n := 0
	for _, v := range c.visits {
		if s.live(v) {
			n++
		}
	}
	return math.Min(1, float64(n)/float64(total))
}
