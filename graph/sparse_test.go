package graph

import (
	"fmt"
	"slices"
	"testing"
)

// TestSparse appends columns of every density, with lengths at and around
// word boundaries, and reads every row back by At and All; then through a
// snapshot, FeeTable.Keep's compaction and a reset.
func TestSparse(t *testing.T) {
	type row struct{ row, v uint32 }
	for _, n := range []int{0, 1, 63, 64, 65, 128, 200} {
		for _, every := range []int{0, 1, 3, 64} { // a value on every every-th row; 0: none
			t.Run(fmt.Sprint(n, "-rows-every-", every), func(t *testing.T) {
				values := make([]uint32, n)
				for i := range values {
					values[i] = None
					if every > 0 && i%every == every-1 {
						values[i] = uint32(i * 7)
					}
				}
				check := func(what string, c *Sparse, want []uint32) {
					t.Helper()
					checkRows(t, what, c, want)
					var present []row
					for i, w := range want {
						if w != None {
							present = append(present, row{uint32(i), w})
						}
					}
					var all []row
					for r, v := range c.All() {
						all = append(all, row{r, v})
					}
					if !slices.Equal(all, present) {
						t.Errorf("%s: All = %v, want %v", what, all, present)
					}
					if c.Present() != len(present) {
						t.Errorf("%s: Present = %d, want %d", what, c.Present(), len(present))
					}
				}
				c := NewSparse(0, 0, None)
				for _, v := range values {
					c.Append(v)
				}
				check("appended", &c, values)
				snap := c.snapshot()
				for i := range 70 {
					c.Append(uint32(i))
				}
				check("snapshot", &snap, values)

				keepAndReset(t, values, func(row int) bool { return row%5 == 2 }, 9,
					func(f *FeeTable) *Sparse { f.Trace = snap; return &f.Trace }, check)
			})
		}
	}
}

// BenchmarkSparseAt reads the trace codes of 1M fee lines, one in eight
// with a code, at random.
func BenchmarkSparseAt(b *testing.B) {
	c := NewSparse(1<<20, 1<<17, None)
	for i := range 1 << 20 {
		v := None
		if i%8 == 3 {
			v = uint32(i)
		}
		c.Append(v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sum uint32
	for i := 0; i < b.N; i++ {
		sum += c.At(uint32(i*7919) & (1<<20 - 1))
	}
	if sum == 0 {
		b.Fatal("no values")
	}
}
