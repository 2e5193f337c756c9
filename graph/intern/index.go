package intern

import "sync/atomic"

// index is the open-addressing hash index of a Table or a PackedTable:
// slots hold id+1 (0 empty), written once, from empty, after their tag and
// atomically, so that a Snapshot sharing the index reads it while the
// table inserts (see Table.Snapshot).
type index struct {
	slots []uint32
	tags  []uint8 // top hash byte of each filled slot
	mask  uint64
	// lent is set on a table whose index a Snapshot shares; borrowed on the
	// snapshot (its first insert builds an index of its own).
	lent     atomic.Bool
	borrowed bool
}

// indexSize is the slots an index of n ids takes at a load of 3/4 or less.
func indexSize(n int) int {
	size := 16
	for size*3 < n*4 {
		size *= 2
	}
	return size
}

// prepareInsert makes room for one more of n ids, rebuilding the index
// with rebuild when it is borrowed or full.
func (x *index) prepareInsert(n int, rebuild func(size int)) {
	if x.borrowed {
		rebuild(max(len(x.slots), 16))
	}
	if 4*(n+1) > 3*len(x.slots) {
		x.grow(2*n+16, rebuild)
	}
}

// grow rebuilds the index for at least n ids when it is smaller.
func (x *index) grow(n int, rebuild func(size int)) {
	if size := indexSize(n); size > len(x.slots) || x.borrowed {
		rebuild(max(size, len(x.slots)))
	}
}

// newIndex replaces the index with an empty one of size slots; the old
// one is left as it is, to a Snapshot that may share it.
func (x *index) newIndex(size int) {
	x.borrowed = false
	x.slots = make([]uint32, size)
	x.tags = make([]uint8, size)
	x.mask = uint64(size - 1)
}

// place puts id, of hash h, in the first empty slot from its own.
func (x *index) place(h uint64, id ID) {
	i := h & x.mask
	for x.slots[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = id + 1
	x.tags[i] = uint8(h >> 56)
}

// fill writes id in the empty slot i: the tag first, then the slot,
// atomically (see Table.Snapshot).
func (x *index) fill(i uint64, tag uint8, id ID) {
	x.tags[i] = tag
	atomic.StoreUint32(&x.slots[i], id+1)
}

// Prefetch reads the slot where an id of hash h (PackedHash) is looked
// for first and returns a value derived from it (see Table.Prefetch).
func (x *index) Prefetch(h uint64) uint32 {
	if len(x.slots) == 0 {
		return 0
	}
	i := h & x.mask
	return x.slots[i] + uint32(x.tags[i])
}

// lend makes s share x's index.
func (x *index) lend(s *index) {
	x.lent.Store(true)
	s.slots, s.tags, s.mask, s.borrowed = x.slots, x.tags, x.mask, true
}

// drop gives back the index's memory (a snapshot sharing it keeps its
// own reference): an index of no slots, which the next insert grows.
func (x *index) drop() {
	x.slots, x.tags, x.mask = nil, nil, 0
}

// reset empties the index, keeping its memory unless it is lent or
// borrowed.
func (x *index) reset() {
	if x.lent.Load() || x.borrowed {
		x.slots = make([]uint32, len(x.slots))
		x.tags = make([]uint8, len(x.tags))
		x.lent.Store(false)
		x.borrowed = false
		return
	}
	clear(x.slots)
	clear(x.tags)
}
