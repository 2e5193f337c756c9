package graph

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

func TestTablesPeople(t *testing.T) {
	for _, tc := range []struct {
		name           string
		persons        []claims.Person
		staff          []claims.Staff
		names, certNos []string
	}{
		{"empty", nil, nil, nil, nil},
		{"persons and doctors",
			[]claims.Person{{PsnNo: "P1", Name: "张三丰", CertNo: "350203198705278296"}, {PsnNo: "P2", Name: "李四"}, {PsnNo: "P3"}},
			[]claims.Staff{{DrCode: "D1", Name: "赵医生"}, {DrCode: "D2"}},
			[]string{"张三丰", "李四", "赵医生"}, []string{"350203198705278296"}},
	} {
		tb := NewTables(0, 0)
		for _, p := range tc.persons {
			tb.AddPerson(&p)
		}
		for _, s := range tc.staff {
			tb.AddStaff(&s, None)
		}
		names, certNos := tb.People()
		slices.Sort(names)
		slices.Sort(certNos)
		want := slices.Sorted(slices.Values(tc.names))
		if !slices.Equal(names, want) || !slices.Equal(certNos, tc.certNos) {
			t.Errorf("%s: People() = %q, %q, want %q, %q", tc.name, names, certNos, want, tc.certNos)
		}
	}
}

// TestReservePersons checks that persons added after ReservePersons keep
// their rows and ids, that persons added before keep theirs, and that the
// reserved room takes them without growing the columns again.
func TestReservePersons(t *testing.T) {
	for _, before := range []int{0, 3} {
		tb := NewTables(0, 0)
		person := func(i int) claims.Person {
			return claims.Person{PsnNo: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("名%d", i), CertNo: fmt.Sprintf("C%d", i)}
		}
		for i := range before {
			p := person(i)
			tb.AddPerson(&p)
		}
		const n = 1000
		tb.ReservePersons(n)
		tb.ReservePersons(0) // no-op
		capSex, capName := cap(tb.Persons.Sex), cap(tb.Persons.Name)
		for i := before; i < before+n; i++ {
			p := person(i)
			_ = tb.PrefetchPerson(intern.Hash(p.PsnNo), intern.Hash(p.Name), 0)
			row, added := tb.AddPerson(&p)
			if !added || int(row) != i {
				t.Fatalf("before %d: person %d added %v at row %d", before, i, added, row)
			}
		}
		if cap(tb.Persons.Sex) != capSex || cap(tb.Persons.Name) != capName {
			t.Errorf("before %d: columns grew after ReservePersons(%d)", before, n)
		}
		for i := range before + n {
			p := person(i)
			if row := tb.Persons.IDs.Lookup(p.PsnNo); int(row) != i || tb.PII.String(tb.Persons.Name[row]) != p.Name {
				t.Errorf("before %d: person %d at row %d", before, i, row)
			}
		}
	}
}
