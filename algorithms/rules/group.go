package rules

import (
	"cmp"
	"iter"
	"slices"
)

// keyedRow is a table row (a fee line) keyed for grouping, e.g. by
// (institution, item) packed into one uint64.
type keyedRow struct {
	key uint64
	row uint32
}

// groupsByKey sorts lines by key, then row, and yields each distinct key
// with its rows in row order. The rows slice is reused between groups: a
// caller that keeps it must copy it.
func groupsByKey(lines []keyedRow) iter.Seq2[uint64, []uint32] {
	slices.SortFunc(lines, func(a, b keyedRow) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.row, b.row)) })
	return func(yield func(uint64, []uint32) bool) {
		var rows []uint32
		for i := 0; i < len(lines); {
			rows = rows[:0]
			j := i
			for ; j < len(lines) && lines[j].key == lines[i].key; j++ {
				rows = append(rows, lines[j].row)
			}
			key := lines[i].key
			i = j
			if !yield(key, rows) {
				return
			}
		}
	}
}
