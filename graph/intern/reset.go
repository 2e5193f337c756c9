package intern

// Reset empties t for reuse: it then holds no strings, and the next string
// interned gets id 0, as in a new table. It keeps the memory of the arena,
// the offsets and the index, so that a table refilled with about as many
// strings as before does not allocate, except the arena (and the offsets)
// once Shared has handed out strings that alias it, or Snapshot a table
// that aliases both and the index: those keep them, and new ones are made.
func (t *Table) Reset() {
	t.List.Reset()
	t.index.reset()
}
