package claims

import "strings"

// formulaStart lists the characters that make a spreadsheet read a CSV cell
// as a formula (OWASP's CSV injection list).
const formulaStart = "=+-@\t\r"

// SafeCell returns s as a CSV cell that a spreadsheet shows as text: a
// value starting with = + - @ tab or carriage return, such as a code
// copied from a hostile input row, is prefixed with an apostrophe (and so is
// a value starting with an apostrophe, so that PlainCell can undo it).
// Output files investigators open in Excel (entities.csv, rejects.csv) pass
// their text cells through it.
func SafeCell(s string) string {
	if s != "" && (strings.IndexByte(formulaStart, s[0]) >= 0 || s[0] == '\'') {
		return "'" + s
	}
	return s
}

// PlainCell undoes SafeCell.
func PlainCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && (strings.IndexByte(formulaStart, s[1]) >= 0 || s[1] == '\'') {
		return s[1:]
	}
	return s
}
