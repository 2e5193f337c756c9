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
			fresh, kept, persons := tb.Subset(append(vs, 1<<30), fees)
			checkSubset(t, tb, fresh, kept, persons, want, c.wantFees)
			into, keptInto, personsInto := tb.SubsetInto(reused, append(vs, 1<<30), fees)
			checkSubset(t, tb, into, keptInto, personsInto, want, c.wantFees)
			reused = into
		})
	}
	// Tables loaded without their settlement ids (ingest's
	// DropSettlementIDs) give subsets without them, also into tables that
	// had them.
	bare := *tb
	bare.Visits.SetlID = nil
	vs := []uint32{row("V2"), row("V4")}
	fresh, kept, persons := bare.Subset(vs, all)
	checkSubset(t, &bare, fresh, kept, persons, vs, 3)
	into, kept, persons := bare.SubsetInto(reused, vs, all)
	checkSubset(t, &bare, into, kept, persons, vs, 3)
}

// checkSubset compares subset sub (fee rows kept, persons copied) with the
// visits want and wantFees fee lines of tb.
func checkSubset(t *testing.T, tb, sub *Tables, kept, persons, want []uint32, wantFees int) {
	t.Helper()
	wantPersons := make([]uint32, 0, len(want))
	for _, v := range want {
		wantPersons = append(wantPersons, tb.Visits.Person[v])
	}
	slices.Sort(wantPersons)
	if wantPersons = slices.Compact(wantPersons); !slices.Equal(persons, wantPersons) || sub.Persons.Len() != len(persons) ||
		sub.Persons.IDs.Len() != len(persons) {
		t.Fatalf("persons %v (%d rows), want %v", persons, sub.Persons.Len(), wantPersons)
	}
	for k, p := range persons {
		if sub.Persons.IDs.String(uint32(k)) != tb.Persons.IDs.String(p) || sub.Persons.Birth[k] != tb.Persons.Birth[p] ||
			sub.Persons.Sex[k] != tb.Persons.Sex[p] || sub.Persons.DieDate[k] != tb.Persons.DieDate[p] {
			t.Errorf("subset person %d is not person %s", k, tb.Persons.IDs.String(p))
		}
	}
	if sub.Visits.Len() != len(want) || len(kept) != wantFees || sub.Fees.Len() != wantFees || sub.Visits.IDs.Len() != len(want) {
		t.Fatalf("%d visits, %d fee lines (kept %v); want %d, %d", sub.Visits.Len(), sub.Fees.Len(), kept, len(want), wantFees)
	}
	for i, v := range want {
		if sub.Visits.IDs.String(uint32(i)) != tb.Visits.IDs.String(v) || persons[sub.Visits.Person[i]] != tb.Visits.Person[v] ||
			sub.Visits.FundPay.At(uint32(i)) != tb.Visits.FundPay.At(v) || sub.Visits.Flags[i] != tb.Visits.Flags[v] {
			t.Errorf("subset row %d is not visit %s", i, tb.Visits.IDs.String(v))
		}
		if tb.Visits.SetlID == nil {
			if sub.Visits.SetlID != nil {
				t.Errorf("subset has settlement ids the tables do not")
			}
		} else if got := sub.Visits.SetlID.String(uint32(i)); got != tb.Visits.SetlID.String(v) {
			t.Errorf("subset row %d settlement id %q", i, got)
		}
	}
	for j, f := range kept {
		if got, orig := sub.Visits.IDs.String(sub.Fees.Visit.At(uint32(j))), tb.Visits.IDs.String(tb.Fees.Visit.At(f)); got != orig ||
			sub.Fees.AmountAt(uint32(j)) != tb.Fees.AmountAt(uint32(f)) || sub.Fees.Sn.At(uint32(j)) != tb.Fees.Sn.At(f) {
			t.Errorf("subset fee %d (row %d) belongs to %s, want %s", j, f, got, orig)
		}
	}
	// The subset builds into a graph of its own, with its own persons and
	// the shared institutions and doctors.
	g, err := Build(context.Background(), sub, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumKind(KindPatient) != len(persons) || g.NumKind(KindDoctor) != tb.Doctors.Len() {
		t.Errorf("%d patients and %d doctors, want the subset's (%d) and every doctor (%d)", g.NumKind(KindPatient),
			g.NumKind(KindDoctor), len(persons), tb.Doctors.Len())
	}
}
