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

// TestTrimPeripheral checks that a large ring leaves out the people who
// hold a fraction of its median person's visits and money, and keeps
// everyone in a small ring, in a ring of equals, or with trim_share 0.
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
		out    int
	}{
		{"ten recruits and two who came once", append(repeat(10, 10), 1, 1), 0.2, 2},
		{"ten recruits and two who came three times", append(repeat(10, 10), 3, 3), 0.2, 0},
		{"a small ring", append(repeat(10, 7), 1, 1), 0.2, 0},
		{"twelve equals", repeat(10, 12), 0.2, 0},
		{"trimming off", append(repeat(10, 10), 1, 1), 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cd := trimCity(t, c.visits)
			s := newTestState(t, g)
			s.opt.Params.TrimShare = c.share
			people, visits := len(cd.patients), len(cd.visits)
			got := s.trimPeripheral(cd)
			if got != c.out || len(cd.patients) != people-c.out || len(cd.visits) != visits-c.out {
				t.Fatalf("left out %d: %d people and %d visits remain, want %d left out", got, len(cd.patients), len(cd.visits), c.out)
			}
			for _, x := range cd.patients {
				if c.out > 0 && (g.Key(x) == "p10" || g.Key(x) == "p11") {
					t.Errorf("%s kept", g.Key(x))
				}
			}
			if c.out > 0 && cd.facts[len(cd.facts)-1].id != FactTrimmed {
				t.Errorf("no %s fact", FactTrimmed)
			}
		})
	}
}
