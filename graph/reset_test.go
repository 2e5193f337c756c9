package graph

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// resetCity fills t with a small city of persons persons, each with
// visits visits of two fee lines, at institutions and doctors that depend
// on salt, so that two fills differ in every table.
func resetCity(t *Tables, salt string, persons, visits int) {
	for i := range 3 {
		t.AddInstitution(&claims.Institution{Code: fmt.Sprintf("H%s%d", salt, i), Name: "诊所" + salt, Type: claims.InstitutionType(1 + i%2),
			Level: "一级", Beds: int32(10 * i), Lat: 24, Lon: 118, HasLocation: i > 0})
		t.AddStaff(&claims.Staff{DrCode: fmt.Sprintf("D%s%d", salt, i), Name: "医生", Dept: "内科"}, uint32(i))
	}
	t.AddCatalogItem(&claims.CatalogItem{Code: "ITEM-" + salt, Name: "药", ListType: 101, AgeMin: -1, AgeMax: 60, MaxDays: 7})
	for p := range persons {
		psn := fmt.Sprintf("P%s%d", salt, p)
		row, _ := t.AddPerson(&claims.Person{PsnNo: psn, Sex: claims.Sex(1 + p%2), Name: "张" + salt, CertNo: psn + "X",
			Birth: claims.DateOf(1960+p, 1, 1), DieDate: claims.NoDate, InsuType: "310"})
		for v := range visits {
			id := fmt.Sprintf("%s-%d", psn, v)
			cv := claims.Visit{MdtrtID: id, SetlID: "S" + id, MedType: claims.MedType(11 + 10*(v%2)),
				Begin: claims.Time(1_700_000_000 + 86400*int64(v) + int64(p)), End: claims.NoTime,
				DoctorCode: fmt.Sprintf("D%s%d", salt, v%4), DiseCode: "J18", MedFee: 1000, FundPay: 800}
			vr, _ := t.AddVisit(&cv, row, uint32(v%3), uint32(2+v))
			for f := range 2 {
				t.AddFee(&claims.FeeLine{FeedetlSn: fmt.Sprintf("%s-%d", id, f), MdtrtID: id, ItemCode: fmt.Sprintf("ITEM-%s", salt[:f]),
					Count: 1, Amount: 500, Time: cv.Begin, TraceCode: "T" + salt, DoctorCode: cv.DoctorCode}, vr, uint32(10+f))
			}
		}
	}
}

// TestTablesReset fills tables, resets and refills them, and compares
// them, and the graph built from them, with new tables filled alike.
func TestTablesReset(t *testing.T) {
	tests := []struct {
		name                  string
		first, firstN, nextN  int
		firstSalt, secondSalt string
	}{
		{"same city", 3, 4, 4, "a", "a"},
		{"smaller city", 5, 6, 2, "a", "bb"},
		{"larger city", 1, 1, 9, "cc", "a"},
		{"from empty", 0, 0, 3, "a", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reused := NewTables(0, 0)
			resetCity(reused, tc.firstSalt, tc.first, tc.firstN)
			reused.Reset()
			assertEmpty(t, reused)
			resetCity(reused, tc.secondSalt, tc.first+1, tc.nextN)
			fresh := NewTables(0, 0)
			resetCity(fresh, tc.secondSalt, tc.first+1, tc.nextN)
			assertSameRows(t, "tables", reflect.ValueOf(*reused), reflect.ValueOf(*fresh))
			g1, err := Build(context.Background(), reused, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			g2, err := Build(context.Background(), fresh, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if g1.NumNodes() != g2.NumNodes() || g1.NumEdges() != g2.NumEdges() {
				t.Fatalf("graph of reset tables: %d nodes %d edges, want %d, %d", g1.NumNodes(), g1.NumEdges(), g2.NumNodes(), g2.NumEdges())
			}
			for n := range NodeID(g2.NumNodes()) {
				if !reflect.DeepEqual(g1.VisitsOf(n), g2.VisitsOf(n)) || g1.NodeFund(n) != g2.NodeFund(n) || g1.Key(n) != g2.Key(n) {
					t.Fatalf("node %d differs", n)
				}
			}
		})
	}
}

// TestTablesResetAllocs refills reset tables with the same rows and
// expects no allocation: the columns and interners keep their memory.
func TestTablesResetAllocs(t *testing.T) {
	src := NewTables(0, 0)
	resetCity(src, "a", 4, 5)
	persons := make([]claims.Person, src.Persons.Len())
	for p := range persons {
		persons[p] = claims.Person{PsnNo: src.Persons.IDs.String(uint32(p)), Sex: src.Persons.Sex[p], Name: "张"}
	}
	visits := make([]claims.Visit, src.Visits.Len())
	for v := range visits {
		visits[v] = claims.Visit{MdtrtID: src.Visits.IDs.String(uint32(v)), DoctorCode: src.Doctors.IDs.String(src.Visits.Doctor[v]),
			DiseCode: "J18", Begin: src.Visits.Begin.At(uint32(v)), End: claims.NoTime}
	}
	fees := make([]claims.FeeLine, src.Fees.Len())
	for f := range fees {
		fees[f] = claims.FeeLine{FeedetlSn: src.Str(src.Fees.Sn.At(uint32(f))), ItemCode: src.Catalog.IDs.String(src.Fees.Item.At(uint32(f))), TraceCode: "T"}
	}
	fill := func(tb *Tables) {
		for i := range persons {
			tb.AddPerson(&persons[i])
		}
		for i := range visits {
			tb.AddVisit(&visits[i], src.Visits.Person[i], 0, 2)
		}
		for i := range fees {
			tb.AddFee(&fees[i], src.Fees.Visit.At(uint32(i)), 2)
		}
	}
	tb := NewTables(0, 0)
	fill(tb)
	if allocs := testing.AllocsPerRun(5, func() { tb.Reset(); fill(tb) }); allocs != 0 {
		t.Fatalf("refill of reset tables allocates %v times", allocs)
	}
}

// assertEmpty fails unless every column and interner of tb is empty; it
// walks the tables by reflection, so that a column added later but not
// to Reset is caught.
func assertEmpty(t *testing.T, tb *Tables) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if c, ok := narrowOf(v); ok {
			if c.Len() != 0 {
				t.Errorf("%s has %d rows after Reset", path, c.Len())
			}
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			if v.Len() != 0 {
				t.Errorf("%s has %d rows after Reset", path, v.Len())
			}
		case reflect.Pointer:
			if l, ok := v.Interface().(stringColumn); ok && !v.IsNil() && l.Len() != 0 {
				t.Errorf("%s holds %d strings after Reset", path, l.Len())
			}
		}
	}
	walk("Tables", reflect.ValueOf(*tb))
}

// assertSameRows compares two tables (or parts of them) by content:
// slices element by element (capacity aside), interners string by string.
func assertSameRows(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	walkPair(path, a, b, func(path string, a, b reflect.Value) { sameRows(t, path, a, b) })
}

// walkPair calls leaf with every field of a and b (values of one type)
// that is not a struct, walking into structs, with its path.
func walkPair(path string, a, b reflect.Value, leaf func(path string, a, b reflect.Value)) {
	if _, ok := narrowOf(a); ok || a.Kind() != reflect.Struct {
		leaf(path, a, b)
		return
	}
	for i := range a.NumField() {
		walkPair(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), leaf)
	}
}

// sameRows is assertSameRows on one field.
func sameRows(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Struct: // a Narrow column
		x, _ := narrowOf(a)
		y, _ := narrowOf(b)
		if x.Len() != y.Len() {
			t.Errorf("%s: %d rows, want %d", path, x.Len(), y.Len())
			return
		}
		for i := range uint32(y.Len()) {
			if x.at64(i) != y.at64(i) {
				t.Errorf("%s[%d] = %v, want %v", path, i, x.at64(i), y.at64(i))
			}
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			t.Errorf("%s: %d rows, want %d", path, a.Len(), b.Len())
			return
		}
		for i := range a.Len() {
			if !reflect.DeepEqual(a.Index(i).Interface(), b.Index(i).Interface()) {
				t.Errorf("%s[%d] = %v, want %v", path, i, a.Index(i), b.Index(i))
			}
		}
	case reflect.Pointer:
		// Interners are compared string by string, and looked up;
		// lists of strings string by string.
		if a.IsNil() || b.IsNil() {
			return
		}
		x, okA := a.Interface().(stringColumn)
		y, okB := b.Interface().(stringColumn)
		if !okA || !okB {
			return
		}
		if x.Len() != y.Len() {
			t.Errorf("%s: %d strings, want %d", path, x.Len(), y.Len())
			return
		}
		table, isTable := a.Interface().(interface{ Lookup(string) intern.ID })
		for id := range intern.ID(y.Len()) {
			if x.String(id) != y.String(id) || isTable && table.Lookup(y.String(id)) != id {
				t.Errorf("%s: string %d = %q, want %q", path, id, x.String(id), y.String(id))
			}
		}
	}
}

// stringColumn is what the reflective walks read of an interner or a list
// of strings (intern.Table, List, PackedTable, PackedList).
type stringColumn interface {
	Len() int
	String(id intern.ID) string
}

// narrowColumn is what the reflective walks read of a compact column
// (Narrow, Counts, Lines, Sparse, Small, Owners, Days).
type narrowColumn interface {
	Len() int
	at64(i uint32) int64
}

// at64 returns the value of row i as an int64.
func (c *Narrow[T]) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the value of row i.
func (c *Small) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the value of row i.
func (c *Sparse) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the code of row i (its own doctor, or visitsDoctor).
func (c *FeeDoctors) at64(i uint32) int64 { return int64(c.code(i)) }

// at64 returns the days of row i.
func (c *Days) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the owner of row i.
func (c *Owners) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the line of row i.
func (c *Lines) at64(i uint32) int64 { return int64(c.At(i)) }

// at64 returns the amount row i keeps whole, or math.MinInt64 for one
// computed from its quantity and price (compared in their own columns).
func (c *Amounts) at64(i uint32) int64 {
	if c.isPlain {
		return int64(c.plain.At(i))
	}
	if c.kept(i) {
		return int64(c.wholeAt(i))
	}
	return math.MinInt64
}

// at64 returns the bits of the quantity of row i.
func (c *Counts) at64(i uint32) int64 { return int64(math.Float64bits(c.At(i))) }

// at64 returns the price of row i.
func (c *Prices) at64(i uint32) int64 { return int64(c.At(i)) }

// narrowOf returns v as a Narrow column, if it is one.
func narrowOf(v reflect.Value) (narrowColumn, bool) {
	if v.Kind() != reflect.Struct || !v.CanInterface() {
		return nil, false
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	c, ok := p.Interface().(narrowColumn)
	return c, ok
}

// cityTwice fills tb with resetCity's city and returns it with a second
// copy of the city in tables of their own, to compare tb with.
func cityTwice(tb *Tables, salt string, persons, visits int) (*Tables, *Tables) {
	want := NewTables(0, 0)
	resetCity(tb, salt, persons, visits)
	resetCity(want, salt, persons, visits)
	return tb, want
}
