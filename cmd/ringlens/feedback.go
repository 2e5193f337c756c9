package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
	"github.com/urfave/cli/v2"
)

func feedbackCommand() *cli.Command {
	return &cli.Command{
		Name:      "feedback",
		Usage:     "write a month's rule hits per institution and per doctor, with the rows and what would have passed",
		UsageText: "ringlens feedback --in city --month 2025-10 --out feedback [--lang en] [--rules rules.json]",
		Description: "Runs the rule library (algorithms/rules) on the dataset and keeps the hits that cite rows of\n" +
			"the month (visits begun, fee lines charged in it). Into --out it writes one report per\n" +
			"institution (institutions/CODE.md) and per doctor (doctors/CODE.md) with each hit's rule,\n" +
			"version, legal article, parameters, the rows it cites in the month and what would have\n" +
			"passed the rule, and index.md listing them, so that a site can correct within weeks\n" +
			"(docs/points.md). Names and ID numbers are never written.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "dataset directory (required)"},
			&cli.StringFlag{Name: "month", Usage: "the month, YYYY-MM (required)"},
			&cli.StringFlag{Name: "out", Usage: "output directory (required)"},
			&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters; see algorithms/rules/RULES.md"},
			&cli.StringFlag{Name: "lang", Value: "zh", Usage: "language of the reports: zh or en"},
			&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
		}, logFlags()...),
		Action: runFeedback,
	}
}

// screenRowsPerHit is the fewest rows a hit cites when feedback and
// proposals screen a dataset (rules.Set.MaxRowsPerHit, raised to it): a
// report lists the rows of the month, and a site pattern counts the
// doctors of the rows.
const screenRowsPerHit = 500

// screened is a dataset read, built and screened by the rule library.
type screened struct {
	graph    *graph.Graph
	set      rules.Set
	res      *rules.Result
	rejected int64
}

// screenDataset reads the dataset in, builds its graph and runs the rules
// of --rules (the defaults without it); rejected rows are counted, not
// written.
func screenDataset(c *cli.Context, in string) (*screened, error) {
	log, tty, err := newLogger(c)
	if err != nil {
		return nil, err
	}
	if err := checkEncodingFlag(c.String("encoding")); err != nil {
		return nil, err
	}
	set, err := ruleSet(c)
	if err != nil {
		return nil, err
	}
	set.MaxRowsPerHit = max(set.MaxRowsPerHit, screenRowsPerHit)
	m := newMeter(log, c.App.ErrWriter, tty)
	var rejected int64
	sink := func(ingest.Reject) error { rejected++; return nil }
	p, err := loadGraph(c, m, in, ingest.Options{Encoding: c.String("encoding")}, sink)
	if err != nil {
		return nil, err
	}
	res, err := rules.Run(c.Context, p.graph, set)
	if err != nil {
		return nil, fmt.Errorf("run the rules: %w", err)
	}
	return &screened{graph: p.graph, set: set, res: res, rejected: rejected}, nil
}

// monthPattern is --month.
var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

func runFeedback(c *cli.Context) error {
	in, out, month, lang := c.String("in"), c.String("out"), c.String("month"), c.String("lang")
	switch {
	case in == "":
		return usagef("feedback: --in is required")
	case out == "":
		return usagef("feedback: --out is required")
	case !monthPattern.MatchString(month):
		return usagef("feedback: --month wants YYYY-MM, not %q", month)
	}
	if err := checkLang(lang); err != nil {
		return err
	}
	s, err := screenDataset(c, in)
	if err != nil {
		return err
	}
	fb := buildFeedback(s, month)
	if err := writeFeedback(out, fb, lang); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "feedback %s: %d hits, %d institutions, %d doctors, %.2f fund yuan; reports in %s\n",
		month, fb.hits, len(fb.institutions), len(fb.doctors), fb.fund, out)
	if s.rejected > 0 {
		fmt.Fprintf(c.App.Writer, "%d rows rejected (run detect for rejects.csv)\n", s.rejected)
	}
	return nil
}

// fbRow is one row a hit cites in the month.
type fbRow struct {
	mdtrtID, feedetlSn string
	at                 claims.Time
	inst, doctor       uint32 // Institutions and Doctors rows (graph.None for none)
	fund               claims.Money
}

// fbHit is one hit as a report shows it: the rule and the rows of the
// month that concern the report's institution or doctor.
type fbHit struct {
	rule *rules.Rule
	hit  *rules.Hit
	rows []fbRow
}

// fbReport is the month's hits of one institution or doctor.
type fbReport struct {
	code string
	hits []fbHit
}

// feedback is a month's reports.
type feedback struct {
	month                 string
	institutions, doctors map[string]*fbReport
	// doctorsOf tallies, per institution, the doctors with hits of each rule
	// (shows a pattern shared across a site).
	doctorsOf map[string]map[string]map[string]bool
	hits      int
	fund      float64
}

// buildFeedback keeps the hits of s with rows in month and files each under
// the institutions and doctors of those rows.
func buildFeedback(s *screened, month string) *feedback {
	t := s.graph.Tables()
	fb := &feedback{month: month, institutions: map[string]*fbReport{}, doctors: map[string]*fbReport{},
		doctorsOf: map[string]map[string]map[string]bool{}}
	for i := range s.res.Hits {
		h := &s.res.Hits[i]
		rows := monthRows(t, h, month)
		if len(rows) == 0 {
			continue
		}
		rule, ok := s.set.Rule(h.Rule)
		if !ok {
			continue
		}
		fb.hits++
		fb.fund += h.Amount.Yuan()
		byInst := groupRows(rows, func(r fbRow) uint32 { return r.inst })
		for _, inst := range slices.Sorted(maps.Keys(byInst)) {
			code := t.Institutions.IDs.String(inst)
			fb.file(fb.institutions, code, fbHit{rule: rule, hit: h, rows: byInst[inst]})
		}
		byDoc := groupRows(rows, func(r fbRow) uint32 { return r.doctor })
		for _, doc := range slices.Sorted(maps.Keys(byDoc)) {
			if s.res.IsPlaceholder(doc) {
				continue
			}
			code := t.Doctors.IDs.String(doc)
			fb.file(fb.doctors, code, fbHit{rule: rule, hit: h, rows: byDoc[doc]})
			for _, r := range byDoc[doc] {
				if r.inst != graph.None {
					fb.tally(t.Institutions.IDs.String(r.inst), h.Rule, code)
				}
			}
		}
	}
	return fb
}

// file adds hit to the report of code in reports.
func (fb *feedback) file(reports map[string]*fbReport, code string, hit fbHit) {
	r, ok := reports[code]
	if !ok {
		r = &fbReport{code: code}
		reports[code] = r
	}
	r.hits = append(r.hits, hit)
}

// tally records that doctor has hits of rule at institution inst.
func (fb *feedback) tally(inst, rule, doctor string) {
	if fb.doctorsOf[inst] == nil {
		fb.doctorsOf[inst] = map[string]map[string]bool{}
	}
	if fb.doctorsOf[inst][rule] == nil {
		fb.doctorsOf[inst][rule] = map[string]bool{}
	}
	fb.doctorsOf[inst][rule][doctor] = true
}

// groupRows groups rows by key, dropping rows whose key is graph.None.
func groupRows(rows []fbRow, key func(fbRow) uint32) map[uint32][]fbRow {
	out := map[uint32][]fbRow{}
	for _, r := range rows {
		if k := key(r); k != graph.None {
			out[k] = append(out[k], r)
		}
	}
	return out
}

// inMonth reports whether tm falls in month (YYYY-MM, China time).
func inMonth(tm claims.Time, month string) bool {
	return strings.HasPrefix(tm.Day().String(), month)
}

// monthRows are the rows h cites (visits, then fee lines) that fall in
// month.
func monthRows(t *graph.Tables, h *rules.Hit, month string) []fbRow {
	var out []fbRow
	vt, ft := &t.Visits, &t.Fees
	for _, v := range h.Visits {
		if int(v) >= vt.Begin.Len() || !inMonth(vt.Begin.At(v), month) {
			continue
		}
		out = append(out, fbRow{mdtrtID: vt.IDs.String(v), at: vt.Begin.At(v), inst: vt.Institution[v], doctor: vt.Doctor[v], fund: vt.FundPay.At(v)})
	}
	for _, f := range h.Fees {
		if int(f) >= ft.Time.Len() || !inMonth(ft.Time.At(f), month) {
			continue
		}
		v := ft.Visit.At(f)
		doc := t.FeeDoctor(f)
		if doc == graph.None {
			doc = vt.Doctor[v]
		}
		out = append(out, fbRow{mdtrtID: vt.IDs.String(v), feedetlSn: t.FeeSerial(f), at: ft.Time.At(f),
			inst: vt.Institution[v], doctor: doc, fund: ft.AmountAt(f)})
	}
	return out
}

// safeName is code as a file name: itself when it holds only letters,
// digits, '-' and '_', else those characters with a short hash of code.
func safeName(code string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return r
		}
		return '_'
	}, code)
	if clean == code && code != "" && len(code) <= 64 {
		return code
	}
	s := sha256.Sum256([]byte(code))
	if len(clean) > 32 {
		clean = clean[:32]
	}
	return clean + "-" + hex.EncodeToString(s[:4])
}

// writeFeedback writes the reports and index.md into out.
func writeFeedback(out string, fb *feedback, lang string) error {
	var index bytes.Buffer
	fmt.Fprintf(&index, "# %s %s\n\n", tr(lang, "医保规则命中反馈", "Rule-hit feedback"), fb.month)
	for _, part := range []struct {
		dir, zh, en string
		reports     map[string]*fbReport
	}{{"institutions", "定点机构", "Institutions", fb.institutions}, {"doctors", "医师", "Doctors", fb.doctors}} {
		dir := filepath.Join(out, part.dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		fmt.Fprintf(&index, "## %s (%d)\n\n", tr(lang, part.zh, part.en), len(part.reports))
		for _, code := range slices.Sorted(maps.Keys(part.reports)) {
			r := part.reports[code]
			name := safeName(code) + ".md"
			var b bytes.Buffer
			writeReport(&b, fb, part.dir == "institutions", r, lang)
			if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write %s: %w", name, err)
			}
			fmt.Fprintf(&index, "- [%s](%s/%s): %s %d\n", code, part.dir, name, tr(lang, "命中", "hits"), len(r.hits))
		}
		index.WriteString("\n")
	}
	return os.WriteFile(filepath.Join(out, "index.md"), index.Bytes(), 0o644)
}

// tr picks the Chinese or English text by lang.
func tr(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// writeReport writes one institution's or doctor's report.
func writeReport(w io.Writer, fb *feedback, institution bool, r *fbReport, lang string) {
	kind := tr(lang, "医师", "Doctor")
	if institution {
		kind = tr(lang, "定点机构", "Institution")
	}
	fmt.Fprintf(w, "# %s %s — %s\n\n", kind, r.code, fb.month)
	fmt.Fprintf(w, "%s\n\n", tr(lang,
		"以下为本月就诊和费用明细触发的监管规则，每条列出规则、法律依据、参数、所涉明细及合规做法。这些是提示，不是处罚结论。",
		"The monitoring rules this month's visits and fee lines hit, each with its rule, legal article, parameters, the rows concerned and what would have passed. These are reminders, not penalties."))
	if institution {
		writeShared(w, fb, r.code, lang)
	}
	for _, h := range r.hits {
		writeHit(w, h, lang)
	}
}

// writeShared lists the rules several doctors of the institution hit: a
// pattern shared across a site points at its configuration (an order-set
// template), not at one doctor.
func writeShared(w io.Writer, fb *feedback, inst, lang string) {
	byRule := fb.doctorsOf[inst]
	var lines []string
	for _, rule := range slices.Sorted(maps.Keys(byRule)) {
		if n := len(byRule[rule]); n >= 2 {
			lines = append(lines, fmt.Sprintf("- %s: %d %s", rule, n, tr(lang, "名医师", "doctors")))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "## %s\n\n%s\n\n", tr(lang, "多名医师共有的命中（请检查机构的医嘱模板和收费配置）",
		"Hits shared by several doctors (check the site's order-set templates and billing configuration)"), strings.Join(lines, "\n"))
}

// writeHit writes one hit: rule, article, parameters, what would have
// passed and its rows in the month (a visit with the fund it paid, a fee
// line with its amount).
func writeHit(w io.Writer, h fbHit, lang string) {
	r := h.rule
	fmt.Fprintf(w, "## %s %s (v%s)\n\n", r.ID, tr(lang, r.Name, r.NameEn), r.Version)
	fmt.Fprintf(w, "- %s: %s\n", tr(lang, "法律依据", "legal article"), tr(lang, r.Article, r.ArticleEn))
	fmt.Fprintf(w, "- %s: %s\n", tr(lang, "说明", "finding"), tr(lang, h.hit.DetailZh, h.hit.Detail))
	fmt.Fprintf(w, "- %s: %s\n", tr(lang, "合规做法（不触发本规则）", "what would have passed"), passedText(r, lang))
	fmt.Fprintf(w, "- %s: %s\n", tr(lang, "参数", "parameters"), paramText(r))
	fmt.Fprintf(w, "- %s: %s %s\n\n", tr(lang, "整条命中涉及基金（已冲减退费）", "fund of the whole hit, net of refunds"), h.hit.Amount, tr(lang, "元", "yuan"))
	fmt.Fprintf(w, "| mdtrt_id | feedetl_sn | %s | %s |\n|---|---|---|---|\n", tr(lang, "时间", "time"),
		tr(lang, "金额（元；就诊为基金支付，费用明细为明细金额）", "yuan (visit: fund paid; fee line: line amount)"))
	for _, row := range h.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCell(row.mdtrtID), mdCell(row.feedetlSn), row.at.Std().Format(time.DateTime), row.fund)
	}
	if n, cited := h.hit.NVisits+h.hit.NFees, len(h.hit.Visits)+len(h.hit.Fees); n > cited {
		fmt.Fprintf(w, "\n%s\n", tr(lang, fmt.Sprintf("（该命中共涉及 %d 行，引用前 %d 行）", n, cited),
			fmt.Sprintf("(the hit rests on %d rows; the first %d are cited)", n, cited)))
	}
	fmt.Fprintln(w)
}

// mdCell keeps a value from breaking a Markdown table row.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// paramText lists a rule's parameters in force.
func paramText(r *rules.Rule) string {
	parts := make([]string, 0, len(r.Specs))
	for _, p := range r.Specs {
		parts = append(parts, fmt.Sprintf("%s=%g", p.Name, r.P(p.Name)))
	}
	return strings.Join(parts, ", ")
}

// passedText says, from the rule's parameters in force, what a row would
// have needed to pass the rule.
func passedText(r *rules.Rule, lang string) string {
	p := r.P
	switch r.ID {
	case rules.IDSexItem:
		return tr(lang, "只向目录限定性别的参保人收取该项目", "the item billed only to persons of the sex the catalogue allows")
	case rules.IDAgeItem:
		return tr(lang, fmt.Sprintf("只在目录限定年龄内收取该项目（容差 %g 岁）", p("tolerance_years")),
			fmt.Sprintf("the item billed only within the catalogue's age limits (tolerance %g years)", p("tolerance_years")))
	case rules.IDSexDiagnosis:
		return tr(lang, "诊断与参保人性别相符", "a diagnosis consistent with the person's sex")
	case rules.IDAgeDiagnosis:
		return tr(lang, fmt.Sprintf("诊断与参保人年龄相符（容差 %g 岁）", p("tolerance_years")),
			fmt.Sprintf("a diagnosis consistent with the person's age (tolerance %g years)", p("tolerance_years")))
	case rules.IDOverSupply:
		return tr(lang, fmt.Sprintf("单次处方用量不超过 %g 天（急诊 %g 天，慢病 %g 天，或目录规定的最大天数），另容差 %g 天",
			p("normal_days"), p("emergency_days"), p("chronic_days"), p("tolerance_days")),
			fmt.Sprintf("a supply of at most %g days (emergency %g, chronic %g, or the catalogue's max_days), %g days tolerated",
				p("normal_days"), p("emergency_days"), p("chronic_days"), p("tolerance_days")))
	case rules.IDRepeatRx:
		return tr(lang, fmt.Sprintf("上次用药用完前不再开同一药品（允许提前 %g 天或剩余量的 %.0f%%）", p("tolerance_days"), 100*p("tolerance_share")),
			fmt.Sprintf("no refill of the same drug before the last supply runs out, less %g days or %.0f%% of it", p("tolerance_days"), 100*p("tolerance_share")))
	case rules.IDFrequentVisits:
		return tr(lang, fmt.Sprintf("任意 %g 天内就诊少于 %g 次，且不高于同类人群中位数 + %g × 1.4826 × MAD", p("window_days"), p("min_visits"), p("mad_k")),
			fmt.Sprintf("fewer than %g visits in any %g days, or no more than the peer median + %g × 1.4826 × MAD", p("min_visits"), p("window_days"), p("mad_k")))
	case rules.IDSplitAdmission:
		return tr(lang, fmt.Sprintf("同一诊断出院 %g 天后才再次入院", p("max_gap_days")),
			fmt.Sprintf("a readmission for the same diagnosis more than %g days after discharge", p("max_gap_days")))
	case rules.IDCensusBeds:
		return tr(lang, fmt.Sprintf("在院人数不超过核定床位的 %g 倍", p("over_ratio")),
			fmt.Sprintf("an inpatient census of at most %g × the approved beds", p("over_ratio")))
	case rules.IDAfterDeath:
		return tr(lang, fmt.Sprintf("死亡日期 %g 天后不再发生结算", p("grace_days")),
			fmt.Sprintf("no claim later than %g days after the date of death", p("grace_days")))
	case rules.IDDoctorDistant:
		return tr(lang, fmt.Sprintf("同一医师在相距 %g 公里以上的机构之间的接诊间隔足以按 %g 公里/小时到达", p("min_km"), p("speed_kmh")),
			fmt.Sprintf("one doctor's visits at sites %g km or more apart far enough apart in time to travel at %g km/h", p("min_km"), p("speed_kmh")))
	case rules.IDPersonDistant:
		return tr(lang, fmt.Sprintf("同一参保人 %g 分钟内不在相距 %g 公里以上的两地就医", p("max_gap_minutes"), p("min_km")),
			fmt.Sprintf("no visits of one person %g km or more apart within %g minutes", p("min_km"), p("max_gap_minutes")))
	case rules.IDDoctorCapacity:
		return tr(lang, fmt.Sprintf("每名医师每 %g 分钟接诊不超过 %g 人次", p("slot_minutes"), p("max_per_slot")),
			fmt.Sprintf("at most %g visits per doctor in %g minutes", p("max_per_slot"), p("slot_minutes")))
	case rules.IDTraceDuplicate:
		return tr(lang, "每个药品追溯码只销售一次", "each drug trace code sold once")
	case rules.IDRoundQuantity:
		return tr(lang, fmt.Sprintf("单价 %g 元以下药品的整数量（%g 的倍数且不少于 %g）购买少于 %g 次，或少于该药购买的 %.0f%%",
			p("max_price_yuan"), p("round_base"), p("min_qty"), p("min_purchases"), 100*p("min_round_share")),
			fmt.Sprintf("fewer than %g round-quantity purchases (multiples of %g, at least %g) of a drug priced at most %g yuan, or under %.0f%% of its purchases",
				p("min_purchases"), p("round_base"), p("min_qty"), p("max_price_yuan"), 100*p("min_round_share")))
	case rules.IDPriceCap:
		return tr(lang, fmt.Sprintf("单价不超过目录限价（容差 %.0f%%）", 100*p("tolerance_share")),
			fmt.Sprintf("a price at most the catalogue cap (%.0f%% tolerated)", 100*p("tolerance_share")))
	case rules.IDDuplicateBilling:
		return tr(lang, "同一次就诊同一项目只收费一次", "each item billed once per visit")
	case rules.IDGhostBed:
		return tr(lang, fmt.Sprintf("住院期间不出现连续 %g 小时以上无任何诊疗收费", p("min_gap_hours")),
			fmt.Sprintf("no gap of %g hours or more without any charge during a stay", p("min_gap_hours")))
	}
	return tr(lang, "参数范围内：", "within the parameters: ") + paramText(r)
}
