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
// The bits are a rowBits, as Sparse's, so that a capped copy of the column
// is a snapshot that shares no memory an append writes; setAt writes in
// place and is for tables not yet shared (ingest nets a refund into the
// charge it reverses).
type Amounts struct {
	rowBits             // set for the rows whose amount is kept whole
	whole   []wideValue // the amounts kept whole, by row
	// plain holds every amount once the column has turned plain (isPlain);
	// the bits and whole are then empty.
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
func NewAmounts(n int) Amounts { return Amounts{rowBits: rowBits{words: make([]uint64, 0, n/64)}} }

// Len returns the number of rows.
func (c *Amounts) Len() int {
	if c.isPlain {
		return c.plain.Len()
	}
	return int(c.n)
}

// kept reports whether row i keeps its amount whole (always false once the
// column is plain: see AmountAt).
func (c *Amounts) kept(i uint32) bool { return c.get(i) }

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
	a, ok := lineAmount(count, price)
	keep := !ok || a != x
	if keep {
		c.whole = append(c.whole, wideValue{row: c.n, v: int64(x)})
	}
	c.push(keep)
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
	c.whole = setWide(c.whole, i, c.kept(i), keep, int64(x))
	c.set(i, keep)
}

// keep moves row i to row w (w ≤ i, rows taken in order, as FeeTable.Keep
// does), collecting the amounts kept whole of the rows kept into into.
func (c *Amounts) keep(w, i int, into *[]wideValue) {
	if c.isPlain {
		c.plain.keep(w, i, into)
		return
	}
	was := c.kept(uint32(i))
	c.set(uint32(w), was)
	if was {
		keepWide(into, c.whole, w, i)
	}
}

// truncate keeps the first n rows, whose amounts kept whole are whole.
func (c *Amounts) truncate(n int, whole []wideValue) {
	if c.isPlain {
		c.plain.truncate(n, whole)
		return
	}
	c.rowBits.truncate(n)
	c.whole = whole
}

// reset empties the column, keeping its memory; a plain column turns
// back to bits.
func (c *Amounts) reset() {
	c.plain.reset()
	c.rowBits.reset()
	*c = Amounts{rowBits: c.rowBits, whole: c.whole[:0], plain: c.plain}
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Amounts) snapshot() Amounts {
	s := *c
	s.rowBits, s.whole = c.rowBits.snapshot(), capped(c.whole)
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
	if c, p := f.Count.vals[i], &f.Price.codes; c >= countMin && !p.widened && !f.Amount.isPlain && !f.Amount.kept(i) {
		if k := p.narrow[i]; k < smallWide { // Prices.At, here so that it is inlined
			return toFen(int64(c) * int64(f.Price.dict[k]))
		}
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
