package claims

// InstitutionRegion returns the six-digit region code (GB/T 2260) of an
// institution: its admdvs when that is six digits, else the six digits
// after the one-letter prefix of a national institution code (国家医保机构
// 编码: H, P and the like, then the admdvs of the institution, then a
// serial, e.g. H35020302090), else "".
func InstitutionRegion(code, admdvs string) string {
	if Digits(admdvs, 6) {
		return admdvs
	}
	if len(code) >= 7 && (code[0] >= 'A' && code[0] <= 'Z') && Digits(code[1:7], 6) {
		return code[1:7]
	}
	return ""
}

// Digits reports whether s is n ASCII digits (a region code, a code's
// region part).
func Digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
