package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// colKind says what a contract column holds, which decides the characters
// it may contain and how its values appear in rejects.
type colKind uint8

const (
	// kindCode is a code, number, date or flag.
	kindCode colKind = iota
	// kindID is an identifier that joins files or is shown as evidence.
	kindID
	// kindText is free text (names of institutions, diagnoses, items,
	// persons), which may hold tabs and line breaks.
	kindText
)

// Reasons for values holding characters that make text lie.
const (
	reasonControl  = "control character"
	reasonBidi     = "bidi control character"
	reasonZeroWide = "zero-width character"
)

// badRune reports whether r may not appear in a value of kind k and why:
// C0 and C1 control characters and DEL anywhere (but tab, CR and LF in free
// text, where quoted CSV fields may break lines); bidi embeddings,
// overrides, isolates and marks and zero-width characters in ids and codes.
func badRune(r rune, k colKind) (string, bool) {
	switch {
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		if k == kindText && (r == '\t' || r == '\n' || r == '\r') {
			return "", false
		}
		return reasonControl, true
	case k == kindText:
		return "", false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return reasonBidi, true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x180e:
		return reasonZeroWide, true
	}
	return "", false
}

// mayHoldBadRune reports whether s holds a byte that starts a character
// badRune may refuse: an ASCII control or DEL, or the lead byte of a C1
// control (0xC2), a bidi or zero-width character (0xD8, 0xE1, 0xE2, 0xEF).
// It is a cheap filter run before checkText.
func mayHoldBadRune(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xd8 || c == 0xe1 || c == 0xe2 || c == 0xef:
			return true
		}
	}
	return false
}

// suspects marks the bytes that suspicious looks for (1, else 0): ASCII
// controls but LF, DEL, and the lead bytes of C1 controls (0xC2) and of
// bidi and zero-width characters (0xD8, 0xE1, 0xE2, 0xEF).
type suspects [256]uint8

// newSuspects returns the table of suspicious bytes.
func newSuspects() *suspects {
	var t suspects
	for c := range 0x20 {
		if c != '\n' {
			t[c] = 1
		}
	}
	for _, c := range []byte{0x7f, 0xc2, 0xd8, 0xe1, 0xe2, 0xef} {
		t[c] = 1
	}
	return &t
}

// suspicious is mayHoldBadRune for raw text, where line ends are expected:
// it passes LF and the CR of CRLF. It looks up eight bytes at a time and
// looks closer only at words that hold a marked byte.
func (t *suspects) suspicious(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := b[i : i+8 : i+8]
		if t[w[0]]|t[w[1]]|t[w[2]]|t[w[3]]|t[w[4]]|t[w[5]]|t[w[6]]|t[w[7]] != 0 && t.within(b, i, i+8) {
			return true
		}
	}
	return t.within(b, i, len(b))
}

// within reports whether b[from:to] holds a suspicious byte, a CR being
// one unless b continues with LF.
func (t *suspects) within(b []byte, from, to int) bool {
	for i := from; i < to; i++ {
		if t[b[i]] != 0 {
			if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
				continue
			}
			return true
		}
	}
	return false
}

// checkText returns the reason for refusing value v of kind k, naming the
// first offending character, or "" if v is acceptable. Invalid UTF-8 is
// left to the encoding check.
func checkText(v string, k colKind) string {
	if !mayHoldBadRune(v) {
		return ""
	}
	for _, r := range v {
		if why, bad := badRune(r, k); bad {
			what := "id"
			switch k {
			case kindCode:
				what = "code"
			case kindText:
				what = "text"
			}
			return why + " " + runeName(r) + " in " + what
		}
	}
	return ""
}

// runeName formats r as U+XXXX.
func runeName(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return "U+" + strings.ToUpper(s)
}

// visible replaces the characters of v that badRune refuses in an id by
// their U+XXXX names, so that a reject shows them without carrying them.
func visible(v string) string {
	if !mayHoldBadRune(v) {
		return v
	}
	var b strings.Builder
	for _, r := range v {
		if _, bad := badRune(r, kindID); bad {
			b.WriteString("<" + runeName(r) + ">")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isCJK reports whether r is a Han character.
func isCJK(r rune) bool { return unicode.Is(unicode.Han, r) }

// personalTable reports whether every value of table is personal data:
// psn and staff describe people, so none of their values is echoed.
func personalTable(table string) bool { return table == tablePsn || table == tableStaff }

// looksPersonal reports whether v looks like personal data wherever it
// appears: it holds a run of 15 or more digits (an ID-card number, 15 or 18
// characters, the last of an 18-character one possibly X), or, in a column
// of kind k other than free text, any Han character (a name where a code,
// number or date is expected).
func looksPersonal(v string, k colKind) bool {
	run := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			run++
			if run >= 15 {
				return true
			}
			continue
		case k != kindText && isCJK(r):
			return true
		}
		run = 0
	}
	return false
}

// redact returns how value v of column col (of kind k) of table appears in
// a reject or error: its shape for personal tables, free text and values
// that look personal, else v itself with bad characters made visible.
func redact(table string, k colKind, v string) string {
	if v == "" {
		return ""
	}
	if personalTable(table) || k == kindText || looksPersonal(v, k) {
		return shape(v)
	}
	return visible(v)
}

// maxShape bounds the pattern of a shape, in runes.
const maxShape = 24

// shape describes v without giving it away: its length and what it is made
// of. An ID-card number gives "<18 chars: 17 digits + X>" or "<15 digits>",
// Han text "<3 CJK chars>", anything else a pattern in which digits become
// 9, letters A or a, Han characters 汉 and other characters ?, ASCII
// punctuation kept: "1990-02-30" gives "<10 chars: 9999-99-99>".
func shape(v string) string {
	n := utf8.RuneCountInString(v)
	digits, han, x := 0, 0, false
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r == 'X' || r == 'x') && i == len(v)-1:
			x = true
		case isCJK(r):
			han++
		}
	}
	switch {
	case digits == n && (n == 15 || n == 18):
		return "<" + strconv.Itoa(n) + " digits>"
	case x && digits == n-1 && n == 18:
		return "<18 chars: 17 digits + X>"
	case han == n:
		return "<" + strconv.Itoa(n) + " CJK chars>"
	}
	var b strings.Builder
	b.WriteString("<" + strconv.Itoa(n) + " chars: ")
	k := 0
	for _, r := range v {
		if k == maxShape {
			b.WriteString("…")
			break
		}
		k++
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte('9')
		case r >= 'A' && r <= 'Z':
			b.WriteByte('A')
		case r >= 'a' && r <= 'z':
			b.WriteByte('a')
		case isCJK(r):
			b.WriteString("汉")
		case r >= ' ' && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte('>')
	return b.String()
}

// kindOf returns the kind of the contract column named name.
func kindOf(name string) colKind {
	switch name {
	case "psn_no", "fixmedins_code", "dr_code", "mdtrt_id", "setl_id", "feedetl_sn",
		"med_list_codg", "drug_trac_codg", "atddr_no", "bilg_dr_codg":
		return kindID
	case "psn_name", "dr_name", "fixmedins_name", "dise_name", "med_list_name":
		return kindText
	}
	return kindCode
}

// kinds returns the kind of each of cols.
func kinds(cols []column) []colKind {
	k := make([]colKind, len(cols))
	for i, c := range cols {
		k[i] = kindOf(c.name)
	}
	return k
}
