package rings

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/ingest"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// slotCity is a clinic whose sixty ordinary patients come alone, one to
// three a day at any hour through the year, and a group of people who
// come in batches.
type slotCity struct {
	group   int  // people in the group
	batch   int  // people per batch (the group comes in turns)
	rounds  int  // times each of the group comes
	every   int  // days between batches
	again   int  // of the group, people who come back once more on the next batch day (a screening's second day)
	flu     int  // ordinary people in every hour of every day of one month, each coming twice (a season)
	admit   bool // the group (and 80 ordinary people, once each) is admitted, not seen as outpatients
	small   int  // more people, in batches of five, twice each, in the group's weeks at another hour
	once    int  // people coming once, in batches of five in the group's weeks (a drive of another kind)
	filler  int  // visits at a second clinic, one an hour, each its own person (the city's other slots)
	wantMin int  // least people of the candidate (0: none wanted)
	wantMax int
}

func (sc slotCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	tb := graph.NewTables(0, 0)
	site, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某某门诊部", Type: claims.Medical, Beds: -1})
	n := 0
	admit := false
	visit := func(person uint32, day, hour, minute int) {
		n++
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+hour*3600+minute*60)
		mt, end := claims.MedOutpatient, claims.NoTime
		if admit {
			mt, end = claims.MedInpatient, at+3*86400
		}
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: mt,
			Begin: at, End: end, MedFee: 10000, FundPay: 8000}, person, site, uint32(n))
	}
	person := func(id string) uint32 {
		p, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
		return p
	}
	x := uint64(1)
	next := func(n int) int { // a fixed pseudo-random stream (xorshift)
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(n))
	}
	for i := range 60 {
		p := person(fmt.Sprintf("o%d", i))
		for range 8 {
			visit(p, next(360), 8+next(9), next(60))
		}
	}
	for d := range 30 {
		for h := range 9 {
			for k := range sc.flu {
				p := person(fmt.Sprintf("f%d-%d-%d", d, h, k))
				visit(p, 200+d, 8+h, 10*k)
				visit(p, 200+(d+7)%30, 8+h, 10*k+5)
			}
		}
	}
	if sc.admit {
		admit = true
		for i := range 80 {
			visit(person(fmt.Sprintf("a%d", i)), next(360), 8+next(9), next(60))
		}
	}
	if sc.group > 0 {
		batches := sc.group / sc.batch
		for i := range sc.group {
			p := person(fmt.Sprintf("g%d", i))
			for r := range sc.rounds {
				b := i % batches
				day := 100 + (r*batches+b)*sc.every
				visit(p, day, 9, 2*(i/batches)%60)
			}
			if i < sc.again {
				visit(p, 100+batches*sc.every, 9, 30)
			}
		}
	}
	other, _ := tb.AddInstitution(&claims.Institution{Code: "H2", Name: "某某诊所", Type: claims.Medical, Beds: -1})
	for i := range sc.filler {
		n++
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(i*3600)
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H2", MedType: claims.MedOutpatient,
			Begin: at, End: claims.NoTime, MedFee: 10000, FundPay: 8000}, person(fmt.Sprintf("x%d", i)), other, uint32(n))
	}
	const smallBatch = 5
	for i := range sc.once {
		slot := i / smallBatch
		visit(person(fmt.Sprintf("once%d", i)), 90+slot, 10+slot%5, 2*(i%smallBatch))
	}
	for i := range sc.small {
		p := person(fmt.Sprintf("g-small%d", i))
		batches := sc.small / smallBatch
		for r := range 2 {
			visit(p, 101+(r*batches+i%batches)*sc.every, 15, 2*(i/batches))
		}
	}
	g := graphOf(t, tb)
	return g
}

// TestSlotCandidates checks that batches of people filling a quiet
// clinic's hours, or its ward's mornings, each person coming back in a
// later batch, are found with their people (with the smaller batches of
// their weeks that only the site's own slots show beyond chance, but not
// the one-time crowds of those weeks, which count against the return
// share only when they are beyond chance city-wide); and that a screening drive's crowd (a few of whom
// come back), a season crowding every hour of its weeks, and a few
// people coming together are not.
func TestSlotCandidates(t *testing.T) {
	cases := []struct {
		name string
		city slotCity
	}{
		{"batches of eight, twice each", slotCity{group: 24, batch: 8, rounds: 2, every: 5, wantMin: 24, wantMax: 24}},
		{"batches of six, three times each", slotCity{group: 12, batch: 6, rounds: 3, every: 9, wantMin: 12, wantMax: 12}},
		{"a screening crowd, a few coming back", slotCity{group: 120, batch: 40, rounds: 1, every: 7, again: 15}},
		{"batches of three", slotCity{group: 12, batch: 3, rounds: 2, every: 5}},
		{"a flu season", slotCity{flu: 4}},
		{"admitted in cohorts of ten, twice each", slotCity{group: 20, batch: 10, rounds: 2, every: 9, admit: true, wantMin: 20, wantMax: 20}},
		{"batches of eight, with batches of five in its weeks", slotCity{group: 24, batch: 8, rounds: 2, every: 5, small: 15, filler: 8000, wantMin: 39, wantMax: 39}},
		{"batches of eight, with one-time crowds in its weeks", slotCity{group: 24, batch: 8, rounds: 2, every: 5, once: 100, filler: 8000, wantMin: 24, wantMax: 24}},
		{"admitted in twos", slotCity{group: 12, batch: 2, rounds: 2, every: 9, admit: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s := newTestState(t, g)
			cands, err := s.slotCandidates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.city.wantMin == 0 {
				if len(cands) != 0 {
					t.Fatalf("%d candidates (first of %d people), want none", len(cands), len(cands[0].patients))
				}
				return
			}
			if len(cands) != 1 {
				t.Fatalf("%d candidates, want 1", len(cands))
			}
			got := cands[0]
			if n := len(got.patients); n < c.city.wantMin || n > c.city.wantMax {
				t.Errorf("%d people, want %d to %d", n, c.city.wantMin, c.city.wantMax)
			}
			for _, p := range got.patients {
				if k := g.Key(p); k[0] != 'g' {
					t.Errorf("person %s is not the group's", k)
				}
			}
			if len(got.facts) != 1 || got.facts[0].id != SourceSlots || got.facts[0].params["slots"] < 2 {
				t.Errorf("facts %+v", got.facts)
			}
			if want := findings.TypLockstepSwiping; c.city.admit && got.typology == want || !c.city.admit && got.typology != want {
				t.Errorf("typology hint %q (admissions %v)", got.typology, c.city.admit)
			}
		})
	}
}

// BenchmarkSlotCandidates measures the crowded-slot path on the city in
// RINGLENS_CITY, or on a generated 100,000-visit city of random ring
// shapes: one pass over every medical site's visits, two kinds of slot.
func BenchmarkSlotCandidates(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("RINGLENS_CITY")
	if dir == "" {
		dir = b.TempDir()
		if _, err := fixtures.Generate(ctx, fixtures.Config{Preset: fixtures.PresetGrammar, Seed: 1, Visits: 100_000, Out: dir}); err != nil {
			b.Fatal(err)
		}
	}
	res, err := ingest.Load(ctx, dir, ingest.Options{}, func(ingest.Reject) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	g, err := graph.Build(ctx, res.Tables, graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rr, err := rules.Run(ctx, g, rules.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	s, err := newState(ctx, g, rr, &Options{Params: DefaultParams(), Rules: rules.Defaults()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.excessCandidates(ctx); err != nil { // marks the closed sites
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.slotCandidates(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.t.Visits.Len()*b.N)/b.Elapsed().Seconds(), "visits/s")
}
