package claims

import "unicode/utf8"

// MaskName masks a personal name, keeping only its first character:
// "张三丰" becomes "张**". Empty stays empty.
func MaskName(name string) string {
	if name == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		size = 1
	}
	n := utf8.RuneCountInString(name[size:])
	if n == 0 {
		return "*"
	}
	b := make([]byte, 0, size+n)
	b = append(b, name[:size]...)
	for i := 0; i < n; i++ {
		b = append(b, '*')
	}
	return string(b)
}

// MaskCertNo masks an identity-document number, keeping the first three and
// the last two characters ("110101199003071234" becomes
// "110*************34"); numbers of six characters or fewer are masked
// whole.
func MaskCertNo(certNo string) string {
	runes := []rune(certNo)
	if len(runes) == 0 {
		return ""
	}
	out := make([]rune, len(runes))
	for i, r := range runes {
		if len(runes) > 6 && (i < 3 || i >= len(runes)-2) {
			out[i] = r
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// IsPersonalColumn reports whether the contract column col holds personal
// data (psn_name, certno, dr_name). Such values are never logged and are
// masked in every output unless the user asks otherwise.
func IsPersonalColumn(col string) bool {
	return col == "psn_name" || col == "certno" || col == "dr_name"
}

// MaskColumn masks value if col is a personal-data column and returns it
// unchanged otherwise.
func MaskColumn(col, value string) string {
	switch col {
	case "certno":
		return MaskCertNo(value)
	case "psn_name", "dr_name":
		return MaskName(value)
	}
	return value
}
