package graph

import (
	"fmt"

	"github.com/ringlens/ringlens/graph/intern"
	"github.com/ringlens/ringlens/graph/spill"
)

// Spill moves the columns that detection does not read, and that a batch
// run only writes back out at its end, out of the heap into f (see package
// spill): the visit and settlement ids, the person numbers, the personal
// names and certificate numbers, the fee lines' serials and the diagnosis
// names. They read as before, from f's mapping, which must stay open while
// the tables (and any string read from these columns) are in use. At 10M
// visits that is about 27 bytes a visit off the heap (Memory lists them as
// spilled).
//
// The tables must not be written to afterwards other than by appending
// rows (which copies a spilled column back to the heap) or Reset; FeeTable.Keep
// (refund netting while the tables are loaded) must have run. Spill stops at
// the first error, leaving the columns not yet moved on the heap.
func (t *Tables) Spill(f *spill.File) error {
	lists := []struct {
		name string
		l    interface{ Spill(*spill.File) error }
	}{
		{"mdtrt_id", packed(t.Visits.IDs)},
		{"setl_id", list(t.Visits.SetlID)},
		{"psn_no", table(t.Persons.IDs)},
		{"personal data", table(t.PII)},
		{"feedetl_sn", packed(t.Fees.Serials)},
	}
	for _, c := range lists {
		if c.l == nil {
			continue
		}
		if err := c.l.Spill(f); err != nil {
			return fmt.Errorf("spill %s: %w", c.name, err)
		}
	}
	for _, c := range []struct {
		name string
		col  *Small
	}{{"feedetl_sn", &t.Fees.Sn}, {"dise_name", &t.Visits.DiseName}} {
		if err := c.col.spill(f); err != nil {
			return fmt.Errorf("spill %s: %w", c.name, err)
		}
	}
	return nil
}

// packed returns p as a spillable list, or nil for a nil table.
func packed(p *intern.PackedTable) interface{ Spill(*spill.File) error } {
	if p == nil {
		return nil
	}
	return &p.PackedList
}

// list returns l as a spillable list, or nil for a nil list.
func list(l *intern.PackedList) interface{ Spill(*spill.File) error } {
	if l == nil {
		return nil
	}
	return l
}

// table returns s as a spillable list, or nil for a nil table.
func table(s *intern.Table) interface{ Spill(*spill.File) error } {
	if s == nil {
		return nil
	}
	return &s.List
}

// spill moves the column's rows (two or four bytes each; the rare values
// kept whole beside stay) into f.
func (c *Small) spill(f *spill.File) error {
	narrow, err := spill.Move(f, c.narrow)
	if err != nil {
		return err
	}
	full, err := spill.Move(f, c.full)
	if err != nil {
		return err
	}
	c.narrow, c.full, c.moved = narrow, full, c.moved || len(narrow)+len(full) > 0
	return nil
}
