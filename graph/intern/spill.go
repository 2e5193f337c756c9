package intern

import "github.com/ringlens/ringlens/graph/spill"

// Spill moves the list's strings and their offsets out of the heap into f
// (see package spill). The list reads them from there as before; the next
// append copies them back to the heap, and Reset leaves them as it leaves
// what a Snapshot or Shared string aliases. Strings handed out by Shared
// then alias f's mapping and must not be read once f is closed. The list
// must not be written to while it is moved; on error it keeps what it
// held.
func (l *List) Spill(f *spill.File) error {
	arena, err := spill.Move(f, l.arena)
	if err != nil {
		return err
	}
	ends, err := spill.Move(f, l.ends)
	if err != nil {
		return err
	}
	l.arena, l.ends = arena, ends
	l.shared.Store(true)
	return nil
}

// Spill moves the list's codes and numbers, and the ids it keeps whole,
// out of the heap into f, as List.Spill does; the small dictionary of
// prefixes stays. A nil list has nothing to move.
func (l *PackedList) Spill(f *spill.File) error {
	if l == nil {
		return nil
	}
	codes, err := spill.Move(f, l.codes)
	if err != nil {
		return err
	}
	tails, err := spill.Move(f, l.tails)
	if err != nil {
		return err
	}
	if err := l.raw.Spill(f); err != nil {
		return err
	}
	l.codes, l.tails = codes, tails
	l.shared.Store(true)
	return nil
}

// Spill is List.Spill of the table's strings (the index stays); a nil
// table has nothing to move.
func (t *Table) Spill(f *spill.File) error {
	if t == nil {
		return nil
	}
	return t.List.Spill(f)
}

// Spill is PackedList.Spill of the table's ids (the index stays); a nil
// table has nothing to move.
func (t *PackedTable) Spill(f *spill.File) error {
	if t == nil {
		return nil
	}
	return t.PackedList.Spill(f)
}
