package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// liveRuleSet returns the rules Live runs on new rows: those of the full
// run that can judge rows on a neighbourhood (rules.Rule.Incremental; not
// R-FREQ-VISIT, whose peer groups are the whole city, so that a
// neighbourhood would make its own baseline), listing every row of a hit
// (so that a hit resting on a new row is known as such; Live caps the rows
// afterwards at maxRows, the set's own cap).
func liveRuleSet(set rules.Set) (live rules.Set, maxRows int) {
	maxRows = set.MaxRowsPerHit
	if maxRows < 1 {
		maxRows = rules.DefaultMaxRowsPerHit
	}
	live = set.Clone()
	for i := range live.Rules {
		if r := &live.Rules[i]; !r.Incremental() {
			r.Enabled = false
		}
	}
	live.MaxRowsPerHit = 1 << 20
	return live, maxRows
}

// newFirst caps rows at n, keeping the rows at or above fresh first.
func newFirst(rows []uint32, fresh uint32, n int) []uint32 {
	if len(rows) <= n {
		return rows
	}
	out := make([]uint32, 0, n)
	for _, r := range rows {
		if r >= fresh && len(out) < n {
			out = append(out, r)
		}
	}
	for _, r := range rows {
		if r < fresh && len(out) < n {
			out = append(out, r)
		}
	}
	return out
}

// neighbourhood returns the visit rows the rules need to judge the visit
// rows [n0, n1) and the fee rows [f0, f1) appended since the last update,
// as the enabled rules declare it (rules.Context): every visit of their
// patients, the visits of their doctors within a day, the inpatient stays
// overlapping theirs at their hospitals (census), the purchases of the same
// drug at their pharmacies for the fee lines a rule selects (R-ROUND-QTY:
// cheap drugs in round quantities, whose share among the drug's purchases
// it judges), and the visits of fee lines sharing their drug trace codes.
// The rows are sorted.
func (l *Live) neighbourhood(n0, n1, f0, f1 int) []uint32 {
	s := l.s
	vt, ft := &s.t.Visits, &s.t.Fees
	in := make(map[uint32]bool)
	const day = claims.Time(86400)
	seenPatient := make(map[graph.NodeID]bool)
	type drugAt struct {
		pharmacy graph.NodeID
		item     uint32
	}
	drugs := make(map[drugAt]bool)
	need, itemFee := l.rules.Context(ft)
	// Time windows per doctor (their days) and per hospital (the census of
	// the new stays), each node's visits scanned once below.
	doctorDays := make(map[graph.NodeID][]window)
	census := make(map[graph.NodeID]window)
	judge := func(v uint32) {
		in[v] = true
		if p := s.g.PatientNode(vt.Person[v]); need&rules.PersonHistory != 0 && p != graph.NoNode && !seenPatient[p] {
			seenPatient[p] = true
			for _, w := range s.visitsOf(p) {
				in[w] = true
			}
		}
		b, e := vt.Begin.At(v), max(vt.End.At(v), vt.Begin.At(v))
		if d := vt.Doctor[v]; need&rules.DoctorDay != 0 && d != graph.None {
			if n := s.g.DoctorNode(d); n != graph.NoNode {
				doctorDays[n] = append(doctorDays[n], window{b - day, e + day})
			}
		}
		h := s.instNode(v)
		switch {
		case h == graph.NoNode:
		case s.g.Kind(h) == graph.KindPharmacy:
			for f := range l.feesOf(v).All() {
				if itemFee(f) {
					drugs[drugAt{h, ft.Item.At(f)}] = true
				}
			}
		case need&rules.Census != 0 && vt.MedType[v].Inpatient():
			c, ok := census[h]
			if !ok {
				c = window{b - day, e + day}
			}
			census[h] = window{min(c.from, b-day), max(c.to, e+day)}
		}
	}
	for v := n0; v < n1; v++ {
		judge(uint32(v))
	}
	for f := f0; f < f1; f++ {
		if v := ft.Visit.At(uint32(f)); int(v) < vt.Len() {
			judge(v)
		}
		if tr := ft.Trace.At(uint32(f)); need&rules.TraceCode != 0 && tr != graph.None {
			for _, g := range l.traceFees(tr) {
				in[ft.Visit.At(g)] = true
			}
		}
	}
	for n, ws := range doctorDays {
		ws = mergeWindows(ws)
		for _, w := range s.visitsOf(n) {
			if inWindows(ws, vt.Begin.At(w)) {
				in[w] = true
			}
		}
	}
	for h, c := range census {
		for _, w := range s.visitsOf(h) {
			if vt.MedType[w].Inpatient() && vt.Begin.At(w) <= c.to && max(vt.End.At(w), vt.Begin.At(w)) >= c.from {
				in[w] = true
			}
		}
	}
	for d := range drugs {
		for _, w := range s.visitsOf(d.pharmacy) {
			for f := range l.feesOf(w).All() {
				if ft.Item.At(f) == d.item {
					in[w] = true
					break
				}
			}
		}
	}
	out := make([]uint32, 0, len(in))
	for v := range in {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// window is a closed time interval.
type window struct{ from, to claims.Time }

// mergeWindows sorts ws and merges the overlapping ones.
func mergeWindows(ws []window) []window {
	slices.SortFunc(ws, func(a, b window) int { return cmp.Compare(a.from, b.from) })
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 && w.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, w.to)
			continue
		}
		out = append(out, w)
	}
	return out
}

// inWindows reports whether t falls in one of the merged windows ws.
func inWindows(ws []window, t claims.Time) bool {
	i, _ := slices.BinarySearchFunc(ws, t, func(w window, t claims.Time) int { return cmp.Compare(w.from, t) })
	// ws[i-1] is the last window starting at or before t (or ws[i] starts at t).
	if i < len(ws) && ws[i].from == t {
		return true
	}
	return i > 0 && t <= ws[i-1].to
}

// traceFees returns the fee rows carrying trace code id tr, indexing them
// on first use.
func (l *Live) traceFees(tr uint32) []uint32 {
	ft := &l.s.t.Fees
	l.traces.catchUp(ft)
	return l.traces.rows(tr)
}

// traceIndex finds the fee rows of a trace code: the rows there were when
// it was first built in one sorted array (code<<32 | row: 8 bytes a traced
// line, where a map of slices took several times that), the rows appended
// since in a small map.
type traceIndex struct {
	built   bool
	sorted  []uint64
	after   map[uint32][]uint32
	indexed int // fee rows covered
}

// catchUp indexes the fee rows of ft not yet indexed.
func (x *traceIndex) catchUp(ft *graph.FeeTable) {
	if !x.built {
		x.built = true
		for f, t := range ft.Trace.All() {
			x.sorted = append(x.sorted, uint64(t)<<32|uint64(f))
		}
		slices.Sort(x.sorted)
		x.indexed = ft.Len()
		x.after = make(map[uint32][]uint32)
	}
	for ; x.indexed < ft.Len(); x.indexed++ {
		if t := ft.Trace.At(uint32(x.indexed)); t != graph.None {
			x.after[t] = append(x.after[t], uint32(x.indexed))
		}
	}
}

// rows returns the fee rows of trace code tr, in row order.
func (x *traceIndex) rows(tr uint32) []uint32 {
	i, _ := slices.BinarySearch(x.sorted, uint64(tr)<<32)
	var out []uint32
	for ; i < len(x.sorted) && uint32(x.sorted[i]>>32) == tr; i++ {
		out = append(out, uint32(x.sorted[i]))
	}
	return append(out, x.after[tr]...)
}

// feesOf returns the fee rows of visit v: the graph's, then those appended
// since.
func (l *Live) feesOf(v uint32) graph.FeeRows {
	fees, after := l.s.g.FeesOf(v), l.feesAfter[v]
	if len(after) == 0 {
		return fees
	}
	return graph.FeeList(append(fees.AppendTo(make([]uint32, 0, fees.Len()+len(after))), after...))
}

// runRules runs the rule library (liveRuleSet) on the neighbourhood of the
// visit rows [n0, n1) and fee rows [f0, f1), keeps the hits that cite one of
// these rows, renumbered to the city's rows, appends them to the rule
// result and returns their indexes there.
func (l *Live) runRules(ctx context.Context, n0, n1, f0, f1 int) ([]int, error) {
	s := l.s
	ft := &s.t.Fees
	for f := f0; f < f1; f++ {
		v := ft.Visit.At(uint32(f))
		l.feesAfter[v] = append(l.feesAfter[v], uint32(f))
	}
	visits := l.neighbourhood(n0, n1, f0, f1)
	var fees []uint32
	for _, v := range visits {
		fees = l.feesOf(v).AppendTo(fees)
	}
	sub, subFees, persons := s.t.SubsetInto(l.subset, visits, fees)
	l.subset = sub
	g, err := l.neighbours.Build(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("build the neighbourhood of new rows: %w", err)
	}
	// One goroutine: an update is small, and a server scoring it beside
	// checks before settlement leaves them the other core.
	rr, err := rules.RunWith(ctx, g, l.rules, rules.RunOptions{Placeholders: s.rr.Placeholder, Workers: 1})
	if err != nil {
		return nil, fmt.Errorf("rules on new rows: %w", err)
	}
	// Appended in place (amortised): whoever holds an earlier header of
	// Hits reads only up to its own length, and only this Live appends.
	// Copying every hit of a city on every update cost 130 MB at 10M.
	var added []int
	for _, h := range rr.Hits {
		fresh := false
		for i, v := range h.Visits {
			h.Visits[i] = visits[v]
			fresh = fresh || int(h.Visits[i]) >= n0
		}
		for i, f := range h.Fees {
			h.Fees[i] = subFees[f]
			fresh = fresh || int(h.Fees[i]) >= f0
		}
		if !fresh {
			continue // the full run has it already
		}
		for i, p := range h.Persons {
			h.Persons[i] = persons[p] // in order: the subset keeps the persons' order
		}
		h.Visits = newFirst(h.Visits, uint32(n0), l.maxRows)
		h.Fees = newFirst(h.Fees, uint32(f0), l.maxRows)
		h.Persons = h.Persons[:min(len(h.Persons), l.maxRows)]
		h.Institutions = h.Institutions[:min(len(h.Institutions), l.maxRows)]
		h.Doctors = h.Doctors[:min(len(h.Doctors), l.maxRows)]
		added = append(added, len(s.hits))
		s.hits = append(s.hits, h.Finding())
		for _, v := range h.Visits {
			if s.hitVisit[v] < 255 {
				s.hitVisit[v]++
			}
		}
	}
	return added, nil
}
