package graph

import (
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
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
