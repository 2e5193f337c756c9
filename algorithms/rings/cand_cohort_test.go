package rings

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// covisitCity is a year at one clinic whose two doctors see 120 chronic
// patients each, monthly, each at an hour of their own habit on days of
// their own (so that patients of the same habit meet whenever their days
// fall together), and groups of recruits brought to doctor D1 together:
// each group comes on the same days, its members within half an hour of
// each other. With pharmacy, the site is pharmacy P1 and the visits are
// fills of the doctors' prescriptions.
type covisitCity struct {
	groups, size int  // recruits: groups of size people
	visits       int  // each group's days
	noDoctor     bool // the visits name no doctor (the column is missing)
	pharmacy     bool // the site is a pharmacy
}

// site returns the code of cc's one site.
func (cc covisitCity) site() string {
	if cc.pharmacy {
		return "P1"
	}
	return "C1"
}

func (cc covisitCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	tb := graph.NewTables(0, 0)
	site, typ, med := cc.site(), claims.Medical, claims.MedOutpatient
	if cc.pharmacy {
		typ, med = claims.Pharmacy, claims.MedPharmacy
	}
	inst, _ := tb.AddInstitution(&claims.Institution{Code: site, Name: site + "诊所", Type: typ, Beds: -1})
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	visit := func(person uint32, doctor string, day, minute int) {
		n++
		if cc.noDoctor {
			doctor = ""
		}
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+minute*60)
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: site, MedType: med,
			Begin: at, End: claims.NoTime, DoctorCode: doctor, MedFee: 100, FundPay: 70}, person, inst, uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1955, 1, 1)})
		return row
	}
	for _, doc := range []string{"D1", "D2"} {
		for i := range 120 {
			p := person(fmt.Sprintf("c%s-%d", doc, i))
			hour, phase := 8+rng.IntN(10), rng.IntN(30)
			for k := range 12 {
				visit(p, doc, min(phase+30*k+rng.IntN(5)-2, 364), 60*hour+rng.IntN(60))
			}
		}
	}
	for g := range cc.groups {
		members := make([]uint32, cc.size)
		for i := range members {
			members[i] = person(fmt.Sprintf("g%d-%d", g, i))
		}
		for k := range cc.visits {
			day := 10 + 7*g + 30*k
			for i, p := range members {
				visit(p, "D1", day, 13*60+7*i)
			}
		}
	}
	g := graphOf(t, tb)
	return g
}

// TestCovisitCandidates checks the co-visit generator: groups of recruits
// brought to one doctor on the same days form one candidate at the
// doctor, or at the institution when the visits name no doctor; couples,
// a group too small for a ring, and chronic patients who meet through
// their habits (the same hour, monthly) do not; cohort_min_people 0
// turns the generator off. At a pharmacy, groups of
// cohort_pharmacy_people form a candidate that stands only with others
// (support); families of four, and any group with cohort_pharmacy_people
// 0, do not.
func TestCovisitCandidates(t *testing.T) {
	cases := []struct {
		name   string
		city   covisitCity
		params func(*Params)
		people int    // the recruits in the one candidate; 0: none
		hub    string // the hub the fact names
	}{
		{"two groups of three, monthly", covisitCity{groups: 2, size: 3, visits: 10}, nil, 6, "D1"},
		{"four groups of three, four times", covisitCity{groups: 4, size: 3, visits: 4}, nil, 12, "D1"},
		{"two groups of three without doctors", covisitCity{groups: 2, size: 3, visits: 10, noDoctor: true}, nil, 6, "C1"},
		{"one group of three: below min_ring_people", covisitCity{groups: 1, size: 3, visits: 10}, nil, 0, ""},
		{"five couples", covisitCity{groups: 5, size: 2, visits: 10}, nil, 0, ""},
		{"chronic patients alone", covisitCity{}, nil, 0, ""},
		{"cohort_min_people 0", covisitCity{groups: 2, size: 3, visits: 10}, func(p *Params) { p.CohortMinPeople = 0 }, 0, ""},
		{"two groups of eight at a pharmacy", covisitCity{groups: 2, size: 8, visits: 5, pharmacy: true}, nil, 16, "P1"},
		{"five families of four at a pharmacy", covisitCity{groups: 5, size: 4, visits: 10, pharmacy: true}, nil, 0, ""},
		{"cohort_pharmacy_people 0", covisitCity{groups: 2, size: 8, visits: 5, pharmacy: true}, func(p *Params) { p.CohortPharmacyPeople = 0 }, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s := newTestState(t, g)
			if c.params != nil {
				c.params(&s.opt.Params)
			}
			cs, err := s.covisitCandidates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			cd := soleCandidate(t, cs, c.people > 0)
			if cd == nil {
				return
			}
			recruits := 0
			for _, x := range cd.patients {
				if g.Key(x)[0] == 'g' {
					recruits++
				}
			}
			if recruits != c.people || len(cd.patients) != c.people {
				t.Errorf("candidate of %d people (%d recruits), want the %d recruits alone", len(cd.patients), recruits, c.people)
			}
			if sites := nodeKeys(g, cd.insts); !slices.Equal(sites, []string{c.city.site()}) {
				t.Errorf("sites %v, want [%s]", sites, c.city.site())
			}
			if cd.support != c.city.pharmacy {
				t.Errorf("support %v, want %v (a pharmacy's cohorts stand only with others)", cd.support, c.city.pharmacy)
			}
			if len(cd.facts) != 1 || cd.facts[0].id != SourceCohorts || cd.facts[0].params["log10p"] > -2 {
				t.Fatalf("facts %+v: want one %s fact, beyond chance", cd.facts, SourceCohorts)
			}
			if want := fmt.Sprintf(" came to %s ", c.hub); !strings.Contains(cd.facts[0].detail, want) {
				t.Errorf("fact %q does not name hub %s", cd.facts[0].detail, c.hub)
			}
			if c.hub != "C1" && !slices.Equal(nodeKeys(g, cd.doctors), []string{"D1"}) { // the doctor, or the prescriber of the fills
				t.Errorf("doctors %v, want [D1]", nodeKeys(g, cd.doctors))
			}
			if cd.strength < 0.5 || len(cd.visits) != c.people*c.city.visits {
				t.Errorf("strength %.2f, %d visits; want at least 0.5 and the recruits' %d", cd.strength, len(cd.visits), c.people*c.city.visits)
			}
		})
	}
}

// TestCohortExcess checks the hub test: improbable pairs against the
// share of tested pairs that chance puts at or below each level.
func TestCohortExcess(t *testing.T) {
	clique := func(n int, log10p float64) []cohortPair {
		out := make([]cohortPair, n)
		for i := range out {
			out[i] = cohortPair{together: 2, log10p: log10p}
		}
		return out
	}
	cases := []struct {
		name      string
		pairs     []cohortPair
		tested    int
		below     float64 // log10p must be at most this (0: not significant, want above -4)
		wantLevel float64
	}{
		{"a five-clique among 37 returning people", clique(10, -3.4), 37 * 36 / 2, -6, -3},
		{"the same among 2,000 returning people", clique(10, -3.4), 2000 * 1999 / 2, 0, -2},
		{"pairs at the first level only", clique(40, -2.1), 100 * 99 / 2, 0, -2},
		{"one pair far below chance", clique(1, -9), 100 * 99 / 2, -4, -9},
		{"no pairs", nil, 100, 0, -2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log10p, level := cohortExcess(c.pairs, c.tested, 2)
			if c.below < 0 && log10p > c.below || c.below == 0 && log10p < -4 {
				t.Errorf("log10p %.2f, want %s", log10p, map[bool]string{true: fmt.Sprintf("at most %.0f", c.below), false: "above -4"}[c.below < 0])
			}
			if c.below < 0 && level != c.wantLevel {
				t.Errorf("level %.0f, want %.0f", level, c.wantLevel)
			}
		})
	}
}

// TestSortByBegin checks the cohort scratch's time sort against a stable
// comparison sort, with ties, with visits already in order, and with times
// too far apart to pack into keys.
func TestSortByBegin(t *testing.T) {
	const day = claims.Time(86400)
	base := claims.Time(1_735_660_800) // 2025-01-01
	tests := []struct {
		name  string
		times []claims.Time
	}{
		{"empty", nil},
		{"one", []claims.Time{base}},
		{"sorted", []claims.Time{base, base, base + 60, base + day}},
		{"reversed with ties", []claims.Time{base + 3*day, base + day, base + 3*day, base, base + day, base}},
		{"spread past 2^32 s", []claims.Time{base + 1<<33, base, base + 5, base + 1<<33, base}},
	}
	rng := rand.New(rand.NewPCG(3, 5))
	var many []claims.Time
	for range 5000 {
		many = append(many, base+claims.Time(rng.IntN(40))*day+claims.Time(rng.IntN(3))*3600)
	}
	tests = append(tests, struct {
		name  string
		times []claims.Time
	}{"random, beyond the comparison sort", many})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vt := graph.NewVisitTable(len(tc.times))
			for _, x := range tc.times {
				vt.Begin.Append(x)
			}
			// Visit rows listed out of row order, as a hub's may be.
			vs := make([]uint32, len(tc.times))
			for i := range vs {
				vs[i] = uint32((i * 7) % len(tc.times))
			}
			if len(tc.times) > 0 && len(tc.times)%7 == 0 {
				t.Fatal("test rows must be a permutation")
			}
			want := slices.Clone(vs)
			slices.SortStableFunc(want, func(a, b uint32) int { return cmp.Compare(vt.Begin.At(a), vt.Begin.At(b)) })
			sc := newCohortScratch(0)
			got, begin := sc.sortByBegin(&vt, slices.Clone(vs))
			if !slices.Equal(got, want) {
				t.Fatalf("order %v, want %v", got[:min(len(got), 20)], want[:min(len(want), 20)])
			}
			for i, v := range got {
				if begin[i] != vt.Begin.At(v) {
					t.Fatalf("begin[%d] = %d, visit %d begins at %d", i, begin[i], v, vt.Begin.At(v))
				}
			}
		})
	}
}
