package graph

import (
	"fmt"
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
	// Fixed-width columns: bytes per row are the sum of the column widths,
	// plus 12 bytes per run of lines before the last, plus the trace codes'
	// bits and values.
	traced, _ := tb.Fees.Trace.bytes()
	// The fixture's fee lines have no price, so their amounts (all but
	// one of 0) are kept whole: 16 bytes each, and no complete word of bits.
	if kept := tb.Fees.Amount.Kept(); kept != 7 {
		t.Errorf("%d amounts kept whole, want 7", kept)
	}
	amounts := int64(16 * tb.Fees.Amount.Kept())
	// The dictionary of distinct prices, 8 bytes each, and its index.
	prices := int64((8 + priceIndexEntryBytes) * tb.Fees.Price.Distinct())
	tests := []struct {
		structure string
		rows      int
		perRow    int64
		lineRuns  int
		extra     int64
	}{
		// Person, Institution, Doctor (4 each), Dise, DiseName (2 each),
		// MedType 1, Begin, End, MedFee and FundPay 4 each (no value out of
		// their range here), Cert 1, Flags 1; lines in order.
		{"visits.columns", tb.Visits.Len(), 3*4 + 2*2 + 1 + 4*4 + 1 + 1, 0, 0},
		// Visit 1 (and a base of 4 for the block of rows), Doctor 4 for
		// each line billed by another doctor than its visit's (no
		// complete word of rows), SupplyDays 1, Sn, Item, Count, Price (2
		// each:
		// the price a code into the column's dictionary of prices, below),
		// Time 4 (no value out of their range here),
		// the amounts kept whole; the fixture's lines 100-102, 110, 120,
		// 121, 130, 140 make four runs (the second and third of two
		// rows, by tens and nines), three before the last; no trace
		// codes (no complete word of rows).
		{"fees.columns", tb.Fees.Len(), 1 + 1 + 4*2 + 4, len(tb.Fees.Line.runs), 4 + 4*int64(tb.Fees.Doctor.Own()) + traced + amounts + prices},
		{"graph.visits_by_time", tb.Visits.Len(), 4, 0, 0},
	}
	for _, tc := range tests {
		m, ok := items[tc.structure]
		if !ok {
			t.Errorf("%s missing", tc.structure)
			continue
		}
		if want := int64(tc.rows)*tc.perRow + int64(12*tc.lineRuns) + tc.extra; m.Rows != int64(tc.rows) || m.Bytes != want {
			t.Errorf("%s: %d rows, %d bytes; want %d rows, %d bytes", tc.structure, m.Rows, m.Bytes, tc.rows, want)
		}
	}
	if runs := len(tb.Fees.Line.runs); runs != 3 {
		t.Errorf("%d runs of fee lines before the last, want 3", runs)
	}
	if traced != 0 {
		t.Errorf("%d bytes of trace codes, want none", traced)
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
	// Every visit added adds its columns' width, a value kept wide (a begin
	// time of 1970) its row and value, a line out of the run a run (the
	// second line 1 extends the run of the first, by zeros).
	for _, tc := range []struct {
		begin claims.Time
		want  int64
	}{{1_767_225_600, 35 + 12}, {0, 35 + 16}} {
		before := tb.Memory()[0]
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprint("memory-test-", tc.begin), MedType: 11, Begin: tc.begin, End: claims.NoTime}, 0, 0, 1)
		if after := tb.Memory()[0]; after.Bytes-before.Bytes != tc.want {
			t.Errorf("one visit beginning at %d added %d bytes of columns; want %d", tc.begin, after.Bytes-before.Bytes, tc.want)
		}
	}
}
