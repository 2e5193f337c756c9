package graph

import (
	"math"

	"github.com/ringlens/ringlens/graph/claims"
)

// Amounts is the column of fee-line amounts (det_item_fee_sumamt). A fee
// line's amount is as a rule its quantity times its price, rounded to the
// fen (99.4–100% of the lines of the cities measured): such a row keeps
// nothing but a clear bit, and its amount is computed from the Count and
// Price columns when read (FeeTable.AmountAt). Any other amount (a
// rounding the other way, a discount, a fractional quantity, a line
// netted with its refund) is kept whole beside its row, its bit set, so
// that no value is lost or changed.
//
// Where amounts are not their lines' products (a source whose amounts are
// net of a discount, or mostly fractional quantities), keeping them whole
// would cost 16 bytes a line: once more than one row in amountsPlainShare
// is kept whole (past amountsPlainFrom rows), the column turns plain, every
// amount in a four-byte Narrow column, once, as graph.Small widens.
//
// Like Sparse, the column keeps the word that rows are appended to in its
// struct, so that a capped copy of it is a snapshot that shares no memory
// an append writes; setAt writes in place and is for tables not yet shared
// (ingest nets a refund into the charge it reverses).
type Amounts struct {
	words []uint64    // complete words: bit r of words[w] is set when row 64w+r is kept whole
	tail  uint64      // the bits of the rows after the complete words
	n     uint32      // rows
	whole []wideValue // the amounts kept whole, by row
	// plain holds every amount once the column has turned plain (isPlain);
	// words, tail and whole are then empty.
	plain   Narrow[claims.Money]
	isPlain bool
}

// amountsPlainShare and amountsPlainFrom decide when an Amounts column
// turns plain: more than one row in amountsPlainShare kept whole, at
// amountsPlainFrom rows or more (a few odd lines of a small table do not).
const (
	amountsPlainShare = 8
	amountsPlainFrom  = 4096
)

// maxPredictedCount bounds the quantities whose product with a price is
// computed (|count| ≤ 1e6 and |price| ≤ 1e12 millionths of a yuan keep the
// product within an int64); a line outside it keeps its amount whole.
const (
	maxPredictedCount = 1e6
	maxPredictedPrice = 1e12
)

// lineAmount returns a whole quantity times a price in fen, rounded half
// away from zero, and whether it could be computed exactly.
func lineAmount(count float64, price claims.Price) (claims.Money, bool) {
	if count != math.Trunc(count) || math.Abs(count) > maxPredictedCount || price > maxPredictedPrice || price < -maxPredictedPrice {
		return 0, false
	}
	return toFen(int64(count) * int64(price)), true
}

// toFen rounds p millionths of a yuan to the fen, half away from zero.
func toFen(p int64) claims.Money {
	q, r := p/10000, p%10000
	switch {
	case r >= 5000:
		q++
	case r <= -5000:
		q--
	}
	return claims.Money(q)
}

// NewAmounts returns a column with room for n rows.
func NewAmounts(n int) Amounts { return Amounts{words: make([]uint64, 0, n/64)} }

// Len returns the number of rows.
func (c *Amounts) Len() int {
	if c.isPlain {
		return c.plain.Len()
	}
	return int(c.n)
}

// kept reports whether row i keeps its amount whole (always false once the
// column is plain: see AmountAt).
func (c *Amounts) kept(i uint32) bool {
	w := c.tail
	if k := int(i >> 6); k < len(c.words) {
		w = c.words[k]
	}
	return w&(1<<(i&63)) != 0
}

// wholeAt returns the amount row i keeps whole.
func (c *Amounts) wholeAt(i uint32) claims.Money {
	return claims.Money(c.whole[findWide(c.whole, i)].v)
}

// append adds a row of amount x, quantity count and price price. The
// caller turns the column plain when turnPlain says so (FeeTable.appendAmount).
func (c *Amounts) append(x claims.Money, count float64, price claims.Price) {
	if c.isPlain {
		c.plain.Append(x)
		return
	}
	if a, ok := lineAmount(count, price); !ok || a != x {
		c.tail |= 1 << (c.n & 63)
		c.whole = append(c.whole, wideValue{row: c.n, v: int64(x)})
	}
	c.n++
	if c.n&63 == 0 {
		c.words = append(c.words, c.tail)
		c.tail = 0
	}
}

// setBit sets or clears the bit of row i.
func (c *Amounts) setBit(i uint32, on bool) {
	w := &c.tail
	if k := int(i >> 6); k < len(c.words) {
		w = &c.words[k]
	}
	if on {
		*w |= 1 << (i & 63)
	} else {
		*w &^= 1 << (i & 63)
	}
}

// turnPlain reports whether the column should turn plain (see Amounts).
func (c *Amounts) turnPlain() bool {
	return !c.isPlain && c.n >= amountsPlainFrom && len(c.whole) > int(c.n)/amountsPlainShare
}

// setAt makes row i hold amount x, its quantity and price being count and
// price from now on. It writes in place (see Amounts).
func (c *Amounts) setAt(i uint32, x claims.Money, count float64, price claims.Price) {
	if c.isPlain {
		c.plain.Set(i, x)
		return
	}
	a, ok := lineAmount(count, price)
	keep := !ok || a != x
	k := findWide(c.whole, i)
	was := c.kept(i)
	switch {
	case keep && was:
		c.whole[k].v = int64(x)
	case keep:
		c.whole = append(c.whole, wideValue{})
		copy(c.whole[k+1:], c.whole[k:])
		c.whole[k] = wideValue{row: i, v: int64(x)}
	case was:
		c.whole = append(c.whole[:k], c.whole[k+1:]...)
	}
	c.setBit(i, keep)
}

// keep moves row i to row w (w ≤ i, rows taken in order, as FeeTable.Keep
// does), collecting the amounts kept whole of the rows kept into into.
func (c *Amounts) keep(w, i int, into *[]wideValue) {
	if c.isPlain {
		c.plain.keep(w, i, into)
		return
	}
	was := c.kept(uint32(i))
	c.setBit(uint32(w), was)
	if was {
		*into = append(*into, wideValue{row: uint32(w), v: c.whole[findWide(c.whole, uint32(i))].v})
	}
}

// truncate keeps the first n rows, whose amounts kept whole are whole.
func (c *Amounts) truncate(n int, whole []wideValue) {
	if c.isPlain {
		c.plain.truncate(n, whole)
		return
	}
	k := n >> 6
	if k < len(c.words) {
		c.tail = c.words[k]
		c.words = c.words[:k]
	}
	c.tail &= 1<<(uint(n)&63) - 1
	c.n, c.whole = uint32(n), whole
}

// reset empties the column, keeping its memory; a plain column turns
// back to bits.
func (c *Amounts) reset() {
	c.plain.reset()
	*c = Amounts{words: c.words[:0], whole: c.whole[:0], plain: c.plain}
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Amounts) snapshot() Amounts {
	s := *c
	s.words, s.whole = capped(c.words), capped(c.whole)
	s.plain = c.plain.snapshot()
	return s
}

// trim gives back the room reserved beyond the rows (Tables.Trim).
func (c *Amounts) trim() {
	c.words, c.whole = trimmed(c.words), trimmed(c.whole)
	c.plain.trim()
}

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Amounts) bytes() (used, reserved int64) {
	wu, wr := size(c.words)
	vu, vr := size(c.whole)
	pu, pr := c.plain.bytes()
	return wu + vu + pu, wr + vr + pr
}

// Kept returns how many rows keep their amount whole (0 once the column
// is plain).
func (c *Amounts) Kept() int { return len(c.whole) }

// Plain reports whether the column has turned plain.
func (c *Amounts) Plain() bool { return c.isPlain }

// AmountAt returns the amount of fee line i. A row whose bit is clear has
// a whole quantity and a price within lineAmount's bounds (its amount was
// computed from them when it was appended or set, and only SetAmountCount
// changes them), so the product needs no check.
func (f *FeeTable) AmountAt(i uint32) claims.Money {
	c, p := f.Count.vals[i], f.Price.vals[i]
	if c >= narrowMin && p >= narrowMin && !f.Amount.isPlain && !f.Amount.kept(i) {
		return toFen(int64(c) * (int64(f.Price.base) + int64(p)))
	}
	return f.amountAt(i)
}

// amountAt is AmountAt for a row kept whole or whose quantity or price is
// kept whole in its own column, apart so that AmountAt stays small.
//
//go:noinline
func (f *FeeTable) amountAt(i uint32) claims.Money {
	if f.Amount.isPlain {
		return f.Amount.plain.At(i)
	}
	if f.Amount.kept(i) {
		return f.Amount.wholeAt(i)
	}
	return toFen(int64(f.Count.At(i)) * int64(f.Price.At(i)))
}

// SetAmountCount changes the amount and the quantity of fee line i (ingest
// nets a refund into the charge it reverses). It writes in place, so it is
// only for tables not yet shared.
func (f *FeeTable) SetAmountCount(i uint32, amount claims.Money, count float64) {
	f.Count.Set(i, count)
	f.Amount.setAt(i, amount, count, f.Price.At(i))
}

// appendAmount appends amount x to the amounts of the fee line whose
// quantity and price were just appended, turning the column plain when
// its amounts are mostly not their products (see Amounts).
func (f *FeeTable) appendAmount(x claims.Money) {
	i := uint32(f.Amount.Len())
	f.Amount.append(x, f.Count.At(i), f.Price.At(i))
	if !f.Amount.turnPlain() {
		return
	}
	n := uint32(f.Amount.Len())
	plain := f.Amount.plain // its memory, if it had turned plain before a reset
	if cap(plain.vals) < int(n) {
		plain = NewMoney[claims.Money](int(n) + int(n)/4)
	}
	plain.reset()
	for r := range n {
		plain.Append(f.AmountAt(r))
	}
	f.Amount = Amounts{plain: plain, isPlain: true}
}
