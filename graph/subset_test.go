package graph

import (
	"context"
	"slices"
	"testing"
)

// TestSubset checks subsets of the fixture's tables, each taken anew
// (Subset) and into the memory of the case before (SubsetInto), which must
// not leave anything of that case behind.
func TestSubset(t *testing.T) {
	tb := fixtureTables(t)
	var reused *Tables
	row := func(id string) uint32 { return tb.Visits.IDs.Lookup(id) }
	all := make([]uint32, tb.Fees.Len())
	for f := range all {
		all[f] = uint32(f)
	}
	cases := []struct {
		name     string
		visits   []string
		fees     []uint32 // nil: every fee line of the tables
		wantFees int
	}{
		{"none", nil, nil, 0},
		{"one visit, its fee lines", []string{"V2"}, nil, 2},
		{"order kept, duplicate dropped", []string{"V4", "V0", "V4"}, nil, 4},
		{"fee lines of other visits left out", []string{"V1"}, []uint32{0, 1, 3}, 1},
		{"rows out of range ignored", []string{"V5"}, []uint32{999}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vs []uint32
			for _, id := range c.visits {
				vs = append(vs, row(id))
			}
			fees := c.fees
			if fees == nil {
				fees = all
			}
			want := slices.Compact(slices.Clone(vs))
			if c.name == "order kept, duplicate dropped" {
				want = []uint32{row("V4"), row("V0")}
			}
			fresh, kept := tb.Subset(append(vs, 1<<30), fees)
			checkSubset(t, tb, fresh, kept, want, c.wantFees)
			into, keptInto := tb.SubsetInto(reused, append(vs, 1<<30), fees)
			checkSubset(t, tb, into, keptInto, want, c.wantFees)
			reused = into
		})
	}
}

// checkSubset compares subset sub (fee rows kept) with the visits want and
// wantFees fee lines of tb.
func checkSubset(t *testing.T, tb, sub *Tables, kept, want []uint32, wantFees int) {
	t.Helper()
	if sub.Visits.Len() != len(want) || len(kept) != wantFees || sub.Fees.Len() != wantFees || sub.Visits.IDs.Len() != len(want) {
		t.Fatalf("%d visits, %d fee lines (kept %v); want %d, %d", sub.Visits.Len(), sub.Fees.Len(), kept, len(want), wantFees)
	}
	for i, v := range want {
		if sub.Visits.IDs.String(uint32(i)) != tb.Visits.IDs.String(v) || sub.Visits.Person[i] != tb.Visits.Person[v] ||
			sub.Visits.FundPay.At(uint32(i)) != tb.Visits.FundPay.At(v) || sub.Visits.Flags[i] != tb.Visits.Flags[v] {
			t.Errorf("subset row %d is not visit %s", i, tb.Visits.IDs.String(v))
		}
	}
	for j, f := range kept {
		if got, orig := sub.Visits.IDs.String(sub.Fees.Visit[j]), tb.Visits.IDs.String(tb.Fees.Visit[f]); got != orig ||
			sub.Fees.AmountAt(uint32(j)) != tb.Fees.AmountAt(uint32(f)) || sub.Fees.Sn.At(uint32(j)) != tb.Fees.Sn.At(f) {
			t.Errorf("subset fee %d (row %d) belongs to %s, want %s", j, f, got, orig)
		}
	}
	// The subset builds into a graph of its own over the shared
	// reference tables.
	g, err := Build(context.Background(), sub, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumKind(KindPatient) != tb.Persons.Len() {
		t.Errorf("%d patients, want every person (%d)", g.NumKind(KindPatient), tb.Persons.Len())
	}
}
