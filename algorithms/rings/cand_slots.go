package rings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// slotCapQuantile is the quantile of a site's hour slots (by people in
// them) at which each slot's count is capped when the site's ordinary
// occupancy of an hour is estimated: the crowded slots a ring makes must
// not raise the chance they are tested against.
const slotCapQuantile = 0.9

// crowdedSlot is one clock hour (or, for admissions, one day) of one
// medical site holding far more people than the site's ordinary hours (or
// days) explain.
type crowdedSlot struct {
	site     graph.NodeID
	kind     slotKind
	visits   []uint32 // the slot's visits
	people   int      // distinct people
	expected float64  // people the site's ordinary slot holds
	log10p   float64  // Poisson tail of people against expected
}

// slotCandidates is the crowded-slot path of discovery. A ring that sends
// its recruits to a clinic in batches, once or twice each over a few
// weeks, leaves no relation of min_relation_visits visits, no pair of
// returning people and no dense block (each recruit is in two of the
// batches, so every recruit × batch block is sparse); what it leaves is
// hours in which a clinic whose hours hold one or two people holds ten or
// fifteen, or mornings on which a ward that admits one person a day admits
// ten. At each medical site (pharmacies aside: families and carers buy
// together, and resurfaced boxes crowd a counter; sites serving a closed
// population aside: a nursing home's rounds are its whole routine) every
// clock hour of outpatient visits, and every day of admissions, holding
// slot_min_people people or more is tested against the site's ordinary
// occupancy around it (the mean of the same hour of the day, or of the
// day, over the site's other open days within slot_chance_days, each
// slot's count capped at the site's slotCapQuantile, so that crowded
// slots do not set their own chance; a flu season crowds every hour of
// its weeks alike), by the Poisson tail, at min_significance +
// log10(slots with visits at medical sites). Crowded slots of one site and
// kind that share a person, or follow each other within operation_days,
// link into one group; its people who came in slot_min_visits of its
// slots or more, for at least slot_person_share of their visits of that
// kind there, are a candidate with their visits in those slots when they
// are min_ring_people or more and slot_return_share or more of the people
// in its slots (typology hint: lockstep swiping for hours, fake
// hospitalisation for admissions). A group that is a candidate is then
// read again with the site's smaller batches of the same weeks: once the
// site is shown to hold an operation's batches, its other slots of those
// weeks are tested against the site's slots there (a second stage,
// min_significance + log10(those slots)), not against every slot of the
// city, and the candidate takes them when that holds more people (a ring
// sending five at a time between its larger batches). Sites and groups
// are read in node and time order: the result is deterministic.
func (s *state) slotCandidates(ctx context.Context) ([]*candidate, error) {
	p := &s.opt.Params
	if p.SlotMinPeople <= 0 {
		return nil, nil
	}
	g := s.g
	lo := s.siteLo()
	nInst := g.NumKind(graph.KindInstitution)
	var slots []crowdedSlot
	tested := 0
	var vs []uint32
	var hourPeople []uint32
	var hours []slotRun
	for i := range nInst {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h := graph.NodeID(lo + i)
		if s.roundsSite(i) {
			continue
		}
		var days []claims.Date // the site's open days, once a slot is to be tested
		for _, kind := range []slotKind{slotHours, slotAdmissions} {
			vs, hours, hourPeople = s.siteSlots(h, kind, vs[:0], hours[:0], hourPeople)
			if len(vs) < p.SlotMinPeople {
				continue
			}
			tested += len(hours)
			if !slices.ContainsFunc(hours, func(hr slotRun) bool { return hr.people >= p.SlotMinPeople }) {
				continue // most sites never hold slot_min_people in one slot
			}
			if days == nil {
				days = s.openDays(h)
			}
			slots = s.crowdedSlots(h, kind, vs, hours, days, slots)
		}
	}
	minSig := p.MinSignificance + math.Log10(float64(max(tested, 1)))
	var out []*candidate
	for a := 0; a < len(slots); {
		b := a
		for b < len(slots) && slots[b].site == slots[a].site && slots[b].kind == slots[a].kind {
			b++
		}
		out = append(out, s.slotGroups(slots[a:b], minSig)...)
		a = b
	}
	return out, nil
}

// crowdedSlots appends to out the slots of site h (hours, the runs of the
// visits vs of kind) holding slot_min_people people or more whose Poisson tail
// against their chance reaches min_significance (the family-wise level is
// asked later). An hour's chance is the mean of the same hour of the day
// over the site's other open days (days) within slot_chance_days, each
// slot's people capped at the site's slotCapQuantile; a day of
// admissions, the mean of the site's other open days.
func (s *state) crowdedSlots(h graph.NodeID, kind slotKind, vs []uint32, hours []slotRun, days []claims.Date, out []crowdedSlot) []crowdedSlot {
	p := &s.opt.Params
	vt := &s.t.Visits
	counts := make([]int, len(hours))
	for k, hr := range hours {
		counts[k] = hr.people
	}
	slices.Sort(counts)
	capAt := max(2, counts[int(slotCapQuantile*float64(len(counts)-1))])
	// For each open day and bucket (hour of the day, or the whole day for
	// admissions), the running sum of capped people over the open days.
	sums := make([][24]float64, len(days)+1)
	for _, hr := range hours {
		at := vt.Begin.At(vs[hr.from])
		if k, ok := slices.BinarySearch(days, at.Day()); ok {
			sums[k+1][kind.bucket(at)] += float64(min(hr.people, capAt))
		}
	}
	for k := range days {
		for b := range sums[k+1] {
			sums[k+1][b] += sums[k][b]
		}
	}
	for _, hr := range hours {
		if hr.people < p.SlotMinPeople {
			continue
		}
		at := vt.Begin.At(vs[hr.from])
		d, bk := at.Day(), kind.bucket(at)
		a, _ := slices.BinarySearch(days, d-claims.Date(p.SlotChanceDays))
		b, _ := slices.BinarySearch(days, d+claims.Date(p.SlotChanceDays)+1)
		k, ok := slices.BinarySearch(days, d)
		// The other open days of the window, the day itself left out.
		others := float64(b - a - 1)
		if !ok || others < 1 {
			continue
		}
		exp := (sums[b][bk] - sums[a][bk] - (sums[k+1][bk] - sums[k][bk])) / others
		lp := poissonTailLog10(hr.people, max(exp, minExpected/100))
		if lp > -p.MinSignificance {
			continue // not even the least a slot must reach; the family-wise level adds to it
		}
		out = append(out, crowdedSlot{site: h, kind: kind, visits: slices.Clone(vs[hr.from:hr.to]), people: hr.people, expected: exp, log10p: lp})
	}
	return out
}

// openDays returns, sorted, the days on which site h has a live visit.
func (s *state) openDays(h graph.NodeID) []claims.Date {
	vt := &s.t.Visits
	var days []claims.Date
	for _, v := range s.visitsOf(h) {
		if s.live(v) && vt.Begin.At(v) != claims.NoTime {
			days = append(days, vt.Begin.At(v).Day())
		}
	}
	slices.Sort(days)
	return slices.Compact(days)
}

// slotKind is what crowded slots count: outpatient visits by clock hour,
// or admissions by day (a ward fills on a morning, not in an hour).
type slotKind uint8

const (
	slotHours slotKind = iota
	slotAdmissions
)

// keep reports whether a visit of med_type m is of kind k.
func (k slotKind) keep(m claims.MedType) bool {
	if k == slotAdmissions {
		return m.Inpatient()
	}
	return m.Outpatient()
}

// slot returns the slot of time t: its clock hour, or its day.
func (k slotKind) slot(t claims.Time) int64 {
	if k == slotAdmissions {
		return int64(t.Day())
	}
	return t.Hour()
}

// bucket returns the part of the day whose chance a slot at t is tested
// against: its hour of the day, or the whole day (0).
func (k slotKind) bucket(t claims.Time) int {
	if k == slotAdmissions {
		return 0
	}
	return t.HourOfDay()
}

// slotRun is one slot (a clock hour, or a day of admissions) of a site's
// visits of one kind: the visits vs[from:to] of siteSlots and their
// distinct people.
type slotRun struct {
	from, to, people int
}

// siteSlots appends to vs the live visits of kind of site h in time order
// and returns them with their slots, appended to hours; buf is scratch.
func (s *state) siteSlots(h graph.NodeID, kind slotKind, vs []uint32, hours []slotRun, buf []uint32) ([]uint32, []slotRun, []uint32) {
	vt := &s.t.Visits
	for _, v := range s.visitsOf(h) {
		if s.live(v) && kind.keep(vt.MedType[v]) && vt.Begin.At(v) != claims.NoTime {
			vs = append(vs, v)
		}
	}
	slices.SortStableFunc(vs, func(a, b uint32) int { return cmp.Compare(vt.Begin.At(a), vt.Begin.At(b)) })
	for a := 0; a < len(vs); {
		at := kind.slot(vt.Begin.At(vs[a]))
		b := a
		buf = buf[:0]
		for ; b < len(vs) && kind.slot(vt.Begin.At(vs[b])) == at; b++ {
			buf = append(buf, vt.Person[vs[b]])
		}
		slices.Sort(buf)
		hours = append(hours, slotRun{from: a, to: b, people: len(slices.Compact(buf))})
		a = b
	}
	return vs, hours, buf
}

// slotGroups links the crowded slots of one site and kind (all, in time
// order) that are beyond chance city-wide (log10p at or below -minSig)
// and share a person or begin within operation_days of the one before,
// and returns a candidate for each group holding min_ring_people people
// or more, and slot_return_share or more of the people in its slots and
// batches (recruits come back batch after batch; the crowd of a
// screening or vaccination drive comes once), who came in at least
// slot_min_visits of its slots, and in them for at least
// slot_person_share of their visits of its kind at the site (the ordinary
// patients who happened to be there in the hour came once, and the
// site's regulars come at other times too). A group that passes then
// takes the site's slots of its weeks that are beyond chance among that
// site's slots (localSlots), when that holds more people.
func (s *state) slotGroups(all []crowdedSlot, minSig float64) []*candidate {
	p := &s.opt.Params
	vt := &s.t.Visits
	var slots []*crowdedSlot // the slots beyond chance city-wide
	for k := range all {
		if all[k].log10p <= -minSig {
			slots = append(slots, &all[k])
		}
	}
	if len(slots) == 0 {
		return nil
	}
	uf := newUnionFind(len(slots))
	// Slots in time order: consecutive ones within operation_days of each
	// other are one operation's batches, whoever came in them.
	gap := p.operationGap()
	for k := 1; k < len(slots); k++ {
		if vt.Begin.At(slots[k].visits[0])-vt.Begin.At(slots[k-1].visits[0]) <= gap {
			uf.union(int32(k-1), int32(k))
		}
	}
	seen := make(map[uint32]int32)
	for k, sl := range slots {
		for _, v := range sl.visits {
			if j, ok := seen[vt.Person[v]]; ok {
				uf.union(j, int32(k))
			} else {
				seen[vt.Person[v]] = int32(k)
			}
		}
	}
	// Each person's visits of the kind at the site: a recruit's visits
	// there are the batches; a regular who happened into two of them has
	// many more.
	site := slotSite{kind: slots[0].kind}
	site.visits, site.hours, _ = s.siteSlots(slots[0].site, site.kind, nil, nil, nil)
	site.visitsOf = newCounter[uint32]()
	for _, v := range site.visits {
		site.visitsOf.add(vt.Person[v], 1)
	}
	var out []*candidate
	for _, comp := range uf.components(len(slots), func(k int) int32 { return int32(k) }) {
		group := make([]*crowdedSlot, len(comp))
		for i, k := range comp {
			group[i] = slots[k]
		}
		c, slotPeople := s.slotGroup(group, &site)
		if len(c.patients) < p.MinRingPeople || float64(len(c.patients)) < p.SlotReturnShare*float64(slotPeople) {
			continue
		}
		// The gates are asked of the group as found city-wide; its local
		// batches bring people who came once too, and only add members.
		if local := s.localSlots(group, all, &site); len(local) > len(group) {
			if wide, _ := s.slotGroup(local, &site); len(wide.patients) > len(c.patients) {
				c = wide
			}
		}
		out = append(out, c)
	}
	return out
}

// slotSite holds a site's visits of one slot kind in time order, their
// slots, and each person's number of them, for slotGroup.
type slotSite struct {
	kind     slotKind
	visits   []uint32
	hours    []slotRun
	visitsOf *counter[uint32]
}

// slotGroup returns the candidate of a group of crowded slots of one site
// (in time order) and the number of people in its slots and batches: the
// people who came in slot_min_visits of them or more, for
// slot_person_share of their visits of the kind at the site, with their
// visits in them.
func (s *state) slotGroup(group []*crowdedSlot, site *slotSite) (*candidate, int) {
	p := &s.opt.Params
	vt := &s.t.Visits
	kind, vs := site.kind, site.visits
	c := &candidate{source: SourceSlots, typology: findings.TypLockstepSwiping}
	if kind == slotAdmissions {
		c.typology = findings.TypFakeHospitalisation
	}
	people, expected, worst := 0, 0.0, math.Inf(-1) // worst: the least significant slot's log10 p
	inSlots := newCounter[uint32]()
	var batch []uint32 // the group's visits: its crowded hours, then its smaller batches
	for _, sl := range group {
		for _, v := range sl.visits {
			inSlots.add(vt.Person[v], 1)
		}
		batch = append(batch, sl.visits...)
		people += sl.people
		expected += sl.expected
		worst = max(worst, sl.log10p)
	}
	member := func(pe uint32) bool {
		n := inSlots.n[pe]
		return n >= p.SlotMinVisits && float64(n) >= p.SlotPersonShare*float64(site.visitsOf.n[pe])
	}
	// The operation's smaller batches: the site's other hours while the
	// group was active (within operation_days of its first and last
	// crowded hour) holding cohort_min_people or more of the people who
	// came in its crowded hours; the people who came in them count them
	// too.
	from, to := s.groupWindow(group)
	core := make(map[uint32]bool) // everyone who came in its crowded hours
	for _, v := range batch {
		core[vt.Person[v]] = true
	}
	crowded := make(map[int64]bool, len(group))
	for _, sl := range group {
		crowded[kind.slot(vt.Begin.At(sl.visits[0]))] = true
	}
	for _, hr := range site.hours {
		at := vt.Begin.At(vs[hr.from])
		if at < from || at > to || crowded[kind.slot(at)] {
			continue
		}
		n := 0
		for _, v := range vs[hr.from:hr.to] {
			if core[vt.Person[v]] {
				n++
			}
		}
		if n >= p.CohortMinPeople {
			for _, v := range vs[hr.from:hr.to] {
				inSlots.add(vt.Person[v], 1)
			}
			batch = append(batch, vs[hr.from:hr.to]...)
		}
	}
	for _, v := range batch {
		if pe := vt.Person[v]; member(pe) {
			c.visits = append(c.visits, v)
			c.patients = append(c.patients, s.g.PatientNode(pe))
		}
	}
	c.normalise()
	lift := float64(people) / max(expected, minExpected/100)
	c.strength = squash(lift-1, p.CohortLiftHalf)
	c.insts = []graph.NodeID{group[0].site}
	c.doctors = s.doctorsOf(c.visits, 0.02, 3)
	name := s.g.Key(c.insts[0])
	what, whatZh, slotEn, slotZh := "came to", "就诊", "clock hours", "个整点时段"
	if kind == slotAdmissions {
		what, whatZh, slotEn, slotZh = "were admitted at", "入院", "days", "天"
	}
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"people": float64(len(c.patients)), "slots": float64(len(group)), "admission_days": float64(kind), "slot_people": float64(people),
			"expected": expected, "lift": lift, "log10p": worst, "slot_min_people": float64(p.SlotMinPeople)},
		detail: fmt.Sprintf("%d people %s %s in %d %s holding %d people in all, where the site's ordinary %s would hold %.1f (%.0f×; each beyond chance at p ≤ 10^%.0f)",
			len(c.patients), what, name, len(group), slotEn, people, slotEn, expected, lift, worst),
		detailZh: fmt.Sprintf("%d人在%d%s集中到%s%s，共%d人次，该机构平常约%.1f人（%.0f倍；每个时段均超出偶然：p ≤ 10^%.0f）",
			len(c.patients), len(group), slotZh, name, whatZh, people, expected, lift, worst)})
	return c, len(inSlots.keys)
}

// groupWindow returns the weeks of a group of crowded slots (in time
// order): from operation_days before its first slot to operation_days
// after its last.
func (s *state) groupWindow(group []*crowdedSlot) (from, to claims.Time) {
	vt := &s.t.Visits
	gap := s.opt.Params.operationGap()
	return vt.Begin.At(group[0].visits[0]) - gap, vt.Begin.At(group[len(group)-1].visits[0]) + gap
}

// localSlots returns a group of crowded slots (beyond chance city-wide, in
// time order) with the site's other slots of all (each beyond
// min_significance alone) inside the group's weeks that are beyond
// chance among the site's slots of those weeks, in time order: once a
// site is shown to hold an operation's batches, its smaller batches of
// the same weeks are tested against the slots of those weeks
// (min_significance + log10(the slots the site holds visits in there)),
// not against every slot of the city.
func (s *state) localSlots(group []*crowdedSlot, all []crowdedSlot, site *slotSite) []*crowdedSlot {
	vt := &s.t.Visits
	from, to := s.groupWindow(group)
	n := 0
	for _, hr := range site.hours {
		if at := vt.Begin.At(site.visits[hr.from]); at >= from && at <= to {
			n++
		}
	}
	localSig := s.opt.Params.MinSignificance + math.Log10(float64(max(n, 1)))
	out := slices.Clone(group)
	for k := range all {
		sl := &all[k]
		at := vt.Begin.At(sl.visits[0])
		if at < from || at > to || sl.log10p > -localSig || slices.Contains(group, sl) {
			continue
		}
		out = append(out, sl)
	}
	slices.SortStableFunc(out, func(a, b *crowdedSlot) int { return cmp.Compare(vt.Begin.At(a.visits[0]), vt.Begin.At(b.visits[0])) })
	return out
}
