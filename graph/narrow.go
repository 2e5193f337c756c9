package graph

import (
	"math"
	"slices"
	"unsafe"

	"github.com/ringlens/ringlens/graph/claims"
)

// Narrow is a column of 64-bit values (times, amounts in fen, prices) kept
// in four bytes a row instead of eight. Each row holds its value's distance
// from base as an int32. Two codes of that range are set apart: one for
// the column's none value (an absent time), one for a value too far from
// base (an amount over 21 million yuan, a time typed as 1900), which is
// kept whole in wide beside its row, so that no value is lost or changed.
// Rows are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded), so wide stays sorted by row and a capped copy of the
// column is a snapshot of it.
//
// The zero value is an empty column with base and none 0; NewNarrow,
// NewMoney and NewTimes choose a base near the values the column will hold.
type Narrow[T ~int64] struct {
	column[int32]
	base T // the value a row holding 0 stands for
}

// Times is a column of times (claims.NoTime when absent): seconds from
// 2000-01-01 00:00 of the data's clock into 2136 take four bytes a row.
type Times = Narrow[claims.Time]

// Counts is a column of quantities (cnt): a whole number from -32,766 to
// 32,767 takes two bytes a row; any other quantity (a fraction, -0, an
// infinity, a larger number) is kept whole, as its bits, in wide.
type Counts struct {
	column[int16]
}

// code is the type of the rows' codes of a compact column: int32 (four
// bytes a row: Narrow) or int16 (two: Counts). Its least value marks a
// row kept in wide and the next a row holding none (codeWide, codeNone).
type code interface{ ~int16 | ~int32 }

// codeWide returns the code of a row whose value is kept in column.wide:
// the least value of C.
func codeWide[C code]() C { return C(-1) << (8*unsafe.Sizeof(C(0)) - 1) }

// codeNone returns the code of a row holding the column's none value.
func codeNone[C code]() C { return codeWide[C]() + 1 }

// column is the part of a compact column that does not depend on the
// type of its values: the rows' codes, the none value and the values kept
// whole (as int64 bits). Reading the marked rows is a call of its own, so
// that the columns' At stays small.
type column[C code] struct {
	vals []C
	wide []wideValue
	none int64 // the value a row holding codeNone stands for
}

// wideValue is a value of a column too far from its base, and its row.
type wideValue struct {
	row uint32
	v   int64
}

const (
	// narrowWide marks a row of a four-byte column whose value is kept in
	// column.wide (codeWide[int32]).
	narrowWide int32 = math.MinInt32
	// narrowNone marks a row holding the column's none value.
	narrowNone int32 = math.MinInt32 + 1
	// narrowMin is the least value a row holds itself.
	narrowMin int32 = math.MinInt32 + 2

	// countWide marks a row of a Counts column whose quantity is kept in
	// column.wide (codeWide[int16]); countMin is the least quantity a row
	// holds itself (Counts has no none).
	countWide int16 = math.MinInt16
	countMin  int16 = math.MinInt16 + 2

	// timesBase is the base of a Times column: 2000-01-01 00:00 plus 2³¹
	// seconds, so that the times a row holds run from 2000 into 2136.
	timesBase claims.Time = 946684800 + 1<<31
)

// NewNarrow returns a column with room for n rows whose rows hold values
// within about two thousand million of base, and none in a code of its own.
func NewNarrow[T ~int64](n int, base, none T) Narrow[T] {
	return Narrow[T]{column: column[int32]{vals: make([]int32, 0, n), none: int64(none)}, base: base}
}

// NewMoney returns a column of amounts (or prices) with room for n rows:
// amounts within ±21 million yuan (prices within ±2,147 yuan) take four
// bytes a row.
func NewMoney[T ~int64](n int) Narrow[T] { return NewNarrow[T](n, 0, math.MinInt64) }

// NewTimes returns a column of times with room for n rows.
func NewTimes(n int) Times { return NewNarrow(n, timesBase, claims.NoTime) }

// NewCounts returns a column of quantities with room for n rows.
func NewCounts(n int) Counts { return Counts{column[int16]{vals: make([]int16, 0, n)}} }

// At returns the value of row i.
func (c *Narrow[T]) At(i uint32) T {
	if v := c.vals[i]; v >= narrowMin {
		return c.base + T(v)
	}
	return T(c.marked(i))
}

// Append adds a row holding x.
func (c *Narrow[T]) Append(x T) { c.appendCode(c.code(x), int64(x)) }

// Set changes the value of row i to x. It writes in place, so it is only
// for tables not yet shared (ingest nets a refund into the charge it
// reverses): a snapshot taken before would see the change.
func (c *Narrow[T]) Set(i uint32, x T) { c.set(i, c.code(x), int64(x)) }

// code returns what a row keeps for x: narrowWide when x is too far from
// base and is to be kept in wide. The distance wraps around as int64
// arithmetic does, and At's sum wraps back, so that even a distance that
// overflowed gives x again.
func (c *Narrow[T]) code(x T) int32 {
	if int64(x) == c.none {
		return narrowNone
	}
	if d := x - c.base; d >= T(narrowMin) && d <= math.MaxInt32 {
		return int32(d)
	}
	return narrowWide
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Narrow[T]) snapshot() Narrow[T] { return Narrow[T]{column: c.column.snapshot(), base: c.base} }

// At returns the quantity of row i.
func (c *Counts) At(i uint32) float64 {
	if v := c.vals[i]; v >= countMin {
		return float64(v)
	}
	return c.wideAt(i)
}

// wideAt returns the quantity of row i kept in wide.
//
//go:noinline
func (c *Counts) wideAt(i uint32) float64 { return math.Float64frombits(uint64(c.marked(i))) }

// Append adds a row holding x.
func (c *Counts) Append(x float64) { c.appendCode(countCode(x), int64(math.Float64bits(x))) }

// Set changes the quantity of row i to x, as Narrow.Set does.
func (c *Counts) Set(i uint32, x float64) { c.set(i, countCode(x), int64(math.Float64bits(x))) }

// countCode returns what a row keeps for quantity x: countWide unless x
// is a whole number a row holds exactly (and not -0).
func countCode(x float64) int16 {
	if x >= float64(countMin) && x <= math.MaxInt16 && x == math.Trunc(x) && !(x == 0 && math.Signbit(x)) {
		return int16(x)
	}
	return countWide
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Counts) snapshot() Counts { return Counts{c.column.snapshot()} }

// Len returns the number of rows.
func (c *column[C]) Len() int { return len(c.vals) }

// marked returns the value of row i, which holds narrowNone or narrowWide:
// none, or the row's value in wide.
//
//go:noinline
func (c *column[C]) marked(i uint32) int64 {
	if c.vals[i] == codeNone[C]() {
		return c.none
	}
	return c.wide[c.find(i)].v
}

// find returns where row i is or would be in wide, which is sorted by row.
func (c *column[C]) find(i uint32) int { return findWide(c.wide, i) }

// findWide returns where row i is or would be in ws, which is sorted by row.
func findWide(ws []wideValue, i uint32) int {
	k, _ := slices.BinarySearchFunc(ws, i, func(w wideValue, row uint32) int { return int(w.row) - int(row) })
	return k
}

// appendCode adds a row holding code, and x in wide when code is narrowWide.
func (c *column[C]) appendCode(code C, x int64) {
	if code == codeWide[C]() {
		c.wide = append(c.wide, wideValue{row: uint32(len(c.vals)), v: x})
	}
	c.vals = append(c.vals, code)
}

// set makes row i hold code, and x in wide when code is narrowWide.
func (c *column[C]) set(i uint32, code C, x int64) {
	c.wide = setWide(c.wide, i, c.vals[i] == codeWide[C](), code == codeWide[C](), x)
	c.vals[i] = code
}

// setWide returns ws (sorted by row, holding row i when was) holding row i
// with value x when keep, and without it otherwise.
func setWide(ws []wideValue, i uint32, was, keep bool, x int64) []wideValue {
	k := findWide(ws, i)
	switch {
	case keep && was:
		ws[k].v = x
	case keep:
		ws = slices.Insert(ws, k, wideValue{row: i, v: x})
	case was:
		ws = slices.Delete(ws, k, k+1)
	}
	return ws
}

// keepWide appends to into, as row w, the value ws holds for row i (see
// column.keep).
func keepWide(into *[]wideValue, ws []wideValue, w, i int) {
	*into = append(*into, wideValue{row: uint32(w), v: ws[findWide(ws, uint32(i))].v})
}

// put writes x at row i of a column sized ahead (resize), for builders
// that fill runs of rows side by side: a value to keep whole goes to the
// caller's list wide instead of the column's, to be joined into it in row
// order once every run is written.
func (c *Narrow[T]) put(i int, x T, wide *[]wideValue) {
	code := c.code(x)
	if code == narrowWide {
		*wide = append(*wide, wideValue{row: uint32(i), v: int64(x)})
	}
	c.vals[i] = code
}

// resize makes the column n rows (their values to be put) with no wide
// values, keeping its memory.
func (c *column[C]) resize(n int) { c.vals, c.wide = resize(c.vals, n), c.wide[:0] }

// reset empties the column, keeping its memory.
func (c *column[C]) reset() { c.vals, c.wide = c.vals[:0], c.wide[:0] }

// snapshot returns the column as it is now, which later appends leave
// unchanged (both slices are capped: an append to the copy copies them).
func (c *column[C]) snapshot() column[C] {
	return column[C]{vals: capped(c.vals), wide: capped(c.wide), none: c.none}
}

// keep moves row i to row w (w ≤ i, rows taken in order, as FeeTable.Keep
// does), collecting the wide values of the rows kept into into.
func (c *column[C]) keep(w, i int, into *[]wideValue) {
	c.vals[w] = c.vals[i]
	if c.vals[w] == codeWide[C]() {
		keepWide(into, c.wide, w, i)
	}
}

// truncate keeps the first n rows, whose wide values are wide.
func (c *column[C]) truncate(n int, wide []wideValue) { c.vals, c.wide = c.vals[:n], wide }

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *column[C]) bytes() (used, reserved int64) {
	u, r := size(c.vals)
	wu, wr := size(c.wide)
	return u + wu, r + wr
}
