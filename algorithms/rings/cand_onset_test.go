package rings

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// onsetCity is a year of care at thirty sites (clinics, or pharmacies whose
// every sale carries a trace code) whose regulars were there when the
// data begin or arrive one by one through the year, and a group of
// recruits who begin to come to S00 (and, with two, S01) as the group
// says.
type onsetCity struct {
	pharmacies bool
	recruits   int // people of the group at each of its sites
	from       int // day the group's first member arrives
	spread     int // days over which its members arrive
	two        bool
	// opening: S00 opens on day from, all its regulars arriving with the
	// group (the group is then its first customers, no one earlier).
	opening bool
	// resold: the group's purchases are boxes first sold to the site's
	// earlier customers (customers of a reselling pharmacy).
	resold bool
}

func (oc onsetCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	const sites, regulars, visits = 30, 40, 8
	tb := graph.NewTables(0, 0)
	rows := make([]uint32, sites)
	codes := make([]string, sites)
	for i := range rows {
		codes[i] = fmt.Sprintf("S%02d", i)
		in := &claims.Institution{Code: codes[i], Name: codes[i] + "诊所", Type: claims.Medical, Beds: -1}
		if oc.pharmacies {
			in.Name, in.Type = codes[i]+"大药房", claims.Pharmacy
		}
		rows[i], _ = tb.AddInstitution(in)
	}
	n := 0
	var early []string // trace codes sold before day 100
	visit := func(person uint32, site, day int, trace string) {
		n++
		id := fmt.Sprintf("v%d", n)
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+9*3600+n%300)
		mt := claims.MedOutpatient
		if oc.pharmacies {
			mt = claims.MedPharmacy
		}
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: codes[site], MedType: mt,
			Begin: at, End: claims.NoTime, MedFee: 100, FundPay: 70}, person, rows[site], uint32(n))
		if trace == "" {
			trace = fmt.Sprintf("T%d", n)
			if day < 100 {
				early = append(early, trace)
			}
		}
		tb.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: id, ItemCode: "DRUG", ListType: 101, Count: 1,
			Price: 100, Amount: 100, Time: at, TraceCode: trace}, v, uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
		return row
	}
	for site := 0; site < sites; site++ {
		for i := 0; i < regulars; i++ {
			p := person(fmt.Sprintf("r%d-%d", site, i))
			// Three in four were there when the data begin; the others
			// arrive one by one, about one a month.
			first := i % 7
			if i%4 == 3 {
				first = 9 * i
			}
			if site == 0 && oc.opening {
				first = oc.from + i%20
			}
			for k := 0; k < visits; k++ {
				visit(p, site, min(first+(k*(364-first))/visits, 364), "")
			}
		}
	}
	for g := 0; g < 1+btoi(oc.two); g++ {
		for i := 0; i < oc.recruits; i++ {
			p := person(fmt.Sprintf("g%d-%d", g, i))
			first := oc.from + (i*oc.spread)/max(oc.recruits, 1)
			for k := 0; k < visits; k++ {
				tr := ""
				if oc.resold {
					tr = early[(i*visits+k)%len(early)]
				}
				visit(p, g, first+5*k, tr)
				if oc.two && k < 3 {
					visit(p, 1-g, first+5*k+1, "")
				}
			}
		}
	}
	g := graphOf(t, tb)
	return g
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestOnsetCandidates checks the onset generator: a group whose members
// all begin to come to a site within a few weeks forms a ring there,
// whatever they are billed; the same people arriving through the year,
// when the data begin, at a site that opens with them, too few, or buying
// boxes sold before (a reselling pharmacy's customers) do not; two sites
// whose groups come to each other's site form one ring. On reversed time
// (offsets), a group whose members all stop coming within a few weeks
// forms a ring, also one that came since the data began (whose onset the
// data cannot show); a group leaving one by one through the year, or
// still coming when the data end, does not.
func TestOnsetCandidates(t *testing.T) {
	// Regulars arrive at each site about once a month: the group's
	// windows hold one or two of them by chance, besides the group.
	const chance = 2
	cases := []struct {
		name   string
		source string // SourceOnset or SourceOffset
		city   onsetCity
		people int // the group's people in the one candidate; 0: none
		sites  []string
	}{
		{"twelve arrive within two weeks", SourceOnset, onsetCity{recruits: 12, from: 150, spread: 14}, 12, []string{"S00"}},
		{"twelve arrive within two weeks at a pharmacy", SourceOnset, onsetCity{pharmacies: true, recruits: 12, from: 150, spread: 14}, 12, []string{"S00"}},
		{"twelve arrive through the year", SourceOnset, onsetCity{recruits: 12, from: 20, spread: 300}, 0, nil},
		{"twelve arrive when the data begin", SourceOnset, onsetCity{recruits: 12, from: 0, spread: 14}, 0, nil},
		{"twelve arrive as the site opens", SourceOnset, onsetCity{recruits: 12, from: 150, spread: 14, opening: true}, 0, nil},
		{"four arrive: below min_ring_people", SourceOnset, onsetCity{recruits: 4, from: 150, spread: 14}, 0, nil},
		{"customers of re-sold boxes", SourceOnset, onsetCity{pharmacies: true, recruits: 12, from: 150, spread: 14, resold: true}, 0, nil},
		{"two sites' groups visit each other's site", SourceOnset, onsetCity{recruits: 12, from: 150, spread: 14, two: true}, 24, []string{"S00", "S01"}},
		{"twelve stop within two weeks", SourceOffset, onsetCity{recruits: 12, from: 150, spread: 14}, 12, []string{"S00"}},
		{"twelve there when the data begin stop together", SourceOffset, onsetCity{recruits: 12, from: 0, spread: 14}, 12, []string{"S00"}},
		{"twelve stop through the year", SourceOffset, onsetCity{recruits: 12, from: 20, spread: 300}, 0, nil},
		{"twelve still coming when the data end", SourceOffset, onsetCity{recruits: 12, from: 330, spread: 14}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s, cs := runGenerator(t, g, (*state).onsetCandidates)
			cd := soleCandidate(t, fromSource(cs, c.source), c.people > 0)
			if cd == nil {
				return
			}
			sites := nodeKeys(g, cd.insts)
			group := groupPeople(g, cd)
			if group != c.people || len(cd.patients) > c.people+chance*len(c.sites) || !slices.Equal(sites, c.sites) {
				t.Errorf("candidate of %s: %d people (%d of the group) at %v, want the group's %d (and at most %d more) at %v",
					cd.source, len(cd.patients), group, sites, c.people, chance*len(c.sites), c.sites)
			}
			s.finish(cd)
			share, lift, need := cd.feat.OnsetShare, cd.feat.OnsetLift, DefaultParams().OnsetLift
			if c.source == SourceOffset {
				share, lift, need = cd.feat.OffsetShare, cd.feat.OffsetLift, DefaultParams().OffsetLift
			}
			if share != 1 || lift < need {
				t.Errorf("%s share %.2f, lift %.1f; want 1 and at least %.0f", cd.source, share, lift, need)
			}
			s.score(cd)
			// Billed like anyone, the cohort rests on its arrivals (or
			// departures) alone: some evidence, not the full evidence of a
			// signature.
			if cd.feat.Evidence <= 0 || cd.feat.Evidence >= 1 {
				t.Errorf("evidence %.2f: want the cohort's alone, in (0, 1)", cd.feat.Evidence)
			}
		})
	}
}

// fromSource returns the candidates of cs from source src.
func fromSource(cs []*candidate, src string) []*candidate {
	var out []*candidate
	for _, c := range cs {
		if c.source == src {
			out = append(out, c)
		}
	}
	return out
}

// groupPeople counts the people of the onset city's group (keys g…) in c.
func groupPeople(g *graph.Graph, c *candidate) int {
	n := 0
	for _, x := range c.patients {
		if g.Key(x)[0] == 'g' {
			n++
		}
	}
	return n
}
