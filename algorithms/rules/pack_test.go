package rules

import (
	"slices"
	"testing"
	"unsafe"
)

// TestPackRows checks that packing keeps every row list of every hit (nil
// stays nil), leaves no spare capacity, so that appending to one list
// cannot write over the next, and puts them all in one block.
func TestPackRows(t *testing.T) {
	hits := []Hit{
		{Persons: []uint32{1}, Visits: []uint32{10, 11, 12}, Fees: []uint32{100}},
		{Doctors: []uint32{7}, Institutions: []uint32{3, 4}},
		{},
		{Items: []uint32{9}, Visits: []uint32{20}},
	}
	want := make([]Hit, len(hits))
	for i, h := range hits {
		want[i] = Hit{Persons: slices.Clone(h.Persons), Doctors: slices.Clone(h.Doctors), Institutions: slices.Clone(h.Institutions),
			Items: slices.Clone(h.Items), Visits: slices.Clone(h.Visits), Fees: slices.Clone(h.Fees)}
	}
	packRows(hits)
	lists := func(h *Hit) [][]uint32 {
		return [][]uint32{h.Persons, h.Doctors, h.Institutions, h.Items, h.Visits, h.Fees}
	}
	for i := range hits {
		for j, got := range lists(&hits[i]) {
			w := lists(&want[i])[j]
			if !slices.Equal(got, w) || (got == nil) != (w == nil) || cap(got) != len(got) {
				t.Errorf("hit %d list %d: %v (cap %d), want %v", i, j, got, cap(got), w)
			}
		}
	}
	// Ten rows in all, in hit and list order: the last is nine rows after
	// the first when they are one block.
	if d := uintptr(unsafe.Pointer(&hits[3].Visits[0])) - uintptr(unsafe.Pointer(&hits[0].Persons[0])); d != 9*unsafe.Sizeof(uint32(0)) {
		t.Errorf("the lists are not one block (the last row %d bytes after the first)", d)
	}
	grown := append(hits[0].Visits, 99)
	if hits[0].Fees[0] != 100 || grown[3] != 99 {
		t.Errorf("appending to a packed list wrote over the next: fees %v", hits[0].Fees)
	}
}
