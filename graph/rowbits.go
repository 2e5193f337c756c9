package graph

// rowBits is a bit per row, rows only appended (or compacted in order by
// FeeTable.Keep while the tables are loaded): the complete words of 64
// rows in words, the word that rows are appended to in the struct itself,
// so that a copy with words capped is a snapshot that shares no memory an
// append writes. Sparse marks the rows that have a value with it, Amounts
// the rows that keep their amount whole.
type rowBits struct {
	words []uint64 // complete words: bit r of words[w] is row 64w+r
	tail  uint64   // the bits of the rows after the complete words
	n     uint32   // rows
}

// get reports whether row i's bit is set.
func (b *rowBits) get(i uint32) bool {
	w := b.tail
	if k := int(i >> 6); k < len(b.words) {
		w = b.words[k]
	}
	return w&(1<<(i&63)) != 0
}

// push appends a row with its bit on and reports whether that completed a
// word (which is then the last of words, and tail empty).
func (b *rowBits) push(on bool) bool {
	if on {
		b.tail |= 1 << (b.n & 63)
	}
	b.n++
	if b.n&63 != 0 {
		return false
	}
	b.words = append(b.words, b.tail)
	b.tail = 0
	return true
}

// set sets or clears row i's bit in place.
func (b *rowBits) set(i uint32, on bool) {
	w := &b.tail
	if k := int(i >> 6); k < len(b.words) {
		w = &b.words[k]
	}
	if on {
		*w |= 1 << (i & 63)
	} else {
		*w &^= 1 << (i & 63)
	}
}

// truncate keeps the first n rows.
func (b *rowBits) truncate(n int) {
	if k := n >> 6; k < len(b.words) {
		b.tail = b.words[k]
		b.words = b.words[:k]
	}
	b.tail &= 1<<(uint(n)&63) - 1
	b.n = uint32(n)
}

// reset empties the bits, keeping their memory.
func (b *rowBits) reset() { *b = rowBits{words: b.words[:0]} }

// snapshot returns the bits as they are now.
func (b *rowBits) snapshot() rowBits { return rowBits{words: capped(b.words), tail: b.tail, n: b.n} }
