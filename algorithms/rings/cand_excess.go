package rings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// relFlag marks why a relation (one person's visits at one site) is
// unusual.
type relFlag uint16

const (
	// flagCostly: the relation's visits are billed far above their peers
	// (median robust z of fund per visit or of fund share ≥ costly_z).
	flagCostly relFlag = 1 << iota
	// flagCard: almost only card-based visits (mdtrt_cert_type 03) of a
	// person who lives away from the site.
	flagCard
	// flagAway: frequent visits on a regular rhythm by a person who lives
	// far from the site (insured in another city, or, when region codes
	// are absent, whose other care lies in an area the site's people
	// hardly ever visit).
	flagAway
	// flagSpread: a relation of a few visits flagged costly because most
	// of its person's care over several sites is; it joins rings but does
	// not seed them.
	flagSpread
	// flagAdmits: the person was admitted at the site and at least
	// repeat_admissions times in all, here or over several sites (beds
	// kept full with the same people).
	flagAdmits
	// flagSevere: a costly relation billed far beyond the costly ones
	// (median robust z of fund per visit or fund share ≥ severe_z).
	flagSevere
	// flagRhythm: a regular of a medical institution (not a pharmacy) who
	// lives in another district of the city (near, not far) and comes on
	// a strict rhythm (regularity ≥ rhythm_strict): cards swiped on a
	// schedule rather than care sought when needed. Ordinary regulars from
	// the next district are many, so a relation flagged for this alone
	// does not count among a site's flagged ones: such relations seed only
	// through their own test, against their class's pooled share among
	// regulars (seedSites).
	flagRhythm
	// flagLone: a regular of a medical institution whose care the data
	// shows nowhere else (so where the person lives is unknown), coming
	// on a strict rhythm (rhythm_strict): the card of someone never seen
	// being treated anywhere, swiped on a schedule (cards collected from
	// people who live or study far away, when region codes are missing).
	// Ordinary people who use one station only are many too, so such
	// relations, like flagRhythm, seed only through their own test,
	// against their class's pooled share among regulars.
	flagLone
	// flagHeavy: a relation of ordinary (not chronic) care whose visits
	// are heavy_ratio times or more those of the site's returning people
	// at its heavy_quantile (heavyRefs): a card billed again and again
	// where the site's other people come a few times. Set only where no
	// flag of the general test is (beside a strict rhythm it is); like
	// the strict rhythms it seeds only through its own test (ownTest).
	flagHeavy
)

// flagKinds are the flags that seed: a site is tested on each of them
// alone as well as on all together.
var flagKinds = [...]relFlag{flagCostly, flagCard, flagAway, flagAdmits, flagSevere, flagRhythm, flagLone, flagHeavy}

// Flags that do not seed where a site's own population explains them: at
// a site serving a closed population, billing above peers, strict rhythms
// and heavy visits are the tail of the residents it cares for and its
// rounds; at an organisation's own infirmary, cards from afar, rhythms and
// heavy visits are its boarders and commuters seen on its own calendar
// (billing still counts there).
const (
	closedSiteFlags = flagCostly | flagSevere | flagRhythm | flagLone | flagHeavy
	infirmaryFlags  = flagCard | flagAway | flagRhythm | flagLone | flagHeavy
)

// ownTest reports whether a relation flagged f is counted only by its
// flags' own tests (seedSites), not among the site's flagged relations:
// strict rhythms and heavy relations, of which ordinary sites have a few
// of their own, and nothing else.
func ownTest(f relFlag) bool { return f != 0 && f&^(flagRhythm|flagLone|flagHeavy) == 0 }

// kindIndex returns the position of kind f in flagKinds.
func kindIndex(f relFlag) int {
	for k, kf := range flagKinds {
		if kf == f {
			return k
		}
	}
	return -1
}

// relation is one person's visits at one site, with what flags it.
type relation struct {
	person uint32
	hub    graph.NodeID
	visits []uint32
	flags  relFlag
}

// siteTally counts, per site, its relations worth judging and the
// flagged ones.
type siteTally struct {
	relations, flagged int32
	// Of which regulars: at least the period's repeat visits (see
	// state.repeat).
	regulars, flaggedRegulars int32
	// Of which admitted at the site at least once.
	admitted int32
	// own counts the relations flagged only for kinds that only their own
	// tests count (ownTest), apart from flagged.
	own int32
	// byKind counts the flagged relations of each of flagKinds.
	byKind [len(flagKinds)]int32
	// byCare splits relations, flagged, regulars and flaggedRegulars by
	// the kind of care of the relation (careOf): the site tests expect
	// flagged relations stratum by stratum (expectedFlagged).
	byCare [nCares]careTally
}

// careTally counts a site's relations of one kind of care.
type careTally struct {
	relations, flagged, regulars, flaggedRegulars int32
}

// Kinds of care of a relation, the strata of the site tests: chronic or
// special outpatient care (慢特病), whose dear multi-drug prescriptions are
// ordinary for the people who need them, and everything else.
const (
	careOther = iota
	careChronic
	nCares
)

// careOf returns the kind of care of a relation with visits vs (in time
// order): chronic when most of them are chronic or special outpatient
// visits (med_type 14), or when at least monthlyShare of the gaps between
// its visit days are a month's refill apart (monthGaps: 26 to 35 days,
// whatever the day of the month, since a month's supply runs out a few
// days early or late and the drift adds up): a chronic patient's monthly
// follow-up and refill, which many exports write as ordinary outpatient
// visits (med_type 11), without a diagnosis to compare it with its own
// kind. A ring's schedule of swipes every 7, 14 or 21 days is not; one
// every 30 days is read as monthly, and judged against chronic care's
// rate of dear prescriptions like a clientele's: not acquitted.
//
// days is scratch for the visit days, kept by the caller from one relation
// to the next (nil: allocated here).
func careOf(vt *graph.VisitTable, vs []uint32, monthlyShare float64, days *[]claims.Date) int {
	n := 0
	for _, v := range vs {
		if vt.MedType[v] == claims.MedChronic {
			n++
		}
	}
	if 2*n > len(vs) {
		return careChronic
	}
	if monthlyShare <= 0 || len(vs) < 3 {
		return careOther
	}
	if days == nil {
		days = new([]claims.Date)
	}
	ds := (*days)[:0]
	for _, v := range vs {
		ds = append(ds, vt.Begin.At(v).Day())
	}
	*days = ds
	slices.Sort(ds)
	if gaps, refills, _ := monthGaps(slices.Compact(ds)); gaps >= 2 && float64(refills) >= monthlyShare*float64(gaps) {
		return careChronic
	}
	return careOther
}

// excessCandidates is the discovery path that does not depend on typology.
// Every relation of a person with a site (medical institution or pharmacy)
// that has at least min_relation_visits visits (or min_relation_stays
// admissions) is judged on its own:
// billed far above peers (costly), card-based while living away,
// frequent and rhythmic while living far away, or on a strict rhythm from
// another district, which is tested apart (see flags and seedSites); a relation with
// fewer visits counts as costly when most of its person's care, spread over
// several sites, is. A site whose flagged relations exceed, flagged_lift
// times and at the family-wise significance min_significance + log10(sites),
// what its class's ordinary rate (classRates) predicts seeds a ring with
// its flagged people; the test runs on all returning people and on the
// period's regulars (then only regulars join); where one kind of flag
// alone makes the site stand out, only relations of that kind stay. Pairs
// of sites whose people are flagged at both beyond chance (coFlagged) keep
// those people's relations there even when neither site stands out alone.
// At a seeded site with ring doctors only their flagged people stay
// (withRingDoctors). Seeded sites
// join into one candidate only when they share flagged people
// (link_patient_share of the smaller site's) or several doctors on flagged
// visits (link_min_doctors, link_doctor_share), or when the flagged people
// of each come to the other's site far more often than its other people do
// (linkByVisits): two operations that share neither stay apart.
func (s *state) excessCandidates(ctx context.Context) ([]*candidate, error) {
	g := s.g
	p := &s.opt.Params
	lo := s.siteLo()
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	tally := make([]siteTally, nSites)
	recs, all, err := s.relationRecords(ctx, lo, nSites)
	if err != nil {
		return nil, err
	}
	if f := s.afterRecords; f != nil {
		s.afterRecords = nil
		f()
	}
	// People's visits, all sites together: a person whose care is spread
	// over several sites of a ring returns often without returning to any
	// one of them.
	nPeople := g.NumKind(graph.KindPatient)
	visits := make([]int32, nPeople)
	for _, r := range recs {
		visits[r.person] += r.n
	}
	returning := func(r *relRecord) bool {
		return int(r.n) >= p.MinRelationVisits || int(visits[r.person]) >= p.MinRelationVisits
	}
	for i := range recs {
		r := &recs[i]
		if returning(r) {
			t := &tally[r.site]
			c := &t.byCare[r.care]
			t.relations++
			c.relations++
			if int(r.n) >= s.repeat {
				t.regulars++
				c.regulars++
			}
			if admissions(&s.t.Visits, all[r.off:r.off+r.n]) > 0 {
				tally[r.site].admitted++
			}
		}
	}
	s.regulars = s.regularExcess(lo, tally)
	s.heavyRef = heavyRefs(p, recs, nSites, lo, g.Kind)
	closed := closedSites(p, recs, visits, nSites)
	s.closedSite = closed
	s.onsets, s.offsets, s.siteFirst, s.siteLast = s.onsetRelations(recs, all, nSites)
	// Peers of relations: within each institution class, the spread of
	// relations' median z, so that a relation is costly only against the
	// other returning people of the same kind of site (chronic refills at
	// pharmacies are dearer than one-off purchases everywhere).
	var costs, shares [nClasses][]float64
	for _, r := range recs {
		if int(r.n) < p.MinRelationVisits {
			continue
		}
		cl := g.Class(graph.NodeID(lo + int(r.site)))
		costs[cl] = append(costs[cl], float64(r.cost))
		shares[cl] = append(shares[cl], float64(r.shr))
	}
	for cl := range s.relPeers {
		s.relPeers[cl].costCentre, s.relPeers[cl].costScale = robust(costs[cl])
		s.relPeers[cl].shareCentre, s.relPeers[cl].shareScale = robust(shares[cl])
	}
	s.relPeersSet = true
	// Costly visits per person, over the relations billed far above
	// peers.
	costlyVisits := make([]int32, nPeople)
	for _, r := range recs {
		if s.costlyRelation(graph.NodeID(lo+int(r.site)), all[r.off:r.off+r.n], r.cost, r.shr) {
			costlyVisits[r.person] += r.n
		}
	}
	var rels, rhythmic []relation
	for _, r := range recs {
		h := graph.NodeID(lo + int(r.site))
		vs := all[r.off : r.off+r.n : r.off+r.n]
		var f relFlag
		switch {
		case int(r.n) >= p.MinRelationVisits || p.MinRelationStays > 0 && admissions(&s.t.Visits, vs) >= p.MinRelationStays:
			f = s.flags(r.person, h, vs, r.cost, r.shr, int(r.care))
		case returning(&r) && s.repeatAdmitted(r.person, vs):
			// A stay or two here of a person admitted again and again
			// over several sites.
			f = flagAdmits
		case returning(&r) && s.costlyRelation(h, vs, r.cost, r.shr) && int(costlyVisits[r.person]) >= p.MinRelationVisits &&
			2*costlyVisits[r.person] >= visits[r.person]:
			// A few visits here of a person most of whose care, over
			// several sites, is billed far above peers: the person joins
			// a ring seeded here, but does not seed one (a ring's people
			// buy and see doctors elsewhere too).
			f = flagCostly | flagSpread
		}
		if f != 0 && (closed[r.site] && f&^closedSiteFlags == 0 || s.isInfirmary(int(r.site)) && f&^infirmaryFlags == 0) {
			// The ordinary shape of a site's own population, not
			// recruits (closedSiteFlags, infirmaryFlags).
			f |= flagSpread
		}
		if f != 0 {
			if f&flagSpread == 0 {
				t := &tally[r.site]
				if ownTest(f) {
					t.own++
				} else {
					c := &t.byCare[r.care]
					t.flagged++
					c.flagged++
					if int(r.n) >= s.repeat {
						t.flaggedRegulars++
						c.flaggedRegulars++
					}
				}
				for k, kf := range flagKinds {
					if f&kf != 0 {
						t.byKind[k]++
					}
				}
			}
			rel := relation{person: r.person, hub: h, visits: vs, flags: f}
			if ownTest(f) {
				// Counted by its own test only, and apart from the other
				// flagged relations until that test says it stays.
				rhythmic = append(rhythmic, rel)
			} else {
				rels = append(rels, rel)
			}
		}
	}
	s.flaggedVisit = make([]bool, s.t.Visits.Len())
	for _, r := range rels {
		for _, v := range r.visits {
			s.flaggedVisit[v] = true
		}
	}
	// The chance excess allowed is family-wise: min_significance plus
	// log10 of the number of sites tested.
	minSig := p.MinSignificance + math.Log10(float64(max(nSites, 1)))
	sd := s.seedSites(lo, tally, minSig)
	s.pairHalfSeeds(lo, rels, &sd)
	seeded, regOnly, kinds, lift, rate := sd.seeded, sd.regOnly, sd.kinds, sd.lift, sd.rate
	// Site pairs are their own family: min_significance plus log10 of the
	// pairs seen (coFlagged), not of the sites as well.
	together := s.coFlagged(lo, rels, p.MinSignificance, newCoAttendance(recs, nSites, nPeople, p.CoFlagMaxSites))
	kept := rels[:0]
	for _, r := range rels {
		i := int(r.hub) - lo
		if seeded[i] && (!regOnly[i] || len(r.visits) >= s.repeat) && (kinds[i] == 0 || r.flags&kinds[i] != 0) ||
			together[personSite{r.person, int32(i)}] {
			kept = append(kept, r)
		}
	}
	for _, r := range rhythmic {
		if i := int(r.hub) - lo; r.flags&flagRhythm != 0 && sd.rhythm[i] || r.flags&flagLone != 0 && sd.lone[i] || r.flags&flagHeavy != 0 && sd.heavy[i] {
			kept = append(kept, r)
			for _, v := range r.visits {
				s.flaggedVisit[v] = true
			}
		}
	}
	rels = s.withRingDoctors(kept)
	if len(rels) == 0 {
		return nil, nil
	}
	uf := s.linkSites(lo, nSites, rels)
	var out []*candidate
	for _, idx := range uf.components(len(rels), func(i int) int32 { return int32(int(rels[i].hub) - lo) }) {
		for _, part := range s.relink(lo, nSites, rels, idx, ownExcess(p, g.Kind, rels, idx, &sd, lo)) {
			if c := s.excessCandidate(rels, part, tally, rate, lift, lo); c != nil {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// heavyRefs returns, by site index, how often the site's returning people
// of ordinary care come: the visits of their relations at heavy_quantile,
// at least min_relation_visits; 0 at pharmacies (chronic patients refill
// on a rhythm, and the item paths judge what they fill) and at sites with
// fewer than heavy_min_people such relations (too few to say what is
// ordinary there). A relation of heavy_ratio times that is heavy (heavy).
func heavyRefs(p *Params, recs []relRecord, nSites, lo int, kind func(graph.NodeID) graph.Kind) []float32 {
	out := make([]float32, nSites)
	if p.HeavyRatio <= 0 {
		return out
	}
	var ns []int32
	for a := 0; a < len(recs); {
		b := a
		ns = ns[:0]
		for ; b < len(recs) && recs[b].site == recs[a].site; b++ {
			if r := &recs[b]; int(r.n) >= p.MinRelationVisits && r.care == careOther {
				ns = append(ns, r.n)
			}
		}
		site := recs[a].site
		a = b
		if len(ns) < p.HeavyMinPeople || kind(graph.NodeID(lo+int(site))) == graph.KindPharmacy {
			continue
		}
		slices.Sort(ns)
		q := float64(ns[int(p.HeavyQuantile*float64(len(ns)-1))])
		out[site] = float32(max(q, float64(p.MinRelationVisits)))
	}
	return out
}

// heavy reports whether n visits of one person at the site of index i
// (node − siteLo) are heavy_ratio times or more what the site's returning
// people of ordinary care make (heavyRefs).
func (s *state) heavy(i, n int) bool {
	return i >= 0 && i < len(s.heavyRef) && s.heavyRef[i] > 0 && float64(n) >= s.opt.Params.HeavyRatio*float64(s.heavyRef[i])
}

// closedSites marks the sites serving a closed population: at least
// closed_min_residents of their returning people (min_relation_visits
// there) are residents, who have at least resident_share of all their
// visits (visits, by person) there, and residents are at least
// closed_site_share of those returning people. A nursing home's or a
// boarding school's infirmary is where its residents get almost all their
// care; some of them are billed above peers (the oldest, the multi-drug
// chronic patients) and all come on the rounds' rhythm, and against the
// class's ordinary rates they look like a ring. An outpatient clinic's
// patients, the recruits of a ring among
// them, also see doctors elsewhere: no such site came near (at most about
// half of its returning people) where every nursing home of the generated
// cities was at 98-100%.
func closedSites(p *Params, recs []relRecord, visits []int32, nSites int) []bool {
	residents := make([]int32, nSites)
	returning := make([]int32, nSites)
	for _, r := range recs {
		if int(r.n) < p.MinRelationVisits {
			continue
		}
		returning[r.site]++
		if float64(r.n) >= p.ResidentShare*float64(visits[r.person]) {
			residents[r.site]++
		}
	}
	closed := make([]bool, nSites)
	for i := range closed {
		closed[i] = int(residents[i]) >= p.ClosedMinResidents && float64(residents[i]) >= p.ClosedSiteShare*float64(returning[i])
	}
	return closed
}

// relink returns the groups of linked sites that the relations kept of a
// group hold (kept, a subset of the group's relations group), linked again
// among themselves when ownExcess left a site of the group out: a site
// that is not the operation's (a pharmacy where people of two rings fill
// their ordinary prescriptions) does not join the operation's other
// sites through the people they share with it.
func (s *state) relink(lo, nSites int, rels []relation, group, kept []int) [][]int {
	hubs := func(idx []int) int {
		seen := make(map[graph.NodeID]bool)
		for _, i := range idx {
			seen[rels[i].hub] = true
		}
		return len(seen)
	}
	if len(kept) == 0 || hubs(kept) == hubs(group) || hubs(kept) < 2 {
		return [][]int{kept}
	}
	sub := make([]relation, len(kept))
	for k, i := range kept {
		sub[k] = rels[i]
	}
	uf := s.linkSites(lo, nSites, sub)
	parts := uf.components(len(sub), func(k int) int32 { return int32(int(sub[k].hub) - lo) })
	for _, part := range parts {
		for k, j := range part {
			part[k] = kept[j]
		}
	}
	return parts
}

// seeding is what the site tests of excessCandidates decided, per site
// index: seeded sites, those seeded by their regulars only, the kinds of
// flag that make a site stand out alone, each site's lift over its
// class's rate, and the classes' ordinary rates.
type seeding struct {
	seeded, regOnly []bool
	kinds           []relFlag
	// rhythm marks the sites whose strict rhythms from the next district
	// stand out (flagRhythm): only there do relations flagged for that
	// alone stay.
	rhythm []bool
	// lone marks the sites whose strict rhythms of people seen nowhere
	// else stand out (flagLone), likewise.
	lone []bool
	// heavy marks the sites whose heavy relations stand out (flagHeavy),
	// likewise.
	heavy []bool
	lift  []float64
	rate  [nClasses]float64
	// expect is, per site, the smallest chance expectation among the
	// seeding tests it passed (+Inf where it passed none; see ownExcess).
	expect []float64
	// halfTail is, per site not seeded, log10 of the Poisson tail of its
	// flagged regulars when they are at least half_site_people and
	// flagged_lift times their expectation, halfExpect that expectation
	// (floored at minExpected); 0 and +Inf elsewhere (pairHalfSeeds).
	halfTail, halfExpect []float64
}

// seedSites tests every site's flagged relations (tally) against its
// class's ordinary rate at the family-wise significance minSig: on all
// returning people, on the regulars, and on each kind of flag alone.
func (s *state) seedSites(lo int, tally []siteTally, minSig float64) seeding {
	g := s.g
	p := &s.opt.Params
	nSites := len(tally)
	// A site is tested twice: on all its relations, and on its regulars
	// only (rings that run all year stand out among the regulars; rings
	// active a few months among all returning people).
	rate := s.classRates(lo, tally, false, nil)
	seeded := make([]bool, nSites)
	regOnly := make([]bool, nSites) // seeded by its regulars: only they join
	lift := make([]float64, nSites)
	expect := make([]float64, nSites)
	for i := range expect {
		expect[i] = math.Inf(1)
	}
	test := func(flagged int32, exp float64) (float64, bool) {
		return excessTest(p, int(flagged), exp, minSig)
	}
	// testSite is test remembering the smallest expectation of the tests
	// site i passes.
	testSite := func(i int, flagged int32, exp float64) (float64, bool) {
		l, ok := test(flagged, exp)
		if ok {
			expect[i] = min(expect[i], max(exp, minExpected))
		}
		return l, ok
	}
	// testCare tests site i's flagged relations against its expectation e
	// as a whole and in each kind of care alone (flagged by kind of care
	// in byCare): a ring among the colds and check-ups of a station that
	// also cares for chronic patients stands out among the colds.
	testCare := func(i int, flagged int32, byCare [nCares]int32, e careExpectation) (float64, bool) {
		l, ok := testSite(i, flagged, e.all)
		for c := range nCares {
			if lc, okc := testSite(i, byCare[c], e.byCare[c]); okc && (!ok || lc > l) {
				l, ok = lc, true
			}
		}
		return l, ok
	}
	okAll := make([]bool, nSites)
	expected := s.expectedFlagged(lo, tally, false, nil, rate)
	for i, t := range tally {
		var byCare [nCares]int32
		for c, ct := range t.byCare {
			byCare[c] = ct.flagged
		}
		lift[i], okAll[i] = testCare(i, t.flagged, byCare, expected[i])
	}
	// Sites that stand out among all their returning people do not vote on
	// the ordinary rate among regulars: in a small city, sites with many
	// regulars may be mostly ring sites.
	expectedReg := s.expectedFlagged(lo, tally, true, okAll, s.classRates(lo, tally, true, okAll))
	// Severity: relations billed far beyond the costly ones (severe_z) are
	// a small share of each class's flagged relations; a site holding many
	// of them stands out even where its class's flagged rate hides a small
	// ring among ordinary costly relations. The expectation is the class's
	// flagged rate times its pooled share of severe among flagged.
	//
	// Strict rhythms from the next district are a share of a site's
	// regulars, against the class's pooled share of them (rateRhythm), not
	// the lower quartile of its sites' shares (classRates): most sites
	// have none, and against a quartile of zero every site with a few
	// would stand out.
	ks, kr, kl, kw, kh := kindIndex(flagSevere), kindIndex(flagRhythm), kindIndex(flagLone), kindIndex(flagAway), kindIndex(flagHeavy)
	var flaggedSum, severeSum, rateRhythm, rateLone, rateAway, regularsSum, rateHeavy, relationsSum [nClasses]float64
	for i, t := range tally {
		cl := g.Class(graph.NodeID(lo + i))
		flaggedSum[cl] += float64(t.flagged)
		severeSum[cl] += float64(t.byKind[ks])
		rateRhythm[cl] += float64(t.byKind[kr])
		rateLone[cl] += float64(t.byKind[kl])
		rateAway[cl] += float64(t.byKind[kw])
		regularsSum[cl] += float64(t.regulars)
		rateHeavy[cl] += float64(t.byKind[kh])
		relationsSum[cl] += float64(t.byCare[careOther].relations)
	}
	for cl := range rateRhythm {
		rateRhythm[cl] /= max(regularsSum[cl], 1)
		rateLone[cl] /= max(regularsSum[cl], 1)
		rateAway[cl] /= max(regularsSum[cl], 1)
		rateHeavy[cl] /= max(relationsSum[cl], 1)
	}
	// Admissions: people admitted again and again are a share of a
	// site's inpatients, not of all its returning people; a busy
	// hospital's outpatients hide a ward kept full with the same people.
	// The expectation is the class's ordinary share of such people among
	// its sites' inpatients.
	ka := kindIndex(flagAdmits)
	byAdmitted := make([]siteTally, nSites)
	for i, t := range tally {
		byAdmitted[i] = siteTally{relations: t.admitted, flagged: t.byKind[ka]}
	}
	rateAdmit := s.classRates(lo, byAdmitted, false, nil)
	okAdmits := make([]bool, nSites)
	okSevere := make([]bool, nSites)
	okRhythm := make([]bool, nSites)
	okLone := make([]bool, nSites)
	okHeavy := make([]bool, nSites)
	ownOnly := make([]relFlag, nSites) // seeded by their own tests alone (strict rhythms, heavy visits): which
	halfTail := make([]float64, nSites)
	halfExpect := make([]float64, nSites)
	for i, t := range tally {
		h := graph.NodeID(lo + i)
		la, okA := lift[i], okAll[i]
		var byCareReg [nCares]int32
		for c, ct := range t.byCare {
			byCareReg[c] = ct.flaggedRegulars
		}
		lr, okR := testCare(i, t.flaggedRegulars, byCareReg, expectedReg[i])
		var ls float64
		if cl := g.Class(h); flaggedSum[cl] > 0 {
			ls, okSevere[i] = testSite(i, t.byKind[ks], rate[cl]*float64(t.relations)*severeSum[cl]/flaggedSum[cl])
		}
		var lad float64
		lad, okAdmits[i] = testSite(i, t.byKind[ka], rateAdmit[g.Class(h)]*float64(t.admitted))
		var lrh float64
		lrh, okRhythm[i] = testSite(i, t.byKind[kr], rateRhythm[g.Class(h)]*float64(t.regulars))
		var llo float64
		llo, okLone[i] = testSite(i, t.byKind[kl], rateLone[g.Class(h)]*float64(t.regulars))
		// Heavy relations are a share of the site's returning people of
		// ordinary care, against the class's pooled share of them.
		var lhe float64
		lhe, okHeavy[i] = testSite(i, t.byKind[kh], rateHeavy[g.Class(h)]*float64(t.byCare[careOther].relations))
		// Both kinds of strict rhythm together: a card-holding station's
		// cards come from the next district and from people seen nowhere
		// else alike.
		var joint relFlag
		if t.byKind[kr] > 0 && t.byKind[kl] > 0 {
			if lb, okBoth := testSite(i, t.byKind[kr]+t.byKind[kl], (rateRhythm[g.Class(h)]+rateLone[g.Class(h)])*float64(t.regulars)); okBoth {
				joint, lrh = flagRhythm|flagLone, max(lrh, lb)
			}
		}
		// And with the regulars who live far away and come on a rhythm
		// (flagAway): a station holding the cards of people from
		// everywhere.
		if n := t.byKind[kr] + t.byKind[kl] + t.byKind[kw]; joint == 0 && t.byKind[kw] > 0 && t.byKind[kr]+t.byKind[kl] > 0 {
			if lb, ok := testSite(i, n, (rateRhythm[g.Class(h)]+rateLone[g.Class(h)]+rateAway[g.Class(h)])*float64(t.regulars)); ok {
				joint, lrh = flagRhythm|flagLone|flagAway, max(lrh, lb)
			}
		}
		okRhythm[i] = okRhythm[i] || joint&flagRhythm != 0
		okLone[i] = okLone[i] || joint&flagLone != 0
		others := okA || okR || okSevere[i] || okAdmits[i]
		seeded[i] = others || okRhythm[i] || okLone[i] || okHeavy[i]
		if !others {
			if okHeavy[i] {
				ownOnly[i] |= flagHeavy
			}
			if okRhythm[i] {
				ownOnly[i] |= flagRhythm
			}
			if okLone[i] {
				ownOnly[i] |= flagLone
			}
			ownOnly[i] |= joint & flagAway
		}
		regOnly[i] = okR && !okA && !okSevere[i] && !okAdmits[i] && !okRhythm[i] && !okLone[i] && !okHeavy[i]
		halfExpect[i] = math.Inf(1)
		if k, e := int(t.flaggedRegulars), max(expectedReg[i].all, minExpected); !seeded[i] && p.HalfSitePeople > 0 &&
			k >= p.HalfSitePeople && float64(k) >= p.FlaggedLift*e {
			halfTail[i], halfExpect[i] = poissonTailLog10(k, e), e
		}
		lift[i] = max(la, lr, ls, lad, lrh, llo, lhe)
	}
	// One operation per ring: where one kind of flag alone makes a seeded
	// site stand out (its people billed far above peers, or card-based
	// from afar, or admitted again and again), only relations of such
	// kinds stay; the site's people flagged for other reasons are its
	// ordinary share of chance. Where only all kinds together stand out,
	// all stay.
	kinds := make([]relFlag, nSites)
	for k, kf := range flagKinds {
		if ownTest(kf) {
			continue // their own tests above
		}
		tk := make([]siteTally, nSites)
		for i, t := range tally {
			tk[i] = siteTally{relations: t.relations, flagged: t.byKind[k]}
		}
		rk := s.classRates(lo, tk, false, nil)
		for i, t := range tally {
			if !seeded[i] {
				continue
			}
			if _, ok := test(t.byKind[k], rk[g.Class(graph.NodeID(lo+i))]*float64(t.relations)); ok {
				kinds[i] |= kf
			}
		}
	}
	for i := range okSevere {
		if okAll[i] {
			continue
		}
		// Seeded by its severe relations or its repeat inpatients
		// alone: only they stay.
		var only relFlag
		if okSevere[i] {
			only |= flagSevere
		}
		if okAdmits[i] {
			only |= flagAdmits
		}
		if ownOnly[i] != 0 {
			only = ownOnly[i]
		}
		if only != 0 {
			kinds[i] = only
		}
	}
	return seeding{seeded: seeded, regOnly: regOnly, kinds: kinds, rhythm: okRhythm, lone: okLone, heavy: okHeavy, lift: lift, rate: rate, expect: expect,
		halfTail: halfTail, halfExpect: halfExpect}
}

// pairHalfSeeds seeds the half-seeded sites (sd.halfTail: sites whose
// flagged regulars stand out but are fewer than min_ring_people) that
// share a flagged regular, or a doctor of min_doctor_visits of their
// flagged regulars' visits, with another half-seeded site, when the two
// tails together are beyond chance at min_significance + log10 of the
// pairs sharing someone, and the two hold min_ring_people people: a small
// ring spread over two clinics, three or four recruits at each and one of
// them at both, is no ring at either alone. Such sites are seeded on their
// regulars (only they join, as for regOnly), and their own people stay as
// an excess against the regulars' expectation (sd.expect).
func (s *state) pairHalfSeeds(lo int, rels []relation, sd *seeding) {
	p := &s.opt.Params
	people := make(map[int32][]uint32)
	docVisits := make(map[int32]*counter[uint32])
	for _, r := range rels {
		i := int32(int(r.hub) - lo)
		if sd.halfTail[i] < 0 && r.flags&flagSpread == 0 && len(r.visits) >= s.repeat {
			people[i] = append(people[i], r.person)
			s.countDoctors(docVisits, i, r.visits)
		}
	}
	if len(people) < 2 {
		return
	}
	docs := make(map[int32][]uint32, len(people))
	if s.visitDoctors {
		for i := range people {
			docs[i] = atLeast(docVisits[i], p.MinDoctorVisits)
		}
	}
	_, pairs := sharingPairs(people, docs)
	if len(pairs) == 0 {
		return
	}
	minSig := p.MinSignificance + math.Log10(float64(len(pairs)))
	for _, k := range pairs {
		a, b := k[0], k[1]
		if sd.halfTail[a]+sd.halfTail[b] > -minSig || len(people[a])+len(people[b])-intersect(people[a], people[b]) < p.MinRingPeople {
			continue
		}
		for _, i := range k {
			sd.seeded[i], sd.regOnly[i] = true, true
			sd.expect[i] = min(sd.expect[i], sd.halfExpect[i])
		}
	}
}

// minExpected is the floor of a chance expectation in the site tests: a
// class whose sites flag no one still leaves room for one by chance.
const minExpected = 0.1

// excessTest reports the lift of count over the chance expectation exp
// and whether it is a site's excess: at least min_ring_people, at least
// flagged_lift times exp, and a Poisson tail at most 10^-minSig.
func excessTest(p *Params, count int, exp, minSig float64) (float64, bool) {
	exp = max(exp, minExpected)
	l := float64(count) / exp
	return l, count >= p.MinRingPeople && l >= p.FlaggedLift && poissonTailLog10(count, exp) <= -minSig
}

// ownExcess trims a group of linked sites' relations rels[idx] to what its
// sites hold beyond chance. People flagged at two or more of the group's
// sites stay. A seeded site's own people (flagged at it alone) stay only
// while they are an excess by themselves: at least flagged_lift times the
// smallest chance expectation among the seeding tests the site passed
// (seeding.expect); the significance and min_ring_people of the seeding
// test are not asked again (a ring site may hold two or three people of
// its own). A site seeded because a ring's people are also flagged there
// otherwise brings along its ordinary share of chance: chronic patients
// refilling from afar, a household's dear month. A pharmacy whose own
// people are chance and whose people shared with the group are no excess
// either leaves the group entirely: it is where the ring's people fill
// their ordinary prescriptions, not part of the operation (its people
// stay through the group's other sites). Sites not seeded (joined by
// their people flagged at two sites, see coFlagged) are left as they are.
func ownExcess(p *Params, kind func(graph.NodeID) graph.Kind, rels []relation, idx []int, sd *seeding, lo int) []int {
	sites := make(map[uint32]int, len(idx))
	hubs := make(map[graph.NodeID]bool)
	for _, i := range idx {
		sites[rels[i].person]++
		hubs[rels[i].hub] = true
	}
	if len(hubs) < 2 {
		return idx
	}
	own := make(map[graph.NodeID]int, len(hubs))
	shared := make(map[graph.NodeID]int, len(hubs))
	for _, i := range idx {
		if sites[rels[i].person] == 1 {
			own[rels[i].hub]++
		} else {
			shared[rels[i].hub]++
		}
	}
	dropOwn := make(map[graph.NodeID]bool) // the site's own people are chance
	dropAll := make(map[graph.NodeID]bool) // the site is not the operation's
	for h, n := range own {
		j := int(h) - lo
		if !sd.seeded[j] || math.IsInf(sd.expect[j], 1) {
			continue
		}
		need := p.FlaggedLift * sd.expect[j]
		if float64(n) < need {
			dropOwn[h] = true
			dropAll[h] = kind(h) == graph.KindPharmacy && float64(shared[h]) < need
		}
	}
	if len(dropOwn) == 0 {
		return idx
	}
	out := idx[:0:0]
	for _, i := range idx {
		h := rels[i].hub
		if !dropAll[h] && (!dropOwn[h] || sites[rels[i].person] > 1) {
			out = append(out, i)
		}
	}
	return out
}

// relRecord is one relation worth judging: a person's live visits at a
// site (all[off:off+n]) with their median peer z of fund and fund share
// and their kind of care.
type relRecord struct {
	person    uint32
	site      int32
	off, n    int32
	cost, shr float32
	care      uint8 // kind of care (careOf)
}

// relationRecords is the first pass of excessCandidates: every relation
// of a person with one of the nSites sites (site index i is node lo+i),
// its visits gathered into all, site by site and person by person. The
// sites are split into runs of about equal visits, one per worker
// (maxRecordWorkers, at most GOMAXPROCS), and the runs joined in site
// order: the result does not depend on the workers. Each worker writes its
// sites' visits straight into all, whose size is known; the records, in
// fixed chunks (relChunk), are joined by one copy, chunk by chunk, so that
// two workers hold them twice for a moment: when the memory limit has no
// room for that (memoryRoom), one worker does all (its chunks, released as
// they are copied, cost no more than a slice grown by doubling would).
func (s *state) relationRecords(ctx context.Context, lo, nSites int) ([]relRecord, []uint32, error) {
	workers := s.opt.workers(maxRecordWorkers)
	sizes, total := make([]int, nSites), 0
	for i := range sizes {
		for _, v := range s.visitsOf(graph.NodeID(lo + i)) {
			if s.live(v) {
				sizes[i]++
			}
		}
		total += sizes[i]
	}
	if workers > 1 && !memoryRoom(int64(unsafe.Sizeof(relRecord{}))*int64(total)) {
		workers = 1
	}
	all := make([]uint32, total)
	// bounds[w]..bounds[w+1] are worker w's sites; starts[w] is where its
	// visits begin in all.
	bounds, starts := make([]int, 0, workers+1), make([]int, 0, workers+1)
	bounds, starts = append(bounds, 0), append(starts, 0)
	seen := 0
	for i, n := range sizes {
		seen += n
		if len(bounds) < workers && seen*workers >= total*len(bounds) {
			bounds, starts = append(bounds, i+1), append(starts, seen)
		}
	}
	for len(bounds) < workers+1 {
		bounds, starts = append(bounds, nSites), append(starts, total)
	}
	type part struct {
		recs [][]relRecord
		err  error
	}
	parts := make([]part, workers)
	runWorkers(workers, func(w int) {
		p := &parts[w]
		p.recs, p.err = s.relationRecordsOf(ctx, lo, bounds[w], bounds[w+1], all[starts[w]:starts[w+1]], int32(starts[w]), relChunk)
	})
	nr := 0
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, p.err
		}
		for _, c := range p.recs {
			nr += len(c)
		}
	}
	recs := make([]relRecord, 0, nr)
	for i := range parts {
		for j, c := range parts[i].recs {
			recs = append(recs, c...)
			parts[i].recs[j] = nil
		}
	}
	return recs, all, nil
}

// relChunk is the number of records in a chunk of relationRecordsOf's
// output: chunks are filled and never grown, so that the records are
// copied once, into the joined slice, and not at every doubling.
const relChunk = 1 << 14

// maxRecordWorkers is the most goroutines relationRecords uses.
const maxRecordWorkers = 2

// relationRecordsOf is relationRecords for the sites from..to-1: it writes
// their live visits into all (which has room for exactly those), each
// record's offset base plus its place there, and returns the records in
// chunks of the given size (relChunk).
func (s *state) relationRecordsOf(ctx context.Context, lo, from, to int, all []uint32, base int32, chunk int) ([][]relRecord, error) {
	var chunks [][]relRecord
	var recs []relRecord
	at := 0
	// keys packs (person, position in the site's visits): sorting them
	// groups a site's visits person by person, each person's in time order.
	var keys []uint64
	var zbuf []float32
	var days []claims.Date // careOf's scratch
	vt := &s.t.Visits
	for i := from; i < to; i++ {
		if (i-from)%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		vs := s.visitsOf(graph.NodeID(lo + i))
		keys = keys[:0]
		for k, v := range vs {
			if s.live(v) {
				keys = append(keys, uint64(vt.Person[v])<<32|uint64(k))
			}
		}
		keys = graph.SortKeys(keys)
		for a := 0; a < len(keys); {
			p := uint32(keys[a] >> 32)
			b := a
			off := at
			for ; b < len(keys) && uint32(keys[b]>>32) == p; b++ {
				all[at] = vs[uint32(keys[b])]
				at++
			}
			cost, shr := s.relationZ(all[off:at], &zbuf)
			if len(recs) == chunk {
				chunks = append(chunks, recs)
				recs = nil
			}
			if recs == nil {
				recs = make([]relRecord, 0, chunk)
			}
			recs = append(recs, relRecord{person: p, site: int32(i), off: base + int32(off), n: int32(b - a), cost: cost, shr: shr,
				care: uint8(careOf(vt, all[off:at], s.opt.Params.RoutineMonthlyShare, &days))})
			a = b
		}
	}
	if len(recs) > 0 {
		chunks = append(chunks, recs)
	}
	return chunks, nil
}

// coAttendance holds who has a relation with each site, to count the
// people two sites share (coFlagged's second expectation).
type coAttendance struct {
	recs  []relRecord // relationRecords: site by site, person by person
	start []int32     // recs[start[i]:start[i+1]] are site i's
	pairs float64     // Σ k(k−1)/2 over people with 2..maxSites sites
	memo  map[[2]int32]int32
}

// newCoAttendance indexes recs (ordered by site, then person) for nSites
// sites and counts the site pairs people share, over people with a
// relation at no more than maxSites sites.
func newCoAttendance(recs []relRecord, nSites, nPeople, maxSites int) *coAttendance {
	co := &coAttendance{recs: recs, start: make([]int32, nSites+1), memo: make(map[[2]int32]int32)}
	k := make([]int32, nPeople)
	for _, r := range recs {
		co.start[r.site+1]++
		k[r.person]++
	}
	for i := 0; i < nSites; i++ {
		co.start[i+1] += co.start[i]
	}
	for _, n := range k {
		if n >= 2 && int(n) <= maxSites {
			co.pairs += float64(n) * float64(n-1) / 2
		}
	}
	return co
}

// shared returns the number of people with a relation at both site a and
// site b (site indexes).
func (co *coAttendance) shared(a, b int32) int32 {
	key := [2]int32{min(a, b), max(a, b)}
	if n, ok := co.memo[key]; ok {
		return n
	}
	x, y := co.recs[co.start[a]:co.start[a+1]], co.recs[co.start[b]:co.start[b+1]]
	var n int32
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i].person < y[j].person:
			i++
		case x[i].person > y[j].person:
			j++
		default:
			n++
			i++
			j++
		}
	}
	co.memo[key] = n
	return n
}

// personSite is a person row and a site index.
type personSite struct {
	person uint32
	site   int32
}

// coFlagged finds small rings spread over several sites, none of which
// stands out alone: pairs of sites whose people are flagged at both far
// more often than chance explains. Under a configuration model a person
// flagged at k sites makes k(k−1)/2 site pairs, and pair (a, b) expects
// M_a·M_b/M² of all such pairs (M_a the flagged relations of site a, M
// those of every site), so that big sites and people flagged everywhere
// explain their own coincidences. Neighbouring sites share their people
// (a district's clinics, a hospital and the pharmacy at its gate), and
// people billed above peers at one site often are at the next, so when co
// is given the pair also expects its shared people (those with a relation
// at both) times the city's share of shared pairs flagged at both, and
// the larger of the two expectations counts. A pair with at least min_ring_people
// people flagged at both, and a Poisson tail of the count beyond
// minSig + log10(pairs seen), keeps those people's relations at the two
// sites. People flagged at more than co_flag_max_sites sites are spread
// over the city and do not count. It returns the (person, site) relations
// kept.
func (s *state) coFlagged(lo int, rels []relation, minSig float64, co *coAttendance) map[personSite]bool {
	p := &s.opt.Params
	byPerson := make([]personSite, 0, len(rels))
	perSite := make(map[int32]int)
	for _, r := range rels {
		i := int32(int(r.hub) - lo)
		byPerson = append(byPerson, personSite{r.person, i})
		perSite[i]++
	}
	slices.SortFunc(byPerson, func(a, b personSite) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.site, b.site))
	})
	type pair [2]int32
	count := make(map[pair]int32)
	var pairs float64 // Σ k(k−1)/2 over people
	for a := 0; a < len(byPerson); {
		b := a
		for b < len(byPerson) && byPerson[b].person == byPerson[a].person {
			b++
		}
		k := b - a
		if k >= 2 && k <= p.CoFlagMaxSites {
			pairs += float64(k*(k-1)) / 2
			for x := a; x < b; x++ {
				for y := x + 1; y < b; y++ {
					count[pair{byPerson[x].site, byPerson[y].site}]++
				}
			}
		}
		a = b
	}
	if len(count) == 0 {
		return nil
	}
	m := float64(len(rels))
	sig := minSig + math.Log10(float64(len(count)))
	out := make(map[personSite]bool)
	for a := 0; a < len(byPerson); {
		b := a
		for b < len(byPerson) && byPerson[b].person == byPerson[a].person {
			b++
		}
		if k := b - a; k >= 2 && k <= p.CoFlagMaxSites {
			for x := a; x < b; x++ {
				for y := x + 1; y < b; y++ {
					sx, sy := byPerson[x].site, byPerson[y].site
					n := count[pair{sx, sy}]
					if int(n) < p.MinRingPeople {
						continue
					}
					exp := 2 * pairs * float64(perSite[sx]) * float64(perSite[sy]) / (m * m)
					if co != nil && co.pairs > 0 {
						exp = max(exp, float64(co.shared(sx, sy))*pairs/co.pairs)
					}
					if poissonTailLog10(int(n), exp) <= -sig {
						out[byPerson[x]] = true
						out[byPerson[y]] = true
					}
				}
			}
		}
		a = b
	}
	return out
}

// withRingDoctors keeps, at each seeded site, the flagged relations that
// go through the site's ring doctors, when it has some: doctors with at
// least min_doctor_visits flagged visits there who give at least half of
// their visits at the site, and ring_doctor_lift times the site's share, to
// flagged relations. A busy site's ordinary flagged people, spread over its
// other doctors, do not join a ring that a few doctors there run; at a site
// without such doctors (or whose visits name none), or where fewer than
// min_ring_people flagged people see them, every flagged relation stays.
func (s *state) withRingDoctors(rels []relation) []relation {
	vt := &s.t.Visits
	flagged := make(map[uint32]bool)
	bySite := make(map[graph.NodeID][]int)
	for i, r := range rels {
		bySite[r.hub] = append(bySite[r.hub], i)
		for _, v := range r.visits {
			flagged[v] = true
		}
	}
	drop := make([]bool, len(rels))
	for h, idx := range bySite {
		total, flaggedN := newCounter[uint32](), newCounter[uint32]()
		all, fl := 0, 0
		for _, v := range s.visitsOf(h) {
			d := vt.Doctor[v]
			if !s.live(v) || !s.doctorOK(d) {
				continue
			}
			all++
			total.add(d, 1)
			if flagged[v] {
				fl++
				flaggedN.add(d, 1)
			}
		}
		if all == 0 {
			continue
		}
		share := float64(fl) / float64(all)
		ring := make(map[uint32]bool)
		for _, d := range flaggedN.keys {
			x := float64(flaggedN.n[d]) / float64(total.n[d])
			if flaggedN.n[d] >= s.opt.Params.MinDoctorVisits && x >= 0.5 && x >= s.opt.Params.RingDoctorLift*share {
				ring[d] = true
			}
		}
		if len(ring) == 0 {
			continue
		}
		stay := 0
		for _, i := range idx {
			with, named := 0, 0
			for _, v := range rels[i].visits {
				if d := vt.Doctor[v]; s.doctorOK(d) {
					named++
					if ring[d] {
						with++
					}
				}
			}
			drop[i] = named > 0 && 2*with < named
			if !drop[i] {
				stay++
			}
		}
		if stay < s.opt.Params.MinRingPeople {
			// The doctors do not run the site's flagged relations: too few
			// of its flagged people see them to be a ring (a ring whose
			// people see many doctors has one or two busy among them).
			for _, i := range idx {
				drop[i] = false
			}
		}
	}
	out := rels[:0]
	for i, r := range rels {
		if !drop[i] {
			out = append(out, r)
		}
	}
	return out
}

// relationZ returns the median peer z of the fund and of the fund share of
// the visits vs.
// buf, when not nil, is scratch space reused between calls.
func (s *state) relationZ(vs []uint32, buf *[]float32) (cost, share float32) {
	var zs []float32
	if buf != nil {
		zs = (*buf)[:0]
		defer func() { *buf = zs }()
	}
	for _, v := range vs {
		zs = append(zs, s.visitZ[v])
	}
	for _, v := range vs {
		zs = append(zs, s.shareZ[v])
	}
	a, b := zs[:len(vs)], zs[len(vs):]
	slices.Sort(a)
	slices.Sort(b)
	return a[len(a)/2], b[len(b)/2]
}

// relPeer is the spread of relations' median z within one institution
// class.
type relPeer struct {
	costCentre, costScale   float64
	shareCentre, shareScale float64
}

// judge flags the relation of person row p with site h (visits vs, in time
// order) as the full run did.
func (s *state) judge(p uint32, h graph.NodeID, vs []uint32) relFlag {
	if !s.relPeersSet {
		return 0
	}
	cost, shr := s.relationZ(vs, nil)
	return s.flags(p, h, vs, cost, shr, careOf(&s.t.Visits, vs, s.opt.Params.RoutineMonthlyShare, nil))
}

// flags flags a relation from the median z of its visits (cost, shr):
// costly when either is at least costly_z against the visits' peers and
// relation_z scales above the other relations of the same class; at
// pharmacies, where dear regular fills are ordinary chronic care, only
// when at least pharmacy_rule_share of the fills were cited by a rule
// (refills while supply was left, over-long supplies), or, for fills
// whose lines give no supply days (no prd_days, no catalogue max_days for
// their items) for the rules to judge, when they are twice costly_z above
// peers. A relation of ordinary care (care, its careOf) that no flag of
// the general test marks is also flagged heavy when its visits are heavy
// there (heavy).
func (s *state) flags(p uint32, h graph.NodeID, vs []uint32, cost, shr float32, care int) relFlag {
	vt := &s.t.Visits
	pr := &s.opt.Params
	var f relFlag
	if s.costlyRelation(h, vs, cost, shr) {
		f |= flagCostly
		if float64(max(cost, shr)) >= pr.SevereZ {
			f |= flagSevere
		}
	}
	card := 0
	for _, v := range vs {
		if vt.Cert[v] == claims.CertSocialCard {
			card++
		}
	}
	dist, known := s.away(p, h)
	if float64(card) >= pr.CardShare*float64(len(vs)) && (dist > distSame || !known) {
		f |= flagCard
	}
	switch {
	case len(vs) < s.repeat:
	case known && dist > distSame:
		f |= rhythmFlag(pr, dist, s.g.Kind(h) == graph.KindPharmacy, regularity(vt, vs))
	case !known && rhythmFlag(pr, distNear, s.g.Kind(h) == graph.KindPharmacy, regularity(vt, vs)) == flagRhythm:
		// No care elsewhere tells where the person lives (a card whose
		// owner is seen nowhere else), and a strict rhythm.
		f |= flagLone
	}
	if s.repeatAdmitted(p, vs) {
		f |= flagAdmits
	}
	if (f == 0 || ownTest(f)) && care == careOther && s.heavy(int(h)-s.siteLo(), len(vs)) {
		// Only where no flag of the general test flags the relation:
		// those say more of what it is. Beside a strict rhythm it is
		// counted by both own tests (a card swiped on a schedule, again
		// and again).
		f |= flagHeavy
	}
	return f
}

// rhythmFlag returns the flag a regular relation of a person living away
// (dist, known) earns by its regularity reg: flagAway when the person
// lives far (another city) and comes on a rhythm (rhythm_min), flagRhythm
// when the person lives in another district of the city and comes on a
// strict rhythm (rhythm_strict, 0 = off) to a medical institution; chronic
// patients refilling on a fixed rhythm at a pharmacy are ordinary, so a
// pharmacy earns no flagRhythm.
func rhythmFlag(p *Params, dist int, pharmacy bool, reg float64) relFlag {
	switch {
	case dist == distFar && reg >= p.RhythmMin:
		return flagAway
	case dist == distNear && !pharmacy && p.RhythmStrict > 0 && reg >= p.RhythmStrict:
		return flagRhythm
	}
	return 0
}

// costlyRelation reports whether the relation with site h (visits vs, whose
// median peer z are cost and shr) is flagged as billed far above peers:
// costly, and at a pharmacy also cited by rules or far dearer still (see
// flags).
func (s *state) costlyRelation(h graph.NodeID, vs []uint32, cost, shr float32) bool {
	pr := &s.opt.Params
	if !s.costly(h, cost, shr) {
		return false
	}
	if s.g.Kind(h) != graph.KindPharmacy || s.ruleShare(vs) >= pr.PharmacyRuleShare {
		return true
	}
	return !s.supplyKnown(vs) && float64(max(cost, shr)) >= 2*pr.CostlyZ
}

// supplyKnown reports whether any of the visits vs bills a line whose days
// of supply are known (its prd_days, or the catalogue's max_days for its
// item), so that the rules could judge its refills.
func (s *state) supplyKnown(vs []uint32) bool {
	ft, ct := &s.t.Fees, &s.t.Catalog
	for _, v := range vs {
		for f := range s.feesOf(v).All() {
			if ft.SupplyDays.At(f) > 0 {
				return true
			}
			if it := ft.Item.At(f); int(it) < len(ct.MaxDays) && ct.MaxDays[it] > 0 {
				return true
			}
		}
	}
	return false
}

// costly reports whether a relation with site h whose visits have median
// peer z cost (fund) and shr (fund share) is billed far above peers: either
// at least costly_z, and relation_z scales above the median relation of the
// same institution class.
func (s *state) costly(h graph.NodeID, cost, shr float32) bool {
	pr := &s.opt.Params
	rp := &s.relPeers[s.g.Class(h)]
	above := func(z float32, centre, scale float64) bool {
		return float64(z) >= pr.CostlyZ && float64(z) >= centre+pr.RelationZ*max(scale, 0.5)
	}
	return above(cost, rp.costCentre, rp.costScale) || above(shr, rp.shareCentre, rp.shareScale)
}

// ruleShare is the share of the visits vs that a rule about their own
// person cited (ownHit; rows appended after the run count as not cited).
func (s *state) ruleShare(vs []uint32) float64 {
	n := 0
	for _, v := range vs {
		if int(v) < len(s.ownHit) && s.ownHit[v] {
			n++
		}
	}
	return float64(n) / float64(max(len(vs), 1))
}

// repeatAdmitted reports whether the relation of person row p whose visits
// are vs holds an admission of a person admitted at least
// repeat_admissions times, here or over several sites none of which
// holds that many (a person kept in one ward elsewhere is not this site's).
func (s *state) repeatAdmitted(p uint32, vs []uint32) bool {
	vt := &s.t.Visits
	n := admissions(vt, vs)
	if n == 0 {
		return false
	}
	if n < s.opt.Params.RepeatAdmissions {
		// Admitted here less often than repeat_admissions: the stays
		// count with those elsewhere, unless the person's ward is
		// elsewhere (admitted repeat_admissions times at one other site):
		// a stray stay here is not this site's.
		var buf [16]uint32
		insts := buf[:0]
		for _, v := range s.visitsOf(s.g.PatientNode(p)) {
			if s.live(v) && vt.MedType[v].Inpatient() {
				insts = append(insts, vt.Institution[v])
			}
		}
		if len(insts) < s.opt.Params.RepeatAdmissions {
			return false
		}
		slices.Sort(insts)
		for i := 0; i < len(insts); {
			j := i
			for j < len(insts) && insts[j] == insts[i] {
				j++
			}
			if j-i >= s.opt.Params.RepeatAdmissions {
				return false
			}
			i = j
		}
		return true
	}
	return true
}

// admissions counts the inpatient visits (admissions) among vs.
func admissions(vt *graph.VisitTable, vs []uint32) int {
	n := 0
	for _, v := range vs {
		if vt.MedType[v].Inpatient() {
			n++
		}
	}
	return n
}

// regularity is 1 − the coefficient of variation of the days between the
// visits vs (in time order), 0 with fewer than four distinct days.
func regularity(vt *graph.VisitTable, vs []uint32) float64 {
	var sum, sq float64
	n := 0
	prev := int64(-1)
	for _, v := range vs {
		d := int64(vt.Begin.At(v).Day())
		if prev >= 0 && d > prev {
			x := float64(d - prev)
			sum += x
			sq += x * x
			n++
		}
		if d > prev {
			prev = d
		}
	}
	if n < 3 {
		return 0
	}
	mean := sum / float64(n)
	return max(0, 1-math.Sqrt(max(0, sq/float64(n)-mean*mean))/mean)
}

// classRates returns, per institution class, the ordinary share of
// flagged relations (of regulars, when regulars is set): the lower quartile
// of the flagged shares of the class's sites with at least
// min_vote_relations of them, each weighted by its relations (regulars),
// floored at min_flagged_rate. The lower quartile: in a small city ring
// sites can be many of the few sites of a class and must not make up their
// own peers. Weighted: a small site's share is noise (none of 15 regulars
// flagged is as likely at a rate of 10% as at 0), and counted one site one
// vote the small sites of a class set its rate at nothing, against which
// every busy community station's dear chronic patients stood out as a
// ring. Pharmacies' regulars are
// judged against the median instead: they are chronic patients, and a few
// dear, early refills are ordinary at any pharmacy (sites that already
// stand out among all their returning people, skip, do not vote, so the
// median stays ordinary). A class with fewer than minClassVoters voting sites
// takes the value over all classes.
func (s *state) classRates(lo int, tally []siteTally, regulars bool, skip []bool) [nClasses]float64 {
	return s.classRatesAt(lo, tally, regulars, skip, false)
}

// classRatesAt is classRates, at the median for every class when median
// is set.
func (s *state) classRatesAt(lo int, tally []siteTally, regulars bool, skip []bool, median bool) [nClasses]float64 {
	shares, all := s.classShares(lo, tally, skip, func(t siteTally) (n, f int32) {
		if regulars {
			return t.regulars, t.flaggedRegulars
		}
		return t.relations, t.flagged
	})
	var out [nClasses]float64
	for cl := range out {
		q := 0.25
		if median || regulars && graph.InstitutionClass(cl) == graph.ClassPharmacy {
			q = 0.5
		}
		out[cl] = weightedQuantile(all, q)
		if len(shares[cl]) >= minClassVoters {
			out[cl] = weightedQuantile(shares[cl], q)
		}
		out[cl] = max(out[cl], s.opt.Params.MinFlaggedRate)
	}
	return out
}

// careExpectation is the number of flagged relations a site's class
// predicts for it, in all and in each kind of care.
type careExpectation struct {
	all    float64
	byCare [nCares]float64
}

// expectedFlagged returns, per site, the flagged relations (of regulars,
// when regulars is set) its class's ordinary rates predict, kind of care
// by kind of care (indirect standardisation): in each stratum of
// careTally, the larger of the class's rate over all relations (pooled,
// classRates) and its rate in the stratum (classRates over the stratum's
// counts; chronic care at the median of the class's sites, like
// pharmacies' regulars, since some dear chronic prescriptions are ordinary
// at any site that has chronic patients) times the site's relations in
// it; all is their sum. A community station whose regulars are mostly
// chronic patients expects the dear prescriptions of chronic care at
// chronic care's rate, not at the rate of the colds and check-ups that
// make most of its class's relations; the pooled rate is a floor, in each
// stratum and over all relations, so that standardising never makes a site
// stand out as a whole where the pooled rate did not.
func (s *state) expectedFlagged(lo int, tally []siteTally, regulars bool, skip []bool, pooled [nClasses]float64) []careExpectation {
	out := make([]careExpectation, len(tally))
	stratum := make([]siteTally, len(tally))
	for c := range nCares {
		for i, t := range tally {
			ct := t.byCare[c]
			stratum[i] = siteTally{relations: ct.relations, flagged: ct.flagged, regulars: ct.regulars, flaggedRegulars: ct.flaggedRegulars}
		}
		rate := s.classRatesAt(lo, stratum, regulars, skip, c == careChronic)
		for i, t := range tally {
			cl := s.g.Class(graph.NodeID(lo + i))
			n := t.byCare[c].relations
			if regulars {
				n = t.byCare[c].regulars
			}
			e := max(rate[cl], pooled[cl]) * float64(n)
			out[i].byCare[c] = e
			out[i].all += e
		}
	}
	for i, t := range tally {
		n := t.relations
		if regulars {
			n = t.regulars
		}
		out[i].all = max(out[i].all, pooled[s.g.Class(graph.NodeID(lo+i))]*float64(n))
	}
	return out
}

// classShares returns, per institution class and over all classes, the
// share f/n of every site (site index i is node lo+i) with at least
// min_vote_relations n and not in skip, weighted by n; part picks n and f
// from a site's tally.
func (s *state) classShares(lo int, tally []siteTally, skip []bool, part func(siteTally) (n, f int32)) (shares [nClasses][]weighted, all []weighted) {
	for i, t := range tally {
		n, f := part(t)
		if int(n) >= s.opt.Params.MinVoteRelations && (skip == nil || !skip[i]) {
			cl := s.g.Class(graph.NodeID(lo + i))
			x := weighted{float64(f) / float64(n), float64(n)}
			shares[cl] = append(shares[cl], x)
			all = append(all, x)
		}
	}
	return shares, all
}

// weighted is a value with its weight.
type weighted struct{ x, w float64 }

// weightedQuantile returns the value below which fraction q of the total
// weight of xs lies (0 for none); it sorts xs.
func weightedQuantile(xs []weighted, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.SortFunc(xs, func(a, b weighted) int { return cmp.Compare(a.x, b.x) })
	var total float64
	for _, x := range xs {
		total += x.w
	}
	var acc float64
	for _, x := range xs {
		acc += x.w
		if acc > q*total {
			return x.x
		}
	}
	return xs[len(xs)-1].x
}

// linkSites joins sites that share flagged people or the doctors of
// their flagged visits, and returns the forest over site indexes.
func (s *state) linkSites(lo, nSites int, rels []relation) unionFind {
	people := make(map[int32][]uint32)
	docVisits := make(map[int32]*counter[uint32])
	for _, r := range rels {
		i := int32(int(r.hub) - lo)
		people[i] = append(people[i], r.person)
		s.countDoctors(docVisits, i, r.visits)
	}
	return s.linkGroups(lo, nSites, people, docVisits)
}

// countDoctors adds the doctors of visits vs (those that may be ring
// members) to docVisits[i].
func (s *state) countDoctors(docVisits map[int32]*counter[uint32], i int32, vs []uint32) {
	c := docVisits[i]
	if c == nil {
		c = newCounter[uint32]()
		docVisits[i] = c
	}
	for _, v := range vs {
		if d := s.t.Visits.Doctor[v]; s.doctorOK(d) {
			c.add(d, 1)
		}
	}
}

// linkGroups joins the groups of people found at sites (people[i]: the
// people of site index i, docVisits[i] the doctors of their visits there)
// by shared people, shared doctors or one doctor running both
// (linkSites), and by their people's visits to each other's site
// (linkByVisits); it returns the forest over site indexes.
func (s *state) linkGroups(lo, nSites int, people map[int32][]uint32, docVisits map[int32]*counter[uint32]) unionFind {
	p := &s.opt.Params
	uf := newUnionFind(nSites)
	docs := make(map[int32][]uint32, len(people))
	for i := range people {
		if s.visitDoctors {
			docs[i] = atLeast(docVisits[i], p.MinDoctorVisits)
		} else {
			// Visits name no doctor: the doctors registered at the site
			// (staff.csv) stand in for those of its flagged visits.
			docs[i] = s.registeredAt(graph.NodeID(lo + int(i)))
		}
		slices.Sort(docs[i])
	}
	sites, keys := sharingPairs(people, docs)
	for _, k := range keys {
		a, b := k[0], k[1]
		sharedP := intersect(people[a], people[b])
		needP := max(2, int(math.Ceil(p.LinkPatientShare*float64(min(len(people[a]), len(people[b]))))))
		shared := common(docs[a], docs[b])
		needD := max(p.LinkMinDoctors, int(math.Ceil(p.LinkDoctorShare*float64(min(len(docs[a]), len(docs[b]))))))
		if sharedP >= needP || (len(docs[a]) > 0 && len(docs[b]) > 0 && len(shared) >= needD) ||
			s.visitDoctors && slices.ContainsFunc(shared, func(d uint32) bool {
				return docVisits[a].share(d) >= p.LinkMainDoctorShare && docVisits[b].share(d) >= p.LinkMainDoctorShare
			}) {
			uf.union(a, b)
		}
	}
	s.linkByVisits(lo, sites, people, &uf)
	return uf
}

// maxSharingSites is the most sites a person or doctor may be found at
// for them to be paired through it (sharingPairs): a person or doctor at
// fifty seeded sites links nothing.
const maxSharingSites = 50

// sharingPairs returns the sites of people, in order, and the pairs of
// them, in order, that share a person or a doctor of docs (at most
// maxSharingSites sites each); people[i] is sorted and deduplicated in
// place.
func sharingPairs(people, docs map[int32][]uint32) ([]int32, [][2]int32) {
	sites := make([]int32, 0, len(people))
	for i := range people {
		sites = append(sites, i)
	}
	slices.Sort(sites)
	bySite := make(map[uint32][]int32) // person → sites
	byDoc := make(map[uint32][]int32)  // doctor → sites
	for _, i := range sites {
		people[i] = sortedUniq(people[i])
		for _, x := range people[i] {
			bySite[x] = append(bySite[x], i)
		}
		for _, d := range docs[i] {
			byDoc[d] = append(byDoc[d], i)
		}
	}
	pairs := make(map[[2]int32]bool)
	note := func(ss []int32) {
		if len(ss) > maxSharingSites {
			return
		}
		for a := 0; a < len(ss); a++ {
			for b := a + 1; b < len(ss); b++ {
				pairs[[2]int32{min(ss[a], ss[b]), max(ss[a], ss[b])}] = true
			}
		}
	}
	for _, ss := range bySite {
		note(ss)
	}
	for _, ss := range byDoc {
		note(ss)
	}
	return sites, sortedPairs(pairs)
}

// atLeast returns the keys of c counted at least n times, in first-seen
// order (none for a nil counter).
func atLeast[K comparable](c *counter[K], n int) []K {
	if c == nil {
		return nil
	}
	var out []K
	for _, k := range c.keys {
		if c.n[k] >= n {
			out = append(out, k)
		}
	}
	return out
}

// linkByVisits joins seeded sites whose flagged people come to each
// other's site, flagged there or not, far more often than the sites' other
// people do (link_visit_lift): the people of one operation keep their other
// care at its other sites, where nothing flags it, while two unrelated
// sites of one district share their flagged people no more than their
// ordinary ones. Both directions must pass, each beyond chance at the
// family-wise significance over the pairs tested, and at least
// min_ring_people of the flagged people must come.
func (s *state) linkByVisits(lo int, sites []int32, flagged map[int32][]uint32, uf *unionFind) {
	p := &s.opt.Params
	if p.LinkVisitLift <= 0 || len(sites) < 2 {
		return
	}
	g := s.g
	seeded := make(map[int32]bool, len(sites))
	for _, i := range sites {
		seeded[i] = true
	}
	// visitors[i]: every patient of seeded site i, sorted.
	visitors := make(map[int32][]uint32, len(sites))
	for _, i := range sites {
		ns := s.patientsAt([]graph.NodeID{graph.NodeID(lo + int(i))})
		ps := make([]uint32, len(ns))
		for j, n := range ns {
			ps[j] = g.Row(n) // patient rows keep the nodes' order
		}
		visitors[i] = ps
	}
	// Pairs where some flagged person of one site comes to the other.
	pairs := make(map[[2]int32]bool)
	for _, a := range sites {
		for _, x := range flagged[a] {
			nb, _ := g.Neighbors(g.PatientNode(x))
			for _, n := range nb {
				k := g.Kind(n)
				if k != graph.KindInstitution && k != graph.KindPharmacy {
					continue
				}
				if b := int32(int(n) - lo); b != a && seeded[b] {
					pairs[[2]int32{min(a, b), max(a, b)}] = true
				}
			}
		}
	}
	keys := sortedPairs(pairs)
	minSig := p.MinSignificance + math.Log10(float64(max(len(keys), 1)))
	// passes tests the flagged people of site a against a's other people
	// in how often they come to site b; shared is the number of people of
	// both sites.
	passes := func(a, b int32, shared int) bool {
		fa := flagged[a]
		k := intersect(fa, visitors[b])
		if k < p.MinRingPeople {
			return false
		}
		others := len(visitors[a]) - len(fa)
		if others <= 0 {
			return false
		}
		// Other people of a who come to b (a's flagged ones at b removed;
		// b's flagged people who come to a stay in a's baseline, which
		// keeps the test conservative: counting them out merged unrelated
		// rings in bench quality).
		otherAtB := shared - k
		rate := (float64(otherAtB) + 0.5) / float64(others)
		mu := rate * float64(len(fa))
		return float64(k) >= p.LinkVisitLift*mu && poissonTailLog10(k, mu) <= -minSig
	}
	for _, k := range keys {
		a, b := k[0], k[1]
		if shared := intersect(visitors[a], visitors[b]); passes(a, b, shared) && passes(b, a, shared) {
			uf.union(a, b)
		}
	}
}

// excessCandidate builds the candidate of one group of linked sites from
// their flagged relations rels[idx].
func (s *state) excessCandidate(rels []relation, idx []int, tally []siteTally, rate [nClasses]float64, lift []float64, lo int) *candidate {
	g := s.g
	c := &candidate{source: SourceRelationExcess, strength: 1}
	var nFlag, nRel int32
	var costly, card, away, admits, heavy int
	seen := make(map[graph.NodeID]bool)
	minLift := math.Inf(1)
	idx = s.core(rels, idx)
	for _, i := range idx {
		r := &rels[i]
		c.patients = append(c.patients, g.PatientNode(r.person))
		c.visits = append(c.visits, r.visits...)
		if r.flags&flagCostly != 0 {
			costly++
		}
		if r.flags&flagCard != 0 {
			card++
		}
		if r.flags&flagAway != 0 || ownTest(r.flags) && r.flags&(flagRhythm|flagLone) != 0 {
			away++
		}
		if r.flags&flagAdmits != 0 {
			admits++
		}
		if ownTest(r.flags) && r.flags&flagHeavy != 0 {
			heavy++
		}
		if !seen[r.hub] {
			seen[r.hub] = true
			c.insts = append(c.insts, r.hub)
			t := tally[int(r.hub)-lo]
			nFlag += t.flagged + t.own
			nRel += t.relations
			minLift = min(minLift, lift[int(r.hub)-lo])
		}
	}
	c.normalise()
	if len(c.patients) < s.opt.Params.MinRingPeople {
		return nil
	}
	c.doctors = s.groupDoctors(c.visits, c.insts)
	n := float64(len(idx))
	for _, x := range []struct {
		f relFlag
		k int
	}{{flagCostly, costly}, {flagCard, card}, {flagAway, away}, {flagAdmits, admits}} {
		if 2*x.k >= len(idx) {
			c.flags |= x.f
		}
	}
	c.feat.FlaggedShare = float64(nFlag) / float64(max(nRel, 1))
	c.feat.FlaggedLift = minLift
	c.feat.CostlyRelations = float64(costly) / n
	c.feat.CardRelations = float64(card) / n
	c.feat.AwayRelations = float64(away) / n
	c.feat.AdmitRelations = float64(admits) / n
	c.feat.FlaggedSharePeer = rate[g.Class(c.insts[0])]
	sites := make([]string, 0, len(c.insts))
	for _, h := range c.insts {
		sites = append(sites, g.Key(h))
	}
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"min_relation_visits": float64(s.opt.Params.MinRelationVisits), "costly_z": s.opt.Params.CostlyZ,
			"flagged_lift": minLift, "flagged_share": c.feat.FlaggedShare, "flagged_share_peer": c.feat.FlaggedSharePeer},
		detail: fmt.Sprintf("%d people whose visits at %d site(s) are flagged (person–site relations: %d billed far above peers, %d card-based while living away, %d regular while living away, %d admitted again and again, %d billed far more often than the site's other people): %.0f%% of the sites' returning people, %.1f× their class's rate",
			len(c.patients), len(c.insts), costly, card, away, admits, heavy, 100*c.feat.FlaggedShare, minLift),
		detailZh: fmt.Sprintf("%d人在%d家机构的就诊关系异常（按人–机构关系计：%d个费用远高于同类，%d个异地且几乎全部刷社保卡，%d个异地且规律就诊，%d个反复住院，%d个就诊次数远超该机构其他人员）：占这些机构复诊人员的%.0f%%，为同类机构比例的%.1f倍",
			len(c.patients), len(c.insts), costly, card, away, admits, heavy, 100*c.feat.FlaggedShare, minLift)})
	return c
}

// core drops the peripheral relations of a group: people whose flagged
// visits at the group's sites are fewer than core_share of the group's
// median person's; and, in a group most of whose people are flagged at
// several of its sites, people flagged at one site only with fewer visits
// than the median person. In groups of pharmacies only people flagged at
// two or more of them stay: a chronic patient refilling dear drugs, even
// early, at one pharmacy is not a ring's. A group of medical sites whose
// core would hold fewer than min_ring_people people keeps them all: a
// small ring's lightest recruit is no periphery, and without it there is
// no ring to protect.
func (s *state) core(rels []relation, idx []int) []int {
	per := make(map[uint32]int)
	sites := make(map[uint32]int)
	for _, i := range idx {
		per[rels[i].person] += len(rels[i].visits)
		sites[rels[i].person]++
	}
	counts := make([]int, 0, len(per))
	multi := 0
	for x, n := range per {
		counts = append(counts, n)
		if sites[x] > 1 {
			multi++
		}
	}
	slices.Sort(counts)
	if len(counts) == 0 {
		return idx
	}
	median := float64(counts[len(counts)/2])
	need := s.opt.Params.CoreShare * median
	// Pharmacy groups: dear regular fills, early refills among them, are
	// ordinary chronic care at one pharmacy; what is not is the same people
	// filling across several, and only they stay (a group at a single
	// pharmacy keeps no one: its people's boxes, round quantities or heavy
	// fills across pharmacies are the other generators' ways in).
	pharmacies := true
	for _, i := range idx {
		pharmacies = pharmacies && s.g.Kind(rels[i].hub) == graph.KindPharmacy
	}
	spread := 2*multi >= len(per) || pharmacies
	out := idx[:0:0]
	kept := make(map[uint32]bool)
	for _, i := range idx {
		x := rels[i].person
		n := float64(per[x])
		if (n >= need || spread && sites[x] > 1) && (!spread || sites[x] > 1 || n >= median && !pharmacies) {
			out = append(out, i)
			kept[x] = true
		}
	}
	if len(kept) < s.opt.Params.MinRingPeople && !pharmacies {
		// Too few would stay to be a ring: the group is its flagged people
		// as they are (a small ring's lightest recruit is no periphery).
		return idx
	}
	return out
}

// groupDoctors returns the doctors of a group of people found at sites
// insts by their visits vs: the doctors of at least member_doctor_share
// and member_doctor_visits of its medical visits (each signed rows the
// ring rests on; the staff serving a pharmacy's counter dispense, they do
// not organise), or, when visits name no doctor, those registered mostly
// at its sites.
func (s *state) groupDoctors(vs []uint32, insts []graph.NodeID) []graph.NodeID {
	medical := make([]uint32, 0, len(vs))
	for _, v := range vs {
		if s.g.Kind(s.instNode(v)) != graph.KindPharmacy {
			medical = append(medical, v)
		}
	}
	ds := s.doctorsOf(medical, s.opt.Params.MemberDoctorShare, s.opt.Params.MemberDoctorVisits)
	if len(ds) == 0 && !s.visitDoctors {
		ds = s.registeredDoctors(insts)
	}
	return ds
}

// registeredAt returns the doctor rows registered (staff.csv) at medical
// site h, placeholders and excluded codes left out; none at a pharmacy.
func (s *state) registeredAt(h graph.NodeID) []uint32 {
	g := s.g
	if g.Kind(h) == graph.KindPharmacy {
		return nil
	}
	e := g.Edges()
	var out []uint32
	nb, es := g.Neighbors(h)
	for j, d := range nb {
		if g.Kind(d) == graph.KindDoctor && e.Type[es[j]] == graph.DoctorInstitutionRegistered && !s.excluded[g.Row(d)] {
			out = append(out, g.Row(d))
		}
	}
	return sortedUniq(out)
}

// registeredDoctors returns, for datasets whose visits name no doctor, the
// doctors registered (staff.csv) at the medical sites among sites who
// practise mostly there: at least half of their registrations among the
// sites; none of a site where more than registered_max_doctors are
// registered. Pharmacies' staff dispense; they are left out.
func (s *state) registeredDoctors(sites []graph.NodeID) []graph.NodeID {
	var out []graph.NodeID
	for _, h := range sites {
		regs := s.registeredAt(h)
		if len(regs) > s.opt.Params.RegisteredMaxDoctors {
			// A hospital's staff: naming them all names no one.
			continue
		}
		for _, row := range regs {
			d := s.g.DoctorNode(row)
			in, total := s.registrations(d, func(x graph.NodeID) bool { return slices.Contains(sites, x) })
			if total > 0 && 2*in >= total {
				out = append(out, d)
			}
		}
	}
	return sortedUniq(out)
}

// registrations returns the number of sites doctor d is registered at
// (staff.csv), and how many of them among reports true for.
func (s *state) registrations(d graph.NodeID, among func(graph.NodeID) bool) (in, total int) {
	e := s.g.Edges()
	nb, es := s.g.Neighbors(d)
	for j, h := range nb {
		if e.Type[es[j]] != graph.DoctorInstitutionRegistered {
			continue
		}
		total++
		if among(h) {
			in++
		}
	}
	return in, total
}

// poissonTailLog10 returns log10 P(X ≥ k) for X ~ Poisson(mu).
func poissonTailLog10(k int, mu float64) float64 {
	if k <= 0 {
		return 0
	}
	if mu <= 0 {
		return math.Inf(-1)
	}
	logPmf := func(j int) float64 {
		lg, _ := math.Lgamma(float64(j) + 1)
		return float64(j)*math.Log(mu) - mu - lg
	}
	if float64(k) <= mu {
		// The tail holds most of the mass: 1 − P(X < k), the lower terms
		// summed downwards from k−1 (the largest) in log space.
		first := logPmf(k - 1)
		sum, term := 0.0, first
		for j := k - 1; j >= 0; j-- {
			sum += math.Exp(term - first)
			term += math.Log(float64(j)) - math.Log(mu)
			if term-first < -40 {
				break
			}
		}
		lower := math.Exp(first) * sum
		return math.Log1p(-min(lower, 1)) / math.Ln10
	}
	// Sum the terms from k upwards in log space until they vanish.
	term := logPmf(k)
	sum := 0.0
	best := term
	for j := k; j < k+10000; j++ {
		sum += math.Exp(term - best)
		term += math.Log(mu) - math.Log(float64(j+1))
		if term-best < -40 {
			break
		}
	}
	return (best + math.Log(sum)) / math.Ln10
}
