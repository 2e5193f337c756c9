package findings

import (
	"maps"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// RuleHit is one hit of the rule library as the findings carry it: the
// rule and how it judged, the table rows it concerns and cites, and what it
// involves. Row lists are rows of the graph.Tables the rules ran on,
// sorted ascending and distinct; the cited Visits and Fees are capped (the
// rule set's MaxRowsPerHit; the entity lists of hits over many rows are
// capped likewise), while NVisits, NFees and Amount cover every row the
// hit rests on. algorithms/rules converts its hits (rules.Hit.Finding):
// the row lists and Params are shared with them and must not be modified.
type RuleHit struct {
	Rule    string // rule id
	Version string // rule logic version
	Stage   string // stage of the rule: before, during or after settlement
	Result  string // definite or suspicious
	Article string // legal article (zh-CN); ArticleEn in English
	// ArticleEn is Article in English.
	ArticleEn string
	// Params are the exact parameters used, shared by every hit of the
	// rule.
	Params map[string]float64

	Persons      []uint32 // Persons rows concerned
	Doctors      []uint32 // Doctors rows concerned
	Institutions []uint32 // Institutions rows concerned (pharmacies included)
	Items        []uint32 // Catalog rows concerned
	Visits       []uint32 // Visits rows cited (capped)
	Fees         []uint32 // Fees rows cited (capped)
	NVisits      int      // visits the hit rests on
	NFees        int      // fee lines the hit rests on

	// Amount is the fund amount involved, net of refunds, each row counted
	// once.
	Amount claims.Money
	// At is the time of the first event of the hit.
	At claims.Time
	// Detail and DetailZh explain the hit in a short sentence.
	Detail, DetailZh string
}

// Cite returns the natural keys of the rows h cites: the mdtrt_id of each
// visit, then the (mdtrt_id, feedetl_sn) of each fee line. Rows out of
// range of t are skipped. The serials share the tables' memory
// (intern.Table.Shared), the visit ids a's (each its own allocation when a
// is nil).
func Cite(t *graph.Tables, h *RuleHit, a *graph.Arena) (mdtrtIDs []string, fees []FeeRef) {
	if t == nil || t.Visits.IDs == nil {
		return nil, nil
	}
	nv := uint32(t.Visits.IDs.Len())
	for _, v := range h.Visits {
		if v < nv {
			mdtrtIDs = append(mdtrtIDs, t.Visits.IDs.StringIn(a, v))
		}
	}
	for _, f := range h.Fees {
		if int(f) >= t.Fees.Len() || int(f) >= t.Fees.Sn.Len() || t.Fees.Visit.At(f) >= nv {
			continue
		}
		fees = append(fees, FeeRef{MdtrtID: t.Visits.IDs.StringIn(a, t.Fees.Visit.At(f)), FeedetlSn: t.FeeSerialIn(a, f)})
	}
	return mdtrtIDs, fees
}

// RuleEvidence returns rule hit h as rings.json shows it (a ring's rule
// evidence, a single hit, a node's hits in the web view): its rule,
// judgement and amount, citing its rows in t (Cite, the visit ids in a).
// Params are copied; rule details never carry names.
func RuleEvidence(t *graph.Tables, h *RuleHit, a *graph.Arena) Evidence {
	ids, fees := Cite(t, h, a)
	if ids == nil {
		ids = []string{}
	}
	return Evidence{Kind: "rule", Rule: h.Rule, Version: h.Version, Params: maps.Clone(h.Params), Result: h.Result,
		Article: h.Article, ArticleEn: h.ArticleEn, Detail: h.Detail, DetailZh: h.DetailZh,
		Amount: h.Amount.Yuan(), Visits: h.NVisits, Shown: len(ids), Total: h.NVisits, MdtrtIDs: ids, Fees: fees}
}
