package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// trimCity builds one clinic where each person i of visits comes
// visits[i] times at 100 yuan, and the candidate of all of them.
func trimCity(t *testing.T, visits []int) (*graph.Graph, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	h, _ := tb.AddInstitution(&claims.Institution{Code: "C1", Name: "某诊所", Type: claims.Medical, Beds: -1})
	n := 0
	var rows []uint32
	for i, k := range visits {
		p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%02d", i), Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
		for j := range k {
			n++
			v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "C1", MedType: claims.MedOutpatient,
				Begin: claims.DateOf(2025, 1, 1).Time() + claims.Time((7*j+i)*86400), End: claims.NoTime, MedFee: 10_000, FundPay: 7_000}, p, h, uint32(n))
			rows = append(rows, v)
		}
	}
	return candidateOf(t, tb, h, rows)
}

// TestTrimPeripheral checks that a large ring leaves out the few people
// who hold a fraction of its median person's visits and money, and the
// many below a clean break of core_gap (a few recruits and the site's
// ordinary people flagged with them), and keeps everyone in a small ring,
// in a ring of equals, in a ring where more than trim_max_share are light
// but not below a clean break, or with trim_share and core_gap 0; people
// two merged candidates both held, or a widening took in, stay.
func TestTrimPeripheral(t *testing.T) {
	repeat := func(k, n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = k
		}
		return out
	}
	cases := []struct {
		name   string
		visits []int
		share  float64
		gap    float64
		out    int
		held   bool // the light people were held by two merged candidates, or widened in
	}{
		{"ten recruits and two who came once", append(repeat(10, 10), 1, 1), 0.4, 3, 2, false},
		{"ten recruits and two who came five times", append(repeat(10, 10), 5, 5), 0.4, 3, 0, false},
		{"ten recruits and four who came four times: light by design", append(repeat(10, 10), 4, 4, 4, 4), 0.4, 3, 0, false},
		{"ten recruits and four who came once, no clean break asked", append(repeat(10, 10), 1, 1, 1, 1), 0.4, 0, 0, false},
		{"ten recruits and four who came once", append(repeat(10, 10), 1, 1, 1, 1), 0.4, 3, 4, false},
		{"five recruits and twelve who came three times", append(repeat(12, 5), repeat(3, 12)...), 0.4, 3, 12, false},
		{"five recruits and twelve who came five times", append(repeat(12, 5), repeat(5, 12)...), 0.4, 3, 0, false},
		{"four recruits and twelve who came once: too few above the break", append(repeat(12, 4), repeat(1, 12)...), 0.4, 3, 0, false},
		{"a small ring", append(repeat(10, 7), 1, 1), 0.4, 3, 0, false},
		{"twelve equals", repeat(10, 12), 0.4, 3, 0, false},
		{"trimming off", append(repeat(10, 10), 1, 1), 0, 0, 0, false},
		{"two who came once, found twice or widened in", append(repeat(10, 10), 1, 1), 0.4, 3, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := trimCity(t, c.visits)
			s := newTestState(t, g)
			s.opt.Params.TrimShare = c.share
			s.opt.Params.CoreGap = c.gap
			if c.held {
				light := cd.patients[len(cd.patients)-2:]
				cd.twice = light[:1]
				cd.widenedPeople = light[1:]
			}
			people := len(cd.patients)
			got := s.trimPeripheral(cd)
			kept := 0 // the visits of the people kept
			for _, x := range cd.patients {
				kept += c.visits[g.Row(x)]
			}
			if got != c.out || len(cd.patients) != people-c.out || len(cd.visits) != kept {
				t.Fatalf("left out %d: %d people and %d visits remain, want %d left out", got, len(cd.patients), len(cd.visits), c.out)
			}
			for _, x := range cd.patients {
				if c.out > 0 && c.visits[g.Row(x)] < c.visits[0] {
					t.Errorf("%s (%d visits) kept", g.Key(x), c.visits[g.Row(x)])
				}
			}
			if c.out > 0 && cd.facts[len(cd.facts)-1].id != FactTrimmed {
				t.Errorf("no %s fact", FactTrimmed)
			}
		})
	}
}
