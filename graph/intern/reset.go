package intern

// Reset empties t for reuse: it then holds no strings, and the next string
// interned gets id 0, as in a new table. It keeps the memory of the arena,
// the offsets and the index, so that a table refilled with about as many
// strings as before does not allocate, except the arena (and the offsets)
// once Shared has handed out strings that alias it, or Snapshot a table
// that aliases both and the index: those keep them, and new ones are made.
func (t *Table) Reset() {
	t.List.Reset()
	if t.indexLent.Load() || t.borrowed {
		// A Snapshot reads the index, or this is one and reads its table's.
		t.slots = make([]uint32, len(t.slots))
		t.tags = make([]uint8, len(t.tags))
		t.indexLent.Store(false)
		t.borrowed = false
		return
	}
	clear(t.slots)
	clear(t.tags)
}
