package ingest

// Common reasons.
const (
	reasonEmpty      = "empty required value"
	reasonUnknownIns = "unknown institution"
)

// required returns the first of cols whose value is empty.
func required(vals []string, cols ...int) (rowErr, bool) {
	for _, c := range cols {
		if vals[c] == "" {
			return bad(c, reasonEmpty, ""), false
		}
	}
	return rowErr{}, true
}
