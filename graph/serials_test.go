package graph

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// TestFeeSerials fills a fee table whose serials are kept apart
// (UseFeeSerials) and reads them back, also from a snapshot, a subset and
// after the ingest indexes are dropped; equal serials have equal ids.
func TestFeeSerials(t *testing.T) {
	tb := NewTables(0, 0)
	tb.AddPerson(&claims.Person{PsnNo: "P1"})
	tb.AddInstitution(&claims.Institution{Code: "C1", Type: claims.Medical, Beds: -1})
	v, _ := tb.AddVisit(&claims.Visit{MdtrtID: "V1", PsnNo: "P1", InstitutionCode: "C1", MedType: 11,
		Begin: at(2024, 1, 1, 9, 0), End: claims.NoTime}, 0, 0, 2)
	tb.UseFeeSerials(8)
	if tb.Fees.Serials == nil {
		t.Fatal("serials not kept apart")
	}
	serials := []string{"2024000000000001", "2024000000000002", "FD-x", "", "2024000000000001", "0000000000000003"}
	for i, sn := range serials {
		tb.AddFee(&claims.FeeLine{FeedetlSn: sn, MdtrtID: "V1", Count: 1, Time: at(2024, 1, 1, 9, 1)}, v, uint32(10+i))
	}
	tb.UseFeeSerials(8) // too late: lines are there
	check := func(name string, tb *Tables) {
		t.Helper()
		for f, want := range serials {
			if got := tb.FeeSerial(uint32(f)); got != want {
				t.Errorf("%s: line %d serial %q, want %q", name, f, got, want)
			}
		}
	}
	check("tables", tb)
	if tb.Fees.Sn.At(0) != tb.Fees.Sn.At(4) || tb.Fees.Sn.At(0) == tb.Fees.Sn.At(1) || tb.Fees.Sn.At(3) != None {
		t.Errorf("ids %d %d %d %d", tb.Fees.Sn.At(0), tb.Fees.Sn.At(4), tb.Fees.Sn.At(1), tb.Fees.Sn.At(3))
	}
	if tb.Strings.Len() > 4 {
		t.Errorf("%d strings: serials among the codes and names", tb.Strings.Len())
	}
	snap := tb.Snapshot()
	all := []uint32{0, 1, 2, 3, 4, 5}
	sub, _, _ := tb.Subset([]uint32{v}, all)
	tb.DropIngestIndexes()
	check("snapshot", snap)
	check("subset", sub)
	check("indexes dropped", tb)
	found := false
	for _, m := range tb.Memory() {
		found = found || m.Structure == "fees.feedetl_sn (unique per line)" && m.Bytes > 0
	}
	if !found {
		t.Error("serials missing from the memory model")
	}
	tb.Reset()
	if tb.Fees.Serials != nil {
		t.Error("Reset keeps the serials apart")
	}
}
