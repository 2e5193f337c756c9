package graph

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// TestTablesSnapshot checks that a snapshot holds every row and string of
// the tables it was taken of (walked by reflection, so that a column added
// later but not to Snapshot is caught), shares no memory that appending
// to the tables writes into, and stays unchanged, and readable, while
// claims are appended to the tables beside its readers (go test -race):
// visits with a new doctor, a new diagnosis code, new items and trace
// codes, admissions at an existing hospital.
func TestTablesSnapshot(t *testing.T) {
	tb, want := cityTwice(NewTables(0, 0), "a", 20, 6)
	s := tb.Snapshot()
	assertSameRows(t, "Tables", reflect.ValueOf(*s), reflect.ValueOf(*want))
	assertDetached(t, "Tables", reflect.ValueOf(*s), reflect.ValueOf(*tb))

	done := make(chan struct{})
	go func() {
		defer close(done)
		person := tb.Persons.IDs.Lookup("Pa3")
		for v := range 200 {
			id := fmt.Sprint("new-", v)
			cv := claims.Visit{MdtrtID: id, SetlID: "S" + id, MedType: claims.MedInpatient, Begin: claims.Time(1_800_000_000 + int64(v)),
				End: claims.NoTime, DoctorCode: fmt.Sprint("DNEW", v%7), DiseCode: fmt.Sprint("K", v%9), MedFee: 900, FundPay: 700}
			row, _ := tb.AddVisit(&cv, person, 1, 0)
			tb.AddFee(&claims.FeeLine{FeedetlSn: id, MdtrtID: id, ItemCode: fmt.Sprint("NEWITEM", v%5), Count: 1, Amount: 900,
				Time: cv.Begin, TraceCode: fmt.Sprint("TN", v), DoctorCode: cv.DoctorCode}, row, 0)
		}
	}()
	g, err := Build(context.Background(), s, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 { // every row of every column read while rows are appended (-race)
		assertSameRows(t, "Tables", reflect.ValueOf(*s), reflect.ValueOf(*want))
	}
	<-done
	assertSameRows(t, "Tables", reflect.ValueOf(*s), reflect.ValueOf(*want))
	if g.Tables() != s || s.Visits.Len() != want.Visits.Len() || tb.Visits.Len() != want.Visits.Len()+200 {
		t.Errorf("snapshot %d visits, tables %d, want %d and %d", s.Visits.Len(), tb.Visits.Len(), want.Visits.Len(), want.Visits.Len()+200)
	}
}

// assertDetached fails where snapshot a still aliases memory of b that
// appending to b writes into: a slice with spare capacity over b's array,
// or b's own string table.
func assertDetached(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	walkPair(path, a, b, func(path string, a, b reflect.Value) {
		switch a.Kind() {
		case reflect.Slice:
			if a.Cap() > a.Len() && a.Cap() > 0 && b.Cap() > 0 && a.Pointer() == b.Pointer() {
				t.Errorf("%s shares the tables' array with room to append", path)
			}
		case reflect.Pointer:
			if x, ok := a.Interface().(*intern.Table); ok && x == b.Interface().(*intern.Table) {
				t.Errorf("%s is the tables' own string table", path)
			}
		}
	})
}
