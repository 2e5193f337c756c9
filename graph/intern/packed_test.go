package intern

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// packedCases are ids of every shape a PackedTable must give back exactly.
var packedCases = []string{
	"", "0", "00", "000", "1", "01", "001", "0001", "10",
	"20253705565479807769", "35020974239410370568", // 20 digits
	"1301263785962401010001", "1301263785962401010002", // 22 digits (a site, a date, a serial)
	"000000001000000033", "000000001000023214", // 18 digits, leading zeros
	"9999999999999999999", "18446744073709551615", "99999999999999999999999999",
	"MZ0000000", "MZ0000001", "CHK0001", "CHK1", "V1", "V01", "ABC", "ABC-7", "ÄÖ123", "编号123",
	strings.Repeat("x", maxPrefixLen) + "42", strings.Repeat("x", maxPrefixLen+1) + "42",
	strings.Repeat("y", 200), "a\x00b7", "7a",
}

func TestPackedRoundTrip(t *testing.T) {
	tb := NewPacked(4)
	ids := map[string]ID{}
	for _, s := range packedCases {
		id, added := tb.Intern(s)
		if _, seen := ids[s]; added == seen {
			t.Errorf("Intern(%q): added %v, seen before %v", s, added, seen)
		}
		if seen, ok := ids[s]; ok && seen != id {
			t.Errorf("Intern(%q) = %d, was %d", s, id, seen)
		}
		ids[s] = id
	}
	if tb.Len() != len(ids) {
		t.Fatalf("Len %d, want %d", tb.Len(), len(ids))
	}
	for s, id := range ids {
		if got := tb.String(id); got != s {
			t.Errorf("String(%d) = %q, want %q", id, got, s)
		}
		if got := tb.Lookup(s); got != id {
			t.Errorf("Lookup(%q) = %d, want %d", s, got, id)
		}
		if !tb.Equal(id, s) || tb.Equal(id, s+"0") {
			t.Errorf("Equal(%d, %q) wrong", id, s)
		}
	}
	for _, s := range []string{"2", "0000", "00001", "MZ000000", "CHK01", "V001", "ABC-8", "x", "9999999999999999998"} {
		if got := tb.Lookup(s); got != None {
			t.Errorf("Lookup(%q) = %d (%q), want None", s, got, tb.String(got))
		}
	}
	// The same list without an index keeps equal ids apart.
	var l PackedList
	for i, s := range packedCases {
		if id := l.Append(s); id != ID(i) {
			t.Fatalf("Append(%q) = %d, want %d", s, id, i)
		}
	}
	l.Append(packedCases[0])
	for i, s := range packedCases {
		if got := l.String(ID(i)); got != s {
			t.Errorf("list String(%d) = %q, want %q", i, got, s)
		}
	}
}

// TestPackedFullDictionary fills the dictionary of prefixes: later new
// prefixes are kept whole, and every id is still found and read back.
func TestPackedFullDictionary(t *testing.T) {
	var tb PackedTable
	n := rawCode + 1000
	id := func(i int) string { return fmt.Sprintf("P%dx%04d", i, i%7) }
	for i := range n {
		if got, added := tb.Intern(id(i)); got != ID(i) || !added {
			t.Fatalf("Intern(%q) = %d, %v", id(i), got, added)
		}
	}
	if tb.prefixes.Len() != rawCode || tb.raw.Len() != n-rawCode {
		t.Fatalf("dictionary %d, kept whole %d; want %d and %d", tb.prefixes.Len(), tb.raw.Len(), rawCode, n-rawCode)
	}
	for i := range n {
		if got := tb.Lookup(id(i)); got != ID(i) {
			t.Fatalf("Lookup(%q) = %d, want %d", id(i), got, i)
		}
		if got := tb.String(ID(i)); got != id(i) {
			t.Fatalf("String(%d) = %q, want %q", i, got, id(i))
		}
	}
	// An id whose prefix has a code but which was kept whole is not
	// confused with one packed.
	if got := tb.Lookup(fmt.Sprintf("P%dx%04d", n-1, 3)); got != None {
		t.Errorf("absent id found at %d", got)
	}
}

// TestPackedSnapshot reads a snapshot while the table goes on inserting,
// growing its index and its dictionary (run under -race).
func TestPackedSnapshot(t *testing.T) {
	tb := NewPacked(0)
	id := func(i int) string { return fmt.Sprintf("R%d-%018d", i%50, i) }
	const before, after = 3000, 30000
	for i := range before {
		tb.Intern(id(i))
	}
	snap := tb.Snapshot()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := before; i < after; i++ {
			tb.Intern(id(i))
			tb.Intern(fmt.Sprintf("NEW%d_%d", i, i)) // new prefixes
		}
	}()
	for range 3 {
		for i := range after {
			got := snap.Lookup(id(i))
			if i < before && (got != ID(i) || snap.String(ID(i)) != id(i)) {
				t.Fatalf("snapshot Lookup(%q) = %d", id(i), got)
			}
			if i >= before && got != None {
				t.Fatalf("snapshot holds %q, inserted after it (%d)", id(i), got)
			}
		}
	}
	wg.Wait()
	if snap.Len() != before {
		t.Fatalf("snapshot Len %d, want %d", snap.Len(), before)
	}
	// Inserting into the snapshot does not write into the table.
	if got, added := snap.Intern("only-in-snapshot"); got != before || !added {
		t.Fatalf("snapshot Intern = %d, %v", got, added)
	}
	if tb.Lookup("only-in-snapshot") != None || tb.String(before) != id(before) {
		t.Fatal("inserting into the snapshot changed the table")
	}
	// Reset leaves the snapshot what it holds.
	tb.Reset()
	if tb.Len() != 0 || tb.Lookup(id(0)) != None || snap.Lookup(id(1)) != 1 || snap.String(2) != id(2) {
		t.Fatal("Reset of the table changed the snapshot, or did not empty the table")
	}
	if got, _ := tb.Intern(id(5)); got != 0 || tb.String(0) != id(5) {
		t.Fatalf("after Reset, Intern = %d", got)
	}
}

// TestPackedTrim trims a table reserved for many more ids than came.
func TestPackedTrim(t *testing.T) {
	tb := NewPacked(100000)
	tb.ReserveIndex(100000)
	for i := range 1000 {
		tb.Intern(fmt.Sprintf("T%012d", i))
	}
	before := tb.Bytes()
	tb.Trim()
	if after := tb.Bytes(); after*10 > before {
		t.Errorf("Trim: %d bytes, %d before", after, before)
	}
	if tb.UsedBytes()*20 < tb.Bytes()*19 {
		t.Errorf("after Trim, used %d of %d bytes", tb.UsedBytes(), tb.Bytes())
	}
	for i := range 1000 {
		if s := fmt.Sprintf("T%012d", i); tb.Lookup(s) != ID(i) || tb.String(ID(i)) != s {
			t.Fatalf("after Trim, %q lost", s)
		}
	}
}

// TestPackedSize checks the point of the packing: a 20-digit id of a
// repetitive kind takes ten bytes beside the index (20 and an offset of
// four in a Table).
func TestPackedSize(t *testing.T) {
	const n = 100000
	tb := NewPacked(n)
	for i := range n {
		tb.Intern(fmt.Sprintf("2025%016d", i*7919))
	}
	tb.Trim()
	if per := float64(tb.UsedBytes()-5*len(tb.slots)) / n; per > 10.01 {
		t.Errorf("%.2f bytes an id beside the index, want 10", per)
	}
}

func FuzzPacked(f *testing.F) {
	for _, s := range packedCases {
		f.Add(s, "CHK0001")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		tb := NewPacked(0)
		ia, _ := tb.Intern(a)
		ib, added := tb.Intern(b)
		if added != (a != b) || (a == b) != (ia == ib) {
			t.Fatalf("Intern(%q), Intern(%q): %d, %d, added %v", a, b, ia, ib, added)
		}
		if tb.String(ia) != a || tb.String(ib) != b || tb.Lookup(a) != ia || tb.Lookup(b) != ib {
			t.Fatalf("%q, %q not read back", a, b)
		}
		if tb.rowHash(ia) != PackedHash(a) {
			t.Fatalf("rowHash(%q) differs from PackedHash", a)
		}
	})
}

// BenchmarkPackedIntern and BenchmarkPackedLookup are BenchmarkIntern and
// BenchmarkLookup for a PackedTable, on the same ids.
func BenchmarkPackedIntern(b *testing.B) {
	keys, _ := benchKeys(1 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += len(keys) {
		tb := NewPacked(len(keys))
		for _, k := range keys[:min(len(keys), b.N-i)] {
			tb.InternBytes(k)
		}
	}
}

func BenchmarkPackedLookup(b *testing.B) {
	keys, _ := benchKeys(1 << 20)
	tb := NewPacked(len(keys))
	for _, k := range keys {
		tb.InternBytes(k)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if tb.LookupBytes(keys[i&(len(keys)-1)]) == None {
			b.Fatal("lost")
		}
	}
}

// TestArena reads ids back through an Arena over several blocks, ids kept
// whole and longer than a block's room included, and through a nil one.
func TestArena(t *testing.T) {
	tb := NewPacked(0)
	var want []string
	for i := range 20000 {
		s := fmt.Sprintf("2025%016d", i)
		if i%1000 == 7 {
			s = strings.Repeat("z", 3*arenaRoom) + s // kept whole, longer than the room
		}
		tb.Intern(s)
		want = append(want, s)
	}
	var a Arena
	got := make([]string, len(want))
	for i := range want {
		got[i] = tb.StringIn(&a, ID(i))
	}
	got = append(got, tb.StringIn(nil, 5))
	for i, s := range want {
		if got[i] != s {
			t.Fatalf("StringIn(%d) = %q, want %q", i, got[i], s)
		}
	}
	if got[len(want)] != want[5] {
		t.Fatalf("StringIn(nil, 5) = %q", got[len(want)])
	}
	var empty PackedList
	empty.Append("")
	if s := empty.StringIn(&a, 0); s != "" {
		t.Fatalf("empty id read back as %q", s)
	}
}

// TestPackedDropIndex: a table whose index was dropped gives back its
// memory and still finds every id (by comparing rows), as does a snapshot
// of it; the next Intern builds the index again and adds nothing twice.
func TestPackedDropIndex(t *testing.T) {
	tb := NewPacked(len(packedCases))
	ids := map[string]ID{}
	for _, s := range packedCases {
		ids[s], _ = tb.Intern(s)
	}
	before := tb.Bytes()
	tb.DropIndex()
	if after := tb.Bytes(); after >= before-5*len(packedCases) {
		t.Errorf("Bytes %d → %d: the index was not given back", before, after)
	}
	snap := tb.Snapshot()
	for name, x := range map[string]*PackedTable{"table": tb, "snapshot": snap} {
		for s, id := range ids {
			if got := x.Lookup(s); got != id {
				t.Errorf("%s without an index: Lookup(%q) = %d, want %d", name, s, got, id)
			}
		}
		for _, absent := range []string{"20253705565479807770", "MZ0000002", "nope"} {
			if got := x.Lookup(absent); got != None {
				t.Errorf("%s without an index: Lookup(%q) = %d, want None", name, absent, got)
			}
		}
	}
	tb.Trim() // leaves a dropped index dropped
	if id, added := tb.Intern(packedCases[10]); added || id != ids[packedCases[10]] {
		t.Errorf("Intern of a known id after the drop: %d, added %v; want %d", id, added, ids[packedCases[10]])
	}
	if tb.Bytes() <= before-5*len(packedCases) {
		t.Error("Intern did not build the index again")
	}
	id, added := tb.Intern("MZ0000002")
	if !added || tb.Lookup("MZ0000002") != id {
		t.Errorf("a new id after the drop: %d, added %v", id, added)
	}
	for s, want := range ids {
		if got := tb.Lookup(s); got != want {
			t.Errorf("rebuilt index: Lookup(%q) = %d, want %d", s, got, want)
		}
	}
	tb.DropIndex()
	tb.Reset()
	if tb.Lookup(packedCases[10]) != None || tb.Len() != 0 {
		t.Error("Reset of a dropped table left ids")
	}
	if id, added := tb.Intern("x1"); !added || id != 0 || tb.Lookup("x1") != 0 {
		t.Errorf("Intern after Reset of a dropped table: %d, %v", id, added)
	}
}
