package rules

import (
	"context"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// sparseKeys: when the keys rows are grouped by (persons, trace codes)
// outnumber the rows this many times, forEachPerson, env.persons and
// traceGroups sort the rows instead of counting them into one slot per key.
// An incremental update judges a few rows against tables that keep the
// whole city's dictionaries: a counting sort would allocate and walk an
// offset per person or code of the city for each rule.
const sparseKeys = 8

// forEachPerson calls fn once per person holding rows of cand (in
// ascending order), persons in ascending order, with that person's rows in
// ascending order; person maps a row to its Persons row (< nPersons). It
// stops at fn's first error and returns it. The rows slice passed to fn
// is only valid during the call.
func forEachPerson(ctx context.Context, cand []uint32, nPersons int, person func(uint32) uint32, fn func(p uint32, rows []uint32) error) error {
	if nPersons > sparseKeys*len(cand) {
		lines := make([]keyedRow, len(cand))
		for i, r := range cand {
			lines[i] = keyedRow{key: uint64(person(r)), row: r}
		}
		for p, rows := range groupsByKey(lines) {
			if err := fn(uint32(p), rows); err != nil {
				return err
			}
		}
		return nil
	}
	off, rows := groupByPerson(cand, nPersons, person)
	for p := 0; p < nPersons; p++ {
		if err := cancelled(ctx, p); err != nil {
			return err
		}
		if mine := rows[off[p]:off[p+1]]; len(mine) > 0 {
			if err := fn(uint32(p), mine); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupByPerson returns the rows of cand (in ascending order) grouped by
// person with a stable counting sort: the rows of person p are
// rows[off[p]:off[p+1]]. person maps a row to its Persons row (< nPersons).
func groupByPerson(cand []uint32, nPersons int, person func(uint32) uint32) (off, rows []uint32) {
	off = make([]uint32, nPersons+1)
	for _, r := range cand {
		off[person(r)+1]++
	}
	for i := 1; i <= nPersons; i++ {
		off[i] += off[i-1]
	}
	rows = make([]uint32, len(cand))
	pos := slices.Clone(off[:nPersons])
	for _, r := range cand {
		p := person(r)
		rows[pos[p]] = r
		pos[p]++
	}
	return off, rows
}

// forEachPersonItem scans the fee column once for the live fee lines that
// want accepts, groups them by person (counting sort) and then by catalogue
// item, and calls group once per (person, item) in ascending order with the
// lines in ascending row order. The fees slice is reused between calls.
func forEachPersonItem(ctx context.Context, e *env, want func(p, v, f uint32) bool,
	group func(p, item uint32, fees []uint32)) error {
	ft, vt := &e.t.Fees, &e.t.Visits
	nv, np := uint32(vt.Len()), e.t.Persons.Len()
	var cand []uint32
	for f := range ft.Len() {
		if err := cancelled(ctx, f); err != nil {
			return err
		}
		v := ft.Visit.At(uint32(f))
		if v >= nv || ft.AmountAt(uint32(f)) <= 0 || int(vt.Person[v]) >= np || !e.live(v) {
			continue
		}
		if want(vt.Person[v], v, uint32(f)) {
			cand = append(cand, uint32(f))
		}
	}
	if len(cand) == 0 {
		return nil
	}
	var keys []uint64
	var grp []uint32
	return forEachPerson(ctx, cand, np, func(f uint32) uint32 { return vt.Person[ft.Visit.At(f)] }, func(p uint32, mine []uint32) error {
		keys = keys[:0]
		for _, f := range mine {
			keys = append(keys, uint64(ft.Item.At(f))<<32|uint64(f))
		}
		slices.Sort(keys)
		for i := 0; i < len(keys); {
			item := uint32(keys[i] >> 32)
			grp = grp[:0]
			for ; i < len(keys) && uint32(keys[i]>>32) == item; i++ {
				grp = append(grp, uint32(keys[i]))
			}
			group(p, item, grp)
		}
		return nil
	})
}

// addFees adds fee rows (distinct) to fd with their visits, times and fund
// shares, and returns the fund share added. vis is scratch.
func addFees(e *env, fd *finding, fees []uint32, limit int, vis []uint32) ([]uint32, claims.Money) {
	ft := &e.t.Fees
	var sum claims.Money
	vis = vis[:0]
	for _, f := range fees {
		fd.fee(f, limit)
		sum += e.feeFund(f)
		fd.when(ft.Time.At(f))
		vis = append(vis, ft.Visit.At(f))
	}
	vis = sortedUnique(vis)
	for _, v := range vis {
		fd.visit(v, limit)
		fd.insts = append(fd.insts, e.t.Visits.Institution[v])
	}
	fd.amount += sum
	return vis, sum
}

// addVisits adds distinct visit rows to fd with their institutions, times
// and net fund amounts, and returns the fund added.
func addVisits(e *env, fd *finding, visits []uint32, limit int) claims.Money {
	vt := &e.t.Visits
	var sum claims.Money
	for _, v := range visits {
		fd.visit(v, limit)
		sum += max(vt.FundPay.At(v), 0)
		fd.when(vt.Begin.At(v))
		if len(fd.insts) < limit {
			fd.insts = append(fd.insts, vt.Institution[v])
		}
	}
	fd.amount += sum
	return sum
}

// feesFund returns the fund share of distinct fee rows.
func feesFund(e *env, fees []uint32) claims.Money {
	var sum claims.Money
	for _, f := range fees {
		sum += e.feeFund(f)
	}
	return sum
}

// visitsFund returns the net fund of distinct visit rows.
func visitsFund(e *env, visits []uint32) claims.Money {
	var sum claims.Money
	for _, v := range visits {
		sum += max(e.t.Visits.FundPay.At(v), 0)
	}
	return sum
}

// forEachDoctor calls fn for every doctor code that is not a placeholder,
// with the doctor's visits in time order (as attending or billing doctor).
func forEachDoctor(ctx context.Context, e *env, fn func(d uint32, visits []uint32)) error {
	for d := 0; d < e.t.Doctors.Len(); d++ {
		if err := cancelled(ctx, d); err != nil {
			return err
		}
		if e.doctorOK(uint32(d)) {
			fn(uint32(d), e.g.VisitsOf(e.g.DoctorNode(uint32(d))))
		}
	}
	return nil
}

// emitVisits emits a hit resting on the visits cited (deduplicated in
// place) and concerning the given person or doctor, with their net fund as
// the amount. who is a Persons row for person hits and a Doctors row for
// doctor hits.
func emitVisits(e *env, c *collector, fd *finding, cited []uint32, doctorHit bool, who uint32, detail func() (string, string)) {
	cited = sortedUnique(cited)
	if c.skip(visitsFund(e, cited)) {
		return
	}
	fd.reset()
	if doctorHit {
		fd.doctors = append(fd.doctors, who)
	} else {
		fd.persons = append(fd.persons, who)
	}
	addVisits(e, fd, cited, c.maxRows)
	c.emit(fd, detail)
}

// emitPersonItem emits a hit of person p and catalogue item resting on the
// fee lines given (distinct), with their billing doctors, and the given
// amount. vis is scratch, returned for reuse.
func emitPersonItem(e *env, c *collector, fd *finding, p, item uint32, fees []uint32, amount claims.Money,
	vis []uint32, detail func() (string, string)) []uint32 {
	if c.skip(amount) {
		return vis
	}
	fd.reset()
	fd.persons = append(fd.persons, p)
	fd.items = append(fd.items, item)
	vis, _ = addFees(e, fd, fees, c.maxRows, vis)
	fd.amount = amount
	for _, f := range fees {
		if doc := e.t.FeeDoctor(f); doc != graph.None && len(fd.doctors) < c.maxRows {
			fd.doctors = append(fd.doctors, doc)
		}
	}
	c.emit(fd, detail)
	return vis
}
