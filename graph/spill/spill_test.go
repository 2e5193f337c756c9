package spill

import (
	"runtime/debug"
	"slices"
	"testing"
)

// TestMove moves slices of several element types and lengths and checks
// that the views hold the same values, have no spare capacity, and that the
// file counts their bytes.
func TestMove(t *testing.T) {
	f, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u16 := []uint16{1, 2, 0xFFFF}
	u64 := make([]uint64, 5000) // more than a page
	for i := range u64 {
		u64[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	b := []byte("a byte slice of odd length")
	f32 := []float32{0.5, -1}
	for _, tc := range []struct {
		name  string
		move  func() (same bool, capOK bool, err error)
		bytes int64
	}{
		{"uint16", func() (bool, bool, error) { m, err := Move(f, u16); return slices.Equal(m, u16), cap(m) == len(m), err }, 6},
		{"uint64 over a page", func() (bool, bool, error) { m, err := Move(f, u64); return slices.Equal(m, u64), cap(m) == len(m), err }, 40000},
		{"bytes", func() (bool, bool, error) { m, err := Move(f, b); return slices.Equal(m, b), cap(m) == len(m), err }, int64(len(b))},
		{"float32", func() (bool, bool, error) { m, err := Move(f, f32); return slices.Equal(m, f32), cap(m) == len(m), err }, 8},
		{"empty", func() (bool, bool, error) { m, err := Move(f, []uint32{}); return len(m) == 0, true, err }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.Moved()
			same, capOK, err := tc.move()
			if err != nil {
				t.Fatal(err)
			}
			if !same || !capOK {
				t.Errorf("same values %v, capacity its length %v", same, capOK)
			}
			if got := f.Moved() - before; Supported && got != tc.bytes {
				t.Errorf("moved %d bytes, want %d", got, tc.bytes)
			}
		})
	}
}

// TestMovedReadOnly checks that a moved slice cannot be written to, and
// that appending to it copies it back to the heap.
func TestMovedReadOnly(t *testing.T) {
	if !Supported {
		t.Skip("no memory mapping on this system")
	}
	f, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Move(f, []uint32{7, 8, 9})
	if err != nil {
		t.Fatal(err)
	}
	grown := append(m, 10)
	grown[0] = 1
	if m[0] != 7 || !slices.Equal(grown, []uint32{1, 8, 9, 10}) {
		t.Fatalf("append: moved %v, grown %v", m, grown)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	faulted := func() (faulted bool) {
		defer func() { faulted = recover() != nil }()
		m[1] = 0
		return false
	}()
	if !faulted {
		t.Error("writing to a moved slice did not fault")
	}
}
