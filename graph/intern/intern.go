// Package intern maps strings to dense integer ids and back, keeping every
// distinct string once in a single byte arena.
//
// A Table holds tens of millions of identifiers (visit ids, person numbers,
// catalogue codes) in a few allocations: the bytes in one arena, their end
// offsets in one slice, and an open-addressing hash index of ids. Lookups
// take a string or a []byte without allocating, so a parser can intern
// fields straight out of its read buffer.
package intern

import (
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"
)

// ID is the dense id of an interned string: 0, 1, 2, ... in order of first
// insertion.
type ID = uint32

// None is returned by Lookup for a string that is not in the table.
const None ID = ^ID(0)

// List is an append-only list of strings, kept in a single byte arena
// with their end offsets, without an index: a column of ids that are only
// written back out (settlement ids) needs no more, and saves the index's
// bytes and an insert's probe. A Table is a List with a hash index. The
// zero value is ready to use. A List is not safe for concurrent use while
// it is being written; concurrent readers are fine once writing has
// stopped, and a Snapshot may be read while the list is appended to.
type List struct {
	arena []byte
	// ends[i] is the end offset of string i in arena, its low offsetBits
	// bits (width when set), four bytes a string instead of eight: wraps
	// holds, for every multiple of 2^offsetBits the offsets passed, the id
	// of the string whose end passed it (sorted; empty while the arena is
	// under 4 GiB), and the end offset of string i is ends[i] plus the
	// number of wraps at ids up to i, shifted.
	ends  []uint32
	wraps []ID
	width uint8 // bits kept in ends when not 0 (tests); offsetBits otherwise
	// shared is set once Shared has handed out a string that aliases the
	// arena: Reset then leaves the arena to those strings and starts anew.
	shared atomic.Bool
}

// offsetBits is how many low bits of a string's end offset List.ends keeps.
const offsetBits = 32

// NewList returns a list sized for about n strings of about avgLen bytes.
func NewList(n, avgLen int) *List {
	return &List{arena: make([]byte, 0, n*avgLen), ends: make([]uint32, 0, n)}
}

// bits is how many low bits of an end offset ends keeps.
func (l *List) bits() uint {
	if l.width != 0 {
		return uint(l.width)
	}
	return offsetBits
}

// end returns the end offset of string id in the arena.
func (l *List) end(id ID) uint64 {
	if len(l.wraps) == 0 {
		return uint64(l.ends[id])
	}
	return l.endWrapped(id)
}

// endWrapped is end past the first wrap, apart so that end inlines.
func (l *List) endWrapped(id ID) uint64 {
	n, _ := slices.BinarySearch(l.wraps, id+1) // the wraps at ids up to id
	return uint64(l.ends[id]) + uint64(n)<<l.bits()
}

// Append adds s at the end of the list and returns its id; equal strings
// get ids of their own.
func (l *List) Append(s string) ID { return l.appendBytes(toBytes(s)) }

// AppendBytes is Append for a byte slice; b is copied, not kept.
func (l *List) AppendBytes(b []byte) ID { return l.appendBytes(b) }

func (l *List) appendBytes(b []byte) ID {
	id := ID(len(l.ends))
	start := uint64(len(l.arena)) // the arena holds the strings' bytes and no more
	l.arena = append(l.arena, b...)
	end, bits := uint64(len(l.arena)), l.bits()
	for k := start >> bits; k < end>>bits; k++ {
		l.wraps = append(l.wraps, id)
	}
	l.ends = append(l.ends, uint32(end&(1<<bits-1)))
	return id
}

// Len returns how many strings the list holds.
func (l *List) Len() int { return len(l.ends) }

// Bytes returns the bytes allocated for the arena and the offsets (for
// memory accounting).
func (l *List) Bytes() int { return cap(l.arena) + 4*cap(l.ends) + 4*cap(l.wraps) }

// UsedBytes returns the bytes of the arena and the offsets in use (for
// memory accounting; Bytes also counts unused capacity).
func (l *List) UsedBytes() int { return len(l.arena) + 4*len(l.ends) + 4*len(l.wraps) }

// Snapshot returns a list holding what l holds now, which l's later
// appends leave unchanged, in constant time: it shares l's arena and end
// offsets up to their current length, with their capacity capped, so that
// appending to the snapshot copies them first. l is marked so that a Reset
// of l starts a new arena instead of reusing this one.
func (l *List) Snapshot() *List {
	s := &List{}
	l.snapshotInto(s)
	return s
}

// snapshotInto makes s share what l holds now (see Snapshot).
func (l *List) snapshotInto(s *List) {
	l.shared.Store(true)
	s.arena, s.ends = l.arena[:len(l.arena):len(l.arena)], l.ends[:len(l.ends):len(l.ends)]
	s.wraps, s.width = l.wraps[:len(l.wraps):len(l.wraps)], l.width
	s.shared.Store(true)
}

// Reset empties l for reuse, keeping its memory unless Shared strings or a
// Snapshot alias it (see Table.Reset).
func (l *List) Reset() {
	if l.shared.Load() {
		l.arena = make([]byte, 0, cap(l.arena))
		l.ends = make([]uint32, 0, cap(l.ends))
		l.wraps = nil
		l.shared.Store(false)
		return
	}
	l.arena = l.arena[:0]
	l.ends = l.ends[:0]
	l.wraps = l.wraps[:0]
}

// Table is a string interner. The zero value is ready to use. A Table is not
// safe for concurrent use while it is being written; concurrent readers are
// fine once writing has stopped.
type Table struct {
	List
	index
}

// New returns a table sized for about n strings of about avgLen bytes.
func New(n, avgLen int) *Table {
	t := &Table{List: List{arena: make([]byte, 0, n*avgLen), ends: make([]uint32, 0, n)}}
	t.ReserveIndex(n)
	return t
}

// Reserve makes room for about n strings of about avgLen bytes in all
// without further growth: it enlarges the index (rehashing what is there)
// and the arena and offsets when they are smaller. Ids do not change.
func (t *Table) Reserve(n, avgLen int) {
	if extra := n*avgLen - len(t.arena); extra > cap(t.arena)-len(t.arena) {
		t.arena = slices.Grow(t.arena, extra)
	}
	if extra := n - len(t.ends); extra > cap(t.ends)-len(t.ends) {
		t.ends = slices.Grow(t.ends, extra)
	}
	t.ReserveIndex(n)
}

// ReserveIndex enlarges the hash index alone for about n strings, without
// reserving arena or offsets for them: an index sized for more strings
// than the table will hold has a lower load factor, so inserts of strings
// that are mostly new probe less. Ids do not change.
func (t *Table) ReserveIndex(n int) { t.grow(n, t.rebuildIndex) }

// Bytes returns the bytes allocated for the arena, the offsets and the
// index (for memory accounting).
func (t *Table) Bytes() int { return t.List.Bytes() + 5*len(t.slots) }

// UsedBytes returns the bytes the table needs for what it holds: the
// arena's and the end offsets' used length and the whole index (for memory
// accounting; Bytes also counts unused capacity).
func (t *Table) UsedBytes() int { return t.List.UsedBytes() + 5*len(t.slots) }

// String returns the string with the given id. It panics if id is out of
// range, which is a programming error, never a data error.
func (l *List) String(id ID) string { return string(l.get(id)) }

// Shared returns the string with the given id without copying: it aliases
// the list's arena (a table's), whose bytes are never written over (appends
// and inserts append; a Reset after a Shared string starts a new arena), so
// it stays valid and unchanged for as long as it is held. Findings that
// name millions of entities take their ids this way, one arena instead of
// one small object each for the collector to mark. Holding a Shared string
// keeps the arena it points into in memory: use String for a string that
// outlives the list. Safe for concurrent readers.
func (l *List) Shared(id ID) string {
	b := l.get(id)
	if len(b) == 0 {
		return ""
	}
	if !l.shared.Load() {
		l.shared.Store(true)
	}
	return unsafe.String(&b[0], len(b))
}

// Bytes of id without copying; the result must not be modified.
func (l *List) get(id ID) []byte {
	start := uint64(0)
	if id > 0 {
		start = l.end(id - 1)
	}
	return l.arena[start:l.end(id)]
}

// View returns the bytes of id without copying. The result aliases the arena
// and must not be modified or kept across later inserts.
func (l *List) View(id ID) []byte { return l.get(id) }

// Intern returns the id of s, inserting it if new; added reports whether it
// was new.
func (t *Table) Intern(s string) (id ID, added bool) { return t.internBytes(toBytes(s)) }

// InternBytes is Intern for a byte slice; b is copied, not kept.
func (t *Table) InternBytes(b []byte) (id ID, added bool) { return t.internBytes(b) }

// Hash returns the hash of s that the table uses to place it, for Prefetch.
func Hash(s string) uint64 { return hash(toBytes(s)) }

// Lookup returns the id of s, or None.
func (t *Table) Lookup(s string) ID { return t.lookup(toBytes(s)) }

// LookupBytes is Lookup for a byte slice.
func (t *Table) LookupBytes(b []byte) ID { return t.lookup(b) }

// lookup probes the index for b. An id the table does not hold (a
// snapshot's index is shared with the table it was taken of, which goes on
// inserting) is passed over: inserts only fill empty slots, so the slots
// before a string's own hold what they held when it was inserted, or later
// ids.
func (t *Table) lookup(b []byte) ID {
	if len(t.slots) == 0 {
		return None
	}
	h := hash(b)
	tag := uint8(h >> 56)
	n := uint32(len(t.ends))
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := atomic.LoadUint32(&t.slots[i])
		if s == 0 {
			return None
		}
		if s <= n && t.tags[i] == tag && string(t.get(s-1)) == string(b) {
			return s - 1
		}
	}
}

func (t *Table) internBytes(b []byte) (ID, bool) {
	t.prepareInsert(len(t.ends), t.rebuildIndex)
	h := hash(b)
	tag := uint8(h >> 56)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i] // the only writer: no atomic read needed
		if s == 0 {
			id := t.appendBytes(b)
			t.fill(i, tag, id)
			return id, true
		}
		if t.tags[i] == tag && string(t.get(s-1)) == string(b) {
			return s - 1, false
		}
	}
}

// rebuildIndex makes a new index of size slots (a power of two) holding
// every string of the table. The old one is left as it is, to a Snapshot
// that may share it.
func (t *Table) rebuildIndex(size int) {
	t.newIndex(size)
	for id := range t.ends {
		t.place(hash(t.get(ID(id))), ID(id))
	}
}

// hash is FNV-1a over 8-byte words with a final avalanche (from
// splitmix64), which is fast for the short ASCII ids claims carry.
func hash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for len(b) >= 8 {
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		h = (h ^ w) * 1099511628211
		h = bits.RotateLeft64(h, 29)
		b = b[8:]
	}
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Snapshot returns a table holding what t holds now, which t's later
// inserts leave unchanged, in constant time and without copying: it
// shares t's arena and end offsets up to their current length (inserts
// append beyond it, into the same memory or a new one, and never write
// over what is there) and t's index. Inserts into t only fill empty slots
// of the index (a tag, then the slot, atomically), or build a new index
// and leave the old one to the snapshot; the snapshot's lookups pass over
// the ids it does not hold. So a snapshot may be read, and looked up in,
// by one goroutine while another inserts into t. Inserting into the
// snapshot copies its arena and offsets first (their capacity is capped)
// and builds an index of its own, so it never writes into t's memory
// either. t is marked so that a Reset of t starts a new arena and a new
// index instead of reusing these.
func (t *Table) Snapshot() *Table {
	s := &Table{}
	t.lend(&s.index)
	t.snapshotInto(&s.List)
	return s
}

// Trim gives back the memory l holds beyond its strings (room reserved
// ahead for more): the arena and offsets are copied to their length when
// more than trimSpare of them is unused. Ids and strings do not change, and
// a Snapshot or Shared string keeps what it aliases. l must not be read by
// others while it is trimmed.
func (l *List) Trim() {
	l.arena = trimmed(l.arena)
	l.ends = trimmed(l.ends)
}

// Trim is List.Trim, and the index rebuilt at the size that inserting the
// table's strings would have given it when it is twice that or more (an
// index reserved for more strings than came, or for cheaper inserts).
func (t *Table) Trim() {
	t.List.Trim()
	if size := indexSize(len(t.ends)); len(t.slots) >= 2*size {
		t.rebuildIndex(size)
	}
}

// trimSpare is the share of a slice's capacity left unused that Trim
// gives back (1/trimSpare).
const trimSpare = 16

// trimmed returns s, copied to a slice of its own length when more than
// 1/trimSpare of its capacity is unused.
func trimmed[T any](s []T) []T {
	if cap(s)-len(s) <= cap(s)/trimSpare {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}
