package graph

import (
	"slices"
	"testing"
)

// TestDays appends day counts of several spreads and reads them back, also
// from a snapshot, checking the bytes a row each layout costs.
func TestDays(t *testing.T) {
	spread := func(n int, f func(i int) int32) []int32 {
		out := make([]int32, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	cases := []struct {
		name     string
		days     []int32
		widened  bool
		maxBytes float64 // bytes a row in use at most
	}{
		{"empty", nil, false, 0},
		{"a byte each", spread(1000, func(i int) int32 { return int32(i % 255) }), false, 1},
		{"a few negative or long", spread(1000, func(i int) int32 {
			switch i {
			case 10:
				return -3
			case 20:
				return 255
			case 30:
				return 100_000
			}
			return 7
		}), false, 1.05},
		{"long supplies throughout", spread(1000, func(i int) int32 { return 300 + int32(i) }), true, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewDays(0)
			var snap Days
			for i, d := range tc.days {
				if i == len(tc.days)/2 {
					snap = c.snapshot()
				}
				c.Append(d)
			}
			read := func(c *Days) []int32 {
				out := make([]int32, c.Len())
				for i := range out {
					out[i] = c.At(uint32(i))
				}
				return out
			}
			if got := read(&c); !slices.Equal(got, tc.days) && len(tc.days) > 0 || c.widened != tc.widened {
				t.Fatalf("read back %v (widened %v), want %v (%v)", got, c.widened, tc.days, tc.widened)
			}
			if got := read(&snap); !slices.Equal(got, tc.days[:len(tc.days)/2]) {
				t.Errorf("snapshot changed by later appends")
			}
			c.trim()
			if used, _ := c.bytes(); len(tc.days) > 0 && float64(used)/float64(len(tc.days)) > tc.maxBytes {
				t.Errorf("%.2f bytes a row, want at most %.2f", float64(used)/float64(len(tc.days)), tc.maxBytes)
			}
		})
	}
}
