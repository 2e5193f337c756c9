package rules

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// Hit is one finding of one rule. Row lists are Tables rows, sorted
// ascending and distinct; the visit and fee lists hold at most
// Set.MaxRowsPerHit rows each (the entity lists of hits over many rows are
// capped likewise), while NVisits, NFees and Amount always cover every row
// the finding rests on.
type Hit struct {
	Rule    string     // rule id
	Version string     // rule logic version
	Stage   Stage      // stage of the rule
	Result  ResultType // definite or suspicious
	Article string     // legal article (zh-CN); ArticleEn in English
	// ArticleEn is Article in English.
	ArticleEn string
	// Params are the exact parameters used. The map is shared by every hit
	// of the rule and must not be modified.
	Params map[string]float64

	Persons      []uint32 // Persons rows concerned
	Doctors      []uint32 // Doctors rows concerned
	Institutions []uint32 // Institutions rows concerned (pharmacies included)
	Items        []uint32 // Catalog rows concerned
	Visits       []uint32 // Visits rows cited (capped)
	Fees         []uint32 // Fees rows cited (capped)
	NVisits      int      // visits the finding rests on
	NFees        int      // fee lines the finding rests on

	// Amount is the fund amount involved, net of refunds, each row counted
	// once (see the package documentation for fee-line fund shares).
	Amount claims.Money
	// At is the time of the first event of the finding.
	At claims.Time
	// Detail and DetailZh explain the finding in a short sentence.
	Detail, DetailZh string

	seq uint64 // order of discovery within the rule: a deterministic tiebreak
}

// Finding returns h as the findings carry it (findings.RuleHit, for
// Findings.RuleHits). The row lists and Params are shared with h.
func (h *Hit) Finding() findings.RuleHit {
	return findings.RuleHit{
		Rule: h.Rule, Version: h.Version, Stage: string(h.Stage), Result: string(h.Result),
		Article: h.Article, ArticleEn: h.ArticleEn, Params: h.Params,
		Persons: h.Persons, Doctors: h.Doctors, Institutions: h.Institutions, Items: h.Items,
		Visits: h.Visits, Fees: h.Fees, NVisits: h.NVisits, NFees: h.NFees,
		Amount: h.Amount, At: h.At, Detail: h.Detail, DetailZh: h.DetailZh,
	}
}

// Cite returns the natural keys of the rows a hit cites: the mdtrt_id of
// each visit, then the (mdtrt_id, feedetl_sn) of each fee line. Rows out of
// range of t are skipped. It is findings.Cite of h.Finding().
func Cite(t *graph.Tables, h Hit) (mdtrtIDs []string, fees []findings.FeeRef) {
	f := h.Finding()
	return findings.Cite(t, &f, nil)
}

// DataQuality is a data-quality finding: not a rule hit and never evidence
// of fraud by itself.
type DataQuality struct {
	Kind         string // "placeholder-doctor"
	Check        string // id of the check, e.g. DQ-PLACEHOLDER-DOCTOR
	Doctor       uint32 // Doctors row
	Code         string // the doctor code as written
	Registered   bool   // whether staff.csv registers the code
	Visits       int    // live visits under the code
	Institutions int    // distinct institutions of those visits
	Patients     int    // distinct patients of those visits
	Amount       claims.Money
	Detail       string
}

// RuleStat summarises one rule's run.
type RuleStat struct {
	Rule    string
	Enabled bool
	Hits    int          // hits kept
	Dropped int          // hits dropped by Set.MaxHitsPerRule (smallest amounts)
	Amount  claims.Money // amount of the kept hits
}

// Result is the outcome of Run.
type Result struct {
	// Hits are sorted by rule (canonical order), then amount descending,
	// then discovery order: identical input and Set give identical hits.
	Hits        []Hit
	DataQuality []DataQuality
	// Placeholder[d] is true for Doctors row d recognised as a placeholder
	// code: ring formation must leave it out.
	Placeholder []bool
	Stats       []RuleStat
}

// IsPlaceholder reports whether Doctors row d is a placeholder code.
func (r *Result) IsPlaceholder(d uint32) bool { return int(d) < len(r.Placeholder) && r.Placeholder[d] }

// rowList accumulates rows up to a cap while counting them all.
type rowList struct {
	rows []uint32
	n    int
}

func (l *rowList) add(x uint32, limit int) {
	l.n++
	if len(l.rows) < limit {
		l.rows = append(l.rows, x)
	}
}

// finding is a hit under construction. Its buffers are reused between
// findings; emit copies them into the hit.
type finding struct {
	persons, doctors, insts, items []uint32
	visits, fees                   rowList
	amount                         claims.Money
	at                             claims.Time
}

// reset empties f for reuse, keeping its buffers.
func (f *finding) reset() {
	f.persons, f.doctors, f.insts, f.items = f.persons[:0], f.doctors[:0], f.insts[:0], f.items[:0]
	f.visits = rowList{rows: f.visits.rows[:0]}
	f.fees = rowList{rows: f.fees.rows[:0]}
	f.amount, f.at = 0, claims.NoTime
}

func (f *finding) visit(v uint32, limit int) { f.visits.add(v, limit) }
func (f *finding) fee(r uint32, limit int)   { f.fees.add(r, limit) }
func (f *finding) when(t claims.Time) {
	if t != claims.NoTime && (f.at == claims.NoTime || t < f.at) {
		f.at = t
	}
}

// collector gathers the hits of one rule and bounds them: once it holds
// maxHits hits, a finding whose amount cannot enter the kept set is counted
// as dropped without being built.
type collector struct {
	rule    *Rule
	maxRows int
	maxHits int
	hits    []*Hit
	dropped int
	seq     uint64
	floor   claims.Money // smallest kept amount after the last trim
	full    bool         // a trim has filled the kept set
}

func newCollector(r *Rule, s *Set) *collector {
	maxRows, maxHits := s.MaxRowsPerHit, s.MaxHitsPerRule
	if maxRows < 1 {
		maxRows = DefaultMaxRowsPerHit
	}
	if maxHits < 1 {
		maxHits = DefaultMaxHitsPerRule
	}
	return &collector{rule: r, maxRows: maxRows, maxHits: maxHits}
}

// skip reports whether a finding of the given amount would be dropped
// anyway, counting it as dropped: rules call it before building a finding
// whose amount is cheap to compute.
func (c *collector) skip(amount claims.Money) bool {
	if c.full && amount <= c.floor {
		c.seq++
		c.dropped++
		return true
	}
	return false
}

// emit turns f into a hit; detail returns its English and Chinese details
// and is only called when the hit is kept.
func (c *collector) emit(f *finding, detail func() (string, string)) {
	c.seq++
	if c.full && f.amount <= c.floor {
		// A later hit with an equal amount loses the discovery-order tie.
		c.dropped++
		return
	}
	r := c.rule
	h := &Hit{
		Rule: r.ID, Version: r.Version, Stage: r.Stage, Result: r.Result,
		Article: r.Article, ArticleEn: r.ArticleEn, Params: r.Params,
		Persons: uniq(f.persons), Doctors: uniq(f.doctors), Institutions: uniq(f.insts), Items: uniq(f.items),
		Visits: uniq(f.visits.rows), Fees: uniq(f.fees.rows), NVisits: f.visits.n, NFees: f.fees.n,
		Amount: f.amount, At: f.at, seq: c.seq,
	}
	h.Detail, h.DetailZh = detail()
	c.hits = append(c.hits, h)
	if len(c.hits) >= 2*c.maxHits {
		c.trim()
	}
}

// trim sorts the hits and keeps the maxHits largest.
func (c *collector) trim() {
	slices.SortFunc(c.hits, compareHits)
	if len(c.hits) >= c.maxHits {
		c.dropped += len(c.hits) - c.maxHits
		clear(c.hits[c.maxHits:])
		c.hits = c.hits[:c.maxHits]
		c.floor, c.full = c.hits[len(c.hits)-1].Amount, true
	}
}

// compareHits orders the hits of one rule: amount descending, then
// discovery order.
func compareHits(a, b *Hit) int {
	return cmp.Or(cmp.Compare(b.Amount, a.Amount), cmp.Compare(a.seq, b.seq))
}

// uniq returns a sorted, deduplicated copy of rows (nil for none).
func uniq(rows []uint32) []uint32 {
	if len(rows) == 0 {
		return nil
	}
	out := slices.Clone(rows)
	slices.Sort(out)
	return slices.Compact(out)
}
