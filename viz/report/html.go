package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
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
const maxCitedRows = 200

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
// English ("en"): the ranked rings, then each ring with its members by role,
// a timeline of visits per day, the amount at risk, the signals behind the
// score, the evidence with rule id, version, parameters, legal article and
// cited rows; then the single rule hits outside rings, the data-quality
// findings, and a footer sealing rings.json and entities.csv with their
// SHA-256. Every value is escaped by html/template; member labels are shown
// as given (ring formation masks them).
func WriteHTML(w io.Writer, f *findings.Findings, meta Meta, lang string) error {
	lang, err := normLang(lang)
	if err != nil {
		return err
	}
	var rj, ec bytes.Buffer
	if err := WriteRingsJSON(&rj, f); err != nil {
		return err
	}
	if err := WriteEntitiesCSV(&ec, f); err != nil {
		return err
	}
	tr := func(key string) string { return lookup(ui, key, lang) }
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"t":  tr,
		"tf": func(key string, n int) string { return fmt.Sprintf(tr(key), n) },
	}).Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("report: parse template: %w", err)
	}
	p := newPage(f, meta, lang)
	p.SealRings, p.SealEntities = Seal(rj.Bytes()), Seal(ec.Bytes())
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("write %s: %w", HTMLFile, err)
	}
	return nil
}

// page is what the template renders.
type page struct {
	HTMLLang     string
	Title        string
	Meta         Meta
	RingsN       int
	TotalAtRisk  string
	Rings        []ringView
	SingleHits   []evidenceView
	DataQuality  []dqView
	SealRings    string
	SealEntities string
}

type ringView struct {
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
	Roles        []roleGroup
	Timeline     *timelineView
	Features     []Fact
	Evidence     []evidenceView
}

type roleGroup struct {
	Role    string
	Kind    string // the members' kind when they all share one; then it is not repeated per member
	Members []memberView
}

type memberView struct {
	Kind, ID, Label, Score string
}

type evidenceView struct {
	Kind, Rule, Version, Result, Article, Detail, Amount string
	Params                                               []string // "name=value", by name
	Visits                                               int
	Rows                                                 []string
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
	p := page{HTMLLang: "zh-CN", Meta: meta, Title: meta.Title, RingsN: len(f.Rings)}
	if lang == LangEn {
		p.HTMLLang = "en"
	}
	if p.Title == "" {
		p.Title = lookup(ui, "title", lang)
	}
	var total float64
	for i, r := range f.Rings {
		total += r.AmountAtRisk
		p.Rings = append(p.Rings, newRingView(i, r, lang))
	}
	p.TotalAtRisk = money(total)
	for _, e := range f.SingleHits {
		p.SingleHits = append(p.SingleHits, newEvidenceView(e, lang))
	}
	for _, d := range f.DataQuality {
		p.DataQuality = append(p.DataQuality, dqView{Kind: d.Kind, Code: d.Code, Amount: money(d.Amount), Detail: d.Detail,
			Visits: d.Visits, Institutions: d.Institutions, Pats: d.Patients})
	}
	return p
}

func newRingView(i int, r findings.Ring, lang string) ringView {
	v := ringView{Rank: r.Rank, ID: r.ID, Anchor: fmt.Sprintf("ring-%d", i+1), Score: fmt.Sprintf("%.3f", r.Score),
		ScorePct: strconv.Itoa(int(math.Round(100 * math.Max(0, math.Min(1, r.Score))))),
		Typology: vocab.Label(vocab.Typologies, r.Typology, lang), TypologyID: r.Typology,
		Amount: money(r.AmountAtRisk), Visits: r.Visits, First: r.First, Last: r.Last, FirstDay: day(r.First), LastDay: day(r.Last),
		Article: pickArticle(r.Article, r.ArticleEn, lang), MemberCounts: memberCounts(r.Members, lang),
		Roles: groupRoles(r.Members, lang), Timeline: newTimeline(r.Timeline, lang)}
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

// groupRoles groups members by role; groups come in kind order
// (institutions, doctors, patients), then in order of first appearance.
func groupRoles(ms []findings.Member, lang string) []roleGroup {
	type g struct {
		order, first int
		group        roleGroup
	}
	byRole := map[string]*g{}
	var gs []*g
	for i, m := range ms {
		x := byRole[m.Role]
		if x == nil {
			o, ok := kindOrder[m.Kind]
			if !ok {
				o = len(kindOrder)
			}
			x = &g{order: o, first: i, group: roleGroup{Role: vocab.Label(vocab.Roles, m.Role, lang)}}
			byRole[m.Role] = x
			gs = append(gs, x)
		}
		x.group.Members = append(x.group.Members, memberView{Kind: vocab.Label(vocab.Kinds, m.Kind, lang), ID: m.ID, Label: m.Label,
			Score: fmt.Sprintf("%.2f", m.Score)})
	}
	sort.SliceStable(gs, func(i, j int) bool {
		if gs[i].order != gs[j].order {
			return gs[i].order < gs[j].order
		}
		return gs[i].first < gs[j].first
	})
	out := make([]roleGroup, len(gs))
	for i, x := range gs {
		out[i] = x.group
		kind := out[i].Members[0].Kind
		for _, m := range out[i].Members {
			if m.Kind != kind {
				kind = ""
				break
			}
		}
		if kind != "" {
			out[i].Kind = kind
			for j := range out[i].Members {
				out[i].Members[j].Kind = ""
			}
		}
	}
	return out
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
	v.Rows = rows
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
	// x labels: every day for short spans, weeks for a few months, months beyond.
	step, monthly := 1, false
	switch {
	case n > 120:
		monthly = true
	case n > 21:
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
			label = t.Format("01-02")
		}
		if label != "" {
			tv.Ticks = append(tv.Ticks, tick{X: f(tlLeft + (float64(i)+0.5)*slot), Label: label})
		}
	}
	return tv
}
