package neo4j

import (
	"context"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestFixtureRoundTrip pushes the fixture into the fake, pushes it again
// and reads it back in pages into a graph of the same edges.
func TestFixtureRoundTrip(t *testing.T) {
	ctx := context.Background()
	fx := loadFixture(t)
	m := fx.model(t, false)
	db := newFakeDB()
	st, err := Push(ctx, db, m, PushOptions{Batch: 700, Retry: Retry{Sleep: noSleep}})
	if err != nil {
		t.Fatal(err)
	}
	snap := db.snapshot()
	if _, err := Push(ctx, db, m, PushOptions{Batch: 1000, Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	if db.snapshot() != snap {
		t.Fatal("re-push changed the graph")
	}
	if st.Rels == 0 || st.Deleted != 0 {
		t.Errorf("stats %+v", st)
	}
	var pages int
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: db, Page: 500}, func(string, int64) { pages++ })
	if err != nil {
		t.Fatal(err)
	}
	orig := fx.g.Tables()
	if int(ls.Visits) != orig.Visits.Len() || tb.Persons.Len() != orig.Persons.Len() ||
		tb.Institutions.Len() != orig.Institutions.Len() || ls.SkippedVisits != 0 {
		t.Fatalf("read back %+v", ls)
	}
	if pages < orig.Visits.Len()/500 {
		t.Errorf("only %d pages", pages)
	}
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []graph.EdgeType{graph.PatientInstitution, graph.PatientPharmacy, graph.DoctorInstitutionRegistered} {
		lo, hi := g.EdgeRange(ty)
		lo0, hi0 := fx.g.EdgeRange(ty)
		if hi-lo != hi0-lo0 {
			t.Errorf("%v: %d edges read back, %d pushed", ty, hi-lo, hi0-lo0)
		}
	}
}

func TestScanRetriesPage(t *testing.T) {
	ctx := context.Background()
	db := newFakeDB()
	if _, err := Push(ctx, db, smallModel(t, false), PushOptions{}); err != nil {
		t.Fatal(err)
	}
	start := db.calls
	db.inject = func(call int, write bool) error {
		if call == start+2 {
			return transient()
		}
		return nil
	}
	tb, err := LoadTables(ctx, Source{Exec: db, Page: 1, Retry: Retry{Sleep: noSleep}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Institutions.Len() != 3 || tb.Visits.Len() != 4 {
		t.Errorf("read %d institutions %d visits", tb.Institutions.Len(), tb.Visits.Len())
	}
}
