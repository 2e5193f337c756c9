package graph

import "slices"

// Small is a column of uint32 values that are small numbers as a rule (the
// row of a catalogue item, the dictionary id of a fee line's serial, days
// of supply), kept in two bytes a row. Two codes of the two-byte range are
// set apart: one for None, one for a larger value, kept whole in wide
// beside its row. When more than one row in smallWidenAt holds a larger
// value (a province's catalogue past 65,533 items, serials unique per
// line), the column widens to four bytes a row once and stays so, so that
// lookups in wide stay rare.
//
// Rows are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded), so wide stays sorted by row; widening copies the rows
// into a new slice; so that a capped copy of the column is a snapshot of it.
type Small struct {
	narrow  []uint16 // the rows while the column is narrow
	wide    []smallWideValue
	full    []uint32 // the rows once the column is wide (narrow is then nil)
	widened bool     // full holds the rows (a flag, cheaper for At to test than full)
	moved   bool     // the rows are in a spill file's read-only mapping (spill)
}

// smallWideValue is a value of a Small column too large for its two bytes,
// and its row.
type smallWideValue struct{ row, v uint32 }

// smallWideAt returns the value of row i in ws, which is sorted by row and
// holds it (Small.wide, Days.wide).
func smallWideAt(ws []smallWideValue, i uint32) uint32 {
	k, _ := slices.BinarySearchFunc(ws, i, func(w smallWideValue, row uint32) int { return int(w.row) - int(row) })
	return ws[k].v
}

const (
	// smallNone is the code of None.
	smallNone uint16 = 0xFFFF
	// smallWide marks a row whose value is kept in Small.wide.
	smallWide uint16 = 0xFFFE
	// smallWidenAt is the share of rows kept whole (1/smallWidenAt) past
	// which a column widens to four bytes a row.
	smallWidenAt = 64
)

// NewSmall returns a column with room for n rows.
func NewSmall(n int) Small { return Small{narrow: make([]uint16, 0, n)} }

// Len returns the number of rows.
func (c *Small) Len() int {
	if c.widened {
		return len(c.full)
	}
	return len(c.narrow)
}

// At returns the value of row i.
func (c *Small) At(i uint32) uint32 {
	if !c.widened {
		if v := c.narrow[i]; v < smallWide {
			return uint32(v)
		}
	}
	return c.marked(i)
}

// marked returns the value of row i of a wide column, or of a narrow one
// whose row holds smallNone or smallWide (kept out of At, so that At is
// inlined).
//
//go:noinline
func (c *Small) marked(i uint32) uint32 {
	if c.widened {
		return c.full[i]
	}
	if c.narrow[i] == smallNone {
		return None
	}
	return smallWideAt(c.wide, i)
}

// Append adds a row holding v.
func (c *Small) Append(v uint32) {
	switch {
	case c.widened:
		c.full = append(c.full, v)
	case v < uint32(smallWide):
		c.narrow = append(c.narrow, uint16(v))
	case v == None:
		c.narrow = append(c.narrow, smallNone)
	default:
		c.wide = append(c.wide, smallWideValue{row: uint32(len(c.narrow)), v: v})
		c.narrow = append(c.narrow, smallWide)
		if len(c.wide) > len(c.narrow)/smallWidenAt && len(c.wide) >= smallWidenAt {
			c.widen()
		}
	}
}

// widen makes the column four bytes a row, in a new slice.
func (c *Small) widen() {
	full := make([]uint32, len(c.narrow), max(cap(c.narrow), 16))
	for i := range full {
		full[i] = c.At(uint32(i))
	}
	c.narrow, c.wide, c.full, c.widened = nil, nil, full, true
}

// keep moves row i to row w (w ≤ i, rows taken in order, as FeeTable.Keep
// does), collecting the wide values of the rows kept into into.
func (c *Small) keep(w, i int, into *[]smallWideValue) {
	if c.widened {
		c.full[w] = c.full[i]
		return
	}
	if c.narrow[i] == smallWide {
		*into = append(*into, smallWideValue{row: uint32(w), v: c.marked(uint32(i))})
	}
	c.narrow[w] = c.narrow[i]
}

// truncate keeps the first n rows, whose wide values are wide.
func (c *Small) truncate(n int, wide []smallWideValue) {
	if c.widened {
		c.full = c.full[:n]
		return
	}
	c.narrow, c.wide = c.narrow[:n], wide
}

// reset empties the column, keeping the memory of its layout unless the
// rows were moved to a spill file.
func (c *Small) reset() {
	if c.moved {
		c.narrow, c.full, c.moved = nil, nil, false
	}
	c.narrow, c.wide, c.full = c.narrow[:0], c.wide[:0], c.full[:0]
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Small) snapshot() Small {
	return Small{narrow: capped(c.narrow), wide: capped(c.wide), full: capped(c.full), widened: c.widened}
}

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *Small) trim() {
	c.narrow, c.wide, c.full = trimmed(c.narrow), trimmed(c.wide), trimmed(c.full)
}

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Small) bytes() (used, reserved int64) {
	nu, nr := size(c.narrow)
	wu, wr := size(c.wide)
	fu, fr := size(c.full)
	return nu + wu + fu, nr + wr + fr
}
