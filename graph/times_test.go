package graph

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// TestTimes checks that every time comes back as it was appended, those
// out of the four-byte range and absent ones too, through a snapshot and
// FeeTable.Keep's compaction.
func TestTimes(t *testing.T) {
	last := timeBase + claims.Time(timeWide) - 1 // the last time kept in four bytes
	times := []claims.Time{
		timeBase, timeBase + 1, 1_767_225_600, claims.NoTime, last, last + 1,
		timeBase - 1, -2_208_988_800, 0, 1 << 40, 1_767_225_601, claims.NoTime,
	}
	var c Times
	for _, tm := range times {
		c.Append(tm)
	}
	if c.Len() != len(times) {
		t.Fatalf("Len = %d, want %d", c.Len(), len(times))
	}
	if len(c.wide) != 5 {
		t.Errorf("%d times kept wide, want 5 (last+1, before 2000 twice, 0, 1<<40)", len(c.wide))
	}
	for i, want := range times {
		if got := c.At(uint32(i)); got != want {
			t.Errorf("At(%d) = %d, want %d", i, got, want)
		}
	}
	snap := c.snapshot()
	c.Append(timeBase - 5)
	c.Append(timeBase + 5)
	for i, want := range times {
		if got := snap.At(uint32(i)); got != want {
			t.Errorf("snapshot At(%d) = %d, want %d", i, got, want)
		}
	}
	if snap.Len() != len(times) {
		t.Errorf("snapshot Len = %d", snap.Len())
	}

	// Keep every row but those at 1, 5 and 8: wide rows before and after
	// the first removal (kept in place, then moved).
	times = append(times, timeBase-5, timeBase+5)
	f := FeeTable{Time: c}
	f.Visit = make([]uint32, len(times))
	for _, col := range []*[]uint32{&f.Sn, &f.Item, &f.Doctor, &f.Trace, &f.Line} {
		*col = make([]uint32, len(times))
	}
	f.Count, f.Price, f.Amount = make([]float64, len(times)), make([]claims.Price, len(times)), make([]claims.Money, len(times))
	f.SupplyDays = make([]int32, len(times))
	drop := map[int]bool{1: true, 5: true, 8: true}
	n := f.Keep(func(row int) bool { return !drop[row] })
	var want []claims.Time
	for i, tm := range times {
		if !drop[i] {
			want = append(want, tm)
		}
	}
	if n != len(want) || f.Time.Len() != n {
		t.Fatalf("Keep kept %d rows (column %d), want %d", n, f.Time.Len(), len(want))
	}
	for i, w := range want {
		if got := f.Time.At(uint32(i)); got != w {
			t.Errorf("after Keep, At(%d) = %d, want %d", i, got, w)
		}
	}
	f.Time.reset()
	f.Time.Append(1)
	if f.Time.Len() != 1 || f.Time.At(0) != 1 {
		t.Errorf("after reset: %d rows, %d", f.Time.Len(), f.Time.At(0))
	}
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
