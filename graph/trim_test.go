package graph

import (
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/intern"
)

// TestTablesTrim loads a city into tables reserved for many more rows,
// trims them and checks that every slice, inside the compact columns and
// the string tables too, has at most 1/trimSpare of its capacity unused,
// and that no row changed.
func TestTablesTrim(t *testing.T) {
	tb, want := cityTwice(NewTables(50_000, 150_000), "t", 40, 6)
	if spare := spareSlices(reflect.ValueOf(tb).Elem(), "Tables"); len(spare) == 0 {
		t.Fatal("the tables reserved nothing to trim")
	}
	tb.Trim()
	for _, s := range spareSlices(reflect.ValueOf(tb).Elem(), "Tables") {
		t.Errorf("%s keeps capacity after Trim", s)
	}
	assertSameRows(t, "Tables", reflect.ValueOf(*tb), reflect.ValueOf(*want))
	if id := tb.Visits.IDs.Lookup(tb.Visits.IDs.String(3)); id != 3 {
		t.Errorf("visit id 3 found as %d after Trim", id)
	}
}

// spareSlices lists the slices under v (exported or not, through pointers
// to string tables) with more than 1/trimSpare of their capacity unused.
func spareSlices(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			out = append(out, spareSlices(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
	case reflect.Pointer:
		if !v.IsNil() && (v.Type() == reflect.TypeFor[*intern.Table]() || v.Type() == reflect.TypeFor[*intern.List]()) {
			out = append(out, spareSlices(v.Elem(), path)...)
		}
	case reflect.Slice:
		if v.Cap()-v.Len() > v.Cap()/trimSpare && path[len(path)-6:] != ".slots" && path[len(path)-5:] != ".tags" {
			out = append(out, path)
		}
	}
	return out
}
