package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sample is a hand-built findings set: a large fabricated-outpatient ring
// with a 12-day rhythm, a fake-hospitalisation ring with same-morning
// cohorts, a bare unclassified ring, single hits and a data-quality finding.
func sample() *findings.Findings {
	f := &findings.Findings{}
	big := findings.Ring{ID: "ring-0001", Rank: 1, Score: 0.9734567891, Typology: findings.TypFabricatedOutpatient,
		AmountAtRisk: 2712345.678, Visits: 4321, First: "2024-01-03 08:12:00", Last: "2024-12-27 17:40:00",
		Article: "《医疗保障基金使用监督管理条例》第四十条", ArticleEn: "Regulation on the Supervision of the Medical Security Fund, Art. 40",
		Features: map[string]float64{"density": 0.8123456, "rule_hit_share": 0.42, "peer_distance": 3.1415926}}
	for i := range 3 {
		big.Members = append(big.Members, findings.Member{Kind: findings.KindClinic, ID: fmt.Sprintf("H35020300%d", i+1), Role: "organising_clinic", Score: 0.95, Label: fmt.Sprintf("湖里区诊所%d", i+1)})
	}
	for i := range 17 {
		big.Members = append(big.Members, findings.Member{Kind: findings.KindDoctor, ID: fmt.Sprintf("D350203%04d", i), Role: "organised_doctor", Score: 0.8 - float64(i)/100, Label: "王*"})
	}
	for i := range 120 {
		big.Members = append(big.Members, findings.Member{Kind: findings.KindPatient, ID: fmt.Sprintf("3502%08d", i), Role: "recruited_patient", Score: 0.7, Label: "张*" + strings.Repeat("*", i%2)})
	}
	for d := 0; d < 360; d += 12 {
		day := time.Date(2024, 1, 3+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		big.Timeline = append(big.Timeline, findings.TimelinePoint{Day: day, Visits: 100 + d%50, Amount: 9000.5},
			findings.TimelinePoint{Day: time.Date(2024, 1, 4+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Visits: 5})
	}
	big.Evidence = []findings.Evidence{
		{Kind: "rule", Rule: "R-CAPACITY", Version: "1.2.0", Params: map[string]float64{"max_per_slot": 6, "slot_minutes": 30},
			Result: "suspicious", Article: "第四十条", ArticleEn: "Art. 40", Detail: "more records per doctor per slot than possible",
			DetailZh: "医生单时段接诊人次超出能力", Amount: 123456.789, Visits: 3,
			MdtrtIDs: []string{"M001", "M002", "M003"}, Fees: []findings.FeeRef{{MdtrtID: "M001", FeedetlSn: "F001-1"}, {MdtrtID: "M002", FeedetlSn: "F002-1"}}},
		{Kind: "graph", Rule: "G-LOCKSTEP", Detail: "patients return every 12 days in lockstep <script>alert(1)</script>",
			DetailZh: "参保人每12天同步就诊", Amount: 5000, Visits: 250, MdtrtIDs: manyIDs(250)},
	}
	big.Why = []findings.Signal{
		{Code: "rule_hits", Strength: 0.4, Zh: "42%的就诊命中规则（25条命中）", En: "42% of visits hit rules (25 hits)", Evidence: []int{0}},
		{Code: "lockstep", Strength: 0.2, Zh: "参保人每12天同步就诊", En: "patients return every 12 days in lockstep", Evidence: []int{1}},
	}
	big.EvidenceTotal = 31
	hosp := findings.Ring{ID: "ring-0002", Rank: 2, Score: 0.61, Typology: findings.TypFakeHospitalisation, AmountAtRisk: 880000,
		Visits: 64, First: "2024-03-04 07:55:00", Last: "2024-03-22 09:10:00", Article: "第四十条",
		Members: []findings.Member{
			{Kind: findings.KindPatient, ID: "P-R1", Role: "recruiter", Score: 0.9, Label: "李*", Visits: 60, Fund: 820000.5, RuleHits: 3,
				First: "2024-03-04 07:55:00", Last: "2024-03-22 09:10:00"},
			{Kind: findings.KindClinic, ID: "H-WUXI-01", Role: "organising_hospital", Score: 0.88, Visits: 64, Fund: 880000, RuleHits: 4,
				First: "2024-03-04 07:55:00", Last: "2024-03-22 09:10:00"},
			{Kind: findings.KindPatient, ID: "P-2", Role: "recruited_patient", Score: 0.5, Visits: 1, Fund: 12000,
				First: "2024-03-11 10:00:00", Last: "2024-03-11 10:00:00"},
			{Kind: findings.KindDoctor, ID: "D-9", Role: "organised_doctor", Score: 0.6},
			{Kind: findings.KindPatient, ID: "P-3", Role: "recruited_patient", Score: 0.5},
		},
		Timeline: []findings.TimelinePoint{{Day: "2024-03-04", Visits: 18, Amount: 40000}, {Day: "2024-03-11", Visits: 2}, {Day: "2024-03-18", Visits: 20, Amount: 45000}, {Day: "2024-03-22", Visits: 1}},
		Evidence: []findings.Evidence{{Kind: "rule", Rule: "R-GHOSTBED", Version: "1", Params: map[string]float64{"hours": 72}, Result: "definite",
			Article: "第三十八条", Detail: "no charge for 72 h", DetailZh: "72小时无费用", Amount: 1000, Visits: 1, MdtrtIDs: []string{"M9"}}},
	}
	bare := findings.Ring{ID: "ring-0003", Rank: 3, Score: 0.1, Typology: findings.TypUnclassified,
		Members: []findings.Member{{Kind: findings.KindPharmacy, ID: "Y1", Role: vocab.RoleMember, Score: 0.1}}}
	f.Rings = []findings.Ring{big, hosp, bare}
	var entities []findings.EntityScore
	for _, r := range f.Rings {
		for _, m := range r.Members {
			entities = append(entities, findings.EntityScore{Kind: m.Kind, ID: m.ID, Score: m.Score, RingID: r.ID, Reasons: []findings.Reason{
				{Code: vocab.ReasonRingMember, Params: vocab.ParamsOf(map[string]string{"role": m.Role, "ring": r.ID, "typology": r.Typology, "score": fmt.Sprintf("%.2f", r.Score)})},
				{Code: vocab.ReasonRuleHits, Params: vocab.ParamsOf(map[string]string{"n": "3", "rule": "R-CAPACITY"})}}})
		}
	}
	entities = append(entities, findings.EntityScore{Kind: findings.KindPatient, ID: "free, \"quoted\"", Score: 0.012345678})
	// A sentence of no vocabulary shape (an older file's, say) is kept as
	// it is, as its own code.
	entities = append(entities, findings.EntityScore{Kind: findings.KindDoctor, ID: "D-FREE", Score: 0.2,
		Reasons: []findings.Reason{{Code: "density 0.71 (same patients, same mornings)"},
			{Code: vocab.ReasonPeerFund, Params: vocab.Params{{Name: "z", Value: "2.4"}}}}})
	f.Entities = findings.EntitiesOf(entities)
	f.SingleHitsTotal = 1
	f.SingleHits = []findings.Evidence{{Kind: "rule", Rule: "R-SEX", Version: "1.0.0", Result: "definite", Article: "第三十八条",
		Detail: "male billed for hysteroscopy", DetailZh: "男性患者收取宫腔镜检查费", Amount: 320, Visits: 1,
		MdtrtIDs: []string{"M77"}, Fees: []findings.FeeRef{{MdtrtID: "M77", FeedetlSn: "F77-3"}}}}
	f.DataQuality = []findings.DataQualityFinding{{Kind: "placeholder_doctor", Code: "009999", Visits: 51234, Institutions: 12,
		Patients: 9000, Amount: 1234567.5, Detail: "placeholder doctor code shared by implausibly many visits"}}
	return f
}

func manyIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("MX%05d", i)
	}
	return ids
}

var meta = Meta{Title: "", Dataset: "huli-2024 <测试>", Generated: "2024-12-31 23:59",
	Summary: []Fact{{"就诊记录", "1,234,567"}, {"拒收行", "12"}}}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff)", name)
	}
}

// render runs one writer and checks that a second run gives the same bytes.
func render(t *testing.T, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var a, b bytes.Buffer
	if err := write(&a); err != nil {
		t.Fatal(err)
	}
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs gave different bytes")
	}
	return a.Bytes()
}

func TestGolden(t *testing.T) {
	capped := sample()
	capped.RingsNotReported = 7 // rings beyond max_rings: said in rings.json and the report
	sets := map[string]*findings.Findings{"sample": sample(), "empty": {}, "capped": capped}
	for name, f := range sets {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".rings.json", render(t, func(b *bytes.Buffer) error { return WriteRingsJSON(b, f) }))
			if name == "capped" {
				return // the rest is the sample's but for the report's note (TestReportRingsCapped)
			}
			golden(t, name+".entities.csv", render(t, func(b *bytes.Buffer) error { return WriteEntitiesCSV(b, f) }))
			for _, lang := range []string{LangZh, LangEn} {
				golden(t, name+".report."+lang+".html", render(t, func(b *bytes.Buffer) error { return WriteHTML(b, f, meta, lang) }))
				golden(t, name+".table."+lang+".txt", render(t, func(b *bytes.Buffer) error { return WriteTable(b, f, 2, lang) }))
			}
		})
	}
}

// TestReportRingsCapped: the report of findings with rings beyond
// max_rings is the sample's report (golden) with one note more, after the
// ranked rings, in each language; only the digest of rings.json differs.
func TestReportRingsCapped(t *testing.T) {
	capped := sample()
	capped.RingsNotReported = 7
	for lang, note := range map[string]string{
		LangZh: `<p class="note">另有 7 个团伙评分达到报告阈值，超出报告上限（max_rings），未列出；可用 --ring-params 调高上限后查看。本报告列出前 3 个。</p>`,
		LangEn: `<p class="note">7 more rings scored above the reporting threshold but fall beyond the cap (max_rings) and are not listed; raise it with --ring-params to see them. The first 3 are listed.</p>`,
	} {
		want := strings.Split(string(render(t, func(b *bytes.Buffer) error { return WriteHTML(b, sample(), meta, lang) })), "\n")
		got := strings.Split(string(render(t, func(b *bytes.Buffer) error { return WriteHTML(b, capped, meta, lang) })), "\n")
		at := slices.Index(got, note)
		if at < 0 || len(got) != len(want)+1 {
			t.Fatalf("%s: note %v, %d lines against the sample's %d", lang, at >= 0, len(got), len(want))
		}
		got = slices.Delete(got, at, at+1)
		for i := range want {
			if got[i] != want[i] && !strings.HasPrefix(want[i], "<p>rings.json: <code>") {
				t.Errorf("%s: line %d %q, the sample's %q", lang, i+1, got[i], want[i])
			}
		}
		if at == 0 || !strings.HasPrefix(got[at-1], "</table>") {
			t.Errorf("%s: note not after the ranked rings", lang)
		}
	}
}

var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)

func TestHTMLSelfContainedAndComplete(t *testing.T) {
	f := sample()
	pages := map[string]string{}
	for _, lang := range []string{LangZh, LangEn} {
		var b bytes.Buffer
		if err := WriteHTML(&b, f, meta, lang); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		pages[lang] = html
		if m := externalRef.FindString(html); m != "" {
			t.Errorf("%s: external reference %q", lang, m)
		}
		for _, bad := range []string{"http://", "https://", "<script", "@import", "url("} {
			if strings.Contains(html, bad) {
				t.Errorf("%s: page contains %q", lang, bad)
			}
		}
		// Each ring section has its timeline and its evidence.
		sections := strings.Split(html, `<section class="ring"`)[1:]
		if len(sections) != len(f.Rings) {
			t.Fatalf("%s: %d ring sections; want %d", lang, len(sections), len(f.Rings))
		}
		for i, s := range sections {
			r := f.Rings[i]
			if len(r.Timeline) > 0 && !strings.Contains(s, `<svg class="tl"`) {
				t.Errorf("%s: ring %s has no timeline", lang, r.ID)
			}
			if len(r.Timeline) > 0 && strings.Count(s, `<rect class="b"`) != len(r.Timeline) {
				t.Errorf("%s: ring %s: %d bars; want %d", lang, r.ID, strings.Count(s, `<rect class="b"`), len(r.Timeline))
			}
			for _, e := range r.Evidence {
				if !strings.Contains(s, `<td class="rule"><code>`+e.Rule+"</code>") || !strings.Contains(s, e.MdtrtIDs[0]) {
					t.Errorf("%s: ring %s lacks evidence %s with its rows", lang, r.ID, e.Rule)
				}
			}
		}
		if strings.Contains(html, "<script>alert") {
			t.Errorf("%s: detail not escaped", lang)
		}
		var rj bytes.Buffer
		if err := WriteRingsJSON(&rj, f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(html, Seal(rj.Bytes())) {
			t.Errorf("%s: footer lacks the seal of rings.json", lang)
		}
	}
	zh, en := pages[LangZh], pages[LangEn]
	for _, want := range []string{`lang="zh-CN"`, "团伙排名", "证据", "法律依据", "被招募参保人", "虚构门诊诊疗"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh page lacks %q", want)
		}
	}
	for _, want := range []string{`lang="en"`, "Ranked rings", "Evidence", "Legal basis", "recruited patient", "fabricated outpatient treatment"} {
		if !strings.Contains(en, want) {
			t.Errorf("en page lacks %q", want)
		}
		if strings.Contains(zh, want) {
			t.Errorf("zh page contains the English UI string %q", want)
		}
	}
}

func TestUITableComplete(t *testing.T) {
	for k, v := range ui {
		if v.zh == "" || v.en == "" {
			t.Errorf("UI string %q lacks a language", k)
		}
	}
	for _, typ := range []string{findings.TypFabricatedOutpatient, findings.TypLockstepSwiping, findings.TypFakeHospitalisation, findings.TypCardCollection,
		findings.TypDrugReselling, findings.TypPharmacyCashout, findings.TypBorrowedQualif, findings.TypSplitHospitalisation, findings.TypUnclassified} {
		if _, ok := vocab.Lookup(vocab.Typologies, typ); !ok {
			t.Errorf("typology %q has no label in the vocabulary", typ)
		}
	}
}

func TestUnknownLanguage(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sample(), meta, "fr"); err == nil {
		t.Error("WriteHTML(fr) gave no error")
	}
	if err := WriteTable(&b, sample(), 0, "fr"); err == nil {
		t.Error("WriteTable(fr) gave no error")
	}
}

func TestSeal(t *testing.T) {
	// sha256sum of an empty file and of "abc".
	if got := Seal(); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("Seal() = %s", got)
	}
	if Seal([]byte("abc")) != Seal([]byte("a"), []byte("bc")) ||
		Seal([]byte("abc")) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Error("Seal is not the SHA-256 of the concatenation")
	}
}

func TestTableAlignment(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sample(), 0, LangZh); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("table has %d lines; want header + 3:\n%s", len(lines), b.String())
	}
	// The id column starts at the same cell in every line.
	col := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		c := cells(l[:i])
		if col >= 0 && c != col {
			t.Errorf("misaligned table:\n%s", b.String())
			break
		}
		col = c
	}
}
