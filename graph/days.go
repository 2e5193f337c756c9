package graph

// Days is a column of day counts (prd_days, 0 when unknown), kept in one
// byte a row: a count from 0 to 254 is the row's byte, and a row marked
// daysWide keeps its count (a negative one, or 255 days and more) whole in
// wide beside its row. When more than one row in smallWidenAt is kept so,
// the column becomes a Small (two bytes a row, what it was before) once
// and for good.
//
// Rows are only appended (FeeTable.Keep compacts by appending the rows it
// keeps to a new column), so wide stays sorted by row and a capped copy of
// the column is a snapshot of it.
type Days struct {
	codes   []uint8          // the rows while the column is narrow
	wide    []smallWideValue // the counts of the rows marked daysWide, as int32 bits
	small   Small            // the rows once the column is wide
	widened bool             // small holds the rows
}

// daysWide marks a row whose count is kept in Days.wide.
const daysWide uint8 = 0xFF

// NewDays returns a column with room for n rows.
func NewDays(n int) Days { return Days{codes: make([]uint8, 0, n)} }

// Len returns the number of rows.
func (c *Days) Len() int {
	if c.widened {
		return c.small.Len()
	}
	return len(c.codes)
}

// At returns the days of row i.
func (c *Days) At(i uint32) int32 {
	if !c.widened {
		if d := c.codes[i]; d != daysWide {
			return int32(d)
		}
	}
	return c.marked(i)
}

// marked returns the days of row i of a wide column, or of a narrow one
// marked daysWide (kept out of At, so that At is inlined).
//
//go:noinline
func (c *Days) marked(i uint32) int32 {
	if c.widened {
		return int32(c.small.At(i))
	}
	return int32(smallWideAt(c.wide, i))
}

// Append adds a row of d days.
func (c *Days) Append(d int32) {
	switch {
	case c.widened:
		c.small.Append(uint32(d))
	case d >= 0 && d < int32(daysWide):
		c.codes = append(c.codes, uint8(d))
	default:
		c.wide = append(c.wide, smallWideValue{row: uint32(len(c.codes)), v: uint32(d)})
		c.codes = append(c.codes, daysWide)
		if len(c.wide) > len(c.codes)/smallWidenAt && len(c.wide) >= smallWidenAt {
			c.widen()
		}
	}
}

// widen makes the column a Small.
func (c *Days) widen() {
	small := NewSmall(max(cap(c.codes), 16))
	for i := range uint32(len(c.codes)) {
		small.Append(uint32(c.At(i)))
	}
	c.codes, c.wide, c.small, c.widened = nil, nil, small, true
}

// reset empties the column, keeping the memory of its layout.
func (c *Days) reset() {
	c.codes, c.wide = c.codes[:0], c.wide[:0]
	c.small.reset()
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Days) snapshot() Days {
	return Days{codes: capped(c.codes), wide: capped(c.wide), small: c.small.snapshot(), widened: c.widened}
}

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *Days) trim() {
	c.codes, c.wide = trimmed(c.codes), trimmed(c.wide)
	c.small.trim()
}

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Days) bytes() (used, reserved int64) {
	cu, cr := size(c.codes)
	wu, wr := size(c.wide)
	su, sr := c.small.bytes()
	return cu + wu + su, cr + wr + sr
}
