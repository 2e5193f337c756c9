package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// surgeCity is a hospital's year of ordinary admissions (about one every
// three days, costs and stays of all sizes) and a ring: core people
// admitted three times each, and others of the ring admitted once, all
// between day from and day to, each stay costing about 1,300 yuan for 15
// days at a 90% fund share.
type surgeCity struct {
	core, once int
	from, to   int
	// onceCost is the cost of the once-admitted people's stays (0: the
	// ring's).
	onceCost claims.Money
	// ordinaryEvery is the days between ordinary admissions (0: 3).
	ordinaryEvery int
	// scripted: the ordinary admissions outside the ring's time are
	// billed like the ring's (a hospital whose every stay costs the same).
	scripted bool
}

// build returns the graph and the candidate of the core people's stays.
func (sc surgeCity) build(t *testing.T) (*graph.Graph, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	h, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某医院", Type: claims.Medical, Beds: 200})
	n := 0
	admit := func(psn string, day int, fee claims.Money, days int) uint32 {
		n++
		row, _ := tb.AddPerson(&claims.Person{PsnNo: psn, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+9*3600)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: claims.MedInpatient,
			Begin: at, End: at + claims.Time(days*86400), MedFee: fee, FundPay: fee * 9 / 10}, row, h, uint32(n))
		return v
	}
	every := sc.ordinaryEvery
	if every == 0 {
		every = 3
	}
	for day, i := 0, 0; day < 365; day, i = day+every, i+1 {
		fee, days := claims.Money(40_000+(i*37_000)%200_000), 2+i%10
		if sc.scripted && (day < sc.from || day > sc.to) {
			fee, days = 130_000, 15
		}
		admit(fmt.Sprintf("o%d", i), day, fee, days)
	}
	span := sc.to - sc.from
	var visits []uint32
	for i := range sc.core {
		for k := range 3 {
			visits = append(visits, admit(fmt.Sprintf("c%d", i), sc.from+(i*7+k*span/3)%span, 128_000+claims.Money(i%5)*1_000, 15))
		}
	}
	for i := range sc.once {
		cost := sc.onceCost
		if cost == 0 {
			cost = 129_000 + claims.Money(i%3)*1_000
		}
		admit(fmt.Sprintf("r%d", i), sc.from+(i*11)%span, cost, 15)
	}
	return candidateOf(t, tb, h, visits)
}

// graphOf builds tb's graph, failing the test on error.
func graphOf(t testing.TB, tb *graph.Tables) *graph.Graph {
	t.Helper()
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// candidateOf builds tb's graph and a relation-excess candidate of the
// visits (rows of tb) at institution row h, with their people.
func candidateOf(t *testing.T, tb *graph.Tables, h uint32, visits []uint32) (*graph.Graph, *candidate) {
	t.Helper()
	g := graphOf(t, tb)
	return g, candidateAt(g, tb, h, visits)
}

// candidateAt returns the relation-excess candidate of the visit rows
// visits at institution row h of g (built from tb), with their people.
func candidateAt(g *graph.Graph, tb *graph.Tables, h uint32, visits []uint32) *candidate {
	c := &candidate{source: SourceRelationExcess, insts: []graph.NodeID{g.InstitutionNode(h)}, visits: visits}
	for _, v := range visits {
		c.patients = append(c.patients, g.PatientNode(tb.Visits.Person[v]))
	}
	c.normalise()
	return c
}

// TestGrowAdmissions checks that a candidate of people admitted again and
// again takes in the others admitted while it was active and billed as
// they were, where those admissions surge beyond the site's other times;
// not when the others are billed otherwise, when the site admits as many
// such people at other times, when the ring runs all year, or when the
// site's other time is a few weeks holding hardly any admissions.
func TestGrowAdmissions(t *testing.T) {
	cases := []struct {
		name  string
		city  surgeCity
		added int
	}{
		{"forty admitted once in the ring's months", surgeCity{core: 20, once: 40, from: 90, to: 240}, 40},
		{"billed otherwise", surgeCity{core: 20, once: 40, from: 90, to: 240, onceCost: 60_000}, 0},
		{"as many at other times", surgeCity{core: 20, once: 40, from: 90, to: 240, scripted: true, ordinaryEvery: 2}, 0},
		{"the ring runs all year", surgeCity{core: 20, once: 40, from: 0, to: 360}, 0},
		{"a few sparse weeks outside", surgeCity{core: 20, once: 20, from: 10, to: 340, ordinaryEvery: 30}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := c.city.build(t)
			s := newTestState(t, g)
			core := len(cd.patients)
			added := s.growAdmissions(cd)
			once := 0
			for _, x := range cd.patients {
				if g.Key(x)[0] == 'r' {
					once++
				}
			}
			if added != c.added || once != c.added || len(cd.patients) != core+added || len(cd.widenedPeople) != added {
				t.Errorf("added %d (%d of the ring's once-admitted, %d widened), want %d", added, once, len(cd.widenedPeople), c.added)
			}
		})
	}
}
