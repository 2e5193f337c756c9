package rings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// opSpan is a reported candidate's active span, its first and last live
// visit, and its plan: the median number of its live visits per person
// and the median fund per visit.
type opSpan struct {
	cand             int
	first, last      claims.Time
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
//   - each is active (first to last live visit) over at most
//     operation_max_share of the data period (rings that run all year
//     share their months by chance), and their first visits and their last
//     visits each fall within operation_days of each other;
//   - their plans match: the median number of ring visits per person, and
//     the median fund per visit, are each within operation_plan_ratio of
//     each other (an operation schedules and bills its recruits alike
//     wherever they go);
//   - their signatures (the items on at least signature_share of a
//     candidate's visits and at least signature_lift times as common there
//     as in the other visits of its sites of the same kinds of care,
//     signatureItems) overlap by at least signature_overlap (shared items
//     over items of either).
//
// A pair of unrelated rings passes all three only by a triple
// coincidence: the same weeks at both ends, the same plan and the same
// unusual basket. Each group of joined candidates goes into its strongest
// (highest score, then most visits), which is finished and scored again
// and records, as a fact, each other's size, the people they share, the
// days between their first and last visits and the items they share. It
// returns the candidates left.
func (s *state) joinOperations(cands []*candidate) []*candidate {
	p := &s.opt.Params
	if p.OperationDays <= 0 || len(cands) < 2 || s.first == claims.NoTime || s.last <= s.first {
		return cands
	}
	period := float64(s.last - s.first)
	var spans []opSpan
	for i, c := range cands {
		if len(c.patients) < p.MinRingPeople || !s.reportable(c) {
			continue
		}
		first, last, ok := s.liveSpan(c.visits)
		if !ok || float64(last-first) > p.OperationMaxShare*period {
			continue
		}
		perPerson, money := s.plan(c.visits)
		spans = append(spans, opSpan{cand: i, first: first, last: last, perPerson: perPerson, money: money})
	}
	if len(spans) < 2 {
		return cands
	}
	tol := claims.Time(p.OperationDays) * 86400
	sigs := make(map[int][]uint32)
	signature := func(i int) []uint32 {
		sig, ok := sigs[i]
		if !ok {
			sig = s.signatureItems(cands[i])
			sigs[i] = sig
		}
		return sig
	}
	uf := newUnionFind(len(cands))
	type link struct {
		a, b       int
		dFirst     claims.Time
		dLast      claims.Time
		sharedSigs []uint32
	}
	var links []link
	for x := range spans {
		for y := x + 1; y < len(spans); y++ {
			a, b := spans[x], spans[y]
			dFirst, dLast := absTime(a.first-b.first), absTime(a.last-b.last)
			if dFirst > tol || dLast > tol || !within(a.perPerson, b.perPerson, p.OperationPlanRatio) || !within(a.money, b.money, p.OperationPlanRatio) {
				continue
			}
			sa, sb := signature(a.cand), signature(b.cand)
			both := common(sa, sb)
			if len(both) == 0 || float64(len(both)) < p.SignatureOverlap*float64(len(sa)+len(sb)-len(both)) {
				continue
			}
			uf.union(int32(a.cand), int32(b.cand))
			links = append(links, link{a: a.cand, b: b.cand, dFirst: dFirst, dLast: dLast, sharedSigs: both})
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
	var out []*candidate
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
		absorbFact(a, b, fact{id: FactSameOperation, visits: b.visits,
			params: map[string]float64{"people": float64(len(b.patients)), "shared_patients": float64(shared), "first_days_apart": days(l.dFirst),
				"last_days_apart": days(l.dLast), "shared_items": float64(len(l.sharedSigs)), "operation_days": float64(p.OperationDays)},
			detail: fmt.Sprintf("joined with the candidate of %s (%d people, %d of them shared): its first and last visits fall %.0f and %.0f days from those of the part of this ring it matches, and both bill the same items far more often than their sites' other visits do (%s)",
				b.source, len(b.patients), shared, days(l.dFirst), days(l.dLast), items),
			detailZh: fmt.Sprintf("与%s候选团伙（%d人，其中共同人员%d人）合并：其首次与末次就诊与本团伙相应部分分别相差%.0f天和%.0f天，且两者结算同样的项目，远多于各自机构的其他就诊（%s）",
				b.source, len(b.patients), shared, days(l.dFirst), days(l.dLast), itemsZh)})
		joined[h] = true
		cands[i] = nil
	}
	for i, c := range cands {
		if c == nil {
			continue
		}
		if joined[i] {
			s.finish(c)
			s.score(c)
		}
		out = append(out, c)
	}
	return out
}

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
		fund = append(fund, float64(vt.FundPay[v]))
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

// liveSpan returns the first and last begin time of the live visits among
// vs; ok is false when none has one.
func (s *state) liveSpan(vs []uint32) (first, last claims.Time, ok bool) {
	vt := &s.t.Visits
	for _, v := range vs {
		b := vt.Begin[v]
		if !s.live(v) || b == claims.NoTime {
			continue
		}
		if !ok || b < first {
			first = b
		}
		if !ok || b > last {
			last = b
		}
		ok = true
	}
	return first, last, ok
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
	for _, f := range s.feesOf(v) {
		it := s.t.Fees.Item[f]
		if !slices.Contains(buf, it) {
			buf = append(buf, it)
		}
	}
	return buf
}
