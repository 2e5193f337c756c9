package graph

import (
	"fmt"
	"testing"
)

// TestSmall appends values at the edges of the two-byte range, None and
// large values, in columns that stay narrow and in one that widens (a
// large value in every tenth row), and reads every row back: after
// appending, through a snapshot taken before the column widened,
// FeeTable.Keep's compaction and a reset. Days keeps negative counts.
func TestSmall(t *testing.T) {
	edges := []uint32{0, 1, 0xFFFD, 0xFFFE, 0xFFFF, None, 0x10000, None - 1, 7}
	widening := make([]uint32, 2000)
	for i := range widening {
		widening[i] = uint32(i)
		if i%10 == 0 {
			widening[i] = 1_000_000 + uint32(i)
		}
	}
	for _, tc := range []struct {
		name   string
		values []uint32
		wide   bool // widened by the end
	}{
		{"edges", edges, false},
		{"widening", widening, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, c *Small, want []uint32) { checkRows(t, what, c, want) }
			var c Small
			var snap Small
			for i, v := range tc.values {
				if i == 100 {
					snap = c.snapshot()
				}
				c.Append(v)
			}
			check("appended", &c, tc.values)
			if (c.widened) != tc.wide {
				t.Errorf("widened: %v, want %v", c.widened, tc.wide)
			}
			if len(tc.values) > 100 {
				check("snapshot", &snap, tc.values[:100])
			}
			keepAndReset(t, tc.values, func(row int) bool { return row%4 == 3 }, 9,
				func(f *FeeTable) *Small { f.Item = c; return &f.Item }, check)
		})
	}
	var d Days
	for _, v := range []int32{0, 30, -2, -1, 90} {
		d.Append(v)
	}
	if got := fmt.Sprint(d.At(0), d.At(1), d.At(2), d.At(3), d.At(4)); got != "0 30 -2 -1 90" {
		t.Errorf("days read back as %s", got)
	}
}

// set makes row i of c hold v (tests that break a table's rows on purpose).
func (c *Small) set(i, v uint32) {
	var s Small
	for r := range uint32(c.Len()) {
		if r == i {
			s.Append(v)
		} else {
			s.Append(c.At(r))
		}
	}
	*c = s
}
