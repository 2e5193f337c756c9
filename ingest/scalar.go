package ingest

import (
	"strconv"

	"github.com/ringlens/ringlens/graph/claims"
)

// Reasons shared by the scalar parsers.
const (
	reasonTime  = "unparseable time"
	reasonDate  = "unparseable date"
	reasonMoney = "unparseable amount"
	reasonPrice = "unparseable price"
	reasonInt   = "not an integer"
	reasonFloat = "not a number"
)

// digits2 parses two ASCII digits at s[i:i+2]; ok is false otherwise.
func digits2(s string, i int) (int, bool) {
	a, b := s[i]-'0', s[i+1]-'0'
	if a > 9 || b > 9 {
		return 0, false
	}
	return int(a)*10 + int(b), true
}

// digits4 parses four ASCII digits at s[i:i+4].
func digits4(s string, i int) (int, bool) {
	hi, ok1 := digits2(s, i)
	lo, ok2 := digits2(s, i+2)
	return hi*100 + lo, ok1 && ok2
}

// minYear and maxYear bound the years accepted in dates and times.
const (
	minYear = 1850
	maxYear = 2200
)

// validDate reports whether y-m-d is a real calendar date within range.
func validDate(y, m, d int) bool {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseYMD parses the date part of s: "YYYY-MM-DD..." when dashed, else
// "YYYYMMDD...". It does not look past the date.
func parseYMD(s string, dashed bool) (y, m, d int, ok bool) {
	var ok1, ok2, ok3 bool
	if dashed {
		if s[4] != '-' || s[7] != '-' {
			return 0, 0, 0, false
		}
		y, ok1 = digits4(s, 0)
		m, ok2 = digits2(s, 5)
		d, ok3 = digits2(s, 8)
	} else {
		y, ok1 = digits4(s, 0)
		m, ok2 = digits2(s, 4)
		d, ok3 = digits2(s, 6)
	}
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parseTime parses "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS" or
// "YYYYMMDDHHMMSS" as a wall-clock claims.Time, validating the calendar.
func parseTime(s string) (claims.Time, bool) {
	var y, mo, d, h, mi, sec int
	var ok bool
	switch len(s) {
	case 19:
		if s[10] != ' ' && s[10] != 'T' || s[13] != ':' || s[16] != ':' {
			return claims.NoTime, false
		}
		if y, mo, d, ok = parseYMD(s, true); !ok {
			return claims.NoTime, false
		}
		h, ok1 := digits2(s, 11)
		mi, ok2 := digits2(s, 14)
		sec, ok3 := digits2(s, 17)
		return clock(y, mo, d, h, mi, sec, ok1 && ok2 && ok3)
	case 14:
		if y, mo, d, ok = parseYMD(s, false); !ok {
			return claims.NoTime, false
		}
		var ok1, ok2, ok3 bool
		h, ok1 = digits2(s, 8)
		mi, ok2 = digits2(s, 10)
		sec, ok3 = digits2(s, 12)
		return clock(y, mo, d, h, mi, sec, ok1 && ok2 && ok3)
	}
	return claims.NoTime, false
}

func clock(y, mo, d, h, mi, sec int, ok bool) (claims.Time, bool) {
	if !ok || h > 23 || mi > 59 || sec > 59 {
		return claims.NoTime, false
	}
	return claims.DateOf(y, mo, d).Time() + claims.Time(h*3600+mi*60+sec), true
}

// parseDate parses "YYYY-MM-DD" or "YYYYMMDD"; a full time in any accepted
// format is also accepted and gives its date.
func parseDate(s string) (claims.Date, bool) {
	switch len(s) {
	case 10:
		if y, m, d, ok := parseYMD(s, true); ok {
			return claims.DateOf(y, m, d), true
		}
	case 8:
		if y, m, d, ok := parseYMD(s, false); ok {
			return claims.DateOf(y, m, d), true
		}
	case 19, 14:
		if t, ok := parseTime(s); ok {
			return t.Day(), true
		}
	}
	return claims.NoDate, false
}

// maxIntDigits bounds the integer digits of amounts so that scaling cannot
// overflow int64.
const maxIntDigits = 12

// parseDecimal parses an optionally signed decimal number with at most
// maxFrac fractional digits and returns it scaled by 10^maxFrac. tooPrecise
// reports a well-formed number with more fractional digits than allowed.
func parseDecimal(s string, maxFrac int) (v int64, ok, tooPrecise bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false, false
	}
	i, intDigits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
		intDigits++
		if intDigits > maxIntDigits {
			return 0, false, false
		}
	}
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if frac == maxFrac {
				if s[i] != '0' {
					tooPrecise = true
				}
				continue
			}
			v = v*10 + int64(s[i]-'0')
			frac++
		}
		if frac == 0 && intDigits == 0 {
			return 0, false, false
		}
	}
	if i != len(s) || intDigits == 0 && frac == 0 {
		return 0, false, false
	}
	if tooPrecise {
		return 0, false, true
	}
	for ; frac < maxFrac; frac++ {
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, true, false
}

// parseMoney parses yuan with up to two decimals into fen. Trailing zero
// decimals beyond the second ("1.230") are accepted; "1.234" is not.
func parseMoney(s string) (claims.Money, string, bool) {
	v, reason, ok := parseScaled(s, 2, reasonMoney, "amount has more than 2 decimals")
	return claims.Money(v), reason, ok
}

// parsePrice parses a unit price in yuan with up to six decimals into
// micro-yuan.
func parsePrice(s string) (claims.Price, string, bool) {
	v, reason, ok := parseScaled(s, 6, reasonPrice, "price has more than 6 decimals")
	return claims.Price(v), reason, ok
}

// parseScaled parses a decimal with at most frac decimals, scaled by
// 10^frac, and gives the matching reason when it cannot.
func parseScaled(s string, frac int, unparseable, tooPrecise string) (int64, string, bool) {
	v, ok, precise := parseDecimal(s, frac)
	switch {
	case ok:
		return v, "", true
	case precise:
		return 0, tooPrecise, false
	}
	return 0, unparseable, false
}

// parseInt parses an optionally signed decimal integer of at most 18 digits.
func parseInt(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int64(c)
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseFloat parses a finite decimal number. Plain decimals with up to six
// fractional digits take an exact fast path; anything else (exponents, more
// digits) goes through strconv, with NaN and infinities refused.
func parseFloat(s string) (float64, bool) {
	if v, ok, _ := parseDecimal(s, 6); ok {
		return float64(v) / 1e6, true
	}
	if len(s) == 0 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// parseGend parses gend: 1 or 男 for male, 2 or 女 for female.
func parseGend(s string) (claims.Sex, bool) {
	switch s {
	case "1", "男":
		return claims.Male, true
	case "2", "女":
		return claims.Female, true
	}
	return claims.SexUnknown, false
}

// trimSpace trims ASCII spaces and tabs around s without allocating.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
