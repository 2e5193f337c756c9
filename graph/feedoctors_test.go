package graph

import (
	"slices"
	"testing"
)

// setFeeDoctor changes the doctor of fee line i of tb to d, rebuilding the
// column (FeeDoctors has no Set: tests put doctors out of range with it).
func setFeeDoctor(tb *Tables, i int, d uint32) {
	doctors := make([]uint32, tb.Fees.Len())
	for f := range doctors {
		doctors[f] = tb.FeeDoctor(uint32(f))
	}
	doctors[i] = d
	tb.Fees.Doctor = NewFeeDoctors(len(doctors))
	for f, d := range doctors {
		tb.Fees.Doctor.Append(d, tb.visitDoctor(tb.Fees.Visit.At(uint32(f))))
	}
}

// TestFeeDoctors checks that a fee line reads back the doctor it was
// added with, its visit's or its own (None among them), after a
// compaction and in a subset, and that only the lines billed by another
// doctor take room.
func TestFeeDoctors(t *testing.T) {
	tb := fixtureTables(t)
	ft := &tb.Fees
	want := make([]uint32, ft.Len())
	for f := range want {
		want[f] = tb.FeeDoctor(uint32(f))
	}
	own := 0
	for f, d := range want {
		if d != tb.Visits.Doctor[ft.Visit.At(uint32(f))] {
			own++
		}
	}
	if ft.Doctor.Own() != own || own == 0 || own == len(want) {
		t.Fatalf("%d lines kept with a doctor of their own, want %d (of %d)", ft.Doctor.Own(), own, len(want))
	}
	// A line without a doctor on a visit with one, and a line billed by
	// another doctor, each keep theirs.
	setFeeDoctor(tb, 0, None)
	want[0] = None
	other := (tb.Visits.Doctor[ft.Visit.At(1)] + 1) % uint32(tb.Doctors.Len())
	setFeeDoctor(tb, 1, other)
	want[1] = other
	got := func(tb *Tables) []uint32 {
		out := make([]uint32, tb.Fees.Len())
		for f := range out {
			out[f] = tb.FeeDoctor(uint32(f))
		}
		return out
	}
	if g := got(tb); !slices.Equal(g, want) {
		t.Fatalf("doctors %v, want %v", g, want)
	}
	all := make([]uint32, ft.Len())
	for f := range all {
		all[f] = uint32(f)
	}
	visits := make([]uint32, tb.Visits.Len())
	for v := range visits {
		visits[v] = uint32(v)
	}
	sub, kept, _ := tb.Subset(visits, all)
	if g := got(sub); len(kept) != len(want) || !slices.Equal(g, want) {
		t.Errorf("subset doctors %v, want %v", g, want)
	}
	ft.Keep(func(f int) bool { return f%2 == 1 })
	var odd []uint32
	for f := 1; f < len(want); f += 2 {
		odd = append(odd, want[f])
	}
	if g := got(tb); !slices.Equal(g, odd) {
		t.Errorf("after Keep: doctors %v, want %v", g, odd)
	}
}
