package rings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// onsetRel is a person's relation with a site as the onset test sees it:
// the site index, the person (Persons row) and the first live visit there.
type onsetRel struct {
	site   int32
	person uint32
	first  claims.Time
}

// onsetRelations keeps, from excessCandidates' relation records, those of
// onset_min_visits or more visits with their first visit (on), sorted by
// site and first visit, and returns each site's first live visit
// (siteFirst); in the same pass, the same on reflected time (off and
// siteLast, see reflect), where a relation's first visit is its last and
// the test of onsets becomes one of offsets, people who stopped coming
// together.
func (s *state) onsetRelations(recs []relRecord, all []uint32, nSites int) (on, off []onsetRel, siteFirst, siteLast []claims.Time) {
	vt := &s.t.Visits
	siteFirst = make([]claims.Time, nSites)
	siteLast = make([]claims.Time, nSites)
	for i := range siteFirst {
		siteFirst[i], siteLast[i] = claims.NoTime, claims.NoTime
	}
	earliest := func(ts []claims.Time, i int32, t claims.Time) {
		if ts[i] == claims.NoTime || t < ts[i] {
			ts[i] = t
		}
	}
	for _, r := range recs {
		t0, t1 := claims.NoTime, claims.NoTime
		for _, v := range all[r.off : r.off+r.n] {
			if t := vt.Begin.At(v); t0 == claims.NoTime || t < t0 {
				t0 = t
			}
			if t := vt.Begin.At(v); t1 == claims.NoTime || t > t1 {
				t1 = t
			}
		}
		t1 = s.reflect(t1, true)
		earliest(siteFirst, r.site, t0)
		earliest(siteLast, r.site, t1)
		if int(r.n) >= s.opt.Params.OnsetMinVisits {
			on = append(on, onsetRel{site: r.site, person: r.person, first: t0})
			off = append(off, onsetRel{site: r.site, person: r.person, first: t1})
		}
	}
	for _, rels := range [][]onsetRel{on, off} {
		slices.SortFunc(rels, func(a, b onsetRel) int {
			return cmp.Or(cmp.Compare(a.site, b.site), cmp.Compare(a.first, b.first), cmp.Compare(a.person, b.person))
		})
	}
	return on, off, siteFirst, siteLast
}

// reflect returns t, or with reflect its mirror in the data's period
// (s.first + s.last − t), so that the onset test run on mirrored times
// finds the people who stopped coming together.
func (s *state) reflect(t claims.Time, reflect bool) claims.Time {
	if reflect {
		return s.first + s.last - t
	}
	return t
}

// onsetWindow is one window of one grid in which a site's onsets were
// counted: [from, to), the onsets there and its lift and expectation.
type onsetWindow struct {
	from, to  claims.Time
	n         int
	lift, exp float64
}

// onsetCandidates is the discovery path of recruitment. An organised ring
// starts on a day: its organisers recruit card holders, and from then on
// the recruits come to the ring's sites again and again. An ordinary
// site's regulars arrive one by one, at a rate its class shares (most of
// them were there before the data began). A person's onset at a site is
// the first of the person's onset_min_visits or more live visits there.
// The period is cut into windows of onset_window_days on two grids half
// a window apart; in each window after the site's first (the data's
// first for a site open when the data begin), a site's onsets are
// compared with what its onsets in the other windows predict at its
// class's ratio of onsets in the window to onsets elsewhere (both
// leaving the site out). A window holding min_ring_people
// onsets or more, onset_lift times the prediction, at the family-wise
// significance min_significance + log10(windows tested), seeds the site;
// its significant windows, joined where they overlap, give the site's
// candidate: the people whose onset falls in them, with their visits
// there. Nothing about cost, card or rhythm is asked: a ring whose
// recruits are billed like anyone stands out by arriving together. A
// clinic opening in the period has all its regulars arrive in its first
// window, which is why the site's own first window is not tested; people
// buying re-sold boxes at a reselling pharmacy arrive together too (they
// are customers, not recruits: their boxes' trace codes tell, and the
// reselling generators find the pharmacy). It needs excessCandidates'
// relations, which it releases.
//
// The same test on reversed time finds offsets: people who stopped coming
// together after onset_min_visits or more visits (a ring winding up, or
// one that ran since before the data began and ended in the period, whose
// arrivals the data never saw). A site's last window and the data's last
// are then the ones not tested (a clinic closing; everyone still coming
// when the data end), the lift asked is offset_lift (0 turns the offset
// test off), and the candidates are SourceOffset's.
func (s *state) onsetCandidates(ctx context.Context) ([]*candidate, error) {
	on, off := s.onsets, s.offsets
	firsts, lasts := s.siteFirst, s.siteLast
	s.onsets, s.siteFirst, s.offsets, s.siteLast = nil, nil, nil, nil
	out, err := s.cohortCandidates(ctx, on, firsts, false)
	if err != nil {
		return nil, err
	}
	if s.opt.Params.OffsetLift <= 0 {
		return out, nil
	}
	more, err := s.cohortCandidates(ctx, off, lasts, true)
	return append(out, more...), err
}

// cohortCandidates runs the onset test on rels, the onset relations, with
// siteFirst each site's first live visit; with reflect, both are on
// reflected time and the test finds offsets.
func (s *state) cohortCandidates(ctx context.Context, rels []onsetRel, siteFirst []claims.Time, reflect bool) ([]*candidate, error) {
	if len(rels) == 0 || s.first == claims.NoTime {
		return nil, nil
	}
	p := &s.opt.Params
	g := s.g
	lo := s.siteLo()
	width := claims.Time(p.OnsetWindowDays) * 86400
	nWin := int((s.last-s.first)/width) + 2
	type grid struct {
		offset claims.Time
		class  [nClasses][]int // onsets per window, per class
		total  [nClasses]int
	}
	grids := []*grid{{offset: 0}, {offset: width / 2}}
	winOf := func(gr *grid, t claims.Time) int { return int((t - s.first + gr.offset) / width) }
	for _, gr := range grids {
		for cl := range gr.class {
			gr.class[cl] = make([]int, nWin)
		}
		for _, r := range rels {
			cl := g.Class(graph.NodeID(lo + int(r.site)))
			gr.class[cl][winOf(gr, r.first)]++
			gr.total[cl]++
		}
	}
	// The windows tested: after the site's first (the data's first for
	// a site open when the data begin).
	testable := func(gr *grid, w int, site int32) bool {
		return s.first-gr.offset+claims.Time(w)*width >= siteFirst[site]+width
	}
	type siteRun struct{ a, b int } // rels[a:b] are one site's
	var sites []siteRun
	tests := 0
	for a := 0; a < len(rels); {
		b := a
		for b < len(rels) && rels[b].site == rels[a].site {
			b++
		}
		sites = append(sites, siteRun{a, b})
		for _, gr := range grids {
			for w := winOf(gr, rels[a].first); w <= winOf(gr, rels[b-1].first); w++ {
				if testable(gr, w, rels[a].site) {
					tests++
				}
			}
		}
		a = b
	}
	sig := p.MinSignificance + math.Log10(float64(max(tests, 1)))
	need := p.OnsetLift
	if reflect {
		need = p.OffsetLift
	}
	var out []*candidate
	counts := make([]int, nWin)
	// windows tests the onset relations rels of site in every window of
	// both grids.
	windows := func(site int32, rels []onsetRel) []onsetWindow {
		cl := g.Class(graph.NodeID(lo + int(site)))
		n := len(rels)
		var wins []onsetWindow
		for _, gr := range grids {
			clear(counts)
			for _, r := range rels {
				counts[winOf(gr, r.first)]++
			}
			for w, k := range counts {
				if k < p.MinRingPeople || !testable(gr, w, site) {
					continue
				}
				rest, restBase := gr.class[cl][w]-k, gr.total[cl]-gr.class[cl][w]-(n-k)
				lift, exp, ok := siteExcess(k, float64(n-k), float64(rest), float64(restBase), need, sig)
				if !ok {
					continue
				}
				from := s.first - gr.offset + claims.Time(w)*width
				wins = append(wins, onsetWindow{from: from, to: from + width, n: k, lift: lift, exp: exp})
			}
		}
		return wins
	}
	var sales saleIndex
	var found []*candidate
	var foundSite []int32
	for i, sr := range sites {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		site, at := rels[sr.a].site, rels[sr.a:sr.b]
		if len(at) < p.MinRingPeople {
			continue
		}
		wins := windows(site, at)
		if len(wins) == 0 {
			continue
		}
		h := graph.NodeID(lo + int(site))
		if sales == nil {
			sales = s.saleIndexOf()
		}
		// A reselling pharmacy's customers arrive with its boxes: the site
		// is tested again without them.
		if skip := s.resoldBuyers(sales, h, at); len(skip) > 0 {
			at = slices.DeleteFunc(slices.Clone(at), func(r onsetRel) bool { return skip[r.person] })
			wins = windows(site, at)
		}
		if c := s.onsetCandidate(h, at, wins, reflect); c != nil {
			found = append(found, c)
			foundSite = append(foundSite, site)
		}
	}
	if len(found) < 2 {
		return found, nil
	}
	// Sites of one operation: linked as excessCandidates links its sites
	// (shared people or doctors, people coming to each other's site).
	people := make(map[int32][]uint32, len(found))
	docVisits := make(map[int32]*counter[uint32], len(found))
	for k, c := range found {
		i := foundSite[k]
		for _, n := range c.patients {
			people[i] = append(people[i], g.Row(n))
		}
		s.countDoctors(docVisits, i, c.visits)
	}
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	uf := s.linkGroups(lo, nSites, people, docVisits)
	s.linkCohorts(lo, found, foundSite, &uf, reflect)
	for _, idx := range uf.components(len(found), func(k int) int32 { return foundSite[k] }) {
		c := found[idx[0]]
		for _, k := range idx[1:] {
			c.join(found[k])
		}
		out = append(out, c)
	}
	return out, nil
}

// linkCohorts joins the onset candidates found (found[k] of site index
// site[k]) whose people come to each other's site far more often than
// the sites' earlier people do (link_visit_lift, both ways, at least
// min_ring_people of them, beyond chance at min_significance + log10 of
// the pairs tested). The people of one operation over several sites
// arrive together and come to all of them, yet reach onset_min_visits at
// one or two: the cohorts of two sites hold different people. The
// baseline is the people each site had before its cohort arrived, not
// all its other people, who hold the ring's people below
// onset_min_visits there. With reflect (offset cohorts), the baseline is
// the people the site kept after the cohort left.
func (s *state) linkCohorts(lo int, found []*candidate, site []int32, uf *unionFind, reflect bool) {
	p := &s.opt.Params
	if p.LinkVisitLift <= 0 || len(found) < 2 {
		return
	}
	g, vt := s.g, &s.t.Visits
	// cohort[k]: found[k]'s people; before[k]: the site's people seen
	// there before the cohort's first onset; visitors[k]: everyone seen.
	cohort := make([][]uint32, len(found))
	before := make([][]uint32, len(found))
	visitors := make([][]uint32, len(found))
	for k, c := range found {
		start := claims.NoTime
		in := make(map[uint32]bool, len(c.patients))
		for _, n := range c.patients {
			x := g.Row(n)
			cohort[k] = append(cohort[k], x)
			in[x] = true
		}
		for _, v := range c.visits {
			if t := s.reflect(vt.Begin.At(v), reflect); start == claims.NoTime || t < start {
				start = t
			}
		}
		h := graph.NodeID(lo + int(site[k]))
		for _, v := range s.visitsOf(h) {
			if !s.live(v) {
				continue
			}
			x := vt.Person[v]
			visitors[k] = append(visitors[k], x)
			if !in[x] && s.reflect(vt.Begin.At(v), reflect) < start {
				before[k] = append(before[k], x)
			}
		}
		cohort[k] = sortedUniq(cohort[k])
		before[k] = sortedUniq(before[k])
		visitors[k] = sortedUniq(visitors[k])
	}
	pairs := len(found) * (len(found) - 1) / 2
	minSig := p.MinSignificance + math.Log10(float64(max(pairs, 1)))
	passes := func(a, b int) bool {
		k := intersect(cohort[a], visitors[b])
		if k < p.MinRingPeople || len(before[a]) == 0 {
			return false
		}
		rate := (float64(intersect(before[a], visitors[b])) + 0.5) / float64(len(before[a]))
		mu := rate * float64(len(cohort[a]))
		return float64(k) >= p.LinkVisitLift*mu && poissonTailLog10(k, mu) <= -minSig
	}
	for a := range found {
		for b := a + 1; b < len(found); b++ {
			if site[a] != site[b] && passes(a, b) && passes(b, a) {
				uf.union(site[a], site[b])
			}
		}
	}
}

// resoldBuyers returns the people of rels (site h's onset relations)
// most of whose traced purchases at h are boxes sold there again after an
// earlier sale: the customers of a reselling pharmacy, who arrive
// together when the boxes do.
func (s *state) resoldBuyers(sales saleIndex, h graph.NodeID, rels []onsetRel) map[uint32]bool {
	if sales == nil {
		return nil
	}
	in := make(map[uint32]bool, len(rels))
	for _, r := range rels {
		in[r.person] = true
	}
	type tally struct{ traced, resold int }
	per := make(map[uint32]*tally)
	ft := &s.t.Fees
	vt := &s.t.Visits
	for _, v := range s.visitsOf(h) {
		x := vt.Person[v]
		if !in[x] || !s.live(v) {
			continue
		}
		for f := range s.feesOf(v).All() {
			if ft.Trace.At(f) == graph.None {
				continue
			}
			t := per[x]
			if t == nil {
				t = &tally{}
				per[x] = t
			}
			t.traced++
			if sales.resold(ft, f) {
				t.resold++
			}
		}
	}
	var out map[uint32]bool
	for x, t := range per {
		if 2*t.resold > t.traced {
			if out == nil {
				out = make(map[uint32]bool)
			}
			out[x] = true
		}
	}
	return out
}

// onsetCandidate is site h's candidate of its significant onset windows
// wins: the people of rels (the site's onset relations) whose onset falls
// in one of them, their live visits at h, and a fact per run of
// overlapping windows; with reflect (rels and wins on reflected time), the
// offset cohort's.
func (s *state) onsetCandidate(h graph.NodeID, rels []onsetRel, wins []onsetWindow, reflect bool) *candidate {
	slices.SortFunc(wins, func(a, b onsetWindow) int { return cmp.Compare(a.from, b.from) })
	// Join overlapping windows into runs, each with its strongest window.
	var runs []onsetWindow
	for _, w := range wins {
		if k := len(runs) - 1; k >= 0 && w.from <= runs[k].to {
			r := &runs[k]
			r.to = max(r.to, w.to)
			if w.lift > r.lift {
				r.lift, r.exp = w.lift, w.exp
			}
			continue
		}
		runs = append(runs, w)
	}
	c := &candidate{source: SourceOnset, insts: []graph.NodeID{h}, strength: 1}
	marked := &s.onsetPeople
	if reflect {
		c.source, marked = SourceOffset, &s.offsetPeople
	}
	in := make(map[uint32]float64)
	for i := range runs {
		r := &runs[i]
		r.n = 0
		for _, x := range rels {
			if x.first >= r.from && x.first < r.to {
				in[x.person] = max(in[x.person], r.lift)
				r.n++
			}
		}
	}
	if len(in) < s.opt.Params.MinRingPeople {
		return nil
	}
	vt := &s.t.Visits
	for _, v := range s.visitsOf(h) {
		if _, ok := in[vt.Person[v]]; ok && s.live(v) {
			c.visits = append(c.visits, v)
		}
	}
	if *marked == nil {
		*marked = make(map[uint32]float64)
	}
	for x, l := range in {
		c.patients = append(c.patients, s.g.PatientNode(x))
		(*marked)[x] = max((*marked)[x], l)
	}
	c.normalise()
	c.doctors = s.groupDoctors(c.visits, c.insts)
	p := &s.opt.Params
	for _, r := range runs {
		from, to := r.from.Day(), (r.to - 1).Day()
		detail := "%d people began to come here (%d visits or more each) between %s and %s: %.1f× what the site's other arrivals and its class predict (%.1f)"
		detailZh := "%d人在%s至%s期间开始到此反复就诊（每人至少%d次）：为机构其他时期与同类机构预期（%.1f人）的%.1f倍"
		if reflect {
			from, to = s.reflect(r.to-1, true).Day(), s.reflect(r.from, true).Day()
			detail = "%d people stopped coming here (after %d visits or more each) between %s and %s: %.1f× what the site's other departures and its class predict (%.1f)"
			detailZh = "%d人在%s至%s期间停止到此就诊（此前每人至少%d次）：为机构其他时期与同类机构预期（%.1f人）的%.1f倍"
		}
		count := "onsets"
		if reflect {
			count = "offsets"
		}
		c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
			params: map[string]float64{count: float64(r.n), "expected": r.exp, "lift": r.lift,
				"onset_min_visits": float64(p.OnsetMinVisits), "onset_window_days": float64(p.OnsetWindowDays)},
			detail:   fmt.Sprintf(detail, r.n, p.OnsetMinVisits, from, to, r.lift, r.exp),
			detailZh: fmt.Sprintf(detailZh, r.n, from, to, p.OnsetMinVisits, r.exp, r.lift)})
	}
	return c
}
