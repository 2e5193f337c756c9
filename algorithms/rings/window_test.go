package rings

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestOperationWindows checks the window scan on daily counts of a year:
// one busy stretch is found, two waves are two windows, and visits spread
// over the year, a ring busier in its second half than in its first, or a
// stretch hardly busier than the rest have none.
func TestOperationWindows(t *testing.T) {
	year := func(f func(day int) int) []int {
		out := make([]int, 365)
		for d := range out {
			out[d] = f(d)
		}
		return out
	}
	in := func(from, to, n int) func(int) int {
		return func(d int) int {
			if d >= from && d < to {
				return n
			}
			return 0
		}
	}
	cases := []struct {
		name   string
		counts []int
		want   []timeWindow
	}{
		{"two months", year(in(150, 210, 1)), []timeWindow{{150, 210}}},
		{"two months and a few stray visits", year(func(d int) int { return in(150, 210, 1)(d) + in(0, 365, 1)(d)*b2i(d%40 == 3) }), []timeWindow{{150, 210}}},
		{"two waves", year(func(d int) int { return in(20, 50, 1)(d) + in(250, 300, 1)(d) }), []timeWindow{{250, 300}, {20, 50}}},
		{"all year", year(func(d int) int { return b2i(d%3 == 0) }), nil},
		{"the second half", year(func(d int) int { return b2i(d >= 180 && d%2 == 0) }), nil},
		{"twice as busy for two months", year(func(d int) int { return b2i(d%4 == 0) + b2i(d >= 150 && d < 210 && d%4 == 2) }), nil},
		{"a handful of visits", year(func(d int) int { return b2i(d == 100 || d == 103 || d == 300) }), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := &windowScan{counts: c.counts, binLen: 86400}
			got := ws.operationWindows(14, 4, 0.5, 8, 2)
			if !slices.Equal(got, c.want) {
				t.Errorf("windows %v, want %v", got, c.want)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// windowCity is a clinic where ring people come only in two months (six
// visits each) and ordinary people of the clinic, flagged with them, come
// four times scattered over the year.
type windowCity struct {
	ring, ordinary int
	allYear        bool // the ring's people come all year too
}

// build returns the graph and the candidate holding both.
func (wc windowCity) build(t *testing.T) (*graph.Graph, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	a, _ := tb.AddInstitution(&claims.Institution{Code: "HA", Name: "甲诊所", Type: claims.Medical})
	n := 0
	visit := func(person uint32, day int) uint32 {
		n++
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+10*3600)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "HA", MedType: claims.MedOutpatient, Begin: at,
			DoctorCode: "DA", MedFee: 10_000, FundPay: 7_000}, person, a, uint32(n))
		return v
	}
	person := func(psn string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: psn, Sex: claims.Female, Birth: claims.DateOf(1960, 6, 1)})
		return row
	}
	var visits []uint32
	// The data's period: someone comes on the first and the last day.
	visit(person("edge"), 0)
	visit(person("edge2"), 364)
	for i := range wc.ring {
		row := person(fmt.Sprintf("r%d", i))
		for k := range 6 {
			day := 150 + (i+9*k)%60
			if wc.allYear {
				day = (i*11 + 60*k) % 365
			}
			visits = append(visits, visit(row, day))
		}
	}
	for i := range wc.ordinary {
		row := person(fmt.Sprintf("o%d", i))
		for k := range 4 {
			visits = append(visits, visit(row, (i*37+90*k+5)%365))
		}
	}
	return candidateOf(t, tb, a, visits)
}

// TestTrimOffWindow checks that a ring active for two months leaves out the
// clinic's ordinary people who come all year, however many they are; not
// when the ring's own people come all year, and not when fewer than
// min_ring_people would stay.
func TestTrimOffWindow(t *testing.T) {
	cases := []struct {
		name string
		city windowCity
		out  int
	}{
		{"two months' recruits, ordinary people all year", windowCity{ring: 12, ordinary: 15}, 15},
		{"recruits all year", windowCity{ring: 12, ordinary: 15, allYear: true}, 0},
		{"too few would stay", windowCity{ring: 4, ordinary: 15}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := c.city.build(t)
			s := newTestState(t, g)
			people, visits := len(cd.patients), len(cd.visits)
			out := s.trimOffWindow(cd)
			if out != c.out || len(cd.patients) != people-c.out {
				t.Fatalf("left out %d (%d of %d people stay), want %d", out, len(cd.patients), people, c.out)
			}
			if out == 0 {
				return
			}
			if len(cd.visits) != visits-4*c.out {
				t.Errorf("%d visits stay, want %d", len(cd.visits), visits-4*c.out)
			}
			for _, x := range cd.patients {
				if id := g.Tables().Persons.IDs.String(g.Row(x)); id[0] != 'r' {
					t.Errorf("%s stayed", id)
				}
			}
			if f := cd.facts[len(cd.facts)-1]; f.id != FactOffWindow || len(f.visits) != 4*c.out {
				t.Errorf("fact %s citing %d visits, want %s citing %d", f.id, len(f.visits), FactOffWindow, 4*c.out)
			}
		})
	}
}
