package vocab

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// hasCJK reports whether s has a Han character.
func hasCJK(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// TestEntries checks every entry: labels and descriptions in both
// languages (Chinese ones in Chinese), no code twice in a category,
// plurals exactly for kinds, and templates whose placeholders are their
// Params (each once per template, filters naming categories).
func TestEntries(t *testing.T) {
	cats := map[Category]bool{}
	for _, g := range All() {
		if cats[g.Category] {
			t.Errorf("category %q twice", g.Category)
		}
		cats[g.Category] = true
		if len(g.Entries) == 0 {
			t.Errorf("category %q is empty", g.Category)
		}
		seen := map[string]bool{}
		for _, e := range g.Entries {
			where := fmt.Sprintf("%s/%s", g.Category, e.Code)
			if e.Code == "" || strings.TrimSpace(e.Code) != e.Code {
				t.Errorf("%s: blank or padded code", where)
			}
			if seen[e.Code] {
				t.Errorf("%s: code twice in its category", where)
			}
			seen[e.Code] = true
			for name, v := range map[string]string{"Zh": e.Zh, "En": e.En, "DescZh": e.DescZh, "DescEn": e.DescEn} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s: no %s", where, name)
				}
			}
			for name, v := range map[string]string{"Zh": e.Zh, "DescZh": e.DescZh} {
				if !hasCJK(v) {
					t.Errorf("%s: %s %q has no Chinese character", where, name, v)
				}
			}
			for name, v := range map[string]string{"En": e.En, "DescEn": e.DescEn} {
				if hasCJK(v) {
					t.Errorf("%s: %s %q has Chinese characters", where, name, v)
				}
			}
			plural := e.PluralZh != "" && e.PluralEn != ""
			if plural != (g.Category == Kinds) || (e.PluralZh == "") != (e.PluralEn == "") {
				t.Errorf("%s: plurals %q/%q (wanted for kinds only)", where, e.PluralZh, e.PluralEn)
			}
			templated := g.Category == Reasons || g.Category == Signals || g.Category == Progress || g.Category == Notices || g.Category == ViewNodes || g.Category == CheckSignals
			if !templated && len(e.Params) > 0 {
				t.Errorf("%s: params outside a template category", where)
			}
			for lang, tmpl := range map[string]string{LangZh: e.Zh, LangEn: e.En} {
				checkTemplate(t, where+" "+lang, tmpl, e.Params, templated)
			}
		}
	}
	for _, c := range []Category{Kinds, Classes, Typologies, Roles, Facts, EvidenceKinds, RuleStages, Results, Reasons, Progress, Notices, ViewNodes} {
		if !cats[c] {
			t.Errorf("category %q not served", c)
		}
	}
}

// checkTemplate checks that tmpl has exactly the placeholders params
// (each once), or none when it is not a template.
func checkTemplate(t *testing.T, where, tmpl string, params []string, templated bool) {
	t.Helper()
	ps := slices.Collect(placeholders(tmpl))
	if !templated {
		if len(ps) > 0 || strings.ContainsAny(tmpl, "{}") {
			t.Errorf("%s: label %q has braces", where, tmpl)
		}
		return
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.name)
		if p.category != "" && groupIndex(p.category) < 0 {
			t.Errorf("%s: placeholder {%s|%s} names no category", where, p.name, p.category)
		}
	}
	if strings.Count(tmpl, "{") != len(ps) || strings.Count(tmpl, "}") != len(ps) {
		t.Errorf("%s: stray brace in %q", where, tmpl)
	}
	got, want := slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(params))
	if !slices.Equal(got, want) {
		t.Errorf("%s: placeholders %v, params %v", where, got, want)
	}
}

// TestRenderEntitySentences renders reasons in English as entities.csv
// has always held them (algorithms/rings' former format strings, copied
// here with sample values): the same bytes, and MatchReason reads each
// sentence back into its code and parameters.
func TestRenderEntitySentences(t *testing.T) {
	cases := []struct {
		code   string
		params map[string]string
		want   string
	}{
		{ReasonRingMember, map[string]string{"role": "organising_clinic", "ring": "R001", "typology": "fabricated_outpatient", "score": fmt.Sprintf("%.2f", 0.7942)},
			fmt.Sprintf("%s of ring %s (%s, score %.2f)", "organising_clinic", "R001", "fabricated_outpatient", 0.7942)},
		{ReasonPeerFund, map[string]string{"z": fmt.Sprintf("%.1f", 3.46)},
			fmt.Sprintf("fund per visit above peers (mean robust z %.1f)", 3.46)},
		{ReasonPeerFund, map[string]string{"z": fmt.Sprintf("%.1f", 12.0)},
			fmt.Sprintf("fund per visit above peers (mean robust z %.1f)", 12.0)},
		{ReasonRuleHits, map[string]string{"n": fmt.Sprint(17), "rule": "R-REPEAT-RX"},
			fmt.Sprintf("%d rule hits (first: %s)", 17, "R-REPEAT-RX")},
		{ReasonUnreportedCandidate, map[string]string{"score": fmt.Sprintf("%.2f", 0.305)},
			fmt.Sprintf("member of an unreported candidate ring (score %.2f)", 0.305)},
		{ReasonRingSites, map[string]string{"pct": fmt.Sprintf("%.0f", 100*0.836)},
			fmt.Sprintf("%.0f%% of visits at sites of reported rings", 100*0.836)},
		{ReasonRingRegistered, map[string]string{"at": fmt.Sprint(2), "of": fmt.Sprint(3)},
			fmt.Sprintf("registered at sites of reported rings (%d of %d)", 2, 3)},
		{ReasonFlaggedRelations, map[string]string{"pct": fmt.Sprintf("%.0f", 100*0.5)},
			fmt.Sprintf("%.0f%% of visits in flagged relations", 100*0.5)},
		{ReasonMultiSite, map[string]string{"sites": fmt.Sprint(3), "pct": fmt.Sprintf("%.1f", 100*0.012)},
			fmt.Sprintf("works at %d medical sites (%.1f%% of the city's doctors work at as many)", 3, 100*0.012)},
		{ReasonPlaceholderDoctor, nil, "placeholder doctor code (data quality)"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			if got := Render(c.code, c.params, LangEn); got != c.want {
				t.Errorf("Render en = %q, want %q", got, c.want)
			}
			code, params, ok := MatchReason(c.want)
			if !ok || code != c.code || !maps.Equal(params, c.params) {
				t.Errorf("MatchReason(%q) = %q %v %v, want %q %v", c.want, code, params, ok, c.code, c.params)
			}
			if zh := Render(c.code, c.params, LangZh); !hasCJK(zh) || strings.Contains(zh, "{") {
				t.Errorf("Render zh = %q", zh)
			}
		})
	}
}

// TestRenderZh checks the Chinese sentences, where code parameters read as
// their labels, and the fallbacks.
func TestRenderZh(t *testing.T) {
	cases := []struct {
		name   string
		code   string
		params map[string]string
		lang   string
		want   string
	}{
		{"ring member", ReasonRingMember, map[string]string{"role": "organising_clinic", "ring": "R001", "typology": "fabricated_outpatient", "score": "0.79"}, LangZh,
			"团伙 R001 的组织诊所（虚构门诊诊疗，评分 0.79）"},
		{"unknown role stays a code", ReasonRingMember, map[string]string{"role": "mastermind", "ring": "R002", "typology": "unclassified", "score": "0.50"}, LangZh,
			"团伙 R002 的mastermind（未分类，评分 0.50）"},
		{"registered, reordered", ReasonRingRegistered, map[string]string{"at": "2", "of": "3"}, LangZh,
			"在已上报团伙的机构备案执业（3 处中的 2 处）"},
		{"other languages read Chinese", ReasonRuleHits, map[string]string{"n": "4", "rule": "R-SEX-ITEM"}, "fr",
			"4 条规则命中（首条：R-SEX-ITEM）"},
		{"missing parameter kept", ReasonRuleHits, map[string]string{"n": "4"}, LangEn,
			"4 rule hits (first: {rule})"},
		{"unknown code", "no_such_reason", nil, LangEn, "no_such_reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Render(c.code, c.params, c.lang); got != c.want {
				t.Errorf("Render = %q, want %q", got, c.want)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	cases := []struct {
		cat        Category
		code, lang string
		want       string
	}{
		{Typologies, TypPharmacyCashout, LangZh, "药店串换套现"},
		{Typologies, TypBorrowedQualif, LangZh, "挂证执业"},
		{Typologies, TypBorrowedQualif, LangEn, "borrowed qualifications"},
		{Roles, RoleOrganisingClinic, LangZh, "组织诊所"},
		{Kinds, KindClinic, LangEn, "institution"},
		{Classes, ClassClinic, LangZh, "诊所"},
		{Facts, FactLockstep, LangZh, "同步就诊"},
		{Results, ResultDefinite, LangZh, "明确违规"},
		{Progress, StageDetectRules, LangEn, "rule screening"},
		{Roles, "no_such_role", LangZh, "no_such_role"},
		{"no_such_category", "patient", LangZh, "patient"},
	}
	for _, c := range cases {
		if got := Label(c.cat, c.code, c.lang); got != c.want {
			t.Errorf("Label(%s, %s, %s) = %q, want %q", c.cat, c.code, c.lang, got, c.want)
		}
	}
	if got := Plural(KindPharmacy, LangEn); got != "pharmacies" {
		t.Errorf("Plural(pharmacy, en) = %q", got)
	}
	if got := Plural("ghost", LangEn); got != "ghost" {
		t.Errorf("Plural(ghost, en) = %q", got)
	}
	if e, ok := Lookup(Reasons, ReasonRuleHits); !ok || !slices.Equal(e.Params, []string{"n", "rule"}) {
		t.Errorf("Lookup(reason, rule_hits) = %+v, %v", e, ok)
	}
}

// TestMatchReasonUnknown: sentences of other shapes are not reasons.
func TestMatchReasonUnknown(t *testing.T) {
	for _, s := range []string{"", "density 0.71 (same patients, same mornings)", "fund per visit above peers", "placeholder doctor code (data quality) "} {
		if code, _, ok := MatchReason(s); ok {
			t.Errorf("MatchReason(%q) = %q", s, code)
		}
	}
}

// TestJSON: the served document is the vocabulary, its version follows
// its content, and All hands out copies.
func TestJSON(t *testing.T) {
	var doc Document
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != Version() || len(doc.Version) != 16 {
		t.Errorf("version %q, Version() %q", doc.Version, Version())
	}
	all := All()
	if len(doc.Categories) != len(all) {
		t.Fatalf("%d categories served, %d in All", len(doc.Categories), len(all))
	}
	for i := range all {
		if doc.Categories[i].Category != all[i].Category || len(doc.Categories[i].Entries) != len(all[i].Entries) {
			t.Errorf("category %d: %q with %d entries served, %q with %d in All", i,
				doc.Categories[i].Category, len(doc.Categories[i].Entries), all[i].Category, len(all[i].Entries))
		}
	}
	r := groupIndex(Reasons)
	all[0].Entries[0].Zh = "changed"
	all[r].Entries[0].Params[0] = "changed"
	if Label(Kinds, all[0].Entries[0].Code, LangZh) == "changed" || groups[r].Entries[0].Params[0] == "changed" {
		t.Error("All does not copy")
	}
	if string(JSON()) != string(JSON()) {
		t.Error("JSON is not stable")
	}
}

func TestRenderIn(t *testing.T) {
	for _, c := range []struct {
		cat        Category
		code, lang string
		params     map[string]string
		want       string
	}{
		{Signals, SignalPeerFund, LangZh, map[string]string{"z": "8.1"}, "每次就诊基金支付高出同类就诊 8.1 个稳健标准差"},
		{Signals, SignalSignature, LangEn, map[string]string{"fact": "G-ADMIT-COHORT"}, "found by a typology signature: admission cohort"},
		// The same code in another category renders that category's template.
		{Reasons, ReasonPeerFund, LangEn, map[string]string{"z": "8.1"}, "fund per visit above peers (mean robust z 8.1)"},
		{Signals, "no_such_signal", LangZh, nil, "no_such_signal"},
	} {
		if got := RenderIn(c.cat, c.code, c.params, c.lang); got != c.want {
			t.Errorf("RenderIn(%s, %s, %s) = %q, want %q", c.cat, c.code, c.lang, got, c.want)
		}
	}
}
