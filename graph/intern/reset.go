package intern

// Reset empties t for reuse: it then holds no strings, and the next string
// interned gets id 0, as in a new table. It keeps the memory of the arena,
// the offsets and the index, so that a table refilled with about as many
// strings as before does not allocate.
func (t *Table) Reset() {
	t.arena = t.arena[:0]
	t.ends = t.ends[:0]
	clear(t.slots)
	clear(t.tags)
}
