package graph

import (
	"fmt"

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
	// Method values of nil tables are fine: their Spill moves nothing.
	for _, c := range []struct {
		name string
		move func(*spill.File) error
	}{
		{"mdtrt_id", t.Visits.IDs.Spill},
		{"setl_id", t.Visits.SetlID.Spill},
		{"psn_no", t.Persons.IDs.Spill},
		{"personal data", t.PII.Spill},
		{"feedetl_sn", t.Fees.Serials.Spill},
		{"feedetl_sn", t.Fees.Sn.spill},
		{"dise_name", t.Visits.DiseName.spill},
	} {
		if err := c.move(f); err != nil {
			return fmt.Errorf("spill %s: %w", c.name, err)
		}
	}
	return nil
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
