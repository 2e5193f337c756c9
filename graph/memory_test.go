package graph

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestMemory(t *testing.T) {
	tb := fixtureTables(t)
	g := fixtureGraph(t)
	items := map[string]MemoryItem{}
	for _, m := range append(tb.Memory(), g.Memory()...) {
		if _, dup := items[m.Structure]; dup {
			t.Errorf("structure %q listed twice", m.Structure)
		}
		if m.Bytes < 0 || m.Reserved < m.Bytes {
			t.Errorf("%s: bytes %d, reserved %d", m.Structure, m.Bytes, m.Reserved)
		}
		items[m.Structure] = m
	}
	// Fixed-width columns: bytes per row are the sum of the column widths.
	tests := []struct {
		structure string
		rows      int
		perRow    int64
	}{
		// Setl, Person, Institution, Doctor, Dise, DiseName, Line (4 each),
		// MedType 1, Begin and End 8, MedFee and FundPay 8, Cert 1, Flags 1.
		{"visits.columns", tb.Visits.Len(), 7*4 + 1 + 2*8 + 2*8 + 1 + 1},
		// Visit, Sn, Item, Doctor, Trace, Line (4 each), Count, Price,
		// Amount (8 each), Time 4 (no time out of its range here),
		// SupplyDays 4.
		{"fees.columns", tb.Fees.Len(), 6*4 + 3*8 + 4 + 4},
		{"graph.visits_by_time", tb.Visits.Len(), 4},
	}
	for _, tc := range tests {
		m, ok := items[tc.structure]
		if !ok {
			t.Errorf("%s missing", tc.structure)
			continue
		}
		if m.Rows != int64(tc.rows) || m.Bytes != int64(tc.rows)*tc.perRow {
			t.Errorf("%s: %d rows, %d bytes; want %d rows of %d bytes", tc.structure, m.Rows, m.Bytes, tc.rows, tc.perRow)
		}
	}
	if got := g.MemoryBytes(); got <= 0 {
		t.Errorf("MemoryBytes = %d", got)
	}
	var sum int64
	for _, m := range g.Memory() {
		sum += m.Reserved
	}
	if sum != g.MemoryBytes() {
		t.Errorf("Memory sums to %d reserved bytes, MemoryBytes says %d", sum, g.MemoryBytes())
	}
	// Zero tables (nil interners) have no memory.
	var zero Tables
	for _, m := range zero.Memory() {
		if m.Bytes != 0 || m.Reserved != 0 {
			t.Errorf("zero tables: %+v", m)
		}
	}
	// Every visit added adds its columns' width.
	before := tb.Memory()[0]
	tb.AddVisit(&claims.Visit{MdtrtID: "memory-test", MedType: 11}, 0, 0, 1)
	if after := tb.Memory()[0]; after.Bytes-before.Bytes != 63 {
		t.Errorf("one visit added %d bytes of columns; want 63", after.Bytes-before.Bytes)
	}
}
