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

// crowdedSlot is one hour of one medical site holding far more people
// than the site's ordinary occupancy of that hour explains.
type crowdedSlot struct {
	site     graph.NodeID
	visits   []uint32 // the slot's visits
	people   int      // distinct people
	expected float64  // people the site's ordinary hour holds
	log10p   float64  // Poisson tail of people against expected
}

// slotCandidates is the crowded-slot path of discovery. A ring that sends
// its recruits to a clinic in batches, once or twice each over a few
// weeks, leaves no relation of min_relation_visits visits, no pair of
// returning people and no dense block (each recruit is in two of the
// batches, so every recruit × batch block is sparse); what it leaves is
// hours in which a clinic whose hours hold one or two people holds ten or
// fifteen. At each medical site (pharmacies aside: families and carers buy
// together, and resurfaced boxes crowd a counter; sites serving a closed
// population aside: a nursing home's rounds are its whole routine) every
// clock hour of outpatient visits holding slot_min_people people or more
// is tested against the site's ordinary occupancy of that hour of the day
// around it (its mean over the site's other open days within
// slot_chance_days, each hour's count capped at the site's
// slotCapQuantile, so that crowded hours do not set their own chance; a
// flu season crowds every hour of its weeks alike), by the Poisson tail, at min_significance + log10(hours with
// visits at medical sites). Crowded hours of one site that share a person,
// or follow each other within operation_days, link into one group; its
// people who came in slot_min_visits of its hours or more, for at least
// slot_person_share of their outpatient visits there, are a candidate
// with their visits in those hours when they are min_ring_people or more
// and slot_return_share or more of the people in its hours. Sites and groups are read in
// node and time order: the result is deterministic.
func (s *state) slotCandidates(ctx context.Context) ([]*candidate, error) {
	p := &s.opt.Params
	if p.SlotMinPeople <= 0 {
		return nil, nil
	}
	g := s.g
	vt := &s.t.Visits
	lo := s.siteLo()
	nInst := g.NumKind(graph.KindInstitution)
	var slots []crowdedSlot
	tested := 0
	var vs []uint32
	var hourPeople []uint32
	for i := range nInst {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h := graph.NodeID(lo + i)
		if i < len(s.closedSite) && s.closedSite[i] {
			continue
		}
		var hours []slotHour
		vs, hours, hourPeople = s.siteHours(h, vs[:0], hourPeople)
		if len(vs) < p.SlotMinPeople {
			continue
		}
		tested += len(hours)
		counts := make([]int, len(hours))
		for k, hr := range hours {
			counts[k] = hr.people
		}
		slices.Sort(counts)
		capAt := max(2, counts[int(slotCapQuantile*float64(len(counts)-1))])
		// The site's open days in order, and for each hour of the day the
		// running sum of its capped people over them: the chance of an
		// hour is its hour of the day on the open days around it.
		var openDays []claims.Date
		var sums [][24]float64 // sums[k]: capped people on openDays[:k]
		sums = append(sums, [24]float64{})
		for _, hr := range hours {
			at := vt.Begin[vs[hr.from]]
			if d := at.Day(); len(openDays) == 0 || openDays[len(openDays)-1] != d {
				openDays = append(openDays, d)
				sums = append(sums, sums[len(sums)-1])
			}
			sums[len(sums)-1][hourOfDay(at)] += float64(min(hr.people, capAt))
		}
		for _, hr := range hours {
			if hr.people < p.SlotMinPeople {
				continue
			}
			at := vt.Begin[vs[hr.from]]
			d, hd := at.Day(), hourOfDay(at)
			a, _ := slices.BinarySearch(openDays, d-claims.Date(p.SlotChanceDays))
			b, _ := slices.BinarySearch(openDays, d+claims.Date(p.SlotChanceDays)+1)
			k, _ := slices.BinarySearch(openDays, d)
			// The other open days of the window, the day itself left out.
			others := float64(b - a - 1)
			if others < 1 {
				continue
			}
			exp := (sums[b][hd] - sums[a][hd] - (sums[k+1][hd] - sums[k][hd])) / others
			lp := poissonTailLog10(hr.people, max(exp, minExpected/100))
			if lp > -p.MinSignificance {
				continue // not even the least a slot must reach; the family-wise level adds to it
			}
			slots = append(slots, crowdedSlot{site: h, visits: slices.Clone(vs[hr.from:hr.to]), people: hr.people, expected: exp, log10p: lp})
		}
	}
	minSig := p.MinSignificance + math.Log10(float64(max(tested, 1)))
	kept := slots[:0]
	for _, sl := range slots {
		if sl.log10p <= -minSig {
			kept = append(kept, sl)
		}
	}
	var out []*candidate
	for a := 0; a < len(kept); {
		b := a
		for b < len(kept) && kept[b].site == kept[a].site {
			b++
		}
		out = append(out, s.slotGroups(kept[a:b])...)
		a = b
	}
	return out, nil
}

// slotHour is one clock hour of a site's outpatient visits: the visits
// vs[from:to] of siteHours and their distinct people.
type slotHour struct {
	from, to, people int
}

// siteHours appends to vs the live outpatient visits of site h in time
// order and returns them with their clock hours; buf is scratch.
func (s *state) siteHours(h graph.NodeID, vs, buf []uint32) ([]uint32, []slotHour, []uint32) {
	vt := &s.t.Visits
	for _, v := range s.visitsOf(h) {
		if s.live(v) && vt.MedType[v].Outpatient() && vt.Begin[v] != claims.NoTime {
			vs = append(vs, v)
		}
	}
	slices.SortStableFunc(vs, func(a, b uint32) int { return cmp.Compare(vt.Begin[a], vt.Begin[b]) })
	var hours []slotHour
	for a := 0; a < len(vs); {
		at := hourOf(vt.Begin[vs[a]])
		b := a
		buf = buf[:0]
		for ; b < len(vs) && hourOf(vt.Begin[vs[b]]) == at; b++ {
			buf = append(buf, vt.Person[vs[b]])
		}
		slices.Sort(buf)
		hours = append(hours, slotHour{from: a, to: b, people: len(slices.Compact(buf))})
		a = b
	}
	return vs, hours, buf
}

// slotGroups links the crowded slots of one site (in time order) that
// share a person or begin within operation_days of the one before, and
// returns a candidate for each group holding min_ring_people people or
// more, and slot_return_share or more of the people in its hours and
// batches (recruits come back batch after batch; the crowd of a
// screening or vaccination drive comes once), who came in at least slot_min_visits of its slots, and in them for
// at least slot_person_share of their outpatient visits at the site (the
// ordinary patients who happened to be there in the hour came once, and
// the site's regulars come at other times too).
func (s *state) slotGroups(slots []crowdedSlot) []*candidate {
	p := &s.opt.Params
	vt := &s.t.Visits
	uf := newUnionFind(len(slots))
	// Slots in time order: consecutive ones within operation_days of each
	// other are one operation's batches, whoever came in them.
	gap := claims.Time(p.OperationDays) * 86400
	for k := 1; k < len(slots); k++ {
		if vt.Begin[slots[k].visits[0]]-vt.Begin[slots[k-1].visits[0]] <= gap {
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
	// Each person's outpatient visits at the site: a recruit's visits
	// there are the batches; a regular who happened into two of them has
	// many more.
	vs, hours, _ := s.siteHours(slots[0].site, nil, nil)
	atSite := newCounter[uint32]()
	for _, v := range vs {
		atSite.add(vt.Person[v], 1)
	}
	var out []*candidate
	for _, idx := range uf.components(len(slots), func(k int) int32 { return int32(k) }) {
		c := &candidate{source: SourceSlots, typology: findings.TypLockstepSwiping}
		people, expected, worst := 0, 0.0, 0.0
		inSlots := newCounter[uint32]()
		for _, k := range idx {
			sl := &slots[k]
			for _, v := range sl.visits {
				inSlots.add(vt.Person[v], 1)
			}
			people += sl.people
			expected += sl.expected
			worst = max(worst, sl.log10p)
		}
		var batch []uint32 // the group's visits: its crowded hours, then its smaller batches
		for _, k := range idx {
			batch = append(batch, slots[k].visits...)
		}
		member := func(pe uint32) bool {
			n := inSlots.n[pe]
			return n >= p.SlotMinVisits && float64(n) >= p.SlotPersonShare*float64(atSite.n[pe])
		}
		// The operation's smaller batches: the site's other hours while the
		// group was active (within operation_days of its first and last
		// crowded hour) holding cohort_min_people or more of the people who
		// came in its crowded hours; the people who came in them count them
		// too.
		from, to := vt.Begin[slots[idx[0]].visits[0]]-gap, vt.Begin[slots[idx[len(idx)-1]].visits[0]]+gap
		core := make(map[uint32]bool) // everyone who came in its crowded hours
		for _, v := range batch {
			core[vt.Person[v]] = true
		}
		crowded := make(map[int64]bool, len(idx))
		for _, k := range idx {
			crowded[hourOf(vt.Begin[slots[k].visits[0]])] = true
		}
		for _, hr := range hours {
			at := vt.Begin[vs[hr.from]]
			if at < from || at > to || crowded[hourOf(at)] {
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
		if len(c.patients) < p.MinRingPeople || float64(len(c.patients)) < p.SlotReturnShare*float64(len(inSlots.keys)) {
			continue
		}
		lift := float64(people) / max(expected, minExpected/100)
		c.strength = squash(lift-1, p.CohortLiftHalf)
		c.insts = []graph.NodeID{slots[idx[0]].site}
		c.doctors = s.doctorsOf(c.visits, 0.02, 3)
		site := s.g.Key(c.insts[0])
		c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
			params: map[string]float64{"people": float64(len(c.patients)), "slots": float64(len(idx)), "slot_people": float64(people),
				"expected": expected, "lift": lift, "log10p": worst, "slot_min_people": float64(p.SlotMinPeople)},
			detail: fmt.Sprintf("%d people came to %s in %d clock hours holding %d people in all, where the site's ordinary hours would hold %.1f (%.0f×; each hour beyond chance at p ≤ 10^%.0f)",
				len(c.patients), site, len(idx), people, expected, lift, worst),
			detailZh: fmt.Sprintf("%d人在%d个整点时段集中到%s就诊，共%d人次，该机构平常同一时段约%.1f人（%.0f倍；每个时段均超出偶然：p ≤ 10^%.0f）",
				len(c.patients), len(idx), site, people, expected, lift, worst)})
		out = append(out, c)
	}
	return out
}

// hourOf returns the clock hour of t (hours since the epoch, UTC+8 wall
// clock as stored).
func hourOf(t claims.Time) int64 { return int64(t) / 3600 }

// hourOfDay returns the hour of the day of t, 0–23.
func hourOfDay(t claims.Time) int { return int(((int64(t) % 86400) + 86400) % 86400 / 3600) }
