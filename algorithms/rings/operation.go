package rings

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// opPlan is a reported candidate's plan: the median number of its live
// visits per person and the median fund per visit.
type opPlan struct {
	cand             int
	perPerson, money float64
}

// joinOperations joins reported candidates that are one operation seen at
// different sites: an operation that recruits people for several counters
// or clinics, each of which sees only its own people, is found as one
// candidate per site, and those share no person, doctor or site, or too
// few people for the merge. What they share is the operation itself: it
// began and ended in the same weeks everywhere, and it bills the same
// things everywhere. Two reportable candidates of at least min_ring_people
// people each join when
//
//   - their plans match: the median number of ring visits per person, and
//     the median fund per visit, are each within operation_plan_ratio of
//     each other (an operation schedules and bills its recruits alike
//     wherever they go);
//   - their signatures (the items on at least signature_share of a
//     candidate's visits and at least signature_lift times as common there
//     as in the other visits of its sites of the same kinds of care,
//     signatureItems) overlap by at least signature_overlap (shared items
//     over items of either), or their cohort days (days on which
//     sync_day_people of their people came) coincide beyond chance
//     (syncDays: an operation that sends its recruits in on the same days
//     everywhere, billing ordinary items);
//   - the operation ran in the same weeks at both: the visits that carry
//     the shared signature items (or the cohort days) of each begin, and
//     end, within operation_days of each other, and for shared items each
//     span at most operation_max_share of the data period (rings that run
//     all year share their months by chance; two that share their cohort
//     days beyond chance share them whatever their length). The span of
//     visits leaves out operation_span_trim of them at each end, and is
//     that of the signature visits, not of all the ring's visits: a
//     member's ordinary care before the operation began does not move its
//     start.
//
// A pair of unrelated rings passes all three only by a triple
// coincidence: the same weeks at both ends, the same plan and the same
// unusual basket or the same days. Each group of joined candidates goes
// into its strongest (highest score, then most visits), which is finished
// and scored again and records, as a fact, each other's size, the people
// they share, the days between their first and last visits and the items
// (or the cohort days) they share. It
// returns the candidates left.
func (s *state) joinOperations(cands []*candidate) []*candidate {
	p := &s.opt.Params
	if p.OperationDays <= 0 || len(cands) < 2 || s.first == claims.NoTime || s.last <= s.first {
		return cands
	}
	period := float64(s.last - s.first)
	var plans []opPlan
	for i, c := range cands {
		if len(c.patients) < p.MinRingPeople || !s.reportable(c) {
			continue
		}
		perPerson, money := s.plan(c.visits)
		plans = append(plans, opPlan{cand: i, perPerson: perPerson, money: money})
	}
	if len(plans) < 2 {
		return cands
	}
	tol := p.operationGap()
	// sameWeeks reports whether two spans begin, and end, within
	// operation_days of each other and, unless anyLength, each cover at
	// most operation_max_share of the period.
	sameWeeks := func(fa, la, fb, lb claims.Time, anyLength bool) (dFirst, dLast claims.Time, ok bool) {
		if !anyLength && (float64(la-fa) > p.OperationMaxShare*period || float64(lb-fb) > p.OperationMaxShare*period) {
			return 0, 0, false
		}
		dFirst, dLast = absTime(fa-fb), absTime(la-lb)
		return dFirst, dLast, dFirst <= tol && dLast <= tol
	}
	sigs := make(map[int][]uint32)
	signature := func(i int) []uint32 {
		sig, ok := sigs[i]
		if !ok {
			sig = s.signatureItems(cands[i])
			sigs[i] = sig
		}
		return sig
	}
	cohorts := make(map[int][]claims.Date)
	cohortDays := func(i int) []claims.Date {
		d, ok := cohorts[i]
		if !ok {
			d = s.cohortDays(cands[i].visits, p.SyncDayPeople)
			cohorts[i] = d
		}
		return d
	}
	pairs := float64(len(plans)) * float64(len(plans)-1) / 2
	minSig := p.MinSignificance + math.Log10(max(pairs, 1))
	uf := newUnionFind(len(cands))
	type link struct {
		a, b       int
		dFirst     claims.Time
		dLast      claims.Time
		sharedSigs []uint32
		sync       daySync
	}
	var links []link
	for x := range plans {
		for y := x + 1; y < len(plans); y++ {
			a, b := plans[x], plans[y]
			if !within(a.perPerson, b.perPerson, p.OperationPlanRatio) || !within(a.money, b.money, p.OperationPlanRatio) {
				continue
			}
			l := link{a: a.cand, b: b.cand}
			ok := false
			sa, sb := signature(a.cand), signature(b.cand)
			if both := common(sa, sb); len(both) > 0 && float64(len(both)) >= p.SignatureOverlap*float64(len(sa)+len(sb)-len(both)) {
				fa, la, okA := s.itemSpan(cands[a.cand].visits, both, p.OperationSpanTrim)
				fb, lb, okB := s.itemSpan(cands[b.cand].visits, both, p.OperationSpanTrim)
				if okA && okB {
					l.dFirst, l.dLast, ok = sameWeeks(fa, la, fb, lb, false)
					l.sharedSigs = both
				}
			}
			if da, db := cohortDays(a.cand), cohortDays(b.cand); !ok && min(len(da), len(db)) >= p.SyncMinDays {
				fa, la, fb, lb := da[0].Time(), da[len(da)-1].Time(), db[0].Time(), db[len(db)-1].Time()
				l.dFirst, l.dLast, ok = sameWeeks(fa, la, fb, lb, true)
				l.sharedSigs = nil
				if ok {
					l.sync = syncDays(da, db, max(fa, fb).Day(), min(la, lb).Day())
					ok = l.sync.shared >= p.SyncMinDays && l.sync.log10p <= -minSig
				}
			}
			if ok {
				uf.union(int32(a.cand), int32(b.cand))
				links = append(links, l)
			}
		}
	}
	if len(links) == 0 {
		return cands
	}
	// Each group joins into its strongest candidate (highest score, then
	// most visits, then input order).
	head := make(map[int32]int)
	for i, c := range cands {
		r := uf.find(int32(i))
		h, ok := head[r]
		if !ok || c.score > cands[h].score || c.score == cands[h].score && len(c.visits) > len(cands[h].visits) {
			head[r] = i
		}
	}
	linkOf := make(map[int]link)
	for _, l := range links {
		if _, ok := linkOf[l.b]; !ok {
			linkOf[l.b] = l
		}
		if _, ok := linkOf[l.a]; !ok {
			linkOf[l.a] = l
		}
	}
	joined := make(map[int]bool)
	for i := range cands {
		h := head[uf.find(int32(i))]
		if h == i {
			continue
		}
		a, b := cands[h], cands[i]
		l := linkOf[i]
		codes, names := make([]string, len(l.sharedSigs)), make([]string, len(l.sharedSigs))
		for k, it := range l.sharedSigs {
			codes[k], names[k] = s.t.ItemCode(it), s.t.ItemZh(it)
		}
		items, itemsZh := strings.Join(codes, ", "), strings.Join(names, "、")
		shared := intersect(a.patients, b.patients)
		days := func(t claims.Time) float64 { return float64(t) / 86400 }
		a.widenedPeople = sortedUniq(append(a.widenedPeople, b.widenedPeople...))
		a.widenedVisits = sortedUniq(append(a.widenedVisits, b.widenedVisits...))
		f := fact{id: FactSameOperation, visits: b.visits,
			params: map[string]float64{"people": float64(len(b.patients)), "shared_patients": float64(shared), "first_days_apart": days(l.dFirst),
				"last_days_apart": days(l.dLast), "shared_items": float64(len(l.sharedSigs)), "operation_days": float64(p.OperationDays)},
			detail: fmt.Sprintf("joined with the candidate of %s (%d people, %d of them shared): its first and last visits billing the items both bill far more often than their sites' other visits do (%s) fall %.0f and %.0f days from those of the part of this ring it matches",
				b.source, len(b.patients), shared, items, days(l.dFirst), days(l.dLast)),
			detailZh: fmt.Sprintf("与%s候选团伙（%d人，其中共同人员%d人）合并：两者结算同样的项目，远多于各自机构的其他就诊（%s），其结算这些项目的首次与末次就诊与本团伙相应部分分别相差%.0f天和%.0f天",
				b.source, len(b.patients), shared, itemsZh, days(l.dFirst), days(l.dLast))}
		if len(l.sharedSigs) == 0 {
			f.params["shared_cohort_days"] = float64(l.sync.shared)
			f.params["expected_cohort_days"] = l.sync.expected
			f.params["log10_p"] = l.sync.log10p
			f.detail = fmt.Sprintf("joined with the candidate of %s (%d people, %d of them shared): its first and last cohort days fall %.0f and %.0f days from those of the part of this ring it matches, and %d of their cohort days (at least %d people each) fall on the same dates, where %.1f would by chance (log10 p = %.1f)",
				b.source, len(b.patients), shared, days(l.dFirst), days(l.dLast), l.sync.shared, p.SyncDayPeople, l.sync.expected, l.sync.log10p)
			f.detailZh = fmt.Sprintf("与%s候选团伙（%d人，其中共同人员%d人）合并：其首个与末个集中就诊日与本团伙相应部分分别相差%.0f天和%.0f天，且两者有%d个集中就诊日（每日至少%d人）日期相同，偶然情况下约为%.1f个（log10 p = %.1f）",
				b.source, len(b.patients), shared, days(l.dFirst), days(l.dLast), l.sync.shared, p.SyncDayPeople, l.sync.expected, l.sync.log10p)
		}
		absorbFact(a, b, f)
		joined[h] = true
		cands[i] = nil
	}
	return s.settle(cands, func(i int) bool { return joined[i] })
}

// cohortDays returns, sorted, the days on which at least minPeople
// people of the live visits vs came to the candidate's sites.
func (s *state) cohortDays(vs []uint32, minPeople int) []claims.Date {
	vt := &s.t.Visits
	type personDay struct {
		person uint32
		day    claims.Date
	}
	seen := make(map[personDay]bool, len(vs))
	people := newCounter[claims.Date]()
	for _, v := range vs {
		b := vt.Begin.At(v)
		if !s.live(v) || b == claims.NoTime {
			continue
		}
		pd := personDay{vt.Person[v], b.Day()}
		if !seen[pd] {
			seen[pd] = true
			people.add(pd.day, 1)
		}
	}
	days := atLeast(people, max(minPeople, 1))
	slices.Sort(days)
	return days
}

// daySync is how two rings' cohort days coincide within their common
// span: the days they share, the number their weekdays predict, and the
// log10 Poisson tail of the shared count.
type daySync struct {
	shared   int
	expected float64
	log10p   float64
}

// syncDays compares the cohort days a and b (sorted) of two rings over
// the days from lo to hi that both were active. By chance, a day of one
// weekday is a cohort day of both with the product of the shares of that
// weekday's days that are cohort days of each: two rings that each come
// every Monday share their Mondays by their habit, not by one plan, so
// the expectation is taken weekday by weekday.
func syncDays(a, b []claims.Date, lo, hi claims.Date) daySync {
	if hi < lo {
		return daySync{}
	}
	var na, nb, nDays [7]int
	count := func(days []claims.Date, n *[7]int) {
		for _, d := range days {
			if d >= lo && d <= hi {
				n[d.Weekday()]++
			}
		}
	}
	count(a, &na)
	count(b, &nb)
	for d := lo; d <= hi; d++ {
		nDays[d.Weekday()]++
	}
	var out daySync
	for w := range nDays {
		if nDays[w] > 0 {
			out.expected += float64(na[w]) * float64(nb[w]) / float64(nDays[w])
		}
	}
	for _, d := range a {
		if d >= lo && d <= hi {
			if _, ok := slices.BinarySearch(b, d); ok {
				out.shared++
			}
		}
	}
	out.log10p = poissonTailLog10(out.shared, out.expected)
	return out
}

// operationGap is operation_days as a duration: how far apart the
// weeks of one operation's pieces, or its batches, may begin and end.
func (p *Params) operationGap() claims.Time { return claims.Time(p.OperationDays) * 86400 }

// within reports whether a and b, both positive, are within ratio of
// each other.
func within(a, b, ratio float64) bool {
	return a > 0 && b > 0 && max(a, b) <= ratio*min(a, b)
}

// plan returns the median number of live visits per person among vs and
// their median fund per visit (yuan; fen would do as well, only ratios
// are compared).
func (s *state) plan(vs []uint32) (perPerson, money float64) {
	vt := &s.t.Visits
	per := newCounter[uint32]()
	var fund []float64
	for _, v := range vs {
		if !s.live(v) {
			continue
		}
		per.add(vt.Person[v], 1)
		fund = append(fund, float64(vt.FundPay.At(v)))
	}
	counts := make([]float64, len(per.keys))
	for i, x := range per.keys {
		counts[i] = float64(per.n[x])
	}
	return median(counts), median(fund)
}

// absTime returns the absolute value of t.
func absTime(t claims.Time) claims.Time {
	if t < 0 {
		return -t
	}
	return t
}

// itemSpan returns the span of the live visits among vs that bill any of
// items (sorted): the begin times at the trim and 1 − trim quantiles of
// their begin times (trim 0: the first and the last); ok is false when
// none has a begin time.
func (s *state) itemSpan(vs []uint32, items []uint32, trim float64) (first, last claims.Time, ok bool) {
	vt := &s.t.Visits
	begins := make([]claims.Time, 0, len(vs))
	var seen []uint32
	for _, v := range vs {
		b := vt.Begin.At(v)
		if !s.live(v) || b == claims.NoTime {
			continue
		}
		seen = s.visitItems(v, seen[:0])
		if slices.ContainsFunc(seen, func(it uint32) bool { _, in := slices.BinarySearch(items, it); return in }) {
			begins = append(begins, b)
		}
	}
	if len(begins) == 0 {
		return 0, 0, false
	}
	slices.Sort(begins)
	cut := int(trim * float64(len(begins)-1))
	return begins[cut], begins[len(begins)-1-cut], true
}

// signatureItems returns, sorted, the catalogue items that mark c's
// visits: on at least signature_share of its live visits and at least
// signature_lift times as common there as in the other live visits of its
// sites of the same kinds of care (med_type: a ward's bed and nursing
// fees mark admissions, not a ring). An item's expected share is the mean
// over c's visits of its share among the sites' other visits of that
// visit's med_type (counted in visits holding the item, plus one over
// their number plus one, so that an item the sites never bill otherwise is
// not infinitely rare).
func (s *state) signatureItems(c *candidate) []uint32 {
	p := &s.opt.Params
	vt := &s.t.Visits
	own := newCounter[uint32]()
	kinds := newCounter[claims.MedType]()
	in := make(map[uint32]bool, len(c.visits))
	var seen []uint32
	n := 0
	for _, v := range c.visits {
		if !s.live(v) || in[v] {
			continue
		}
		in[v] = true
		n++
		kinds.add(vt.MedType[v], 1)
		seen = s.visitItems(v, seen[:0])
		for _, it := range seen {
			own.add(it, 1)
		}
	}
	type stratum struct {
		item uint32
		kind claims.MedType
	}
	want := make(map[uint32]bool)
	for _, it := range own.keys {
		if float64(own.n[it]) >= p.SignatureShare*float64(n) {
			want[it] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	others := make(map[claims.MedType]int)
	billed := make(map[stratum]int)
	for _, h := range c.insts {
		for _, v := range s.visitsOf(h) {
			k := vt.MedType[v]
			if !s.live(v) || in[v] || kinds.n[k] == 0 {
				continue
			}
			others[k]++
			seen = s.visitItems(v, seen[:0])
			for _, it := range seen {
				if want[it] {
					billed[stratum{it, k}]++
				}
			}
		}
	}
	var out []uint32
	for it := range want {
		exp := 0.0
		for _, k := range kinds.keys {
			exp += float64(kinds.n[k]) / float64(n) * float64(billed[stratum{it, k}]+1) / float64(others[k]+1)
		}
		if float64(own.n[it])/float64(n) >= p.SignatureLift*exp {
			out = append(out, it)
		}
	}
	slices.Sort(out)
	return out
}

// visitItems appends to buf the distinct catalogue items of visit v's fee
// lines.
func (s *state) visitItems(v uint32, buf []uint32) []uint32 {
	for f := range s.feesOf(v).All() {
		it := s.t.Fees.Item.At(f)
		if !slices.Contains(buf, it) {
			buf = append(buf, it)
		}
	}
	return buf
}
