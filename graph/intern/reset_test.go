package intern

import (
	"fmt"
	"testing"
)

// TestReset refills a reset table and compares it with a new table
// filled alike: same ids, same lookups, the old strings gone, and no
// allocation for a refill no larger than before.
func TestReset(t *testing.T) {
	tests := []struct {
		name        string
		first, next []string
	}{
		{"empty", nil, nil},
		{"same strings", []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{"fewer strings", []string{"a", "b", "c", "d"}, []string{"d", "a"}},
		{"other strings", []string{"x1", "x2"}, []string{"y1", "x2", "y1", ""}},
		{"more strings", []string{"a"}, manyStrings(100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := New(4, 4)
			for _, s := range tc.first {
				tab.Intern(s)
			}
			tab.Reset()
			if tab.Len() != 0 {
				t.Fatalf("Len after Reset = %d, want 0", tab.Len())
			}
			fresh := New(4, 4)
			for _, s := range tc.next {
				id, added := tab.Intern(s)
				wantID, wantAdded := fresh.Intern(s)
				if id != wantID || added != wantAdded {
					t.Fatalf("Intern(%q) = %d, %v, want %d, %v", s, id, added, wantID, wantAdded)
				}
			}
			if tab.Len() != fresh.Len() {
				t.Fatalf("Len = %d, want %d", tab.Len(), fresh.Len())
			}
			for id := range fresh.Len() {
				if got, want := tab.String(ID(id)), fresh.String(ID(id)); got != want {
					t.Fatalf("String(%d) = %q, want %q", id, got, want)
				}
			}
			for _, s := range append(tc.first, tc.next...) {
				if got, want := tab.Lookup(s), fresh.Lookup(s); got != want {
					t.Fatalf("Lookup(%q) = %d, want %d", s, got, want)
				}
			}
		})
	}
}

// TestResetKeepsMemory refills a reset table with as many strings as it
// held and expects no allocation.
func TestResetKeepsMemory(t *testing.T) {
	strs := manyStrings(200)
	tab := New(1, 1)
	for _, s := range strs {
		tab.Intern(s)
	}
	allocs := testing.AllocsPerRun(10, func() {
		tab.Reset()
		for _, s := range strs {
			tab.Intern(s)
		}
	})
	if allocs != 0 {
		t.Fatalf("refill after Reset allocates %v times, want 0", allocs)
	}
}

// manyStrings returns n distinct strings.
func manyStrings(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("s-%04d", i)
	}
	return out
}

// TestShared checks that a Shared string is the String of its id, costs no
// allocation, and keeps its bytes through growth of the table and through
// a Reset and refill, which would otherwise write over the arena.
func TestShared(t *testing.T) {
	tb := New(2, 4)
	words := []string{"P001", "D1", "", "H35020632049"}
	for _, w := range words {
		tb.Intern(w)
	}
	held := make([]string, len(words))
	for i, w := range words {
		held[i] = tb.Shared(ID(i))
		if held[i] != w || held[i] != tb.String(ID(i)) {
			t.Fatalf("Shared(%d) = %q, want %q", i, held[i], w)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = tb.Shared(3) }); n != 0 {
		t.Errorf("Shared allocates %.0f times", n)
	}
	check := func(after string) {
		t.Helper()
		for i, w := range words {
			if held[i] != w {
				t.Errorf("after %s, a Shared string reads %q, want %q", after, held[i], w)
			}
		}
	}
	tb.Reset()
	for _, w := range []string{"XXXX", "YY", "ZZZZZZZZZZZZ", "QQQQ"} {
		tb.Intern(w)
	}
	check("a Reset and refill")
	if got := tb.Shared(0); got != "XXXX" {
		t.Errorf("after Reset, Shared(0) = %q", got)
	}
	for i := range 1000 {
		tb.Intern(fmt.Sprintf("grow-%d", i))
	}
	check("growth")
}
