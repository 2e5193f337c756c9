package ingest

import "github.com/ringlens/ringlens/graph/claims"

// Columns of catalog.
const (
	catCode = iota
	catName
	catListType
	catGend
	catAgeMin
	catAgeMax
	catMaxDays
	catPriceCap
)

var catalogCols = []column{
	{"med_list_codg", true}, {"med_list_name", true}, {"list_type", false}, {"lmt_gend", false},
	{"lmt_age_min", false}, {"lmt_age_max", false}, {"max_days", false}, {"pric_uplmt_amt", false},
}

var catalogSpec = spec[claims.CatalogItem]{table: tableCatalog, cols: catalogCols, parse: parseCatalogItem}

func parseCatalogItem(v []string, it *claims.CatalogItem) (rowErr, bool) {
	if e, ok := required(v, catCode, catName); !ok {
		return e, false
	}
	it.Code, it.Name = v[catCode], v[catName]
	var e rowErr
	var ok bool
	if it.ListType, e, ok = parseListType(v, catListType); !ok {
		return e, false
	}
	if g := v[catGend]; g != "" {
		if it.LimitSex, ok = parseGend(g); !ok {
			return bad(catGend, "invalid lmt_gend, want 1 or 2", g), false
		}
	}
	for _, c := range [2]int{catAgeMin, catAgeMax} {
		age := int16(-1)
		if a := v[c]; a != "" {
			n, ok := parseInt(a)
			if !ok || n < 0 || n > 150 {
				return bad(c, "age limit not an integer in 0-150", a), false
			}
			age = int16(n)
		}
		if c == catAgeMin {
			it.AgeMin = age
		} else {
			it.AgeMax = age
		}
	}
	if d := v[catMaxDays]; d != "" {
		n, ok := parseInt(d)
		if !ok || n < 0 || n > 1<<30 {
			return bad(catMaxDays, "max_days not a non-negative integer", d), false
		}
		it.MaxDays = int32(n)
	}
	if p := v[catPriceCap]; p != "" {
		price, reason, ok := parsePrice(p)
		if !ok {
			return bad(catPriceCap, reason, p), false
		}
		if price < 0 {
			return bad(catPriceCap, "negative price cap", p), false
		}
		it.PriceCap = price
	}
	return rowErr{}, true
}

// parseListType parses an optional list_type column.
func parseListType(v []string, col int) (uint16, rowErr, bool) {
	s := v[col]
	if s == "" {
		return 0, rowErr{}, true
	}
	n, ok := parseInt(s)
	if !ok || n < 0 || n > 65535 {
		return 0, bad(col, "list_type not an integer code", s), false
	}
	return uint16(n), rowErr{}, true
}

func (l *loader) applyCatalog(it *claims.CatalogItem, line int64) (rowErr, bool) {
	row, added := l.t.AddCatalogItem(it)
	if !added {
		return bad(catCode, firstAt("med_list_codg", l.catalogLine[row]), it.Code), false
	}
	for len(l.catalogLine) <= int(row) {
		l.catalogLine = append(l.catalogLine, 0)
	}
	l.catalogLine[row] = uint32(line)
	return rowErr{}, true
}
