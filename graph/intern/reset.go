package intern

// Reset empties t for reuse: it then holds no strings, and the next string
// interned gets id 0, as in a new table. It keeps the memory of the arena,
// the offsets and the index, so that a table refilled with about as many
// strings as before does not allocate, except the arena once Shared has
// handed out strings that alias it: those keep it, and a new one is made.
func (t *Table) Reset() {
	if t.shared.Load() {
		t.arena = make([]byte, 0, cap(t.arena))
		t.shared.Store(false)
	} else {
		t.arena = t.arena[:0]
	}
	t.ends = t.ends[:0]
	clear(t.slots)
	clear(t.tags)
}
