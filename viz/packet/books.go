package packet

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// language is the language of the dossier and the workbooks.
type language struct{ en bool }

// languageOf parses a --lang value: "en" is English, anything else Chinese.
func languageOf(code string) language { return language{en: code == vocab.LangEn} }

// code is the vocabulary's code of l.
func (l language) code() string {
	if l.en {
		return vocab.LangEn
	}
	return vocab.LangZh
}

// t picks the Chinese or English text.
func (l language) t(zh, en string) string {
	if l.en {
		return en
	}
	return zh
}

// label is the vocabulary label of a code in l.
func (l language) label(c vocab.Category, code string) string { return vocab.Label(c, code, l.code()) }

// membersBook is members.xlsx: every member with kind, code, role, masked
// label, score, ring visits, fund, rule hits, first and last visit and the
// reasons of its entity score.
func membersBook(in Input, l language) ([]byte, error) {
	reasons := map[string][]findings.Reason{}
	for _, e := range in.Findings.Entities.All() {
		if e.RingID == in.Ring.ID {
			reasons[e.Kind+":"+e.ID] = e.Reasons
		}
	}
	s := &sheet{name: l.t("成员", "Members"), header: []string{
		l.t("类别", "Kind"), l.t("编码", "Code"), l.t("角色", "Role"), l.t("标识（已脱敏）", "Label (masked)"),
		l.t("风险评分", "Score"), l.t("团伙内就诊次数", "Ring visits"), l.t("基金金额（元）", "Fund (yuan)"),
		l.t("规则命中", "Rule hits"), l.t("首次就诊", "First visit"), l.t("末次就诊", "Last visit"), l.t("评分依据", "Reasons")}}
	for _, m := range in.Ring.Members {
		s.add(l.label(vocab.Kinds, m.Kind), m.ID, l.label(vocab.Roles, m.Role), m.Label, m.Score, m.Visits, m.Fund,
			m.RuleHits, m.First, m.Last, strings.Join(findings.ReasonTexts(reasons[m.Kind+":"+m.ID], l.code()), "; "))
	}
	return writeWorkbook(in.Ring.ID+" members", in.At, s)
}

// visitsBook is visits.xlsx: a summary, every visit behind the amount at
// risk, and every fee line of those visits (or, without the claims, the
// fee lines the evidence cites).
func visitsBook(in Input, l language) ([]byte, error) {
	r := in.Ring
	visits := &sheet{name: l.t("就诊", "Visits"), header: []string{"mdtrt_id", l.t("参保人编码", "Patient code"),
		l.t("参保人（已脱敏）", "Patient (masked)"), l.t("医师编码", "Doctor code"), l.t("机构编码", "Site code"),
		l.t("就诊开始", "Begin"), l.t("就诊结束", "End"), l.t("基金金额（元）", "Fund (yuan)")}}
	var fundFen int64
	for _, v := range r.VisitRows {
		visits.add(v.MdtrtID, v.Patient, v.PatientLabel, v.Doctor, v.Site, v.Begin, v.End, v.Fund)
		fundFen += fen(v.Fund)
	}
	fees := &sheet{name: l.t("费用明细", "Fee lines"), header: []string{"mdtrt_id", "feedetl_sn",
		l.t("目录编码", "Item code"), l.t("项目名称", "Item name"), l.t("数量", "Count"), l.t("单价（元）", "Price (yuan)"),
		l.t("金额（元）", "Amount (yuan)"), l.t("费用发生时间", "Time"), l.t("开单医师编码", "Billing doctor"), l.t("用药天数", "Supply days")}}
	var feeFen int64
	if in.FeesKnown {
		for _, f := range in.Fees {
			fees.add(f.MdtrtID, f.FeedetlSn, f.ItemCode, f.ItemName, f.Count, f.Price, f.Amount, f.Time, f.DoctorCode, int(f.SupplyDays))
			feeFen += fen(f.Amount)
		}
	} else {
		for _, ref := range citedFees(r) {
			fees.add(ref.MdtrtID, ref.FeedetlSn)
		}
	}
	sum := &sheet{name: l.t("汇总", "Summary"), header: []string{l.t("项目", "Item"), l.t("数值", "Value")}}
	sum.add(l.t("团伙编号", "Ring"), r.ID)
	sum.add(l.t("线索编号", "Case"), in.Case.ID)
	sum.add(l.t("涉及基金（元，rings.json）", "Fund at risk (yuan, rings.json)"), r.AmountAtRisk)
	sum.add(l.t("就诊次数", "Visits"), len(r.VisitRows))
	sum.add(l.t("就诊基金合计（元）", "Fund of the visits (yuan)"), float64(fundFen)/100)
	if in.FeesKnown {
		sum.add(l.t("费用明细条数", "Fee lines"), len(in.Fees))
		sum.add(l.t("费用明细金额合计（元）", "Fee lines, amount (yuan)"), float64(feeFen)/100)
	} else {
		sum.add(l.t("费用明细", "Fee lines"), l.t("未提供结算数据，仅列出证据引用的明细", "claims not given: only the fee lines the evidence cites"))
	}
	return writeWorkbook(r.ID+" visits", in.At, sum, visits, fees)
}

// fen rounds yuan to fen.
func fen(yuan float64) int64 {
	if yuan < 0 {
		return -int64(-yuan*100 + 0.5)
	}
	return int64(yuan*100 + 0.5)
}

// citedFees lists the fee lines the ring's evidence cites, each once, in
// order of citation.
func citedFees(r *findings.Ring) []findings.FeeRef {
	seen := map[findings.FeeRef]bool{}
	var out []findings.FeeRef
	for _, e := range r.Evidence {
		for _, f := range e.Fees {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// ruleHitsBook is rule_hits.xlsx: every evidence item with its rule,
// version, result, amount, legal article and parameters; the parameters
// one a row; every cited row.
func ruleHitsBook(in Input, l language) ([]byte, error) {
	hits := &sheet{name: l.t("证据", "Evidence"), header: []string{"#", l.t("类别", "Kind"), l.t("规则", "Rule"),
		l.t("版本", "Version"), l.t("结论", "Result"), l.t("金额（元）", "Amount (yuan)"), l.t("涉及就诊", "Visits"),
		l.t("引用就诊", "Cited visits"), l.t("法律条款", "Article"), l.t("说明", "Detail"), l.t("参数", "Parameters")}}
	params := &sheet{name: l.t("参数", "Parameters"), header: []string{"#", l.t("规则", "Rule"), l.t("版本", "Version"),
		l.t("参数", "Parameter"), l.t("取值", "Value")}}
	cited := &sheet{name: l.t("引用明细", "Cited rows"), header: []string{"#", l.t("规则", "Rule"), "mdtrt_id", "feedetl_sn"}}
	for i, e := range in.Ring.Evidence {
		n := i + 1
		keys := make([]string, 0, len(e.Params))
		for k := range e.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ps []string
		for _, k := range keys {
			ps = append(ps, k+"="+strconv.FormatFloat(e.Params[k], 'g', -1, 64))
			params.add(n, e.Rule, e.Version, k, e.Params[k])
		}
		article, detail := e.Article, e.DetailZh
		if l.en || article == "" {
			article = e.ArticleEn
		}
		if l.en || detail == "" {
			detail = e.Detail
		}
		hits.add(n, l.label(vocab.EvidenceKinds, e.Kind), e.Rule, e.Version, l.label(vocab.Results, e.Result),
			e.Amount, max(e.Total, e.Visits), len(e.MdtrtIDs), article, detail, strings.Join(ps, "; "))
		withFee := map[string]bool{}
		for _, f := range e.Fees {
			cited.add(n, e.Rule, f.MdtrtID, f.FeedetlSn)
			withFee[f.MdtrtID] = true
		}
		for _, id := range e.MdtrtIDs {
			if !withFee[id] {
				cited.add(n, e.Rule, id, "")
			}
		}
	}
	return writeWorkbook(in.Ring.ID+" rule hits", in.At, hits, params, cited)
}

// timelineBook is timeline.xlsx: the ring's visits and fund by day and by
// month.
func timelineBook(in Input, l language) ([]byte, error) {
	head := func(name, unit string) *sheet {
		return &sheet{name: name, header: []string{unit, l.t("就诊次数", "Visits"), l.t("基金金额（元）", "Fund (yuan)")}}
	}
	days, months := head(l.t("按日", "By day"), l.t("日期", "Day")), head(l.t("按月", "By month"), l.t("月份", "Month"))
	type agg struct {
		visits int
		fen    int64
	}
	var order []string
	byMonth := map[string]*agg{}
	for _, p := range in.Ring.Timeline {
		days.add(p.Day, p.Visits, p.Amount)
		mo := p.Day[:min(len(p.Day), len("2006-01"))]
		a := byMonth[mo]
		if a == nil {
			a = &agg{}
			byMonth[mo] = a
			order = append(order, mo)
		}
		a.visits += p.Visits
		a.fen += fen(p.Amount)
	}
	sort.Strings(order)
	for _, mo := range order {
		months.add(mo, byMonth[mo].visits, float64(byMonth[mo].fen)/100)
	}
	return writeWorkbook(in.Ring.ID+" timeline", in.At, days, months)
}
