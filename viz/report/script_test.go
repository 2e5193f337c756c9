package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

var (
	styleRe = regexp.MustCompile(`(?s)<style>.*?</style>`)
	codeRe  = regexp.MustCompile(`(?s)<code[^>]*>.*?</code>`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	// wordRe finds runs of ASCII letters with what may follow them in a
	// code (digits, _ - . /).
	wordRe = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_./-]*`)
)

// prose returns the text of a rendered page a reader reads as sentences:
// without styles, tags and <code> elements (ids, rule ids, parameters and
// other codes of the data), entities unescaped, and without the data's own
// values in allow (names, legal articles, the dataset).
func prose(page string, allow []string) string {
	s := styleRe.ReplaceAllString(page, " ")
	s = codeRe.ReplaceAllString(s, " ")
	s = html.UnescapeString(tagRe.ReplaceAllString(s, " "))
	for _, a := range allow {
		if a != "" {
			s = strings.ReplaceAll(s, a, " ")
		}
	}
	return s
}

// foreign returns the pieces of text of prose in the other script than
// lang's: Han characters on the English page; on the Chinese page, words of
// ASCII letters of two or more that are not codes (a code holds a digit,
// '_', '-', '.' or '/', as ids, rule ids and file names do) nor the names
// in names.
func foreign(prose, lang string, names map[string]bool) []string {
	var out []string
	if lang == LangEn {
		rs := []rune(prose)
		for i, r := range rs {
			if unicode.Is(unicode.Han, r) {
				out = append(out, string(rs[max(0, i-10):min(len(rs), i+10)]))
			}
		}
		return out
	}
	for _, w := range wordRe.FindAllString(prose, -1) {
		if len(w) < 2 || strings.ContainsAny(w, "0123456789_-./") || names[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// TestReportScript renders the sample findings in Chinese and English and
// checks that neither page carries the other language: no Han character
// on the English page, no English word on the Chinese page, leaving aside
// the data's own values (masked names, legal articles as the data gives
// them, the dataset's name) and codes.
func TestReportScript(t *testing.T) {
	f := sample()
	allow := []string{"RingLens", "SHA-256", "sha256sum"}
	for _, r := range f.Rings {
		for _, m := range r.Members {
			allow = append(allow, m.Label)
		}
		allow = append(allow, r.Article)
		for _, e := range r.Evidence {
			allow = append(allow, e.Article)
		}
	}
	for _, e := range f.SingleHits {
		allow = append(allow, e.Article)
	}
	names := map[string]bool{"RingLens": true, "SHA": true}
	for _, tc := range []struct {
		lang string
		meta Meta
	}{
		{LangZh, Meta{Dataset: "huli-2024", Generated: "2024-12-31 23:59", Summary: []Fact{{"就诊记录", "1,234,567"}, {"拒收行", "12"}}}},
		{LangEn, Meta{Dataset: "huli-2024", Generated: "2024-12-31 23:59", Summary: []Fact{{"visits", "1,234,567"}, {"rows rejected", "12"}}}},
	} {
		var b bytes.Buffer
		if err := WriteHTML(&b, f, tc.meta, tc.lang); err != nil {
			t.Fatal(err)
		}
		if bad := foreign(prose(b.String(), append(allow, tc.meta.Dataset)), tc.lang, names); len(bad) > 0 {
			t.Errorf("%s report carries the other language: %q", tc.lang, bad)
		}
		for _, r := range f.Rings {
			b.Reset()
			if err := WriteDossier(&b, f, r.ID, tc.meta.Dataset, tc.lang); err != nil {
				t.Fatal(err)
			}
			if bad := foreign(prose(b.String(), append(allow, tc.meta.Dataset)), tc.lang, names); len(bad) > 0 {
				t.Errorf("%s dossier of %s carries the other language: %q", tc.lang, r.ID, bad)
			}
		}
	}
}

// TestForeign checks the check itself.
func TestForeign(t *testing.T) {
	for _, tc := range []struct {
		name, page, lang string
		want             int
	}{
		{"zh clean", `<p>涉及基金 <code>R-CAPACITY</code> 见 rings.json，H35020300 v1.2</p>`, LangZh, 0},
		{"zh with an English word", `<p>涉及基金 Visits 12</p>`, LangZh, 1},
		{"zh with English in an attribute only", `<p title="x">基金</p><style>body{font:sans}</style>`, LangZh, 0},
		{"en clean", `<p>Fund at risk <code>湖里</code></p>`, LangEn, 0},
		{"en with Chinese", `<p>Fund 基金</p>`, LangEn, 2},
	} {
		if got := foreign(prose(tc.page, nil), tc.lang, nil); len(got) != tc.want {
			t.Errorf("%s: %q, want %d", tc.name, got, tc.want)
		}
	}
}
