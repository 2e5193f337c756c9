package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph"
)

// findPlaceholders recognises placeholder doctor codes (DQ-PLACEHOLDER-DOCTOR)
// and marks them in placeholder (indexed by Doctors row). A code is a
// placeholder when
//
//   - it is shaped like one ("009999", "0000", "unknown", "无", ...) and
//     carries at least pattern_min_visits live visits; or
//   - staff.csv does not register it and it carries at least min_visits live
//     visits and at least peer_factor times the median live visits of the
//     doctor codes that have any.
//
// Registered codes of real shape are never placeholders, however busy: a
// busy real doctor is for the capacity rule to judge.
func findPlaceholders(e *env, r *Rule, placeholder []bool) []DataQuality {
	g, dt := e.g, &e.t.Doctors
	n := dt.Len()
	counts := make([]uint32, 0, n)
	for d := 0; d < n; d++ {
		if c := g.NodeVisits(g.DoctorNode(uint32(d))); c > 0 {
			counts = append(counts, c)
		}
	}
	median := 0.0
	if len(counts) > 0 {
		slices.Sort(counts)
		median = medianSorted(counts)
	}
	minVisits := r.P("min_visits")
	relative := r.P("peer_factor") * median
	patternMin := r.P("pattern_min_visits")
	var out []DataQuality
	var insts, pats []uint32
	for d := 0; d < n; d++ {
		node := g.DoctorNode(uint32(d))
		c := float64(g.NodeVisits(node))
		if c == 0 {
			continue
		}
		code := dt.IDs.String(uint32(d))
		shaped := placeholderShaped(code)
		if !(shaped && c >= patternMin) && !(!dt.Registered[d] && c >= minVisits && c >= relative) {
			continue
		}
		placeholder[d] = true
		q := DataQuality{Kind: "placeholder-doctor", Check: r.ID, Doctor: uint32(d), Code: code,
			Registered: dt.Registered[d], Visits: int(c)}
		insts, pats = insts[:0], pats[:0]
		vt := &e.t.Visits
		for _, v := range g.VisitsOf(node) {
			if vt.Flags[v]&graph.VisitReversed != 0 {
				continue
			}
			insts = append(insts, vt.Institution[v])
			pats = append(pats, vt.Person[v])
			q.Amount += vt.FundPay.At(v)
		}
		q.Institutions = len(sortedUnique(insts))
		q.Patients = len(sortedUnique(pats))
		why := "unregistered code far above its peers"
		if shaped {
			why = "placeholder-shaped code"
		}
		q.Detail = fmt.Sprintf("%s: %d visits of %d patients at %d institutions (median doctor code: %.0f visits); kept out of ring formation",
			why, q.Visits, q.Patients, q.Institutions, median)
		out = append(out, q)
	}
	return out
}

// medianSorted returns the median of sorted, non-empty counts.
func medianSorted(s []uint32) float64 {
	m := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[m])
	}
	return (float64(s[m-1]) + float64(s[m])) / 2
}

// placeholderShaped reports whether a staff code looks like a placeholder:
// digits made only of 0 and 9 ("0", "009999", "999999"), one repeated
// character ("xxxx", "1111"), a word for "unknown" or "none", or a code of
// the national form (a letter prefix, six digits of region, six of serial)
// whose serial is made only of 0 and 9 ("D330500999999": the region's
// "doctor unknown", which an export may even list in staff.csv).
func placeholderShaped(code string) bool {
	c := strings.ToLower(strings.TrimSpace(code))
	switch c {
	case "", "unknown", "unk", "none", "null", "nil", "na", "n/a", "-", "--", "/", "test", "default", "other",
		"无", "不详", "未知", "其他", "空", "暂无":
		return true
	}
	if strings.Trim(c, "09") == "" {
		return true
	}
	same := true
	for i := 0; i < len(c); i++ {
		if c[i] != c[0] {
			same = false
		}
	}
	if same {
		return true
	}
	digits := strings.TrimLeft(c, "abcdefghijklmnopqrstuvwxyz")
	return len(digits) == nationalCodeDigits && len(digits) < len(c) && strings.Trim(digits, "0123456789") == "" &&
		strings.Trim(digits[nationalRegionDigits:], "09") == ""
}

// nationalCodeDigits and nationalRegionDigits are the digits of a national
// staff code (D421003007628: D, then a six-digit region and a six-digit
// serial) and those of its region.
const (
	nationalCodeDigits   = 12
	nationalRegionDigits = 6
)

// FindPlaceholders runs only the placeholder-doctor check of set
// (DQ-PLACEHOLDER-DOCTOR), for callers such as ring formation that need the
// placeholder codes without the rules. placeholder is indexed by Doctors
// row; it is all false when the check is disabled.
func FindPlaceholders(g *graph.Graph, set Set) (placeholder []bool, findings []DataQuality, err error) {
	if g == nil || g.Tables() == nil {
		return nil, nil, errors.New("rules: nil graph")
	}
	if err := checkColumns(g.Tables()); err != nil {
		return nil, nil, err
	}
	placeholder = make([]bool, g.Tables().Doctors.Len())
	r, ok := set.Rule(IDPlaceholderDoctor)
	if !ok || !r.Enabled {
		return placeholder, nil, nil
	}
	if err := checkParams(r); err != nil {
		return nil, nil, err
	}
	e := &env{g: g, t: g.Tables(), set: &set}
	return placeholder, findPlaceholders(e, r, placeholder), nil
}
