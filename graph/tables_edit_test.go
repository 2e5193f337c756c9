package graph

import (
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestFeeTableKeep(t *testing.T) {
	tb := NewTables(4, 8)
	for i := 0; i < 6; i++ {
		tb.AddFee(&claims.FeeLine{FeedetlSn: string(rune('a' + i)), ItemCode: "X", Count: float64(i),
			Amount: claims.Money(i), TraceCode: "T"}, uint32(i), uint32(i+2))
	}
	n := tb.Fees.Keep(func(i int) bool { return i%2 == 1 })
	if n != 3 || tb.Fees.Len() != 3 {
		t.Fatalf("Keep left %d rows (Len %d), want 3", n, tb.Fees.Len())
	}
	for k, want := range []int{1, 3, 5} {
		if tb.Fees.Visit.At(uint32(k)) != uint32(want) || tb.Fees.Line.At(uint32(k)) != uint32(want+2) || tb.Fees.AmountAt(uint32(k)) != claims.Money(want) ||
			tb.Str(tb.Fees.Sn.At(uint32(k))) != string(rune('a'+want)) {
			t.Errorf("row %d: visit %d line %d amount %d", k, tb.Fees.Visit.At(uint32(k)), tb.Fees.Line.At(uint32(k)), tb.Fees.AmountAt(uint32(k)))
		}
	}
	// Every slice column must have been compacted: this catches columns
	// added to FeeTable later but not to Keep.
	v := reflect.ValueOf(tb.Fees)
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() != 3 {
			t.Errorf("column %s has %d rows after Keep, want 3", v.Type().Field(i).Name, f.Len())
		}
	}
}
