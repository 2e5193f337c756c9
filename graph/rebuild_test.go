package graph

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// TestRebuilder builds graphs of many tables with one Rebuilder, larger
// and smaller in turn, and compares each, field by field, with the graph
// Build makes of the same tables.
func TestRebuilder(t *testing.T) {
	wide := func() *Tables { // a time span too wide for packed time keys
		tb := NewTables(0, 0)
		resetCity(tb, "w", 3, 5)
		tb.Visits.Begin.Set(0, claims.Time(-1<<40))
		tb.Visits.Begin.Set(4, tb.Visits.Begin.At(7))
		return tb
	}
	broken := func() *Tables { // rows pointing outside their tables are skipped
		tb := NewTables(0, 0)
		resetCity(tb, "b", 2, 3)
		tb.Visits.Person[1] = 99
		setOwner(&tb.Fees.Visit, 2, 99)
		tb.Visits.Flags[3] = VisitReversed
		return tb
	}
	tests := []struct {
		name   string
		tables func() *Tables
	}{
		{"synthetic 3000 visits", func() *Tables { return synthTables(3000, 3) }},
		{"fixture", func() *Tables { return fixtureTables(t) }},
		{"empty", func() *Tables { return NewTables(0, 0) }},
		{"synthetic 120 visits", func() *Tables { return synthTables(120, 2) }},
		{"one person", func() *Tables { tb := NewTables(0, 0); resetCity(tb, "a", 1, 9); return tb }},
		{"wide time span", wide},
		{"synthetic 40 visits", func() *Tables { return synthTables(40, 4) }},
		{"rows out of range", broken},
		{"synthetic 3000 visits again", func() *Tables { return synthTables(3000, 1) }},
		{"fixture again", func() *Tables { return fixtureTables(t) }},
	}
	var r Rebuilder
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := tc.tables()
			want, err := Build(context.Background(), tb, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Build(context.Background(), tb)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameValue("Graph", reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRebuilderErrors expects the errors of Build: bad tables, a
// cancelled context.
func TestRebuilderErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		tb   *Tables
	}{
		{"nil tables", context.Background(), nil},
		{"short column", context.Background(), func() *Tables {
			tb := fixtureTables(t)
			short := NewTimes(1)
			short.Append(tb.Visits.Begin.At(0))
			tb.Visits.Begin = short
			return tb
		}()},
		{"cancelled", cancelled, fixtureTables(t)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, want := Build(tc.ctx, tc.tb, BuildOptions{})
			var r Rebuilder
			_, got := r.Build(tc.ctx, tc.tb)
			if want == nil || got == nil || got.Error() != want.Error() {
				t.Fatalf("Rebuilder.Build: %v, want %v", got, want)
			}
			if errors.Is(want, context.Canceled) != errors.Is(got, context.Canceled) {
				t.Fatalf("Rebuilder.Build: %v does not wrap the context's error", got)
			}
		})
	}
}

// TestRebuilderAllocs rebuilds the graph of the same tables and expects
// (almost) no allocation once the memory is there.
func TestRebuilderAllocs(t *testing.T) {
	tb := synthTables(300, 3)
	var r Rebuilder
	if _, err := r.Build(context.Background(), tb); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := r.Build(context.Background(), tb); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 4 {
		t.Fatalf("a rebuild allocates %v times", allocs)
	}
}

// BenchmarkRebuilder compares Build and a Rebuilder on a graph of a
// person's history size.
func BenchmarkRebuilder(b *testing.B) {
	tb := synthTables(200, 3)
	b.Run("Build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Build(context.Background(), tb, BuildOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Rebuilder", func(b *testing.B) {
		var r Rebuilder
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Build(context.Background(), tb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// sameValue compares a and b deeply, unexported fields included, slices
// by their elements (so that capacity, and nil against empty, do not
// count) and pointers by address.
func sameValue(path string, a, b reflect.Value) error {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if err := sameValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: length %d, want %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if err := sameValue(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if a.Pointer() != b.Pointer() {
			return fmt.Errorf("%s: pointers differ", path)
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Errorf("%s = %v, want %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Errorf("%s = %d, want %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if a.Uint() != b.Uint() {
			return fmt.Errorf("%s = %d, want %d", path, a.Uint(), b.Uint())
		}
	case reflect.Float32, reflect.Float64:
		if a.Float() != b.Float() {
			return fmt.Errorf("%s = %v, want %v", path, a.Float(), b.Float())
		}
	default:
		return fmt.Errorf("%s: cannot compare a %s", path, a.Kind())
	}
	return nil
}
