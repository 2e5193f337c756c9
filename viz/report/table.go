package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// WriteTable writes the top rings (all of them when top <= 0) as an aligned
// table for the terminal: rank, score, typology, member counts by kind
// (institutions/doctors/patients/pharmacies), amount at risk, first–last
// visit and id. Column widths count East Asian wide characters as two
// cells, so Chinese typology names (lang "zh") stay aligned.
func WriteTable(w io.Writer, f *findings.Findings, top int, lang string) error {
	lang, err := normLang(lang)
	if err != nil {
		return err
	}
	tr := func(k string) string { return lookup(ui, k, lang) }
	rows := [][]string{{tr("rank"), tr("score"), tr("typology"), tr("table_members"), tr("amount_at_risk"), tr("table_first_last"), tr("ring_id")}}
	n := len(f.Rings)
	if top > 0 && top < n {
		n = top
	}
	for _, r := range f.Rings[:n] {
		c := map[string]int{}
		for _, m := range r.Members {
			c[m.Kind]++
		}
		members := fmt.Sprintf("%d/%d/%d/%d", c[findings.KindClinic], c[findings.KindDoctor], c[findings.KindPatient], c[findings.KindPharmacy])
		rows = append(rows, []string{fmt.Sprint(r.Rank), fmt.Sprintf("%.3f", r.Score), vocab.Label(vocab.Typologies, r.Typology, lang),
			members, money(r.AmountAtRisk), day(r.First) + "–" + day(r.Last), r.ID})
	}
	right := []bool{true, true, false, true, true, false, false}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], cells(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-cells(c))
			if i > 0 {
				b.WriteString("  ")
			}
			switch {
			case right[i]:
				b.WriteString(pad + c)
			case i == len(row)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
		}
		b.WriteByte('\n')
	}
	if len(f.Rings) == 0 {
		b.WriteString(tr("no_rings") + "\n")
	} else if n < len(f.Rings) {
		b.WriteString(fmt.Sprintf(tr("more_rings"), len(f.Rings)-n) + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write table: %w", err)
	}
	return nil
}

// day returns the date part of "YYYY-MM-DD HH:MM:SS", or "?" when empty.
func day(ts string) string {
	if ts == "" {
		return "?"
	}
	d, _, _ := strings.Cut(ts, " ")
	return d
}

// cells is the width of s on a terminal: East Asian wide and fullwidth
// characters take two cells.
func cells(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wide(r) {
			n++
		}
	}
	return n
}

// wide reports whether r is an East Asian wide or fullwidth character (the
// common ranges: Han, kana, Hangul, CJK punctuation and fullwidth forms).
func wide(r rune) bool {
	switch {
	case r < 0x1100 || r == utf8.RuneError:
		return false
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r),
		unicode.Is(unicode.Hangul, r):
		return true
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
		return true
	}
	return false
}
