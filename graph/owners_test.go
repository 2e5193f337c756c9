package graph

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// setOwner changes the owner of row i of c to v, rebuilding the column
// (Owners has no Set: tests put rows out of range with it).
func setOwner(c *Owners, i int, v uint32) {
	rows := ownerRows(c)
	rows[i] = v
	*c = OwnersOf(rows...)
}

// ownerRows returns the owners of c's rows, read with At.
func ownerRows(c *Owners) []uint32 {
	rows := make([]uint32, c.Len())
	for i := range rows {
		rows[i] = c.At(uint32(i))
	}
	return rows
}

// TestOwners appends owners of several layouts and reads them back with At
// and All, checking the bytes a row the layout costs and that a snapshot
// does not see later appends.
func TestOwners(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	grouped := func(n int) []uint32 { // visits in order, one to nine lines each
		var rows []uint32
		for v := uint32(0); len(rows) < n; v++ {
			for range 1 + rng.IntN(9) {
				rows = append(rows, v)
			}
		}
		return rows[:n]
	}
	cases := []struct {
		name     string
		rows     []uint32
		wide     bool    // widened to four bytes a row
		maxBytes float64 // bytes a row in use at most
	}{
		{"empty", nil, false, 0},
		{"one row", []uint32{7}, false, 5},
		{"grouped in visit order", grouped(10_000), false, 1.05},
		{"a block starting 255 above the row before", func() []uint32 {
			rows := grouped(1000)
			for i := 256; i < len(rows); i++ {
				rows[i] += 255 - rows[256] + rows[255]
			}
			return rows
		}(), false, 1.05},
		{"large owners", func() []uint32 {
			rows := grouped(3000)
			for i := range rows {
				rows[i] += 4_000_000_000
			}
			return rows
		}(), false, 1.05},
		{"256 visits without fee lines", func() []uint32 {
			rows := grouped(1000)
			for i := 300; i < len(rows); i++ {
				rows[i] += 256
			}
			return rows
		}(), true, 4},
		{"one row out of order", func() []uint32 {
			rows := grouped(1000)
			rows[700] = 0
			return rows
		}(), true, 4},
		{"random", func() []uint32 {
			rows := make([]uint32, 5000)
			for i := range rows {
				rows[i] = rng.Uint32()
			}
			return rows
		}(), true, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewOwners(0)
			var snap Owners
			for i, v := range tc.rows {
				if i == len(tc.rows)/2 {
					snap = c.snapshot()
				}
				c.Append(v)
			}
			if c.Len() != len(tc.rows) || (c.full != nil) != tc.wide {
				t.Fatalf("len %d widened %v; want %d, %v", c.Len(), c.full != nil, len(tc.rows), tc.wide)
			}
			if got := ownerRows(&c); !slices.Equal(got, tc.rows) && len(tc.rows) > 0 {
				t.Fatalf("At differs from the rows appended")
			}
			i := 0
			for r, v := range c.All() {
				if int(r) != i || v != tc.rows[i] {
					t.Fatalf("All: row %d owner %d, want row %d owner %d", r, v, i, tc.rows[i])
				}
				i++
			}
			if i != len(tc.rows) {
				t.Fatalf("All yielded %d rows of %d", i, len(tc.rows))
			}
			if got := ownerRows(&snap); !slices.Equal(got, tc.rows[:snap.Len()]) || snap.Len() != len(tc.rows)/2 {
				t.Errorf("snapshot of %d rows changed by later appends", snap.Len())
			}
			c.trim()
			if used, _ := c.bytes(); len(tc.rows) > 0 && float64(used)/float64(len(tc.rows)) > tc.maxBytes {
				t.Errorf("%.2f bytes a row, want at most %.2f", float64(used)/float64(len(tc.rows)), tc.maxBytes)
			}
			c.reset()
			c.Append(3)
			if c.Len() != 1 || c.At(0) != 3 {
				t.Errorf("after reset: len %d, row 0 %d", c.Len(), c.At(0))
			}
		})
	}
}

// TestOwnersKeep compacts a fee table whose visits are grouped and checks
// the owners of the rows kept.
func TestOwnersKeep(t *testing.T) {
	f := blankFees(0)
	var want []uint32
	for i := range 2000 {
		f.Visit.Append(uint32(i / 3))
		f.Doctor.Append(None, None)
		f.Sn.Append(0)
		f.Item.Append(0)
		f.SupplyDays.Append(0)
		f.Count.Append(0)
		f.Price.Append(0)
		f.Amount.append(0, 0, 0)
		f.Time.Append(0)
		f.Trace.Append(None)
		f.Line.Append(uint32(i))
		if i%7 != 0 {
			want = append(want, uint32(i/3))
		}
	}
	if n := f.Keep(func(i int) bool { return i%7 != 0 }); n != len(want) {
		t.Fatalf("kept %d, want %d", n, len(want))
	}
	if got := ownerRows(&f.Visit); !slices.Equal(got, want) || f.Visit.full != nil {
		t.Errorf("owners after Keep differ (widened %v)", f.Visit.full != nil)
	}
}

// BenchmarkOwnersAt reads the owner of every row of a grouped column.
func BenchmarkOwnersAt(b *testing.B) {
	c := NewOwners(0)
	for i := range 1 << 20 {
		c.Append(uint32(i / 3))
	}
	b.ResetTimer()
	var sum uint32
	for b.Loop() {
		for i := range uint32(c.Len()) {
			sum += c.At(i)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.Len()), "ns/row")
	_ = sum
}
