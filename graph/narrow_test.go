package graph

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// TestNarrow checks that every value of a compact column comes back as
// it was appended: at both ends of the range a row holds and just beyond,
// absent times, values whose distance from the base overflows, quantities
// that are not whole numbers, through a snapshot, Set (narrow to wide,
// wide to narrow, wide to wide) and FeeTable.Keep's compaction.
func TestNarrow(t *testing.T) {
	first, last := timesBase+claims.Time(narrowMin), timesBase+math.MaxInt32 // the first and last times kept in four bytes
	t.Run("times", func(t *testing.T) {
		c := NewTimes(0)
		testNarrow(t, &c, []claims.Time{
			first, first + 1, 1_767_225_600, claims.NoTime, last, last + 1,
			first - 1, -2_208_988_800, 0, math.MaxInt64, 1_767_225_601, claims.NoTime,
		}, 5, func(f *FeeTable) narrowTested[claims.Time] { f.Time = c; return &f.Time })
	})
	t.Run("amounts", func(t *testing.T) {
		c := NewMoney[claims.Money](0)
		testNarrow(t, &c, []claims.Money{
			0, -1, math.MaxInt32, math.MaxInt32 + 1, claims.Money(narrowMin), claims.Money(narrowMin) - 1,
			1250, math.MinInt64 + 1, -250, math.MaxInt64, 99, math.MinInt64,
		}, 4, nil) // visit amounts: no FeeTable.Keep
	})
	t.Run("prices", func(t *testing.T) {
		c := NewMoney[claims.Price](0)
		testNarrow(t, &c, []claims.Price{
			12_500_000, 2_147_483_647, 2_147_483_648, 4_200_000_000, -3, 1, 0, 7, 1 << 40, 5, 6, 8,
		}, 3, nil) // fee lines keep prices in a Prices column (TestPrices)
	})
	t.Run("far base", func(t *testing.T) { // x - base overflows into the four-byte range, and the sum back
		c := NewNarrow[claims.Money](0, math.MaxInt64, 0)
		values := []claims.Money{math.MinInt64, math.MaxInt64 - 5, math.MinInt64 + 3, 0}
		for _, v := range values {
			c.Append(v)
		}
		for i, want := range values {
			if got := c.At(uint32(i)); got != want {
				t.Errorf("At(%d) = %d, want %d", i, got, want)
			}
		}
	})
	t.Run("counts", func(t *testing.T) {
		c := NewCounts(0)
		testNarrow(t, &c, []float64{
			1, 2.5, math.MaxInt16, math.MaxInt16 + 1, float64(countMin), float64(countMin) - 1,
			-3, math.Copysign(0, -1), 0, math.Inf(1), 1e-9, 30,
		}, 6, func(f *FeeTable) narrowTested[float64] { f.Count = c; return &f.Count })
	})
}

// narrowTested is what testNarrow uses of a compact column.
type narrowTested[V any] interface {
	Len() int
	At(i uint32) V
	Append(x V)
	Set(i uint32, x V)
	wideRows() []wideValue
	reset()
	snapshotOf() narrowTested[V]
}

func (c *Narrow[T]) wideRows() []wideValue { return c.wide }
func (c *Counts) wideRows() []wideValue    { return c.wide }
func (c *Narrow[T]) snapshotOf() narrowTested[T] {
	s := c.snapshot()
	return &s
}
func (c *Counts) snapshotOf() narrowTested[float64] {
	s := c.snapshot()
	return &s
}

// same reports whether a and b are the same value (bit for bit, for
// quantities: -0 is not 0).
func same[V any](a, b V) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

// testNarrow appends values (12 of them, wantWide kept in wide) to c and
// checks them as TestNarrow says; into puts c into a FeeTable as its
// column and returns that column (nil: a column of the visits, which
// FeeTable.Keep does not compact).
func testNarrow[V any](t *testing.T, c narrowTested[V], values []V, wantWide int, into func(*FeeTable) narrowTested[V]) {
	t.Helper()
	check := func(what string, c narrowTested[V], want []V) {
		t.Helper()
		if c.Len() != len(want) {
			t.Fatalf("%s: Len = %d, want %d", what, c.Len(), len(want))
		}
		for i, w := range want {
			if got := c.At(uint32(i)); !same(got, w) {
				t.Errorf("%s: At(%d) = %#v, want %#v", what, i, got, w)
			}
		}
	}
	for _, v := range values {
		c.Append(v)
	}
	if len(c.wideRows()) != wantWide {
		t.Errorf("%d values kept wide, want %d", len(c.wideRows()), wantWide)
	}
	check("appended", c, values)
	snap := c.snapshotOf()
	c.Append(values[5])
	c.Append(values[0])
	check("snapshot", snap, values)

	// Set: a narrow row made wide and back, a wide row given another wide
	// value and made narrow, the wide list kept sorted.
	values = append(values, values[5], values[0])
	for _, set := range [][2]int{{0, 5}, {2, 9}, {5, 0}, {9, 2}, {1, 5}, {1, 1}} {
		c.Set(uint32(set[0]), values[set[1]])
		values[set[0]] = values[set[1]]
		check(fmt.Sprintf("Set(%d)", set[0]), c, values)
	}
	if !slices.IsSortedFunc(c.wideRows(), func(a, b wideValue) int { return int(a.row) - int(b.row) }) {
		t.Errorf("wide rows out of order after Set: %v", c.wideRows())
	}

	// Keep every row but those at 1, 5 and 8: wide rows before and after
	// the first removal (kept in place, then moved).
	if into == nil {
		return
	}
	drop := map[int]bool{1: true, 5: true, 8: true}
	keepAndReset(t, values, func(row int) bool { return drop[row] }, values[3], into, check)
}

// BenchmarkTimesAt reads the times of 1M fee lines in order, as the rules
// do (the column is half the bytes of a []claims.Time).
func BenchmarkTimesAt(b *testing.B) {
	var c Times
	for i := range 1 << 20 {
		c.Append(1_735_660_800 + claims.Time(i*37))
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sum claims.Time
	for i := 0; i < b.N; i++ {
		sum += c.At(uint32(i & (1<<20 - 1)))
	}
	if sum == 0 {
		b.Fatal("no times")
	}
}

// blankFees returns a fee table of n rows of zeros (no time, no trace
// code), for tests to put a column of their own in and compact.
func blankFees(n int) FeeTable {
	f := NewFeeTable(n)
	f.Visit = OwnersOf(make([]uint32, n)...)
	for range n {
		f.Doctor.Append(None, None)
		f.Sn.Append(0)
		f.Item.Append(0)
		f.SupplyDays.Append(0)
		f.Count.Append(0)
		f.Time.Append(claims.NoTime)
		f.Price.Append(0)
		f.Amount.append(0, 0, 0)
		f.Trace.Append(None)
		f.Line.Append(0)
	}
	return f
}

// keepAndReset puts values into a blank fee table of as many rows, in the
// column put sets and returns, removes the rows drop reports with
// FeeTable.Keep and checks the rest; then resets the column, appends last
// and checks it.
func keepAndReset[V any, C interface {
	reset()
	Append(V)
}](t *testing.T, values []V, drop func(row int) bool, last V, put func(*FeeTable) C, check func(what string, c C, want []V)) {
	t.Helper()
	f := blankFees(len(values))
	col := put(&f)
	var want []V
	for i, v := range values {
		if !drop(i) {
			want = append(want, v)
		}
	}
	if n := f.Keep(func(row int) bool { return !drop(row) }); n != len(want) {
		t.Fatalf("Keep kept %d rows, want %d", n, len(want))
	}
	check("after Keep", col, want)
	col.reset()
	col.Append(last)
	check("after reset", col, []V{last})
}

// checkRows fails unless column c holds exactly the rows want.
func checkRows[V comparable](t *testing.T, what string, c interface {
	Len() int
	At(i uint32) V
}, want []V) {
	t.Helper()
	if c.Len() != len(want) {
		t.Fatalf("%s: Len = %d, want %d", what, c.Len(), len(want))
	}
	for i, w := range want {
		if got := c.At(uint32(i)); got != w {
			t.Errorf("%s: At(%d) = %v, want %v", what, i, got, w)
		}
	}
}
