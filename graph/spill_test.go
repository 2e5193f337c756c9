package graph

import (
	"context"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/spill"
)

// spillView is what Tables.Spill moves, read back as strings and ids.
type spillView struct {
	visitIDs, persons, names, certs, serials []string
	sn, diseName                             []uint32
}

// viewSpilled reads every value of the columns Spill moves.
func viewSpilled(tb *Tables) spillView {
	var v spillView
	for i := range tb.Visits.Len() {
		v.visitIDs = append(v.visitIDs, tb.Visits.IDs.String(uint32(i)))
		v.diseName = append(v.diseName, tb.Visits.DiseName.At(uint32(i)))
	}
	for i := range tb.Persons.IDs.Len() {
		v.persons = append(v.persons, tb.Persons.IDs.String(uint32(i)))
	}
	for f := range tb.Fees.Len() {
		v.serials = append(v.serials, tb.FeeSerial(uint32(f)))
		v.sn = append(v.sn, tb.Fees.Sn.At(uint32(f)))
	}
	v.names, v.certs = tb.People()
	return v
}

// TestTablesSpill moves the write-only columns of tables (with serials
// among the strings, and kept apart) into a spill file: every value reads
// back the same, the graph builds the same, and the tables can be Reset
// and refilled afterwards without writing to the read-only mapping.
func TestTablesSpill(t *testing.T) {
	for _, tc := range []struct {
		name    string
		serials bool
	}{{"serials among the strings", false}, {"serials apart", true}} {
		t.Run(tc.name, func(t *testing.T) {
			tb := fixtureTables(t)
			if tc.serials {
				tb = serialTables(t)
			}
			before := viewSpilled(tb)
			gBefore, err := Build(context.Background(), tb, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f, err := spill.Create(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := tb.Spill(f); err != nil {
				t.Fatal(err)
			}
			if spill.Supported && f.Moved() == 0 {
				t.Error("nothing moved")
			}
			after := viewSpilled(tb)
			for _, c := range []struct {
				name      string
				got, want []string
			}{{"visit ids", after.visitIDs, before.visitIDs}, {"persons", after.persons, before.persons},
				{"names", after.names, before.names}, {"certificate numbers", after.certs, before.certs},
				{"serials", after.serials, before.serials}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
				}
			}
			if !slices.Equal(after.sn, before.sn) || !slices.Equal(after.diseName, before.diseName) {
				t.Errorf("sn %v dise_name %v, want %v %v", after.sn, after.diseName, before.sn, before.diseName)
			}
			g, err := Build(context.Background(), tb, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for n := range NodeID(g.NumNodes()) {
				if g.Key(n) != gBefore.Key(n) || g.Label(n) != gBefore.Label(n) {
					t.Errorf("node %d: %q %q, want %q %q", n, g.Key(n), g.Label(n), gBefore.Key(n), gBefore.Label(n))
				}
			}
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			tb.Reset()
			tb.AddPerson(&claims.Person{PsnNo: "P1", Name: "王五"})
			tb.AddInstitution(&claims.Institution{Code: "C1", Type: claims.Medical, Beds: -1})
			v, _ := tb.AddVisit(&claims.Visit{MdtrtID: "V1", PsnNo: "P1", InstitutionCode: "C1", MedType: 11, DiseName: "感冒",
				Begin: at(2024, 1, 1, 9, 0), End: claims.NoTime}, 0, 0, 1)
			tb.AddFee(&claims.FeeLine{FeedetlSn: "0001", MdtrtID: "V1", Count: 1, Time: at(2024, 1, 1, 9, 1)}, v, 2)
			if tb.Visits.IDs.String(v) != "V1" || tb.FeeSerial(0) != "0001" || tb.Persons.IDs.String(0) != "P1" {
				t.Errorf("refilled after Reset: %q %q %q", tb.Visits.IDs.String(v), tb.FeeSerial(0), tb.Persons.IDs.String(0))
			}
		})
	}
}

// serialTables is a small city whose fee-line serials are kept apart
// (Tables.UseFeeSerials).
func serialTables(t *testing.T) *Tables {
	t.Helper()
	tb := NewTables(0, 0)
	tb.AddPerson(&claims.Person{PsnNo: "P1", Name: "赵六", CertNo: "110101199001011234"})
	tb.AddInstitution(&claims.Institution{Code: "C1", Type: claims.Medical, Beds: -1})
	v, _ := tb.AddVisit(&claims.Visit{MdtrtID: "202401000000000001", PsnNo: "P1", InstitutionCode: "C1", MedType: 11,
		DiseName: "高血压", Begin: at(2024, 1, 1, 9, 0), End: claims.NoTime}, 0, 0, 2)
	tb.UseFeeSerials(8)
	for i, sn := range []string{"2024000000000001", "2024000000000002", "", "FD-x"} {
		tb.AddFee(&claims.FeeLine{FeedetlSn: sn, MdtrtID: "202401000000000001", Count: 1, Time: at(2024, 1, 1, 9, 1)}, v, uint32(10+i))
	}
	return tb
}
