package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// episodeCity is a clinic's year of outpatient visits: forty regulars
// coming every month, and people with a short illness (two visits a week
// apart) starting every few days, all of them billed anywhere between 30
// and 330 yuan; and a ring active between day from and day to: core
// people coming six times each and short people coming two to four
// times, each visit billed about 200 yuan at an 85% fund share.
type episodeCity struct {
	core, short int
	from, to    int
	// shortVisits is the visits of each of the ring's short people (0: 2
	// to 4).
	shortVisits int
	// shortCost is the cost of the short people's visits (0: the ring's).
	shortCost claims.Money
	// illnessEvery is the days between ordinary short illnesses (0: 4).
	illnessEvery int
	// scripted: ordinary short illnesses are billed like the ring's.
	scripted bool
}

// build returns the graph and the candidate of the core people's visits.
func (ec episodeCity) build(t *testing.T) (*graph.Graph, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	h, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某某诊所", Type: claims.Medical, Beds: -1})
	n := 0
	visit := func(psn string, day int, fee claims.Money, share claims.Money) uint32 {
		n++
		row, _ := tb.AddPerson(&claims.Person{PsnNo: psn, Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+(9+n%8)*3600)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: claims.MedOutpatient,
			Begin: at, End: claims.NoTime, MedFee: fee, FundPay: fee * share / 100}, row, h, uint32(n))
		return v
	}
	for i := range 40 {
		for m := range 12 {
			visit(fmt.Sprintf("o%d", i), m*30+i%28, claims.Money(3_000+(i*m*977)%30_000), 60)
		}
	}
	every := ec.illnessEvery
	if every == 0 {
		every = 4
	}
	for day, i := 0, 0; day < 355; day, i = day+every, i+1 {
		fee, share := claims.Money(3_000+(i*7_919)%30_000), claims.Money(50+i%40)
		if ec.scripted {
			fee, share = 20_000, 85
		}
		visit(fmt.Sprintf("i%d", i), day, fee, share)
		visit(fmt.Sprintf("i%d", i), day+7, fee, share)
	}
	span := ec.to - ec.from
	var visits []uint32
	for i := range ec.core {
		for k := range 6 {
			visits = append(visits, visit(fmt.Sprintf("c%d", i), ec.from+(i*3+k*span/6)%span, 19_500+claims.Money(i%5)*250, 85))
		}
	}
	for i := range ec.short {
		cost := ec.shortCost
		if cost == 0 {
			cost = 19_750 + claims.Money(i%3)*250
		}
		k := ec.shortVisits
		if k == 0 {
			k = 2 + i%3
		}
		start := ec.from + (i*5)%(span-4*k)
		for j := range k {
			visit(fmt.Sprintf("r%d", i), start+3*j, cost, 85)
		}
	}
	return candidateOf(t, tb, h, visits)
}

// TestGrowEpisodes checks that a candidate of people who came again and
// again in a few weeks takes in the others whose whole stay at its site
// fell in those weeks, billed as they were, where such short stays surge
// beyond the site's other times; not when they are billed otherwise, came
// once, or when the site's short illnesses are as many (and billed alike)
// all year, or the ring runs most of the year.
func TestGrowEpisodes(t *testing.T) {
	cases := []struct {
		name     string
		city     episodeCity
		min, max int // people added (all of them the ring's)
	}{
		// The weeks are measured on the core's visits, which fill them
		// only so evenly: a few short stays at their ends may be left out.
		{"sixty short stays in the ring's weeks", episodeCity{core: 15, short: 60, from: 120, to: 175}, 50, 60},
		{"billed otherwise", episodeCity{core: 15, short: 60, from: 120, to: 175, shortCost: 60_000}, 0, 0},
		{"once each", episodeCity{core: 15, short: 60, from: 120, to: 175, shortVisits: 1}, 0, 0},
		{"as many short illnesses billed alike all year", episodeCity{core: 15, short: 60, from: 120, to: 175, illnessEvery: 1, scripted: true}, 0, 0},
		{"the ring runs most of the year", episodeCity{core: 15, short: 60, from: 20, to: 300}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := c.city.build(t)
			s := newTestState(t, g)
			core := len(cd.patients)
			added := s.growEpisodes(cd)
			short := 0
			for _, x := range cd.patients {
				if g.Key(x)[0] == 'r' {
					short++
				}
			}
			if added < c.min || added > c.max || short != added || len(cd.patients) != core+added || len(cd.widenedPeople) != added {
				t.Errorf("added %d (%d of the ring's short stays, %d widened), want %d to %d, all the ring's", added, short, len(cd.widenedPeople), c.min, c.max)
			}
		})
	}
}
