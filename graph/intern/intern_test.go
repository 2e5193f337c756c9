package intern

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	tests := []struct {
		name   string
		inputs []string
		want   []ID
		added  []bool
	}{
		{"empty string", []string{"", ""}, []ID{0, 0}, []bool{true, false}},
		{"dedup", []string{"a", "b", "a", "c", "b"}, []ID{0, 1, 0, 2, 1}, []bool{true, true, false, true, false}},
		{"long keys", []string{"D421003007628xx", "D421003007628xy", "D421003007628xx"}, []ID{0, 1, 0}, []bool{true, true, false}},
		{"unicode", []string{"张三", "李四", "张三"}, []ID{0, 1, 0}, []bool{true, true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tab Table
			for i, s := range tc.inputs {
				id, added := tab.Intern(s)
				if id != tc.want[i] || added != tc.added[i] {
					t.Fatalf("Intern(%q) = %d,%v; want %d,%v", s, id, added, tc.want[i], tc.added[i])
				}
				if got := tab.String(id); got != s {
					t.Fatalf("String(%d) = %q; want %q", id, got, s)
				}
			}
		})
	}
}

func TestTableGrowthAndLookup(t *testing.T) {
	tab := New(4, 4)
	const n = 100000
	for i := 0; i < n; i++ {
		id, added := tab.InternBytes([]byte("k" + strconv.Itoa(i)))
		if !added || id != ID(i) {
			t.Fatalf("insert %d: id %d added %v", i, id, added)
		}
	}
	if tab.Len() != n {
		t.Fatalf("Len = %d; want %d", tab.Len(), n)
	}
	for i := 0; i < n; i += 997 {
		k := "k" + strconv.Itoa(i)
		if id := tab.Lookup(k); id != ID(i) {
			t.Fatalf("Lookup(%q) = %d; want %d", k, id, i)
		}
		if id := tab.LookupBytes([]byte(k)); id != ID(i) {
			t.Fatalf("LookupBytes(%q) = %d", k, id)
		}
	}
	if id := tab.Lookup("missing"); id != None {
		t.Fatalf("Lookup(missing) = %d; want None", id)
	}
	var zero Table
	if zero.Lookup("x") != None {
		t.Fatal("zero table lookup should be None")
	}
}

func BenchmarkIntern(b *testing.B) {
	keys := make([][]byte, 1<<20)
	for i := range keys {
		keys[i] = []byte("MDT" + strconv.Itoa(4_400_000_000+i*7))
	}
	b.ReportAllocs()
	b.ResetTimer()
	tab := New(len(keys), 16)
	for i := 0; i < b.N; i++ {
		tab.InternBytes(keys[i&(len(keys)-1)])
	}
}

// benchKeys are n visit-id-like keys, interned into a table.
func benchKeys(n int) ([][]byte, *Table) {
	keys := make([][]byte, n)
	tab := New(n, 16)
	for i := range keys {
		keys[i] = []byte("MDT" + strconv.Itoa(4_400_000_000+i*7))
		tab.InternBytes(keys[i])
	}
	return keys, tab
}

// BenchmarkLookup looks up ids of a table of 1M (the index's atomic reads
// cost a plain load on amd64 and arm64).
func BenchmarkLookup(b *testing.B) {
	keys, tab := benchKeys(1 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if tab.LookupBytes(keys[i&(len(keys)-1)]) == None {
			b.Fatal("lost")
		}
	}
}

// BenchmarkSnapshot takes snapshots of a table of 1M ids: constant time
// and one small allocation, whatever the table holds (it used to copy the
// index, 5 bytes a slot).
func BenchmarkSnapshot(b *testing.B) {
	_, tab := benchKeys(1 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if tab.Snapshot().Len() != 1<<20 {
			b.Fatal("short snapshot")
		}
	}
}

func TestReserve(t *testing.T) {
	tests := []struct {
		name          string
		before, after int // strings interned before and after Reserve
		n, avgLen     int
	}{
		{"empty table", 0, 1000, 1000, 8},
		{"keeps ids", 100, 1000, 5000, 6},
		{"smaller than held", 500, 10, 10, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := New(4, 4)
			for i := 0; i < tc.before; i++ {
				tab.Intern("s" + strconv.Itoa(i))
			}
			tab.Reserve(tc.n, tc.avgLen)
			tab.ReserveIndex(2 * tc.n)
			if len(tab.slots)*3 < 2*tc.n*4 {
				t.Errorf("after ReserveIndex(%d): %d slots", 2*tc.n, len(tab.slots))
			}
			if cap(tab.ends) < tc.n || len(tab.slots)*3 < tc.n*4 {
				t.Errorf("after Reserve(%d): %d ends, %d slots", tc.n, cap(tab.ends), len(tab.slots))
			}
			for i := 0; i < tc.before+tc.after; i++ {
				id, added := tab.Intern("s" + strconv.Itoa(i))
				if id != ID(i) || added != (i >= tc.before) {
					t.Fatalf("Intern(s%d) = %d, %v after Reserve", i, id, added)
				}
			}
			if tab.Lookup("s0") != 0 && tc.before+tc.after > 0 {
				t.Error("s0 lost")
			}
		})
	}
}

// TestSnapshot checks that a snapshot holds what the table held, looks up
// like it, and is unchanged by later inserts and a Reset of the table,
// also while they run beside its readers (go test -race): inserts that
// grow the index (a new one, the snapshot keeps the old) and inserts into
// the index the snapshot shares (reserved ahead, so it does not grow).
func TestSnapshot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reserve int // index reserved before the snapshot
	}{
		{"grows", 0},
		{"shares the index", 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := New(4, 8)
			tb.ReserveIndex(tc.reserve)
			for i := range 100 {
				tb.Intern(fmt.Sprint("id-", i))
			}
			s := tb.Snapshot()
			check := func() {
				if s.Len() != 100 {
					t.Errorf("snapshot holds %d strings, want 100", s.Len())
				}
				for i := range 100 {
					want := fmt.Sprint("id-", i)
					if got := s.String(ID(i)); got != want {
						t.Errorf("snapshot string %d = %q, want %q", i, got, want)
					}
					if id := s.Lookup(want); id != ID(i) {
						t.Errorf("snapshot Lookup(%q) = %d, want %d", want, id, i)
					}
				}
				for _, later := range []string{"id-150", "id-4999"} {
					if id := s.Lookup(later); id != None {
						t.Errorf("snapshot finds a later insert %s: %d", later, id)
					}
				}
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 100; i < 5000; i++ {
					tb.Intern(fmt.Sprint("id-", i))
				}
				if got := tb.Lookup("id-4999"); got != 4999 {
					t.Errorf("table Lookup(id-4999) = %d", got)
				}
				tb.Reset()
				tb.Intern("after reset")
			}()
			check()
			<-done
			check()
			if id, added := s.Intern("id-7"); id != 7 || added {
				t.Errorf("snapshot Intern of a string it holds = %d, %v", id, added)
			}
			if id, added := s.Intern("new"); id != 100 || !added || s.String(100) != "new" {
				t.Errorf("snapshot Intern of a new string = %d, %v", id, added)
			}
			if id := s.Lookup("id-150"); id != None {
				t.Errorf("snapshot finds a later insert of the table after its own insert: %d", id)
			}
			if tb.Len() != 1 || tb.String(0) != "after reset" {
				t.Errorf("table after reset holds %d strings", tb.Len())
			}
		})
	}
}

// TestList checks that a list keeps every string appended, equal ones
// apart, and that a snapshot keeps what the list held while the list is
// appended to and reset (go test -race).
func TestList(t *testing.T) {
	l := NewList(2, 4)
	for i, s := range []string{"S1", "", "S1", "S22"} {
		if id := l.Append(s); id != ID(i) {
			t.Fatalf("Append(%q) = %d, want %d", s, id, i)
		}
	}
	if l.Len() != 4 || l.String(2) != "S1" || l.String(1) != "" || string(l.View(3)) != "S22" || l.Shared(0) != "S1" {
		t.Fatalf("list holds %d strings: %q %q %q %q", l.Len(), l.String(0), l.String(1), l.String(2), l.String(3))
	}
	if l.UsedBytes() != 7+4*4 {
		t.Errorf("UsedBytes = %d, want %d", l.UsedBytes(), 7+4*4)
	}
	s := l.Snapshot()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			l.AppendBytes([]byte(fmt.Sprint("later-", i)))
		}
		l.Reset()
		l.Append("after reset")
	}()
	check := func() {
		if s.Len() != 4 || s.String(0) != "S1" || s.String(3) != "S22" {
			t.Errorf("snapshot holds %d strings: %q … %q", s.Len(), s.String(0), s.String(3))
		}
	}
	check()
	<-done
	check()
	if l.Len() != 1 || l.String(0) != "after reset" {
		t.Errorf("list after reset holds %d strings", l.Len())
	}
	if id := s.Append("snapshot's own"); id != 4 || s.String(4) != "snapshot's own" || s.String(0) != "S1" {
		t.Errorf("snapshot Append = %d", id)
	}
}

// TestOffsetWraps checks strings past each 2^offsetBits bytes of arena
// (4 GiB): with the offsets' width cut to a few bits, every string of a
// list and of a table comes back whole, also strings spanning several
// wraps, empty ones on a boundary, in a snapshot and after a reset.
func TestOffsetWraps(t *testing.T) {
	words := []string{"a", "", "0123456789abcdef0123", "xyz", "", "0123456", "q", strings.Repeat("w", 40), "tail"}
	for _, width := range []uint8{3, 4, 5, 8} {
		t.Run(fmt.Sprint("width ", width), func(t *testing.T) {
			l := &List{width: width}
			tb := &Table{List: List{width: width}}
			var want []string
			for r := range 6 {
				for i, w := range words {
					s := fmt.Sprint(w, r, i)
					if i%4 == 1 {
						s = "" // empty strings, some of them ending on a boundary
					}
					want = append(want, s)
					l.Append(s)
					if id, _ := tb.Intern(s); tb.String(id) != s {
						t.Fatalf("table Intern(%q) = %d holding %q", s, id, tb.String(id))
					}
				}
			}
			if len(l.wraps) == 0 {
				t.Fatal("no wraps: the test does not test them")
			}
			s := l.Snapshot()
			for i, w := range want {
				if got := l.String(ID(i)); got != w {
					t.Fatalf("String(%d) = %q, want %q", i, got, w)
				}
				if id := tb.Lookup(w); id == None || tb.String(id) != w {
					t.Fatalf("table Lookup(%q) = %d", w, id)
				}
			}
			l.Reset()
			l.Append(strings.Repeat("r", 20))
			for i, w := range want {
				if got := s.String(ID(i)); got != w {
					t.Fatalf("snapshot String(%d) = %q, want %q after the list's reset", i, got, w)
				}
			}
			if l.String(0) != strings.Repeat("r", 20) || l.Len() != 1 {
				t.Errorf("list after reset holds %d: %q", l.Len(), l.String(0))
			}
		})
	}
}

// TestTrim checks that Trim gives back an arena, offsets and index reserved
// for many more strings, and that every id still finds its string and every
// string its id.
func TestTrim(t *testing.T) {
	tb := New(100_000, 10)
	for i := range 100 {
		tb.Intern(fmt.Sprint("id-", i))
	}
	tb.Trim()
	if cap(tb.arena) != len(tb.arena) || cap(tb.ends) != len(tb.ends) {
		t.Errorf("arena %d of %d, offsets %d of %d after Trim", len(tb.arena), cap(tb.arena), len(tb.ends), cap(tb.ends))
	}
	if len(tb.slots) != 256 || len(tb.tags) != 256 {
		t.Errorf("index of %d slots after Trim, want 256", len(tb.slots))
	}
	for i := range 100 {
		if s := fmt.Sprint("id-", i); tb.Lookup(s) != ID(i) || tb.String(ID(i)) != s {
			t.Errorf("id %d: Lookup %d, String %q", i, tb.Lookup(s), tb.String(ID(i)))
		}
	}
	if id, added := tb.Intern("id-100"); id != 100 || !added {
		t.Errorf("insert after Trim: %d, %v", id, added)
	}
}
