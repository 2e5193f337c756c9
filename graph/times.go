package graph

import (
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// Times is a column of times in four bytes a row instead of eight: each
// row holds its time as seconds from timeBase (2000-01-01 00:00 of the data's
// clock), which reaches into 2136, or timeNone for an absent time. A time
// outside that range (a typing error of 1900, say) is kept whole in wide,
// marked timeWide in its row, so that no value is lost or changed. Rows
// are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded), so wide stays sorted by row and a capped copy of
// the column is a snapshot of it.
type Times struct {
	secs []uint32
	wide []wideTime
}

// wideTime is a time outside the range of Times.secs, and its row.
type wideTime struct {
	row uint32
	t   claims.Time
}

const (
	// timeBase is the time a row's seconds count from: 2000-01-01 00:00.
	timeBase claims.Time = 946684800
	// timeNone marks an absent time (claims.NoTime).
	timeNone = ^uint32(0)
	// timeWide marks a time kept in Times.wide.
	timeWide = timeNone - 1
)

// NewTimes returns a column with room for n rows.
func NewTimes(n int) Times { return Times{secs: make([]uint32, 0, n)} }

// Len returns the number of rows.
func (c *Times) Len() int { return len(c.secs) }

// At returns the time of row i (claims.NoTime when absent).
func (c *Times) At(i uint32) claims.Time {
	s := c.secs[i]
	if s < timeWide {
		return timeBase + claims.Time(s)
	}
	if s == timeNone {
		return claims.NoTime
	}
	return c.wideAt(i)
}

// wideAt returns the time of row i kept in wide.
func (c *Times) wideAt(i uint32) claims.Time {
	k, _ := slices.BinarySearchFunc(c.wide, i, func(w wideTime, row uint32) int { return int(w.row) - int(row) })
	return c.wide[k].t
}

// Append adds a row holding t.
func (c *Times) Append(t claims.Time) {
	c.secs = append(c.secs, c.encode(uint32(len(c.secs)), t))
}

// encode returns the seconds to keep for t at row, adding it to wide when
// it is out of range.
func (c *Times) encode(row uint32, t claims.Time) uint32 {
	switch d := t - timeBase; {
	case t == claims.NoTime:
		return timeNone
	case d >= 0 && d < claims.Time(timeWide):
		return uint32(d)
	}
	c.wide = append(c.wide, wideTime{row: row, t: t})
	return timeWide
}

// reset empties the column, keeping its memory.
func (c *Times) reset() { c.secs, c.wide = c.secs[:0], c.wide[:0] }

// snapshot returns the column as it is now, which later appends leave
// unchanged (both slices are capped: an append to the copy copies them).
func (c *Times) snapshot() Times {
	return Times{secs: capped(c.secs), wide: capped(c.wide)}
}

// keep moves row i to row w (w ≤ i, rows taken in order, as FeeTable.Keep
// does), collecting the wide times of the rows kept into into.
func (c *Times) keep(w, i int, into *[]wideTime) {
	c.secs[w] = c.secs[i]
	if c.secs[w] == timeWide {
		*into = append(*into, wideTime{row: uint32(w), t: c.wideAt(uint32(i))})
	}
}

// truncate keeps the first n rows, whose wide times are wide.
func (c *Times) truncate(n int, wide []wideTime) { c.secs, c.wide = c.secs[:n], wide }

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Times) bytes() (used, reserved int64) {
	u, r := size(c.secs)
	wu, wr := size(c.wide)
	return u + wu, r + wr
}
