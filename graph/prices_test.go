package graph

import (
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// TestPrices checks that every price of a Prices column comes back as it
// was appended, in two bytes a row while the column has fewer than 65,534
// distinct prices and in four once it has more; through a snapshot (which
// later appends leave unchanged), FeeTable.Keep's compaction, a dropped
// index and Reset.
func TestPrices(t *testing.T) {
	values := []claims.Price{1250, 0, -3, math.MaxInt64, math.MinInt64, 1250, 7, 0, 1 << 40, 7}
	c := NewPrices(0)
	for _, v := range values {
		c.Append(v)
	}
	check := func(what string, c *Prices, want []claims.Price) { t.Helper(); checkRows(t, what, c, want) }
	check("appended", &c, values)
	if c.Distinct() != 7 {
		t.Errorf("%d distinct prices, want 7", c.Distinct())
	}
	if used, _ := c.bytes(); used != int64(2*len(values)+8*7+priceIndexEntryBytes*7) {
		t.Errorf("%d bytes in use, want two a row, the dictionary and its index", used)
	}
	snap := c.snapshot()
	c.Append(99) // new price
	c.Append(1250)
	check("snapshot", &snap, values)
	snap.Append(5) // a snapshot that appends builds an index of its own
	check("snapshot appended", &snap, append(append([]claims.Price{}, values...), 5))
	check("after the snapshot", &c, append(append([]claims.Price{}, values...), 99, 1250))

	c.dropIndex()
	c.Append(7)
	c.Append(42)
	if c.Distinct() != 9 {
		t.Errorf("after the index was dropped: %d distinct prices, want 9 (7 known, 42 new)", c.Distinct())
	}

	// Compaction, as FeeTable.Keep does it: every other row.
	f := NewFeeTable(0)
	for i := range 12 {
		f.Visit.Append(0)
		f.Sn.Append(0)
		f.Item.Append(0)
		f.Count.Append(1)
		f.Price.Append(claims.Price(i % 5))
		f.appendAmount(claims.Money(i % 5))
		f.Time.Append(0)
		f.Doctor.Append(None, None)
		f.SupplyDays.Append(0)
		f.Trace.Append(None)
		f.Line.Append(uint32(i))
	}
	f.Keep(func(row int) bool { return row%2 == 0 })
	check("kept", &f.Price, []claims.Price{0, 2, 4, 1, 3, 0})

	// Past 65,533 distinct prices the codes widen and keep every price.
	w := NewPrices(0)
	const n = 70_000
	for i := range n {
		w.Append(claims.Price(i * 3))
	}
	if !w.codes.widened {
		t.Error("70,000 distinct prices in two bytes a row")
	}
	for _, i := range []uint32{0, 65_532, 65_533, 65_534, n - 1} {
		if got := w.At(i); got != claims.Price(i*3) {
			t.Errorf("widened: At(%d) = %d, want %d", i, got, i*3)
		}
	}

	w.reset()
	w.Append(8)
	check("reset", &w, []claims.Price{8})
}
