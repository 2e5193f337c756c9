package rings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// cohortPair is two returning people of one hub (local indexes a < b) who
// came to it together at least cohort_min_covisits times.
type cohortPair struct {
	a, b     int32
	together int32
	expected float64 // times the pair is expected together by chance
	log10p   float64 // Poisson tail of together against expected
}

// hubCohorts is what one hub's outpatient visits say about its returning
// people: who they are and the pairs of them who came together.
type hubCohorts struct {
	hub    graph.NodeID // a doctor, or an institution for visits naming no usable doctor
	people []uint32     // Patients rows of the returning people, by local index
	counts []int32      // their visits to the hub, by local index
	tested int          // pairs of returning people
	visits []uint32     // the hub's outpatient visits kept, sorted by Begin
	pairs  []cohortPair
	// log10p is the hub's excess of improbable pairs over chance, and
	// level the p-value level at which it is smallest (cohortExcess).
	log10p, level float64
}

// covisitCandidates is the co-visit path of discovery (package doc,
// "Co-visit cohorts"): at each hub (a usable doctor, or an institution for
// the visits naming none), pairs of returning people who came together
// more often than their own chance; a hub holding more improbable pairs
// than chance puts there (cohortExcess) yields the people its pairs at
// that level link into groups of cohort_min_people or more, when they are
// min_ring_people or more (cohortCandidate). Hubs are judged in parallel,
// read back in hub order.
func (s *state) covisitCandidates(ctx context.Context) ([]*candidate, error) {
	p := &s.opt.Params
	if p.CohortMinPeople <= 0 {
		return nil, nil
	}
	g := s.g
	vt := &s.t.Visits
	window := claims.Time(p.CohortWindowMinutes * 60)
	// The hubs: usable doctors, then institutions for the visits naming
	// none. Workers take every workers-th hub, each with its own scratch;
	// results are read back in hub order.
	nDoc, nSites, lo := g.NumKind(graph.KindDoctor), g.NumKind(graph.KindInstitution), s.siteLo()
	if p.CohortPharmacyPeople > 0 {
		nSites += g.NumKind(graph.KindPharmacy) // sites: institutions, then pharmacies
	}
	noDoctor := func(v uint32) bool { return !s.doctorOK(vt.Doctor[v]) }
	anyDoctor := func(uint32) bool { return true }
	found := make([]*hubCohorts, nDoc+nSites)
	isTested := make([]bool, nDoc+nSites)
	workers := s.opt.workers(maxRecordWorkers)
	errs := make([]error, workers)
	runWorkers(workers, func(w int) {
		sc := newCohortScratch(g.NumKind(graph.KindPatient))
		for i := w; i < nDoc+nSites; i += workers {
			if (i/workers)%1024 == 0 {
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
			}
			switch {
			case i < nDoc && s.doctorOK(uint32(i)):
				found[i], isTested[i] = s.hubCohorts(g.DoctorNode(uint32(i)), anyDoctor, window, sc)
			case i >= nDoc:
				// An institution's hub takes the visits naming no usable
				// doctor (the others are their doctors'); a pharmacy's,
				// every fill (the doctor on it prescribed it elsewhere).
				h, keep := graph.NodeID(lo+i-nDoc), noDoctor
				if g.Kind(h) == graph.KindPharmacy {
					keep = anyDoctor
				}
				found[i], isTested[i] = s.hubCohorts(h, keep, window, sc)
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	tested := 0
	for _, ok := range isTested {
		if ok {
			tested++
		}
	}
	minSig := p.MinSignificance + math.Log10(float64(max(tested, 1)))
	var out []*candidate
	for _, hc := range found {
		if hc == nil {
			continue
		}
		if c := s.cohortCandidate(hc, window, minSig); c != nil && !s.mostlyRounds(c.visits) {
			out = append(out, c)
		}
	}
	return out, nil
}

// cohortScratch is reused from hub to hub: visit counts and local indexes
// by Patients row, reset after each hub through the rows touched.
type cohortScratch struct {
	count   []int32
	local   []int32
	touched []uint32
	vs      []uint32
	keys    []uint64
	begin   []claims.Time // begin[i] is vs[i]'s begin
	loc     []int32       // loc[i] is vs[i]'s person's local index, -1 if not returning
	order   []uint64      // (begin offset, position) keys of the time sort
	people  []uint32      // the returning people, by local index
	counts  []int32       // their visits
	flat    []claims.Time // timesByLocal's array
}

func newCohortScratch(nPeople int) *cohortScratch {
	sc := &cohortScratch{count: make([]int32, nPeople), local: make([]int32, nPeople)}
	for i := range sc.local {
		sc.local[i] = -1
	}
	return sc
}

// reset clears the counts and indexes of the rows touched.
func (sc *cohortScratch) reset() {
	for _, pe := range sc.touched {
		sc.count[pe], sc.local[pe] = 0, -1
	}
	sc.touched = sc.touched[:0]
}

// sortByBegin sorts vs by begin time, stably, and returns it with the
// begins in the same order (held in sc.begin; vs is sc.vs). The sort packs
// (begin − earliest, position) into keys when the times span less than
// 2^32 seconds, as they do in any real year, and compares begins otherwise.
func (sc *cohortScratch) sortByBegin(vt *graph.VisitTable, vs []uint32) ([]uint32, []claims.Time) {
	begin := sc.begin[:0]
	lo, hi := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	sorted := true
	for i, v := range vs {
		b := vt.Begin.At(v)
		begin = append(begin, b)
		lo, hi = min(lo, b), max(hi, b)
		if i > 0 && b < begin[i-1] {
			sorted = false
		}
	}
	sc.vs, sc.begin = vs, begin
	if sorted {
		return vs, begin
	}
	if uint64(hi-lo) >= 1<<32 || len(vs) >= 1<<32 {
		byBegin := func(a, b uint32) int { return cmp.Compare(vt.Begin.At(a), vt.Begin.At(b)) }
		slices.SortStableFunc(vs, byBegin)
		for i, v := range vs {
			begin[i] = vt.Begin.At(v)
		}
		return vs, begin
	}
	order := sc.order[:0]
	for i, b := range begin {
		order = append(order, uint64(b-lo)<<32|uint64(i))
	}
	order = graph.SortKeys(order)
	sc.order = order[:0]
	// Permute through the keys: vs and begin are read back by position.
	for i, k := range order {
		order[i] = uint64(vs[uint32(k)])<<32 | uint64(uint32(k>>32))
	}
	for i, k := range order {
		vs[i], begin[i] = uint32(k>>32), lo+claims.Time(uint32(k))
	}
	return vs, begin
}

// hubCohorts counts the co-visits of the returning people of hub (a doctor
// or an institution) over its outpatient visits that keep accepts. It
// returns nil when the hub has fewer than min_ring_people returning
// people or none came together cohort_min_covisits times, and whether the
// hub was tested (has min_ring_people returning people).
func (s *state) hubCohorts(hub graph.NodeID, keep func(v uint32) bool, window claims.Time, sc *cohortScratch) (*hubCohorts, bool) {
	p := &s.opt.Params
	vt := &s.t.Visits
	all := s.visitsOf(hub)
	if len(all) < p.MinRingPeople*p.MinRelationVisits {
		return nil, false
	}
	defer sc.reset()
	vs := sc.vs[:0]
	for _, v := range all {
		if !s.live(v) || vt.MedType[v].Inpatient() || !keep(v) {
			continue
		}
		if n := s.instNode(v); n == graph.NoNode || s.g.Kind(n) != graph.KindInstitution && n != hub {
			continue // a doctor's hub: the prescriptions filled elsewhere are no visit to it
		}
		vs = append(vs, v)
		pe := vt.Person[v]
		if sc.count[pe] == 0 {
			sc.touched = append(sc.touched, pe)
		}
		sc.count[pe]++
	}
	vs, begin := sc.sortByBegin(vt, vs)
	people, counts := sc.people[:0], sc.counts[:0] // cloned into the result, if any
	for _, pe := range sc.touched {
		if int(sc.count[pe]) >= p.MinRelationVisits {
			sc.local[pe] = int32(len(people))
			people = append(people, pe)
			counts = append(counts, sc.count[pe])
		}
	}
	sc.people, sc.counts = people, counts
	if len(people) < p.MinRingPeople {
		return nil, false
	}
	// The window loops below read the visits' begins and people's local
	// indexes from arrays in time order, not from the visit table.
	loc := sc.loc[:0]
	for _, v := range vs {
		loc = append(loc, sc.local[vt.Person[v]])
	}
	sc.loc = loc
	// The chance share: pairs of the hub's visits (everyone's) on the
	// same day, over all pairs. Not within the window: people keep their
	// habits, and two chronic patients who both come in the evening meet
	// whenever their monthly visits fall on the same day, so that the
	// hour adds no evidence the day does not. The pairs of returning
	// people who came within the window of each other are then counted.
	sameDay := 0.0
	for i := 0; i < len(vs); {
		j, day := i, begin[i].Day()
		for j < len(vs) && begin[j].Day() == day {
			j++
		}
		sameDay += float64(j-i) * float64(j-i-1) / 2
		i = j
	}
	keys := sc.keys[:0]
	for i, j := 0, 0; i < len(vs); i++ {
		for j < len(vs) && begin[j]-begin[i] <= window {
			j++
		}
		a := loc[i]
		if a < 0 || j-i-1 > p.CohortMaxGroup {
			continue // a crowd: meeting in it is no evidence
		}
		for _, b := range loc[i+1 : j] {
			if b < 0 || a == b {
				continue
			}
			keys = append(keys, uint64(min(a, b))<<32|uint64(max(a, b)))
		}
	}
	n := float64(len(vs))
	chance := sameDay / (n * (n - 1) / 2)
	slices.Sort(keys)
	sc.keys = keys
	r := len(people)
	hc := &hubCohorts{hub: hub, people: people, counts: counts, tested: r * (r - 1) / 2}
	var times [][]claims.Time // by local index, once a pair needs them
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		if j-i >= p.CohortMinCovisits {
			a, b := int32(keys[i]>>32), int32(uint32(keys[i]))
			if times == nil {
				times = sc.timesByLocal(loc, begin, counts)
			}
			exp := max(float64(counts[a])*float64(counts[b])*chance, shiftedTogether(times[a], times[b], window))
			hc.pairs = append(hc.pairs, cohortPair{a: a, b: b, together: int32(j - i), expected: exp,
				log10p: poissonTailLog10(j-i, max(exp, 1e-12))})
		}
		i = j
	}
	if len(hc.pairs) == 0 {
		return nil, true
	}
	hc.log10p, hc.level = cohortExcess(hc.pairs, hc.tested, p.MinSignificance)
	if hc.log10p > -p.MinSignificance {
		// Below the least a hub must reach (its family-wise level only
		// adds to it): keep nothing of it.
		return nil, true
	}
	hc.people, hc.counts = slices.Clone(people), slices.Clone(counts)
	hc.visits = slices.Clone(vs)
	return hc, true
}

// timesByLocal returns the begins of the visits of each returning person
// by local index, in time order: begin[i] belongs to local loc[i] (none
// when negative), and counts[l] is how many local l has. The slices share
// one array of the scratch.
func (sc *cohortScratch) timesByLocal(loc []int32, begin []claims.Time, counts []int32) [][]claims.Time {
	n := 0
	for _, c := range counts {
		n += int(c)
	}
	if cap(sc.flat) < n {
		sc.flat = make([]claims.Time, n)
	}
	flat := sc.flat[:n]
	times := make([][]claims.Time, len(counts))
	at := 0
	for l, c := range counts {
		times[l] = flat[at : at : at+int(c)]
		at += int(c)
	}
	for i, l := range loc {
		if l >= 0 {
			times[l] = append(times[l], begin[i])
		}
	}
	return times
}

// cohortLevels is how many p-value levels a hub is tested at (down to
// 10^-(min_significance+8)): 10^-min_significance, ten times smaller,
// and so on; a few pairs far below chance stand out at a deep level
// where many pairs at the first would be chance at a busy hub.
const cohortLevels = 9

// cohortExcess tests whether a hub holds more improbable pairs than
// chance gives. Whatever their visits, no more than a share α of the
// tested pairs of returning people has a p-value of α or less by chance
// (for a discrete test, fewer), so the hub's pairs at or below α are
// tested against tested·α, by the Poisson tail, at each level α of
// 10^-minSig, 10^-(minSig+1), ... (cohortLevels). It returns the
// smallest tail (log10), corrected for the levels tested, and its level
// (log10 α). A clique of recruits with a few visits each, every pair of
// whom came together twice on days a pair meets once a decade, stands out
// this way where a count of pairs against all pairs' chance, dominated by
// chronic patients who meet by habit, would hide it.
func cohortExcess(pairs []cohortPair, tested int, minSig float64) (log10p, level float64) {
	level = -minSig
	for l := range cohortLevels {
		lv := -minSig - float64(l)
		n := 0
		for _, pr := range pairs {
			if pr.log10p <= lv {
				n++
			}
		}
		if n == 0 {
			break
		}
		if t := poissonTailLog10(n, float64(tested)*math.Pow(10, lv)); t < log10p {
			log10p, level = t, lv
		}
	}
	return min(0, log10p+math.Log10(cohortLevels)), level
}

// cohortShiftDays are the day shifts of the shift predictor
// (shiftedTogether): a week around the day, the day itself left out.
var cohortShiftDays = [...]int{-3, -2, -1, 1, 2, 3}

// shiftedTogether is the shift predictor of a pair's co-visits: how often
// a's visits (times, sorted) have one of b's within the window once b's
// are moved by a few days (cohortShiftDays), on average over the shifts.
// People who keep their habits (the same hour, a monthly rhythm give or
// take a few days) meet about as often a day or two apart as on the same
// day; people brought together meet on the same day only. Taken as the
// pair's chance where it exceeds the hub's same-day share, it leaves the
// former no evidence (the shift predictor of spike-train synchrony:
// Perkel, Gerstein & Moore, Biophys. J. 7, 1967).
func shiftedTogether(a, b []claims.Time, window claims.Time) float64 {
	n := 0
	for _, d := range cohortShiftDays {
		shift := claims.Time(d * 86400)
		j := 0
		for _, t := range a {
			for j < len(b) && b[j]+shift < t-window {
				j++
			}
			if j < len(b) && b[j]+shift <= t+window {
				n++
			}
		}
	}
	return float64(n) / float64(len(cohortShiftDays))
}

// cohortCandidate returns the candidate of hc when its pairs exceed chance
// at minSig: the people its pairs link into groups of cohort_min_people or
// more, when they are min_ring_people or more, with their visits there
// within the window of another member's.
func (s *state) cohortCandidate(hc *hubCohorts, window claims.Time, minSig float64) *candidate {
	p := &s.opt.Params
	vt := &s.t.Visits
	if hc.log10p > -minSig {
		return nil
	}
	// The pairs kept: those at or below the level at which the hub stands
	// out, of which chance explains tested·level, a small share; the
	// others would chain a busy hub's ordinary people into its groups.
	kept := hc.pairs[:0:0]
	for _, pr := range hc.pairs {
		if pr.log10p <= hc.level {
			kept = append(kept, pr)
		}
	}
	hc.pairs = kept
	uf := newUnionFind(len(hc.people))
	for _, pr := range hc.pairs {
		uf.union(pr.a, pr.b)
	}
	size := make(map[int32]int)
	inPair := make(map[int32]bool)
	for _, pr := range hc.pairs {
		inPair[pr.a], inPair[pr.b] = true, true
	}
	for i := range inPair {
		size[uf.find(i)]++
	}
	member := make(map[uint32]bool)
	groups, together, pairs, expected := 0, 0, 0, 0.0
	minGroup := p.CohortMinPeople
	if s.g.Kind(hc.hub) == graph.KindPharmacy {
		minGroup = max(minGroup, p.CohortPharmacyPeople)
	}
	for _, n := range size {
		if n >= minGroup {
			groups++
		}
	}
	for _, pr := range hc.pairs {
		if size[uf.find(pr.a)] >= minGroup {
			member[hc.people[pr.a]], member[hc.people[pr.b]] = true, true
			together += int(pr.together)
			expected += pr.expected
			pairs++
		}
	}
	if len(member) < p.MinRingPeople {
		return nil
	}
	// The ring's visits: the members' visits within the window of another
	// member's.
	var visits []uint32
	for i, v := range hc.visits {
		if !member[vt.Person[v]] {
			continue
		}
		for j := i - 1; j >= 0 && vt.Begin.At(v)-vt.Begin.At(hc.visits[j]) <= window; j-- {
			if w := hc.visits[j]; member[vt.Person[w]] && vt.Person[w] != vt.Person[v] {
				visits = append(visits, v, w)
				break
			}
		}
	}
	// The strength: how far the groups' pairs came together beyond their
	// chance (the hub's excess, hc.log10p, says whether there are
	// cohorts at all; this, how far these people are from chance).
	lift := float64(together) / max(expected, minExpected/100)
	c := &candidate{source: SourceCohorts, typology: findings.TypLockstepSwiping, strength: squash(lift-1, p.CohortLiftHalf)}
	for pe := range member {
		c.patients = append(c.patients, s.g.PatientNode(pe))
	}
	c.visits = visits
	c.insts = s.instsOf(visits, 0.05, 3)
	c.doctors = s.doctorsOf(visits, 0.02, 3)
	switch s.g.Kind(hc.hub) {
	case graph.KindDoctor:
		c.doctors = append(c.doctors, hc.hub)
	case graph.KindPharmacy:
		// Families and carers buy together too, and a ring's counters
		// keep their groups apart: a pharmacy's cohorts widen the ring
		// they go together with, or stand with another counter's
		// (standing). Buying together says nothing of what a ring does:
		// no typology hint.
		c.support, c.typology = true, ""
	}
	c.normalise()
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"people": float64(len(member)), "groups": float64(groups), "pairs": float64(pairs),
			"together": float64(together), "log10p": hc.log10p, "lift": lift, "window_minutes": float64(p.CohortWindowMinutes)},
		detail: fmt.Sprintf("%d people in %d groups came to %s within %d minutes of each other: %d pairs %d times or more, %d times in all, %.0f× what the hub's days give by chance (such pairs beyond chance at the hub: p ≤ 10^%.0f)",
			len(member), groups, s.g.Key(hc.hub), p.CohortWindowMinutes, pairs, p.CohortMinCovisits, together, lift, hc.log10p),
		detailZh: fmt.Sprintf("%d人分%d组先后在%d分钟内到%s就诊：%d对人员各共同就诊%d次以上，共%d次，为该处就诊日偶然所致的%.0f倍（此类人员对超出偶然：p ≤ 10^%.0f）",
			len(member), groups, p.CohortWindowMinutes, s.g.Key(hc.hub), pairs, p.CohortMinCovisits, together, lift, hc.log10p)})
	return c
}
