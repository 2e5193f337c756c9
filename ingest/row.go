package ingest

import (
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// FieldError is the reason one row of the claims tables is refused, with
// the contract column it concerns ("" for the whole row).
type FieldError struct {
	Column string
	Reason string
}

// Error formats e as "begntime: unparseable time".
func (e *FieldError) Error() string {
	if e.Column == "" {
		return e.Reason
	}
	return e.Column + ": " + e.Reason
}

// VisitColumns returns the contract columns of mdtrt, in file order.
func VisitColumns() []string { return names(mdtrtCols) }

// FeeColumns returns the contract columns of fee_list, in file order.
func FeeColumns() []string { return names(feeCols) }

func names(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// ParseVisit parses and validates one visit (an mdtrt row) whose values
// get returns by contract column ("" when absent), with exactly the rules
// of the batch reader: the characters each column may hold, required
// columns, med_type, times, amounts, certificate types and the refund flag
// (docs/data-contract.md). References (person, institution) and
// duplicates are the caller's to check. This is the one parser of visit
// rows: Load, the live intake of `serve` (POST /api/v1/claims and
// --follow) and the checks use it.
func ParseVisit(get func(column string) string) (claims.Visit, *FieldError) {
	var v claims.Visit
	if e := parseRow(mdtrtCols, get, func(vals []string) (rowErr, bool) { return parseVisit(vals, &v) }); e != nil {
		return claims.Visit{}, e
	}
	return v, nil
}

// ParseFee parses and validates one fee line (a fee_list row) like
// ParseVisit: the batch reader's rules; the visit it belongs to and
// duplicates are the caller's to check.
func ParseFee(get func(column string) string) (claims.FeeLine, *FieldError) {
	var f claims.FeeLine
	if e := parseRow(feeCols, get, func(vals []string) (rowErr, bool) { return parseFee(vals, &f) }); e != nil {
		return claims.FeeLine{}, e
	}
	return f, nil
}

// parseRow collects the values of cols from get (trimmed, as the reader
// trims them), checks their characters and runs parse.
func parseRow(cols []column, get func(string) string, parse func([]string) (rowErr, bool)) *FieldError {
	vals := make([]string, len(cols))
	for i, c := range cols {
		vals[i] = strings.TrimSpace(get(c.name))
		if why := checkText(vals[i], kindOf(c.name)); why != "" {
			return &FieldError{Column: c.name, Reason: why}
		}
	}
	if e, ok := parse(vals); !ok {
		col := ""
		if e.col >= 0 && e.col < len(cols) {
			col = cols[e.col].name
		}
		return &FieldError{Column: col, Reason: e.reason}
	}
	return nil
}
