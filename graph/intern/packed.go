package intern

import "sync/atomic"

// Packed identifiers. The visit and settlement ids of claims are digit
// strings of 18 to 22 digits whose leading digits (a year, a region, a
// site) repeat from row to row, and whose trailing digits are a number.
// A PackedList keeps each such id as a prefix code (two bytes: the
// leading part and the number's width, in a small dictionary) and the
// number (eight bytes), ten bytes a row instead of the id's bytes and an
// offset (24 for a 20-digit id); a PackedTable adds a hash index, as Table
// does. Any string is accepted and read back exactly as it was written:
// the number is the longest run of ASCII digits that ends the string, at
// most maxTailDigits of them, kept with its width so that leading zeros
// survive; a string whose prefix is longer than maxPrefixLen, or that
// comes once the dictionary is full, is kept whole in a List beside, its
// row then holding rawCode and the string's id in that list.

// maxTailDigits is the most digits the number of a packed id holds: 19
// decimal digits always fit a uint64.
const maxTailDigits = 19

// maxPrefixLen is the longest prefix a packed id's code stands for; a
// longer one is kept whole (such ids are not the repetitive kind).
const maxPrefixLen = 48

// rawCode is the prefix code of a row kept whole; codes 0..rawCode-1 name
// dictionary entries.
const rawCode = 1<<16 - 1

// splitID returns the prefix of b and the number its last digits (at most
// maxTailDigits of them) spell, with their count.
func splitID(b []byte) (prefix []byte, width int, tail uint64) {
	i := len(b)
	for i > 0 && len(b)-i < maxTailDigits && b[i-1]-'0' <= 9 {
		i--
	}
	for _, c := range b[i:] {
		tail = tail*10 + uint64(c-'0')
	}
	return b[:i], len(b) - i, tail
}

// prefixKey writes the dictionary key of a prefix and a number's width
// (the width as its first byte, then the prefix) into buf.
func prefixKey(buf *[maxPrefixLen + 1]byte, prefix []byte, width int) []byte {
	buf[0] = byte(width)
	n := copy(buf[1:], prefix)
	return buf[:1+n]
}

// packedHash is the hash of the id with this prefix, width and number:
// it depends on the id alone, not on whether it got a code, so that an id
// kept whole is found by it too.
func packedHash(prefix []byte, width int, tail uint64) uint64 {
	return mix64(hash(prefix) ^ mix64(tail^uint64(width)<<59))
}

// mix64 is splitmix64's finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// PackedHash returns the hash of s that a PackedTable places it by, for
// PackedTable.Prefetch.
func PackedHash(s string) uint64 { return packedHash(splitID(toBytes(s))) }

// PackedList is an append-only list of identifiers, packed as described
// above. The zero value is ready to use. Like List, it is not safe for
// concurrent use while it is written; a Snapshot may be read while the
// list is appended to.
type PackedList struct {
	prefixes *Table // keys of prefixKey; a key's id is its code
	codes    []uint16
	tails    []uint64 // the number, or the id in raw for rawCode rows
	raw      List     // ids kept whole
	// shared is set once a Snapshot aliases codes and tails: Reset then
	// leaves them to it.
	shared atomic.Bool
	// lastKey is the code code gave last plus one (0: none), written and
	// read by the writer alone.
	lastKey ID
}

// NewPackedList returns a list sized for about n ids.
func NewPackedList(n int) *PackedList {
	return &PackedList{prefixes: New(16, 8), codes: make([]uint16, 0, n), tails: make([]uint64, 0, n)}
}

// code returns the code of a prefix and width, giving it one while the
// dictionary has room; rawCode when it has none. Only writers call it: it
// remembers the last prefix, which the next id usually shares.
func (l *PackedList) code(prefix []byte, width int) uint16 {
	if len(prefix) > maxPrefixLen {
		return rawCode
	}
	if l.prefixes == nil {
		l.prefixes = New(16, 8)
	}
	var buf [maxPrefixLen + 1]byte
	key := prefixKey(&buf, prefix, width)
	if c := l.lastKey; c > 0 && c <= ID(l.prefixes.Len()) && string(l.prefixes.get(c-1)) == string(key) {
		return uint16(c - 1)
	}
	id := l.prefixes.LookupBytes(key)
	if id == None && l.prefixes.Len() < rawCode {
		id, _ = l.prefixes.InternBytes(key)
	}
	if id == None {
		return rawCode
	}
	l.lastKey = id + 1
	return uint16(id)
}

// Append adds s at the end of the list and returns its id; equal strings
// get ids of their own.
func (l *PackedList) Append(s string) ID { return l.AppendBytes(toBytes(s)) }

// AppendBytes is Append for a byte slice; b is copied, not kept.
func (l *PackedList) AppendBytes(b []byte) ID {
	prefix, width, tail := splitID(b)
	return l.appendSplit(b, prefix, width, tail)
}

// appendSplit appends b, whose prefix, width and number splitID gave.
func (l *PackedList) appendSplit(b, prefix []byte, width int, tail uint64) ID {
	id := ID(len(l.codes))
	code := l.code(prefix, width)
	if code == rawCode {
		tail = uint64(l.raw.appendBytes(b))
	}
	l.codes = append(l.codes, code)
	l.tails = append(l.tails, tail)
	return id
}

// Len returns how many ids the list holds (0 for a nil list).
func (l *PackedList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.codes)
}

// String returns the id with the given row, exactly as it was appended.
// It panics if id is out of range, which is a programming error.
func (l *PackedList) String(id ID) string { return string(l.AppendTo(nil, id)) }

// AppendTo appends the id of row id to dst and returns the extended slice.
func (l *PackedList) AppendTo(dst []byte, id ID) []byte {
	code, tail := l.codes[id], l.tails[id]
	if code == rawCode {
		return append(dst, l.raw.get(ID(tail))...)
	}
	key := l.prefixes.get(ID(code))
	dst = append(dst, key[1:]...)
	n := len(dst)
	for range int(key[0]) {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= n && tail > 0; i-- {
		dst[i] = byte('0' + tail%10)
		tail /= 10
	}
	return dst
}

// Equal reports whether row id holds s.
func (l *PackedList) Equal(id ID, s string) bool {
	prefix, width, tail := splitID(toBytes(s))
	return l.equal(id, toBytes(s), prefix, width, tail)
}

// equal reports whether row id holds b, whose prefix, width and number
// splitID gave.
func (l *PackedList) equal(id ID, b, prefix []byte, width int, tail uint64) bool {
	code := l.codes[id]
	if code == rawCode {
		return string(l.raw.get(ID(l.tails[id]))) == string(b)
	}
	if l.tails[id] != tail {
		return false
	}
	key := l.prefixes.get(ID(code))
	return int(key[0]) == width && string(key[1:]) == string(prefix)
}

// Bytes returns the bytes allocated for the rows, the dictionary and the
// ids kept whole (for memory accounting).
func (l *PackedList) Bytes() int {
	n := 2*cap(l.codes) + 8*cap(l.tails) + l.raw.Bytes()
	if l.prefixes != nil {
		n += l.prefixes.Bytes()
	}
	return n
}

// UsedBytes is Bytes without unused capacity.
func (l *PackedList) UsedBytes() int {
	n := 2*len(l.codes) + 8*len(l.tails) + l.raw.UsedBytes()
	if l.prefixes != nil {
		n += l.prefixes.UsedBytes()
	}
	return n
}

// Snapshot returns a list holding what l holds now, which l's later
// appends leave unchanged, in constant time (see List.Snapshot).
func (l *PackedList) Snapshot() *PackedList {
	if l == nil {
		return nil
	}
	s := &PackedList{}
	l.snapshotInto(s)
	return s
}

// snapshotInto makes s share what l holds now.
func (l *PackedList) snapshotInto(s *PackedList) {
	l.shared.Store(true)
	if l.prefixes != nil {
		s.prefixes = l.prefixes.Snapshot()
	}
	s.codes, s.tails = l.codes[:len(l.codes):len(l.codes)], l.tails[:len(l.tails):len(l.tails)]
	l.raw.snapshotInto(&s.raw)
	s.shared.Store(true)
}

// Reset empties l for reuse, keeping its memory unless a Snapshot aliases
// it.
func (l *PackedList) Reset() {
	if l.prefixes != nil {
		l.prefixes.Reset()
	}
	l.raw.Reset()
	if l.shared.Load() {
		l.codes = make([]uint16, 0, cap(l.codes))
		l.tails = make([]uint64, 0, cap(l.tails))
		l.shared.Store(false)
		return
	}
	l.codes, l.tails = l.codes[:0], l.tails[:0]
}

// Trim gives back the room reserved beyond the rows (see List.Trim).
func (l *PackedList) Trim() {
	l.codes = trimmed(l.codes)
	l.tails = trimmed(l.tails)
	l.raw.Trim()
}

// PackedTable is a PackedList with a hash index: an interner of packed
// ids, as Table is of strings. The zero value is ready to use; the rules
// of concurrent use are Table's.
type PackedTable struct {
	PackedList
	index
}

// NewPacked returns a table sized for about n ids, its index included.
func NewPacked(n int) *PackedTable {
	t := &PackedTable{PackedList: PackedList{prefixes: New(16, 8), codes: make([]uint16, 0, n), tails: make([]uint64, 0, n)}}
	t.ReserveIndex(n)
	return t
}

// Intern returns the id of s, inserting it if new; added reports whether
// it was new.
func (t *PackedTable) Intern(s string) (id ID, added bool) { return t.InternBytes(toBytes(s)) }

// InternBytes is Intern for a byte slice; b is copied, not kept.
func (t *PackedTable) InternBytes(b []byte) (ID, bool) {
	t.prepareInsert(len(t.codes), t.rebuildIndex)
	prefix, width, tail := splitID(b)
	h := packedHash(prefix, width, tail)
	tag := uint8(h >> 56)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i] // the only writer: no atomic read needed
		if s == 0 {
			id := t.appendSplit(b, prefix, width, tail)
			t.fill(i, tag, id)
			return id, true
		}
		if t.tags[i] == tag && t.equal(s-1, b, prefix, width, tail) {
			return s - 1, false
		}
	}
}

// Lookup returns the id of s, or None.
func (t *PackedTable) Lookup(s string) ID { return t.LookupBytes(toBytes(s)) }

// LookupBytes is Lookup for a byte slice. Like Table's, it passes over
// ids a snapshot does not hold.
func (t *PackedTable) LookupBytes(b []byte) ID {
	prefix, width, tail := splitID(b)
	if len(t.slots) == 0 { // no index (DropIndex): compare the rows
		for id := range ID(len(t.codes)) {
			if t.equal(id, b, prefix, width, tail) {
				return id
			}
		}
		return None
	}
	h := packedHash(prefix, width, tail)
	tag := uint8(h >> 56)
	n := uint32(len(t.codes))
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := atomic.LoadUint32(&t.slots[i])
		if s == 0 {
			return None
		}
		if s <= n && t.tags[i] == tag && t.equal(s-1, b, prefix, width, tail) {
			return s - 1
		}
	}
}

// DropIndex gives back the memory of the hash index (five bytes a slot,
// about seven bytes an id), for a table read by row from here on: batch
// commands drop the index of the visit ids once ingest has placed every
// fee line. Lookup then compares the rows one by one (correct, but slow:
// for an odd caller, not for a loop), and the next Intern builds the index
// again.
func (t *PackedTable) DropIndex() { t.drop() }

// ReserveIndex enlarges the index for about n ids.
func (t *PackedTable) ReserveIndex(n int) { t.grow(n, t.rebuildIndex) }

// Bytes returns the bytes allocated for the list and the index.
func (t *PackedTable) Bytes() int { return t.PackedList.Bytes() + 5*len(t.slots) }

// UsedBytes returns the bytes in use by the list, and the index.
func (t *PackedTable) UsedBytes() int { return t.PackedList.UsedBytes() + 5*len(t.slots) }

// rebuildIndex makes a new index of size slots holding every id.
func (t *PackedTable) rebuildIndex(size int) {
	t.newIndex(size)
	for id := range t.codes {
		t.place(t.rowHash(ID(id)), ID(id))
	}
}

// rowHash returns the hash of the id of row id.
func (l *PackedList) rowHash(id ID) uint64 {
	code, tail := l.codes[id], l.tails[id]
	if code == rawCode {
		return packedHash(splitID(l.raw.get(ID(tail))))
	}
	key := l.prefixes.get(ID(code))
	return packedHash(key[1:], int(key[0]), tail)
}

// Snapshot returns a table holding what t holds now, sharing its rows and
// its index (see Table.Snapshot).
func (t *PackedTable) Snapshot() *PackedTable {
	s := &PackedTable{}
	t.lend(&s.index)
	t.snapshotInto(&s.PackedList)
	return s
}

// Reset empties t for reuse (see Table.Reset).
func (t *PackedTable) Reset() {
	t.PackedList.Reset()
	t.index.reset()
}

// Trim is PackedList.Trim, and the index rebuilt smaller when it was
// reserved at twice the size its ids need or more.
func (t *PackedTable) Trim() {
	t.PackedList.Trim()
	if size := indexSize(len(t.codes)); len(t.slots) >= 2*size {
		t.rebuildIndex(size)
	}
}
