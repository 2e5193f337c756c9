package graph

import (
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestLineAmount(t *testing.T) {
	for _, tc := range []struct {
		count float64
		price claims.Price
		want  claims.Money
		ok    bool
	}{
		{1, 30_000000, 3000, true},
		{9, 505000, 455, true},     // 4.545 yuan: half away from zero
		{15, 255000, 383, true},    // 3.825
		{-9, 505000, -455, true},   // a refund line
		{7, 975000, 683, true},     // 6.825
		{3, 333333, 100, true},     // 0.999999
		{2, 4999, 1, true},         // 0.009998
		{1, 4999, 0, true},         // 0.004999
		{0, 880_000000, 0, true},   // nothing billed
		{0.5, 10_000000, 0, false}, // a fraction: kept whole
		{2e6, 1_000000, 0, false},  // beyond maxPredictedCount
		{1, 2e12, 0, false},        // beyond maxPredictedPrice
		{math.Inf(1), 1, 0, false},
		{math.NaN(), 1, 0, false},
	} {
		got, ok := lineAmount(tc.count, tc.price)
		if got != tc.want || ok != tc.ok {
			t.Errorf("lineAmount(%v, %d) = %d, %v; want %d, %v", tc.count, tc.price, got, ok, tc.want, tc.ok)
		}
	}
}

// TestAmounts appends fee lines whose amounts are and are not their
// quantity times their price, and reads them back through a snapshot,
// SetAmountCount (computed to kept and back) and FeeTable.Keep.
func TestAmounts(t *testing.T) {
	type line struct {
		count  float64
		price  claims.Price
		amount claims.Money
		kept   bool
	}
	lines := []line{
		{1, 30_000000, 3000, false},
		{9, 505000, 454, true}, // rounded the other way by the source
		{2, 12_500000, 2500, false},
		{0.5, 10_000000, 500, true},
		{1, 880_000000, 25000, true}, // billed below the price
		{3, 1_000000, 300, false},
		{1, 1, math.MaxInt64, true},
	}
	for i := range 70 { // past a word of 64 rows
		lines = append(lines, line{float64(i%5 + 1), claims.Price(i) * 10000, claims.Money(i * (i%5 + 1)), false})
	}
	lines = append(lines, line{2, 1_000000, 7, true})
	f := blankFees(0)
	f.Visit = NewOwners(0)
	for _, l := range lines {
		f.Visit.Append(0)
		f.Count.Append(l.count)
		f.Price.Append(l.price)
		f.Amount.append(l.amount, l.count, l.price)
	}
	check := func(what string, f *FeeTable, want []line) {
		t.Helper()
		if f.Amount.Len() != len(want) {
			t.Fatalf("%s: Len = %d, want %d", what, f.Amount.Len(), len(want))
		}
		kept := 0
		for i, l := range want {
			if got := f.AmountAt(uint32(i)); got != l.amount {
				t.Errorf("%s: AmountAt(%d) = %d, want %d", what, i, got, l.amount)
			}
			if f.Amount.kept(uint32(i)) != l.kept {
				t.Errorf("%s: row %d kept whole %v, want %v", what, i, f.Amount.kept(uint32(i)), l.kept)
			}
			if l.kept {
				kept++
			}
		}
		if f.Amount.Kept() != kept {
			t.Errorf("%s: %d amounts kept whole, want %d", what, f.Amount.Kept(), kept)
		}
	}
	add := func(l line) {
		f.Visit.Append(0)
		f.Count.Append(l.count)
		f.Price.Append(l.price)
		f.Amount.append(l.amount, l.count, l.price)
	}
	check("appended", &f, lines)
	snap := FeeTable{Count: f.Count.snapshot(), Price: f.Price.snapshot(), Amount: f.Amount.snapshot()}
	more := []line{{1, 7_000000, 700, false}, {1, 7_000000, 1, true}}
	for _, l := range more {
		add(l)
	}
	check("snapshot", &snap, lines)
	lines = append(lines, more...)
	check("appended after the snapshot", &f, lines)
	// Net a refund into line 0 (to an amount the product gives), line 2
	// (to one it does not), and line 1 (kept, to one it gives).
	for _, set := range []struct {
		row    int
		amount claims.Money
		count  float64
		kept   bool
	}{{0, 0, 0, false}, {2, 1000, 1, true}, {1, 0, 0, false}, {2, 1250, 1, false}, {5, 150, 1, true}} {
		f.SetAmountCount(uint32(set.row), set.amount, set.count)
		lines[set.row].amount, lines[set.row].count, lines[set.row].kept = set.amount, set.count, set.kept
	}
	check("after SetAmountCount", &f, lines)
	drop := map[int]bool{1: true, 3: true, 50: true, 70: true}
	var want []line
	for i, l := range lines {
		if !drop[i] {
			want = append(want, l)
		}
	}
	blankOthers(&f, len(lines))
	if n := f.Keep(func(row int) bool { return !drop[row] }); n != len(want) {
		t.Fatalf("Keep kept %d rows, want %d", n, len(want))
	}
	check("after Keep", &f, want)
	f.Amount.reset()
	if f.Amount.Len() != 0 || f.Amount.Kept() != 0 {
		t.Fatal("reset left rows")
	}
}

// blankOthers gives the columns of f other than Visit, Count, Price and
// Amount n blank rows, so that FeeTable.Keep can compact it.
func blankOthers(f *FeeTable, n int) {
	f.Doctor, f.Sn, f.Item, f.SupplyDays = NewFeeDoctors(0), NewSmall(0), NewSmall(0), NewDays(0)
	f.Time, f.Trace, f.Line = NewTimes(0), NewSparse(0, 0, None), Lines{}
	for range n {
		f.Doctor.Append(None, None)
		f.Sn.Append(0)
		f.Item.Append(0)
		f.SupplyDays.Append(0)
		f.Time.Append(claims.NoTime)
		f.Trace.Append(None)
		f.Line.Append(0)
	}
}

// BenchmarkAmountAt reads the amounts of 1M fee lines in order, as the
// rules do: each computed from the line's quantity and price.
func BenchmarkAmountAt(b *testing.B) {
	f := NewFeeTable(1 << 20)
	for i := range 1 << 20 {
		c, p := float64(i%7+1), claims.Price(i%4000+1)*10000
		f.Count.Append(c)
		f.Price.Append(p)
		a, _ := lineAmount(c, p)
		f.Amount.append(a, c, p)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sum claims.Money
	for i := 0; i < b.N; i++ {
		sum += f.AmountAt(uint32(i & (1<<20 - 1)))
	}
	if sum == 0 {
		b.Fatal("no amounts")
	}
}

// TestAmountsPlain appends lines whose amounts are mostly not their
// products: the column turns plain (four bytes a line) once past
// amountsPlainFrom rows, and every amount reads back, through a snapshot,
// SetAmountCount, FeeTable.Keep and a reset.
func TestAmountsPlain(t *testing.T) {
	var tb Tables
	tb.Fees = NewFeeTable(0)
	const n = 3 * amountsPlainFrom
	want := make([]claims.Money, 0, n)
	for i := range n {
		count, price := float64(i%3+1), claims.Price(1_000000+i)
		a, _ := lineAmount(count, price)
		if i%4 != 0 { // a discount on three lines in four
			a -= claims.Money(i%50 + 1)
		}
		tb.Fees.Visit.Append(0)
		tb.Fees.Count.Append(count)
		tb.Fees.Price.Append(price)
		tb.Fees.appendAmount(a)
		want = append(want, a)
		if turned := tb.Fees.Amount.Plain(); turned != (i+1 >= amountsPlainFrom) {
			t.Fatalf("after %d rows, plain %v", i+1, turned)
		}
	}
	f := &tb.Fees
	check := func(what string, f *FeeTable, want []claims.Money) {
		t.Helper()
		if f.Amount.Len() != len(want) {
			t.Fatalf("%s: Len %d, want %d", what, f.Amount.Len(), len(want))
		}
		for i, a := range want {
			if got := f.AmountAt(uint32(i)); got != a {
				t.Fatalf("%s: AmountAt(%d) = %d, want %d", what, i, got, a)
			}
		}
	}
	check("appended", f, want)
	if used, _ := f.Amount.bytes(); used > 4*n+64 {
		t.Errorf("plain column uses %d bytes for %d rows", used, n)
	}
	snap := FeeTable{Count: f.Count.snapshot(), Price: f.Price.snapshot(), Amount: f.Amount.snapshot()}
	f.Count.Append(1)
	f.Price.Append(1_000000)
	f.appendAmount(7)
	check("snapshot", &snap, want)
	want = append(want, 7)
	f.Visit.Append(0)
	f.SetAmountCount(5, 12345, 2)
	want[5] = 12345
	check("after SetAmountCount", f, want)
	blankOthers(f, len(want))
	var kept []claims.Money
	for i, a := range want {
		if i%3 != 1 {
			kept = append(kept, a)
		}
	}
	if got := f.Keep(func(row int) bool { return row%3 != 1 }); got != len(kept) {
		t.Fatalf("Keep kept %d rows, want %d", got, len(kept))
	}
	check("after Keep", f, kept)
	f.Amount.reset()
	if f.Amount.Plain() || f.Amount.Len() != 0 {
		t.Fatal("reset left the column plain or with rows")
	}
}
