package claims

import (
	"strings"
	"unicode/utf8"
)

// Lengths of the number shapes MaskText masks wherever they stand.
const (
	residentIDLen = 18 // GB 11643 citizen identity number: 17 digits and a check digit or X
	mobileLen     = 11 // mainland mobile number: 1, then 3-9, then 9 digits
)

// Shortest known name and certificate number a TextMasker looks for: a
// one-character name would mask that character in every word.
const (
	minKnownName   = 2 // characters
	minKnownCertNo = 6 // characters
)

// TextMasker masks personal data in free text that users typed (case
// notes, titles): the names and certificate numbers of people known to the
// data, wherever they appear, as MaskName and MaskCertNo mask them, and
// anything shaped like an 18-character resident ID number or an 11-digit
// mobile number (MaskText). A nil *TextMasker masks the shapes only. It is
// read-only once made and safe for concurrent use.
//
// It holds the known strings in a set and tries, at every character of the
// text, the longest candidate first, so masking costs the text's length
// times the longest known string, whatever the number of people.
type TextMasker struct {
	known    map[string]bool // known name or number → true for a certificate number
	maxRunes int             // characters of the longest
}

// NewTextMasker returns a masker of the given people's names (masked by
// MaskName; names shorter than 2 characters are left out) and certificate
// numbers (masked by MaskCertNo; shorter than 6 characters left out).
// Duplicates and blanks are dropped; where two overlap in a text, the
// longer wins ("王小明" is masked whole, not as "王小" and "明").
func NewTextMasker(names, certNos []string) *TextMasker {
	m := &TextMasker{known: make(map[string]bool, len(names)+len(certNos))}
	add := func(v string, minRunes int, cert bool) {
		v = strings.TrimSpace(v)
		n := utf8.RuneCountInString(v)
		if n < minRunes || !utf8.ValidString(v) {
			return
		}
		m.known[v] = m.known[v] || cert
		m.maxRunes = max(m.maxRunes, n)
	}
	for _, n := range names {
		add(n, minKnownName, false)
	}
	for _, c := range certNos {
		add(c, minKnownCertNo, true)
	}
	return m
}

// Known returns how many names and certificate numbers m looks for.
func (m *TextMasker) Known() int {
	if m == nil {
		return 0
	}
	return len(m.known)
}

// Mask returns s with the known names and certificate numbers masked, then
// the number shapes of MaskText.
func (m *TextMasker) Mask(s string) string {
	if m == nil || len(m.known) == 0 {
		return MaskText(s)
	}
	starts := make([]int, 0, len(s)+1) // byte offset of every character, and the end
	for i := range s {
		starts = append(starts, i)
	}
	starts = append(starts, len(s))
	var b strings.Builder
	last := 0 // s[last:] is not yet written to b
	for k := 0; k < len(starts)-1; {
		n := 0
		for l := min(m.maxRunes, len(starts)-1-k); l >= minKnownName; l-- {
			v := s[starts[k]:starts[k+l]]
			cert, ok := m.known[v]
			if !ok {
				continue
			}
			b.WriteString(s[last:starts[k]])
			if cert {
				b.WriteString(MaskCertNo(v))
			} else {
				b.WriteString(MaskName(v))
			}
			last, n = starts[k+l], l
			break
		}
		k += max(n, 1)
	}
	b.WriteString(s[last:])
	return MaskText(b.String())
}

// MaskText masks, in free text s, everything shaped like a resident ID
// number or a mobile number, as MaskCertNo masks them (the first three and
// the last two digits kept): a run of exactly 17 ASCII digits and a digit
// or X/x ("350203198705278296"), and a mobile number of 11 digits, the
// first 1 and the second 3 to 9, written whole ("13812345678"), after +86
// or 86 ("+8613812345678"), or in groups of 3, 4 and 4 digits separated by
// one space or hyphen each ("138-1234-5678" becomes "138-****-**78"). A
// shape is masked only when no other ASCII digit touches it, so longer
// codes (a 20-digit mdtrt_id or psn_no) are left as they are.
func MaskText(s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet written to b
	for i := 0; i < len(s); {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		from, end := i, j // the span to mask
		switch n := j - i; {
		case n == residentIDLen-1 && j < len(s) && (s[j] == 'X' || s[j] == 'x'):
			end = j + 1
		case n == residentIDLen, isMobile(s[i:j]):
		case n == mobileLen+2 && s[i:i+2] == "86" && isMobile(s[i+2:j]):
			from = i + 2
		case n == 3:
			end = mobileGroups(s, i)
		default:
			end = -1
		}
		if end < 0 || (end < len(s) && isDigit(s[end])) {
			i = j
			continue
		}
		b.WriteString(s[last:from])
		b.WriteString(maskDigits(s[from:end]))
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// mobileGroups returns the end of a mobile number written in groups
// (3 digits at s[i:], a space or hyphen, 4 digits, the same separator, 4
// digits), or -1 when there is none.
func mobileGroups(s string, i int) int {
	const n = len("138-1234-5678")
	if len(s) < i+n || (s[i+3] != ' ' && s[i+3] != '-') || s[i+8] != s[i+3] {
		return -1
	}
	digits := s[i:i+3] + s[i+4:i+8] + s[i+9:i+n]
	for k := range len(digits) {
		if !isDigit(digits[k]) {
			return -1
		}
	}
	if !isMobile(digits) {
		return -1
	}
	return i + n
}

// maskDigits masks span (an ID or mobile number, perhaps with
// separators) with MaskCertNo, the separators kept where they were.
func maskDigits(span string) string {
	var digits []byte
	for k := range len(span) {
		if isAlnum(span[k]) {
			digits = append(digits, span[k])
		}
	}
	masked := MaskCertNo(string(digits))
	if len(digits) == len(span) {
		return masked
	}
	out := []byte(span)
	d := 0
	for k := range out {
		if isAlnum(out[k]) {
			out[k] = masked[d]
			d++
		}
	}
	return string(out)
}

// isMobile reports whether run (digits) is shaped like a mainland mobile
// number.
func isMobile(run string) bool {
	return len(run) == mobileLen && run[0] == '1' && run[1] >= '3' && run[1] <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }
