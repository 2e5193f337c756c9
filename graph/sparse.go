package graph

import (
	"iter"
	"math/bits"
)

// Sparse is a column of uint32 values that many rows lack (a drug trace
// code, on one fee line in three to eight): a bit per row says whether the
// row has a value, and only the values present are kept, in row order. A
// row's value is found by counting the bits before it: the bits of the
// words before its own are counted once, when a word is complete. Where a
// fraction p of the rows has a value, a row costs 1/8 + 4/64 + 4p bytes
// instead of 4 (0.7 at one in eight).
//
// Rows are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded); the bits are a rowBits, whose copy (its slices
// capped) is a snapshot, and so is the column's.
type Sparse struct {
	rowBits
	before   []uint32 // values in the words before words[w]
	vals     []uint32 // the values present, in row order
	tailFrom uint32   // values before tail
	none     uint32   // the value of a row without one
}

// NewSparse returns a column whose rows without a value read as none, with
// room for n rows of which about present have a value.
func NewSparse(n, present int, none uint32) Sparse {
	return Sparse{rowBits: rowBits{words: make([]uint64, 0, n/64)}, before: make([]uint32, 0, n/64), vals: make([]uint32, 0, present), none: none}
}

// Len returns the number of rows.
func (c *Sparse) Len() int { return int(c.n) }

// At returns the value of row i (none when it has none).
func (c *Sparse) At(i uint32) uint32 {
	w, from := c.tail, c.tailFrom
	if k := int(i >> 6); k < len(c.words) {
		w, from = c.words[k], c.before[k]
	}
	bit := uint64(1) << (i & 63)
	if w&bit == 0 {
		return c.none
	}
	return c.vals[from+uint32(bits.OnesCount64(w&(bit-1)))]
}

// Append adds a row holding v (none: a row without a value).
func (c *Sparse) Append(v uint32) {
	if v != c.none {
		c.vals = append(c.vals, v)
	}
	if c.push(v != c.none) {
		c.before = append(c.before, c.tailFrom)
		c.tailFrom = uint32(len(c.vals))
	}
}

// All yields the rows that have a value, and their values, in row order.
func (c *Sparse) All() iter.Seq2[uint32, uint32] {
	return func(yield func(uint32, uint32) bool) {
		k := 0
		for w := 0; w <= len(c.words); w++ {
			word := c.tail
			if w < len(c.words) {
				word = c.words[w]
			}
			for ; word != 0; word &= word - 1 {
				if !yield(uint32(w<<6+bits.TrailingZeros64(word)), c.vals[k]) {
					return
				}
				k++
			}
		}
	}
}

// Present returns the number of rows that have a value.
func (c *Sparse) Present() int { return len(c.vals) }

// reset empties the column, keeping its memory.
func (c *Sparse) reset() {
	c.rowBits.reset()
	*c = Sparse{rowBits: c.rowBits, before: c.before[:0], vals: c.vals[:0], none: c.none}
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Sparse) snapshot() Sparse {
	s := *c
	s.rowBits, s.before, s.vals = c.rowBits.snapshot(), capped(c.before), capped(c.vals)
	return s
}

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Sparse) bytes() (used, reserved int64) {
	wu, wr := size(c.words)
	bu, br := size(c.before)
	vu, vr := size(c.vals)
	return wu + bu + vu, wr + br + vr
}
