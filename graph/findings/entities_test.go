package findings

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph/vocab"
)

// entityRows are rows of every shape: reasons with and without
// parameters, an empty and a nil reason list, no ring, an empty id.
func entityRows() []EntityScore {
	return []EntityScore{
		{Kind: KindPatient, ID: "P1", Score: 0.8125, RingID: "R001", Reasons: []Reason{
			{Code: vocab.ReasonRingMember, Params: vocab.Params{{Name: "ring", Value: "R001"}, {Name: "role", Value: vocab.RoleRecruitedPatient}}},
			{Code: vocab.ReasonRuleHits, Params: vocab.Params{{Name: "n", Value: "3"}, {Name: "rule", Value: "R-X"}}}}},
		{Kind: KindDoctor, ID: "D-7", Score: 0.25, Reasons: []Reason{}},
		{Kind: KindClinic, ID: "H 1, \"x\"", Score: 0.1, Reasons: []Reason{{Code: vocab.ReasonPlaceholderDoctor}}},
		{Kind: KindPharmacy, ID: "", Score: 0},
		{Kind: KindPatient, ID: "P2", Score: 0.5, RingID: "R002", Reasons: []Reason{{Code: "a sentence of no known shape"}}},
	}
}

// TestEntitiesRoundTrip checks that every row reads back as written, nil
// and empty reason lists apart, through At, All, Rows and the columns.
func TestEntitiesRoundTrip(t *testing.T) {
	rows := entityRows()
	tab := EntitiesOf(rows)
	if tab.Len() != len(rows) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(rows))
	}
	for i, want := range rows {
		if got := tab.At(i); !reflect.DeepEqual(got, want) {
			t.Errorf("At(%d) = %#v, want %#v", i, got, want)
		}
		if tab.Score(i) != want.Score || tab.RingID(i) != want.RingID || tab.Kind(i) != want.Kind {
			t.Errorf("row %d: columns %v %q %q", i, tab.Score(i), tab.RingID(i), tab.Kind(i))
		}
		if !tab.KeyIs(i, want.Kind, want.ID) || tab.KeyIs(i, want.Kind, want.ID+"x") || tab.KeyIs(i, "other", want.ID) {
			t.Errorf("row %d: KeyIs wrong", i)
		}
	}
	if got := tab.Rows(); !reflect.DeepEqual(got, rows) {
		t.Errorf("Rows = %#v", got)
	}
	n := 0
	for i, e := range tab.All() {
		if i != n || !reflect.DeepEqual(e, rows[i]) {
			t.Errorf("All: row %d = %#v", i, e)
		}
		n++
		if n == 2 {
			break
		}
	}
}

// TestEntitiesSet checks that Set replaces one row and no other, and that
// the rows read before it keep their strings (At copies them).
func TestEntitiesSet(t *testing.T) {
	rows := entityRows()
	tab := EntitiesOf(rows)
	before := tab.At(0)
	cases := []EntityScore{
		{Kind: KindPatient, ID: "P1", Score: 0.9, RingID: "R009", Reasons: []Reason{{Code: vocab.ReasonRingMember, Params: vocab.Params{{Name: "ring", Value: "R009"}}}}},
		{Kind: KindPatient, ID: "P1-renamed", Score: 0.1},
		{Kind: KindPatient, ID: "P1", Score: 0.2, Reasons: []Reason{}},
	}
	for _, c := range cases {
		tab.Set(0, c)
		if got := tab.At(0); !reflect.DeepEqual(got, c) {
			t.Errorf("after Set: %#v, want %#v", got, c)
		}
		for i := 1; i < len(rows); i++ {
			if got := tab.At(i); !reflect.DeepEqual(got, rows[i]) {
				t.Errorf("Set(0) changed row %d: %#v", i, got)
			}
		}
	}
	if want := entityRows()[0]; !reflect.DeepEqual(before, want) {
		t.Errorf("a row read before Set changed: %#v", before)
	}
}

// TestEntitiesKeep checks that Keep copies the kept rows in order, counts
// the others, and leaves the table as it was.
func TestEntitiesKeep(t *testing.T) {
	rows := entityRows()
	cases := []struct {
		name string
		keep func(i int) bool
		want []int
	}{
		{"all", func(int) bool { return true }, []int{0, 1, 2, 3, 4}},
		{"none", func(int) bool { return false }, nil},
		{"odd", func(i int) bool { return i%2 == 1 }, []int{1, 3}},
		{"ends", func(i int) bool { return i == 0 || i == 4 }, []int{0, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tab := EntitiesOf(rows)
			kept, left := tab.Keep(c.keep)
			if kept.Len() != len(c.want) || left != len(rows)-len(c.want) {
				t.Fatalf("kept %d, left %d; want %d, %d", kept.Len(), left, len(c.want), len(rows)-len(c.want))
			}
			for k, i := range c.want {
				if got := kept.At(k); !reflect.DeepEqual(got, rows[i]) {
					t.Errorf("kept row %d = %#v, want row %d %#v", k, got, i, rows[i])
				}
			}
			if got := tab.Rows(); !reflect.DeepEqual(got, rows) {
				t.Errorf("Keep changed the table: %#v", got)
			}
		})
	}
}

// TestEntitiesJSON checks that a table writes and reads the JSON of the
// same rows as a slice, and that a nil table is empty.
func TestEntitiesJSON(t *testing.T) {
	rows := entityRows()
	want, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(EntitiesOf(rows))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("JSON %s, want %s", got, want)
	}
	var back Entities
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Rows(), rows) {
		t.Errorf("read back %#v", back.Rows())
	}
	var none *Entities
	if none.Len() != 0 || none.Rows() != nil {
		t.Error("nil table not empty")
	}
	if b, err := json.Marshal(&Findings{}); err != nil || string(b) == "" {
		t.Errorf("findings without entities: %s, %v", b, err)
	}
}

// TestEntitiesHoldNoPointers checks the point of the table: its records
// are types without pointers, so that the collector does not scan them.
func TestEntitiesHoldNoPointers(t *testing.T) {
	for _, v := range []any{entityRow{}, reasonRec{}, paramRec{}, byte(0)} {
		if typ := reflect.TypeOf(v); hasPointers(typ) {
			t.Errorf("%v holds pointers", typ)
		}
	}
}

// hasPointers reports whether values of typ hold pointers.
func hasPointers(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Struct:
		for i := range typ.NumField() {
			if hasPointers(typ.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Array:
		return hasPointers(typ.Elem())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return false
	}
	return true
}

// BenchmarkEntitiesAppend measures building a table: detection appends a
// row per node of the city.
func BenchmarkEntitiesAppend(b *testing.B) {
	rows := entityRows()
	b.ReportAllocs()
	for b.Loop() {
		tab := &Entities{}
		tab.Grow(1000 * len(rows))
		for range 1000 {
			for i := range rows {
				tab.Append(rows[i])
			}
		}
	}
}

// BenchmarkEntitiesAt measures reading a row back (the API's node views).
func BenchmarkEntitiesAt(b *testing.B) {
	tab := EntitiesOf(entityRows())
	b.ReportAllocs()
	for b.Loop() {
		_ = tab.At(0)
	}
}
