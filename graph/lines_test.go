package graph

import (
	"math"
	"testing"
)

// TestLines appends line sequences and reads every row back: rows in
// order, rejected rows between them, records over several lines, rows
// without a line, lines falling (a second file) and steps too wide for a
// run; then through a snapshot, FeeTable.Keep's compaction and a reset.
func TestLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []uint32
		runs  int
	}{
		{"in order", []uint32{2, 3, 4, 5, 6}, 1},
		{"a rejected row", []uint32{2, 3, 5, 6, 7}, 2},
		{"multi-line records", []uint32{2, 4, 6, 7, 8}, 2},
		{"no line (posted claims)", []uint32{0, 0, 0, 0}, 1},
		{"after a posted claim", []uint32{2, 3, 0, 0, 4}, 3},
		{"falling: a second file", []uint32{7, 8, 9, 2, 3}, 2},
		{"one row", []uint32{9}, 1},
		{"wide steps", []uint32{0, math.MaxUint32, 0, math.MaxUint32 - 1, 1}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Lines
			for _, l := range tc.lines {
				c.Append(l)
			}
			check := func(what string, c *Lines, want []uint32) { checkRows(t, what, c, want) }
			check("appended", &c, tc.lines)
			if len(c.runs)+1 != tc.runs {
				t.Errorf("%d runs, want %d", len(c.runs)+1, tc.runs)
			}
			snap := c.snapshot()
			c.Append(tc.lines[len(tc.lines)-1] + 1)
			c.Append(1)
			check("snapshot", &snap, tc.lines)
			all := append(append([]uint32{}, tc.lines...), tc.lines[len(tc.lines)-1]+1, 1)
			check("after appends", &c, all)

			keepAndReset(t, all, func(row int) bool { return row%3 == 1 }, 4,
				func(f *FeeTable) *Lines { f.Line = c; return &f.Line }, check)
		})
	}
}

// BenchmarkLinesAt reads the lines of 1M rows with a rejected row in every
// thousand, at random, as rule hits cite them.
func BenchmarkLinesAt(b *testing.B) {
	var c Lines
	line := uint32(1)
	for i := range 1 << 20 {
		line++
		if i%1000 == 999 {
			line++
		}
		c.Append(line)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sum uint32
	for i := 0; i < b.N; i++ {
		sum += c.At(uint32(i*7919) & (1<<20 - 1))
	}
	if sum == 0 {
		b.Fatal("no lines")
	}
}
