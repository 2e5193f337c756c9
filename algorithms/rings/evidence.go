package rings

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// Caps on evidence size.
const (
	maxCitedRows    = 20  // rows cited per evidence item
	maxRuleEvidence = 25  // rule hits cited per ring
	maxSingleHits   = 500 // rule hits reported outside rings
)

// ruleEvidence turns rule hit i into evidence, citing its rows.
func (s *state) ruleEvidence(i int) findings.Evidence {
	h := s.hits[i]
	return findings.RuleEvidence(s.t, &h, &s.ids)
}

// factEvidence turns a graph fact into evidence, citing its first rows
// (the most expensive first).
func (s *state) factEvidence(f *fact, article, articleEn string) findings.Evidence {
	vs := slices.Clone(f.visits)
	vt := &s.t.Visits
	slices.SortFunc(vs, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(vt.FundPay.At(b), vt.FundPay.At(a)), cmp.Compare(a, b))
	})
	e := findings.Evidence{Kind: "graph", Rule: f.id, Params: f.params, Result: string(rules.Suspicious), Article: article, ArticleEn: articleEn,
		Detail: f.detail, DetailZh: f.detailZh, Amount: s.fund(f.visits).Yuan(), Visits: len(f.visits), Total: len(f.visits), MdtrtIDs: []string{}}
	for _, v := range vs[:min(len(vs), maxCitedRows)] {
		e.MdtrtIDs = append(e.MdtrtIDs, vt.IDs.StringIn(&s.ids, v))
	}
	e.Shown = len(e.MdtrtIDs)
	return e
}

// timeline counts ring visits and fund per day.
func (s *state) timeline(vs []uint32) (points []findings.TimelinePoint, first, last claims.Time) {
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
		b := vt.Begin.At(v)
		first, last = claims.Widen(first, last, b)
		d := b.Day()
		a := per[d]
		if a == nil {
			a = &agg{}
			per[d] = a
			days = append(days, d)
		}
		a.n++
		a.m += vt.FundPay.At(v)
	}
	slices.Sort(days)
	points = make([]findings.TimelinePoint, 0, len(days))
	for _, d := range days {
		points = append(points, findings.TimelinePoint{Day: d.String(), Visits: per[d].n, Amount: round2(per[d].m.Yuan())})
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

// ringVisits lists the live visits among vs (a ring's visits) as the
// visits endpoint shows them, in table order.
func (s *state) ringVisits(vs []uint32) []findings.RingVisit {
	g, vt := s.g, &s.t.Visits
	out := make([]findings.RingVisit, 0, len(vs))
	// A person's masked label is made once for all their visits.
	labels := make(map[graph.NodeID]string)
	for _, v := range vs {
		if !s.live(v) {
			continue
		}
		p := g.PatientNode(vt.Person[v])
		label, ok := labels[p]
		if !ok {
			label = g.Label(p)
			labels[p] = label
		}
		rv := findings.RingVisit{MdtrtID: vt.IDs.StringIn(&s.ids, v), Patient: g.Key(p), PatientLabel: label,
			Site: g.Key(s.instNode(v)), Begin: vt.Begin.At(v).String(), End: vt.End.At(v).String(), Fund: round2(vt.FundPay.At(v).Yuan())}
		if d := vt.Doctor[v]; d != graph.None {
			rv.Doctor = g.Key(g.DoctorNode(d))
		}
		out = append(out, rv)
	}
	return out
}
