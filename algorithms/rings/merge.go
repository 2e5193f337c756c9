package rings

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
)

// merge joins candidates that describe the same ring: two candidates merge
// when they share at least half of the smaller one's patients (both having
// patients), or one is a lockstep block or an onset or offset cohort of the
// other's (all its sites and doctors are the other's; cohortOf), or one is
// a lockstep block led by a doctor of the other's (sameLeader), or both are
// groups of the same pharmacies and no other site, or, without patients,
// when they share an institution and a doctor; then candidates whose
// people come to each other's sites far beyond chance join (visitLinks).
// A pharmacy's co-visit cohorts join a ring as widened members, or stand
// as one when those of two counters go together (standing).
// The merged candidate keeps the typology hint of the stronger one (more
// visits on ties). Candidates are processed in a fixed order so that the
// result is deterministic.
func (s *state) merge(cands []*candidate) []*candidate {
	share := s.opt.Params.BlockLeaderShare
	together := func(a, b *candidate) bool {
		return same(a, b) || sameLeader(a, b, share, s.doctorOf) || s.samePharmacies(a, b)
	}
	var main, support []*candidate
	for _, c := range cands {
		if c.support {
			support = append(support, c)
		} else {
			main = append(main, c)
		}
	}
	out := s.visitLinks(mergeAll(main, together))
	out = append(out, standing(out, mergeAll(support, together), together)...)
	eachCandidate(out, s.opt.workers(2), s.finish)
	return out
}

// standing joins the support candidates (a pharmacy's co-visit cohorts,
// merged among themselves) to the first ring of rings each goes together
// with, as widened members (its people and visits count in the ring's size
// and money, not in its evidence: buying together at a counter says
// nothing of what the ring does), and returns those that stand as rings of
// their own: the cohorts of two or more counters joined.
func standing(rings, support []*candidate, together func(a, b *candidate) bool) []*candidate {
	var out []*candidate
	for _, c := range support {
		i := slices.IndexFunc(rings, func(r *candidate) bool { return together(r, c) })
		switch {
		case i >= 0:
			r := rings[i]
			people, visits := without(c.patients, r.patients), without(c.visits, r.visits)
			r.widenedPeople = sortedUniq(append(r.widenedPeople, people...))
			r.widenedVisits = sortedUniq(append(r.widenedVisits, visits...))
			r.patients = append(r.patients, people...)
			r.visits = append(r.visits, visits...)
			r.insts = append(r.insts, c.insts...)
			r.facts = append(r.facts, c.facts...)
			r.normalise()
		case len(c.insts) > 1:
			out = append(out, c)
		}
	}
	return out
}

// mergeAll absorbs each candidate into the first earlier one it goes
// together with, largest (most visits) first, and repeats over what is left
// until no two go together: a merge widens a candidate, which may then go
// together with one it did not before (two blocks linked through a third
// are one ring whatever their order).
func mergeAll(cands []*candidate, together func(a, b *candidate) bool) []*candidate {
	slices.SortStableFunc(cands, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(len(b.visits), len(a.visits)), cmp.Compare(a.source, b.source), cmpNodes(a, b))
	})
	for {
		var out []*candidate
		joined := false
		for _, c := range cands {
			i := slices.IndexFunc(out, func(o *candidate) bool { return together(o, c) })
			if i < 0 {
				out = append(out, c)
				continue
			}
			absorb(out[i], c)
			joined = true
		}
		if !joined {
			return out
		}
		cands = out
	}
}

// cmpNodes orders candidates by their first members, for determinism.
func cmpNodes(a, b *candidate) int {
	return cmp.Or(slices.Compare(a.insts, b.insts), slices.Compare(a.doctors, b.doctors), slices.Compare(a.patients, b.patients))
}

// same reports whether a and b describe the same ring: they share half
// of the smaller one's patients, or one is a lockstep block of the other's
// cohorts (cohortOf).
func same(a, b *candidate) bool {
	if len(a.patients) > 0 && len(b.patients) > 0 {
		n := intersect(a.patients, b.patients)
		return 2*n >= min(len(a.patients), len(b.patients)) || cohortOf(a, b) || cohortOf(b, a)
	}
	if len(a.patients) == 0 && len(b.patients) == 0 {
		return intersect(a.insts, b.insts) > 0 && intersect(a.doctors, b.doctors) > 0
	}
	return false
}

// samePharmacies reports whether a and b are groups of the same
// pharmacies and no other site: the people filling at one counter (or the
// same few) billed far beyond peers, their boxes coming back or one item
// concentrated there, are one operation of the pharmacy, whichever
// generator found which of them.
func (s *state) samePharmacies(a, b *candidate) bool {
	if len(a.insts) == 0 || !slices.Equal(a.insts, b.insts) {
		return false
	}
	for _, h := range a.insts {
		if s.g.Kind(h) != graph.KindPharmacy {
			return false
		}
	}
	return true
}

// cohortOf reports whether x is one of y's cohorts: a lockstep block all
// of whose sites and doctors (at least one) are y's, or co-visit cohorts
// or crowded hours all of whose sites and doctors are y's, so that the block's
// people come together to the same doctors at the same sites as y's ring
// (a ring whose recruits come in groups is found as one lockstep block per
// group, and its groups share structure, not people); or an onset or
// offset cohort all of whose sites and doctors (if any: a pharmacy's
// counter has none) are y's, people who began or stopped coming together
// to y's sites (a ring's recruits at one of its counters reach
// onset_min_visits there, not where y found the others).
func cohortOf(x, y *candidate) bool {
	return (x.inStep() && (len(x.doctors) > 0 || x.source != SourceLockstep) || x.cohort()) && len(x.insts) > 0 &&
		intersect(x.insts, y.insts) == len(x.insts) && intersect(x.doctors, y.doctors) == len(x.doctors)
}

// sameLeader reports whether one of a and b is a lockstep block led by a
// doctor of the other's: a doctor who bills at least share of the block's
// visits (doctorOf gives the doctor node of a visit). One doctor leading a
// group of people in step is one operation with whatever else the doctor
// is found in (a block at another site, the flagged relations of a site),
// whose parts share structure, not people. A doctor who merely appears in
// both, or shared by two candidates of which neither is a block, joins
// nothing.
func sameLeader(a, b *candidate, share float64, doctorOf func(v uint32) graph.NodeID) bool {
	return leads(a, b, share, doctorOf) || leads(b, a, share, doctorOf)
}

// leads reports whether x is a lockstep block one of whose doctors, billing
// at least share of its visits, is one of y's doctors.
func leads(x, y *candidate, share float64, doctorOf func(v uint32) graph.NodeID) bool {
	if x.source != SourceLockstep || len(x.visits) == 0 {
		return false
	}
	for _, d := range common(x.doctors, y.doctors) {
		n := 0
		for _, v := range x.visits {
			if doctorOf(v) == d {
				n++
			}
		}
		if float64(n) >= share*float64(len(x.visits)) {
			return true
		}
	}
	return false
}

// absorb merges b into a and records, as a graph fact of a, the shared
// members that justified it.
func absorb(a, b *candidate) { absorbWith(a, b, nil) }

// absorbWith is absorb for a candidate b joined to a by the visits of
// their people at each other's sites (x, visitLinks) when x is not nil:
// the fact also counts those people and cites their visits there.
func absorbWith(a, b *candidate, x *crossing) {
	sp, sd, si := common(a.patients, b.patients), common(a.doctors, b.doctors), common(a.insts, b.insts)
	a.twice = sortedUniq(append(append(a.twice, b.twice...), sp...))
	shared := common(a.visits, b.visits)
	f := fact{id: FactMerged, visits: shared,
		params: map[string]float64{"shared_patients": float64(len(sp)), "shared_doctors": float64(len(sd)), "shared_sites": float64(len(si))},
		detail: fmt.Sprintf("joined with the candidate of %s (%d members): %d shared people, %d shared doctors, %d shared sites",
			b.source, b.members(), len(sp), len(sd), len(si)),
		detailZh: fmt.Sprintf("与%s候选团伙（%d名成员）合并：共同人员%d人、共同医师%d人、共同机构%d家", b.source, b.members(), len(sp), len(sd), len(si))}
	if x != nil {
		f.visits = sortedUniq(append(f.visits, x.visits...))
		f.params["crossing_people"] = float64(x.theirs + x.ours)
		f.params["crossing_lift"] = x.lift
		f.detail += fmt.Sprintf("; %d of its people come to this ring's sites and %d of this ring's people to its sites, at least %s times what the sites' other people and the people living where they live explain",
			x.theirs, x.ours, fixed(x.lift, 1))
		f.detailZh += fmt.Sprintf("；其%d人到本团伙机构就诊，本团伙%d人到其机构就诊，至少是这些机构其他就诊人员及同住地人员的%s倍", x.theirs, x.ours, fixed(x.lift, 1))
	}
	absorbFact(a, b, f)
}

// absorbFact merges b into a, recording f as a graph fact of a: the
// stronger strength, the typology of a rule signature or of what an onset
// cohort absorbed, the flags of both.
func absorbFact(a, b *candidate, f fact) {
	a.facts = append(a.facts, f)
	if b.strength > a.strength {
		a.strength = b.strength
	}
	if signature(b) && !signature(a) {
		// A ring a rule signature found keeps its standing (and its
		// typology) when a broader candidate absorbs it.
		a.source, a.typology = b.source, b.typology
	}
	if a.cohort() && a.typology == "" {
		// An onset cohort says when people came, not what they did: the
		// hint of what it absorbed (a lockstep block, an admission
		// cohort) does.
		a.typology = b.typology
	}
	a.flags |= b.flags
	a.join(b)
}

// join adds b's members, visits, rule hits and facts to a.
func (a *candidate) join(b *candidate) {
	a.support = a.support && b.support
	a.patients = append(a.patients, b.patients...)
	a.doctors = append(a.doctors, b.doctors...)
	a.insts = append(a.insts, b.insts...)
	a.visits = append(a.visits, b.visits...)
	a.hits = append(a.hits, b.hits...)
	a.facts = append(a.facts, b.facts...)
	a.normalise()
}

// absorbContained joins every reportable candidate all of whose members
// (sites, doctors and people) are members of another reportable candidate
// into that one: the first such in cands with more members, or with the
// same members and earlier. A ring inside another is no case of its own:
// reported apart, it sends an investigator to the same people twice (a
// borrowed doctor's code found by its clashes, and the clinic ring that
// bills with it). The container keeps the part's evidence, as a merged
// fact, and is finished and scored again. Candidates are taken in the
// order of cands, so the result is deterministic; it returns the
// candidates left, in that order.
func (s *state) absorbContained(cands []*candidate) []*candidate {
	cands = slices.Clone(cands)
	grown := make([]bool, len(cands))
	for i, a := range cands {
		if !s.reportable(a) {
			continue
		}
		for j, b := range cands {
			if j == i || b == nil || !s.reportable(b) || !containedIn(a, b) {
				continue
			}
			if b.members() == a.members() && j > i {
				continue // the same members: the first keeps them
			}
			absorb(b, a)
			cands[i], grown[j] = nil, true
			break
		}
	}
	return s.settle(cands, func(i int) bool { return grown[i] })
}

// settle returns the candidates of cands that are not nil (joined into
// another), in order, those for which grown holds finished and scored
// again.
func (s *state) settle(cands []*candidate, grown func(i int) bool) []*candidate {
	var out []*candidate
	for i, c := range cands {
		if c == nil {
			continue
		}
		if grown(i) {
			s.finish(c)
			s.score(c)
		}
		out = append(out, c)
	}
	return out
}

// containedIn reports whether every site, doctor and person of a is one
// of b's.
func containedIn(a, b *candidate) bool {
	return a.members() > 0 && intersect(a.insts, b.insts) == len(a.insts) &&
		intersect(a.doctors, b.doctors) == len(a.doctors) && intersect(a.patients, b.patients) == len(a.patients)
}
