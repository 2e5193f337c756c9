package rings

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/claims"
)

// Caps on evidence size.
const (
	maxCitedRows    = 20  // rows cited per evidence item
	maxRuleEvidence = 25  // rule hits cited per ring
	maxSingleHits   = 500 // rule hits reported outside rings
)

// ruleEvidence turns rule hit i into evidence, citing its rows.
func (s *state) ruleEvidence(i int) Evidence {
	h := &s.rr.Hits[i]
	ids, fees := rules.Cite(s.t, *h)
	e := Evidence{Kind: "rule", Rule: h.Rule, Version: h.Version, Params: maps.Clone(h.Params), Result: string(h.Result),
		Article: h.Article, ArticleEn: h.ArticleEn, Detail: h.Detail, DetailZh: h.DetailZh,
		Amount: h.Amount.Yuan(), Visits: h.NVisits, MdtrtIDs: ids}
	if e.MdtrtIDs == nil {
		e.MdtrtIDs = []string{}
	}
	for _, f := range fees {
		e.Fees = append(e.Fees, FeeRef{MdtrtID: f.MdtrtID, FeedetlSn: f.FeedetlSn})
	}
	return e
}

// factEvidence turns a graph fact into evidence, citing its first rows
// (the most expensive first).
func (s *state) factEvidence(f *fact, article, articleEn string) Evidence {
	vs := slices.Clone(f.visits)
	vt := &s.t.Visits
	slices.SortFunc(vs, func(a, b uint32) int { return cmp.Or(cmp.Compare(vt.FundPay[b], vt.FundPay[a]), cmp.Compare(a, b)) })
	e := Evidence{Kind: "graph", Rule: f.id, Params: f.params, Result: string(rules.Suspicious), Article: article, ArticleEn: articleEn,
		Detail: f.detail, DetailZh: f.detailZh, Amount: s.fund(f.visits).Yuan(), Visits: len(f.visits), MdtrtIDs: []string{}}
	for _, v := range vs[:min(len(vs), maxCitedRows)] {
		e.MdtrtIDs = append(e.MdtrtIDs, vt.IDs.String(v))
	}
	return e
}

// timeline counts ring visits and fund per day.
func (s *state) timeline(vs []uint32) (points []TimelinePoint, first, last claims.Time) {
	vt := &s.t.Visits
	type agg struct {
		n int
		m claims.Money
	}
	per := make(map[claims.Date]*agg)
	var days []claims.Date
	first, last = claims.NoTime, claims.NoTime
	for _, v := range vs {
		if !s.live(v) {
			continue
		}
		b := vt.Begin[v]
		if first == claims.NoTime || b < first {
			first = b
		}
		if last == claims.NoTime || b > last {
			last = b
		}
		d := b.Day()
		a := per[d]
		if a == nil {
			a = &agg{}
			per[d] = a
			days = append(days, d)
		}
		a.n++
		a.m += vt.FundPay[v]
	}
	slices.Sort(days)
	points = make([]TimelinePoint, 0, len(days))
	for _, d := range days {
		points = append(points, TimelinePoint{Day: d.String(), Visits: per[d].n, Amount: round2(per[d].m.Yuan())})
	}
	return points, first, last
}

// round2 rounds to two decimals (yuan).
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// round4 rounds scores and features for stable output.
func round4(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1e4) / 1e4
}
