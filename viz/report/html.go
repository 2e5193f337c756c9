package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// Meta describes the run a report is about. All of it is supplied by the
// caller (the report reads no clock), so the same inputs give the same page.
type Meta struct {
	Title     string // page title; a default in the report's language when empty
	Dataset   string // the dataset's name or directory
	Generated string // when the findings were produced, as the caller formats it
	Summary   []Fact // headline facts about the data (visits read, rows rejected, ...), shown in order
}

// Fact is one labelled value of Meta.Summary.
type Fact struct {
	Label string
	Value string
}

// maxCitedRows bounds the rows listed per evidence item in the HTML; all of
// them are in rings.json.
const maxCitedRows = 8

// A printed ring lists its first printEvidence evidence items with their
// first printRows cited rows each, so that a report of many rings prints
// in a few pages per ring (the print CSS of template.go hides the evidence
// rows from the eleventh: keep them in step).
const (
	printEvidence = 10
	printRows     = 3
)

// Timeline drawing, in SVG user units.
const (
	tlWidth  = 960
	tlHeight = 150
	tlLeft   = 36 // room for the y labels
	tlTop    = 12
	tlBottom = 24 // room for the x labels
)

// normLang maps the accepted language names onto LangZh or LangEn.
func normLang(lang string) (string, error) {
	switch strings.ToLower(lang) {
	case "", "zh", "zh-cn", "zh_cn":
		return LangZh, nil
	case "en", "en-us", "en-gb":
		return LangEn, nil
	}
	return "", fmt.Errorf("report: unknown language %q, want zh or en", lang)
}

// WriteHTML writes report.html: one self-contained page (inline CSS and SVG,
// no scripts, no network) in Chinese (lang "zh" or "", the default) or
// English ("en"): the ranked rings, then each ring with why it is a ring
// (its signals in the report's language, strongest first), its member table,
// a timeline of visits per day, the amount at risk, the features behind the
// score, the evidence with rule id, version, parameters, legal article and
// cited rows; then the single rule hits outside rings summarised by rule
// (each hit is in single_hits.csv, linked), the data-quality findings, and a
// footer sealing rings.json and entities.csv with their SHA-256. It prints
// on A4, each ring from a new page (printEvidence, printRows). Every value is escaped by html/template; member labels are shown
// as given (ring formation masks them).
func WriteHTML(w io.Writer, f *findings.Findings, meta Meta, lang string) error {
	lang, err := normLang(lang)
	if err != nil {
		return err
	}
	sealRings, sealEntities, err := seals(f)
	if err != nil {
		return err
	}
	tmpl, err := parse("report", pageTemplate, lang)
	if err != nil {
		return err
	}
	p := newPage(f, meta, lang)
	p.PrintEvidence, p.PrintRows = printEvidence, printRows
	p.SealRings, p.SealEntities = sealRings, sealEntities
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("write %s: %w", HTMLFile, err)
	}
	return nil
}

// seals returns the SHA-256 of rings.json and entities.csv as f writes
// them: what a report and a dossier print to seal the evidence.
func seals(f *findings.Findings) (rings, entities string, err error) {
	var rj, ec bytes.Buffer
	if err := WriteRingsJSON(&rj, f); err != nil {
		return "", "", err
	}
	if err := WriteEntitiesCSV(&ec, f); err != nil {
		return "", "", err
	}
	return Seal(rj.Bytes()), Seal(ec.Bytes()), nil
}

// parse parses a page template with the report's functions in lang: t (a
// UI string), tf and tf2 (one with one or two numbers filled in).
func parse(name, text, lang string) (*template.Template, error) {
	tr := func(key string) string { return lookup(ui, key, lang) }
	tmpl, err := template.New(name).Funcs(template.FuncMap{
		"t":   tr,
		"tf":  func(key string, n int) string { return fmt.Sprintf(tr(key), n) },
		"tf2": func(key string, a, b int) string { return fmt.Sprintf(tr(key), a, b) },
	}).Parse(text + sharedTemplates)
	if err != nil {
		return nil, fmt.Errorf("report: parse template: %w", err)
	}
	return tmpl, nil
}

// page is what the template renders.
type page struct {
	HTMLLang      string
	Title         string
	Meta          Meta
	RingsN        int
	NotReported   int    // rings beyond max_rings (findings.Findings.RingsNotReported)
	ScopeNote     string // the region the findings are restricted to, and what that left out; "" when not
	TotalAtRisk   string
	Rings         []ringView
	SingleHits    []hitSummary // by rule, most hits first
	SinglesN      int          // single hits listed in rings.json and single_hits.csv
	SinglesTotal  int          // single hits in all, before the cap on the list
	SinglesFile   string       // the appendix listing every single hit
	DataQuality   []dqView
	SealRings     string
	SealEntities  string
	PrintEvidence int
	PrintRows     int
}

type ringView struct {
	Why          []string // the signals that made it a ring, strongest first, in the report's language
	MemberRows   []memberRow
	MoreMembers  int // members left out of MemberRows (all are in rings.json)
	Rank         int
	ID           string
	Anchor       string
	Score        string
	ScorePct     string // bar width, "0".."100"
	Typology     string
	TypologyID   string
	Amount       string
	Visits       int
	First, Last  string
	FirstDay     string // date part of First, for the ranked table
	LastDay      string
	Article      string
	MemberCounts string
	Timeline     *timelineView
	Features     []Fact
	Evidence     []evidenceView
}

// memberRow is one line of a ring's member table.
type memberRow struct {
	Role, Kind, ID, Label, Score, Fund, First, Last string
	Visits, RuleHits                                int
}

// maxMemberRows bounds the member table of a ring in the HTML, the
// members holding most of the ring's visits first; all are in rings.json.
const maxMemberRows = 30

// hitSummary is the single rule hits of one rule: how many, how much.
type hitSummary struct {
	Rule, Amount string
	Count        int
}

type evidenceView struct {
	Kind, Rule, Version, Result, Article, Detail, Amount string
	Params                                               []string // "name=value", by name
	Visits                                               int
	Rows                                                 []string
	Extra                                                []string // rows after printRows, left out of the printed page
	More                                                 int
}

type dqView struct {
	Kind, Code, Amount, Detail string
	Visits, Institutions, Pats int
}

type timelineView struct {
	Width, Height int
	Bars          []bar
	Ticks         []tick
	Max           int
	MaxY, BaseY   string
	TickY         string
	Left, Right   string
}

type bar struct{ X, Y, W, H, Title string }

type tick struct{ X, Label string }

// kindOrder puts institutions first, then doctors, then patients.
var kindOrder = map[string]int{findings.KindClinic: 0, findings.KindPharmacy: 1, findings.KindDoctor: 2, findings.KindPatient: 3}

func newPage(f *findings.Findings, meta Meta, lang string) page {
	p := page{HTMLLang: "zh-CN", Meta: meta, Title: meta.Title, RingsN: len(f.Rings), NotReported: f.RingsNotReported}
	if lang == LangEn {
		p.HTMLLang = "en"
	}
	if p.Title == "" {
		p.Title = lookup(ui, "title", lang)
	}
	if sc := f.Scope; sc != nil {
		p.ScopeNote = fmt.Sprintf(lookup(ui, "region_scope", lang), sc.Region, sc.Rings, sc.SingleHits, sc.Entities)
	}
	var total float64
	for i, r := range f.Rings {
		total += r.AmountAtRisk
		p.Rings = append(p.Rings, newRingView(i, r, lang))
	}
	p.TotalAtRisk = money(total)
	p.SingleHits, p.SinglesN, p.SinglesTotal, p.SinglesFile = summariseHits(f.SingleHits), len(f.SingleHits), max(f.SingleHitsTotal, len(f.SingleHits)), SingleHitsFile
	for _, d := range f.DataQuality {
		p.DataQuality = append(p.DataQuality, dqView{Kind: lookup(dqKinds, d.Kind, lang), Code: d.Code, Amount: money(d.Amount),
			Detail: dqDetail(d, lang), Visits: d.Visits, Institutions: d.Institutions, Pats: d.Patients})
	}
	return p
}

func newRingView(i int, r findings.Ring, lang string) ringView {
	v := ringView{Rank: r.Rank, ID: r.ID, Anchor: fmt.Sprintf("ring-%d", i+1), Score: fmt.Sprintf("%.3f", r.Score),
		ScorePct: strconv.Itoa(int(math.Round(100 * math.Max(0, math.Min(1, r.Score))))),
		Typology: vocab.Label(vocab.Typologies, r.Typology, lang), TypologyID: r.Typology,
		Amount: money(r.AmountAtRisk), Visits: r.Visits, First: r.First, Last: r.Last, FirstDay: day(r.First), LastDay: day(r.Last),
		Article: pickArticle(r.Article, r.ArticleEn, lang), MemberCounts: memberCounts(r.Members, lang),
		Timeline: newTimeline(r.Timeline, lang)}
	for _, w := range r.Why {
		if lang == LangEn {
			v.Why = append(v.Why, w.En)
		} else {
			v.Why = append(v.Why, w.Zh)
		}
	}
	v.MemberRows, v.MoreMembers = memberRows(r.Members, maxMemberRows, lang)
	keys := make([]string, 0, len(r.Features))
	for k := range r.Features {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Features = append(v.Features, Fact{k, strconv.FormatFloat(round(r.Features[k], 4), 'f', -1, 64)})
	}
	for _, e := range r.Evidence {
		v.Evidence = append(v.Evidence, newEvidenceView(e, lang))
	}
	return v
}

// pickArticle returns the article in lang, falling back to the other one.
func pickArticle(zh, en, lang string) string {
	if lang == LangEn && en != "" || zh == "" {
		return en
	}
	return zh
}

// memberCounts summarises members by kind: "3 医疗机构 · 17 医生 · 120 参保人".
func memberCounts(ms []findings.Member, lang string) string {
	n := map[string]int{}
	var other []string
	for _, m := range ms {
		if _, ok := kindOrder[m.Kind]; !ok && n[m.Kind] == 0 {
			other = append(other, m.Kind)
		}
		n[m.Kind]++
	}
	sort.Strings(other)
	var parts []string
	for _, k := range append([]string{findings.KindClinic, findings.KindPharmacy, findings.KindDoctor, findings.KindPatient}, other...) {
		if n[k] > 0 {
			label := vocab.Label(vocab.Kinds, k, lang)
			if lang == LangEn && n[k] > 1 {
				label = vocab.Plural(k, lang)
			}
			parts = append(parts, fmt.Sprintf("%d %s", n[k], label))
		}
	}
	return strings.Join(parts, " · ")
}

// memberRows lists the members of a ring for its table: institutions,
// pharmacies, doctors, then patients, each kind by ring visits, fund and
// id; at most limit, and how many were left out.
func memberRows(ms []findings.Member, limit int, lang string) ([]memberRow, int) {
	sorted := slices.Clone(ms)
	slices.SortStableFunc(sorted, func(a, b findings.Member) int {
		ka, ok := kindOrder[a.Kind]
		if !ok {
			ka = len(kindOrder)
		}
		kb, ok := kindOrder[b.Kind]
		if !ok {
			kb = len(kindOrder)
		}
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(b.Visits, a.Visits), cmp.Compare(b.Fund, a.Fund), cmp.Compare(a.ID, b.ID))
	})
	n := min(len(sorted), limit)
	out := make([]memberRow, n)
	for i, m := range sorted[:n] {
		out[i] = memberRow{Role: vocab.Label(vocab.Roles, m.Role, lang), Kind: vocab.Label(vocab.Kinds, m.Kind, lang), ID: m.ID,
			Label: m.Label, Score: fmt.Sprintf("%.2f", m.Score), Fund: money(m.Fund), First: m.First, Last: m.Last,
			Visits: m.Visits, RuleHits: m.RuleHits}
	}
	return out, len(sorted) - n
}

// summariseHits counts the hits per rule with their amount, most hits
// first (then the larger amount, then the rule id).
func summariseHits(hits []findings.Evidence) []hitSummary {
	type agg struct {
		n   int
		amt float64
	}
	by := map[string]*agg{}
	var rules []string
	for _, e := range hits {
		a := by[e.Rule]
		if a == nil {
			a = &agg{}
			by[e.Rule] = a
			rules = append(rules, e.Rule)
		}
		a.n++
		a.amt += e.Amount
	}
	slices.SortFunc(rules, func(x, y string) int {
		return cmp.Or(cmp.Compare(by[y].n, by[x].n), cmp.Compare(by[y].amt, by[x].amt), cmp.Compare(x, y))
	})
	out := make([]hitSummary, len(rules))
	for i, r := range rules {
		out[i] = hitSummary{Rule: r, Count: by[r].n, Amount: money(by[r].amt)}
	}
	return out
}

// dqDetail explains a data-quality finding in lang: the detection's own
// sentence in English, one built from its counts in Chinese.
func dqDetail(d findings.DataQualityFinding, lang string) string {
	if lang == LangEn && d.Detail != "" {
		return d.Detail
	}
	return fmt.Sprintf(lookup(ui, "dq_detail", lang), d.Visits, d.Patients, d.Institutions)
}

func newEvidenceView(e findings.Evidence, lang string) evidenceView {
	v := evidenceView{Kind: vocab.Label(vocab.EvidenceKinds, e.Kind, lang), Rule: e.Rule, Version: e.Version, Params: params(e.Params),
		Article: pickArticle(e.Article, e.ArticleEn, lang), Amount: money(e.Amount), Visits: e.Visits,
		Result: vocab.Label(vocab.Results, e.Result, lang)}
	v.Detail = e.DetailZh
	if lang == LangEn && e.Detail != "" || v.Detail == "" {
		v.Detail = e.Detail
	}
	rows := citedRows(e)
	if len(rows) > maxCitedRows {
		v.More = len(rows) - maxCitedRows
		rows = rows[:maxCitedRows]
	}
	v.Rows, v.Extra = rows[:min(len(rows), printRows)], rows[min(len(rows), printRows):]
	return v
}

// citedRows lists the fee lines an evidence item cites as
// "mdtrt_id/feedetl_sn", then the cited visits without a fee line.
func citedRows(e findings.Evidence) []string {
	rows := make([]string, 0, len(e.Fees)+len(e.MdtrtIDs))
	withFee := map[string]bool{}
	for _, f := range e.Fees {
		rows = append(rows, f.MdtrtID+" / "+f.FeedetlSn)
		withFee[f.MdtrtID] = true
	}
	for _, id := range e.MdtrtIDs {
		if !withFee[id] {
			rows = append(rows, id)
		}
	}
	return rows
}

// params formats rule parameters as "name=value" in name order, values to
// six significant digits (rings.json keeps them exact).
func params(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + strconv.FormatFloat(m[k], 'g', 6, 64)
	}
	return out
}

// money formats yuan with thousands separators and two decimals.
func money(x float64) string {
	s := strconv.FormatFloat(round(x, moneyDecimals), 'f', moneyDecimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	return b.String() + "." + frac
}

// newTimeline draws visits per day as bars, one slot per calendar day from
// the first to the last day, so that rhythms and same-day cohorts show.
// Points whose day does not parse are left out; nil when none is left.
func newTimeline(pts []findings.TimelinePoint, lang string) *timelineView {
	type day struct {
		t time.Time
		p findings.TimelinePoint
	}
	var ds []day
	for _, p := range pts {
		t, err := time.Parse(time.DateOnly, p.Day)
		if err == nil {
			ds = append(ds, day{t, p})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].t.Before(ds[j].t) })
	first, last := ds[0].t, ds[len(ds)-1].t
	n := int(last.Sub(first).Hours()/24) + 1
	maxV := 1
	for _, d := range ds {
		maxV = max(maxV, d.p.Visits)
	}
	plotW := float64(tlWidth - tlLeft - 4)
	plotH := float64(tlHeight - tlTop - tlBottom)
	slot := plotW / float64(n)
	bw := math.Max(slot*0.8, math.Min(slot, 1))
	f := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
	tv := &timelineView{Width: tlWidth, Height: tlHeight, Max: maxV, MaxY: f(tlTop), BaseY: f(tlTop + plotH),
		Left: f(tlLeft), Right: f(tlWidth - 4), TickY: f(tlHeight - 6)}
	visits := lookup(ui, "visits", lang)
	for _, d := range ds {
		i := int(d.t.Sub(first).Hours() / 24)
		h := plotH * float64(max(d.p.Visits, 0)) / float64(maxV)
		tv.Bars = append(tv.Bars, bar{X: f(tlLeft + float64(i)*slot), Y: f(tlTop + plotH - h), W: f(bw), H: f(h),
			Title: fmt.Sprintf("%s · %s %d · ¥%s", d.p.Day, visits, d.p.Visits, money(d.p.Amount))})
	}
	// x labels, each with its year: every day for short spans, weeks for a
	// few months, months beyond.
	step, monthly := 1, false
	switch {
	case n > 120:
		monthly = true
	case n > 10:
		step = 7
	}
	for i := 0; i < n; i++ {
		t := first.AddDate(0, 0, i)
		label := ""
		switch {
		case monthly && (i == 0 || t.Day() == 1):
			label = t.Format("2006-01")
			if i == 0 && t.Day() > 20 {
				label = "" // too close to the next month's label
			}
		case !monthly && i%step == 0:
			label = t.Format(time.DateOnly)
		}
		if label != "" {
			tv.Ticks = append(tv.Ticks, tick{X: f(tlLeft + (float64(i)+0.5)*slot), Label: label})
		}
	}
	return tv
}
