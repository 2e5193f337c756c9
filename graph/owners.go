package graph

import (
	"iter"
	"math"
)

// Owners is a column of rows of another table, the row each row belongs to
// (the visit of each fee line), kept in one byte a row instead of four.
// Exports list a visit's fee lines together and the visits in order, so
// that the owners of neighbouring rows are close: the rows are cut into
// blocks of ownerBlock, each block keeps a base (four bytes a block: the
// owner of the row before the block, or of its first row), and each row
// its owner's distance from that base in a byte. The first row whose owner
// is below its block's base or more than 255 above it (fee lines not
// grouped by visit, or hundreds of visits without a fee line between two
// that have one) widens the column to four bytes a row, once and for
// good, which is what it cost before: no layout is worse off. There are
// no exceptions kept beside the rows, so that At stays small enough to be
// inlined.
//
// Rows are only appended (FeeTable.Keep compacts by appending the rows it
// keeps to a new column), so that a block's base is written once, when
// its first row is appended, and a capped copy of the column is a snapshot
// of it.
type Owners struct {
	deltas []uint8  // each row's owner minus its block's base, while narrow
	bases  []uint32 // the base of each block, while narrow
	full   []uint32 // the rows once the column is wide (deltas and bases are then nil)
}

const (
	// ownerShift is log2(ownerBlock).
	ownerShift = 8
	// ownerBlock is the number of rows that share a base: 256 rows, about
	// 90 visits of three fee lines, whose owners rise by less than 256 from
	// the row before the block as a rule, for a base of 4/256 bytes a row.
	ownerBlock = 1 << ownerShift
)

// NewOwners returns a column with room for n rows.
func NewOwners(n int) Owners {
	return Owners{deltas: make([]uint8, 0, n), bases: make([]uint32, 0, n/ownerBlock+1)}
}

// OwnersOf returns a column holding rows (for tests and small tables).
func OwnersOf(rows ...uint32) Owners {
	c := NewOwners(len(rows))
	for _, r := range rows {
		c.Append(r)
	}
	return c
}

// Len returns the number of rows.
func (c *Owners) Len() int {
	if c.full != nil {
		return len(c.full)
	}
	return len(c.deltas)
}

// Cap returns the number of rows the column has room for.
func (c *Owners) Cap() int {
	if c.full != nil {
		return cap(c.full)
	}
	return cap(c.deltas)
}

// At returns the owner of row i.
func (c *Owners) At(i uint32) uint32 {
	if c.full != nil {
		return c.full[i]
	}
	return c.bases[i>>ownerShift] + uint32(c.deltas[i])
}

// All yields each row and its owner in row order, reading each block's
// base once.
func (c *Owners) All() iter.Seq2[uint32, uint32] {
	return func(yield func(uint32, uint32) bool) {
		if c.full != nil {
			for i, v := range c.full {
				if !yield(uint32(i), v) {
					return
				}
			}
			return
		}
		for b, base := range c.bases {
			lo := b << ownerShift
			for j, d := range c.deltas[lo:min(lo+ownerBlock, len(c.deltas))] {
				if !yield(uint32(lo+j), base+uint32(d)) {
					return
				}
			}
		}
	}
}

// Append adds a row owned by v.
func (c *Owners) Append(v uint32) {
	if c.full != nil {
		c.full = append(c.full, v)
		return
	}
	n := len(c.deltas)
	if n&(ownerBlock-1) == 0 {
		base := v
		if n > 0 {
			base = c.At(uint32(n - 1))
		}
		c.bases = append(c.bases, base)
	}
	if d := v - c.bases[n>>ownerShift]; d <= math.MaxUint8 {
		c.deltas = append(c.deltas, uint8(d))
		return
	}
	c.widen()
	c.full = append(c.full, v)
}

// widen makes the column four bytes a row, in a new slice.
func (c *Owners) widen() {
	full := make([]uint32, len(c.deltas), max(cap(c.deltas), 16))
	for i := range full {
		full[i] = c.At(uint32(i))
	}
	c.deltas, c.bases, c.full = nil, nil, full
}

// reset empties the column, keeping the memory of its layout.
func (c *Owners) reset() {
	if c.full != nil {
		c.full = c.full[:0]
		return
	}
	c.deltas, c.bases = c.deltas[:0], c.bases[:0]
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Owners) snapshot() Owners {
	if c.full != nil {
		return Owners{full: capped(c.full)}
	}
	return Owners{deltas: capped(c.deltas), bases: capped(c.bases)}
}

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *Owners) trim() {
	c.deltas, c.bases, c.full = trimmed(c.deltas), trimmed(c.bases), trimmed(c.full)
}

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Owners) bytes() (used, reserved int64) {
	du, dr := size(c.deltas)
	bu, br := size(c.bases)
	fu, fr := size(c.full)
	return du + bu + fu, dr + br + fr
}
