package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// crossCity describes two clinics A and B of region 350201, each with a
// ring of eight people and a hundred ordinary people, and a clinic C where
// a hundred more people of the ring people's home region go.
type crossCity struct {
	ringHome     string // insured region of both rings' people
	ringAtOther  int    // people of each ring with a visit at the other ring's clinic
	plainAtOther int    // ordinary people of each clinic with a visit at the other
	homeAtB      int    // people of the rings' home region (not in a ring) with a visit at B
	oneWay       bool   // only ring A's people come to B
}

// build returns the graph and the two rings' candidates (their visits at
// their own clinic).
func (cc crossCity) build(t *testing.T) (*graph.Graph, []*candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	sites := map[string]uint32{}
	for _, code := range []string{"A", "B", "C"} {
		h, added := tb.AddInstitution(&claims.Institution{Code: code, Name: "诊所" + code, Type: claims.Medical, Admdvs: "350201", Beds: -1})
		if !added {
			t.Fatalf("institution %s added twice", code)
		}
		sites[code] = h
	}
	n, day := 0, 0
	visit := func(p uint32, site string) uint32 {
		n++
		day = (day + 3) % 300
		v, added := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: site, MedType: claims.MedOutpatient,
			Begin: claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+n%600), End: claims.NoTime, MedFee: 10_000, FundPay: 7_000},
			p, sites[site], uint32(n))
		if !added {
			t.Fatalf("visit v%d added twice", n)
		}
		return v
	}
	people := 0
	person := func(region string) uint32 {
		people++
		p, added := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%03d", people), Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1), InsuplcAdmdvs: region})
		if !added {
			t.Fatalf("person p%03d added twice", people)
		}
		return p
	}
	var rings [2][]uint32
	for r, own := range []string{"A", "B"} {
		other := "B"
		if own == "B" {
			other = "A"
		}
		for i := range 8 {
			p := person(cc.ringHome)
			for range 6 {
				rings[r] = append(rings[r], visit(p, own))
			}
			if i < cc.ringAtOther && (r == 0 || !cc.oneWay) {
				visit(p, other)
			}
		}
		for i := range 100 {
			p := person("350201")
			visit(p, own)
			if i < cc.plainAtOther {
				visit(p, other)
			}
		}
	}
	for i := range 100 {
		p := person(cc.ringHome)
		visit(p, "C")
		if i < cc.homeAtB {
			visit(p, "B")
		}
	}
	g := graphOf(t, tb)
	return g, []*candidate{candidateAt(g, tb, sites["A"], rings[0]), candidateAt(g, tb, sites["B"], rings[1])}
}

// TestVisitLinks checks that two rings whose people come to each other's
// clinic far more often than the clinics' other people and their
// neighbours do are joined, with a merge fact counting those people and
// citing their visits there; and that they stay apart when the crossing is
// one way, too small, as common among the clinics' other people, or
// explained by where the ring people live (their home region's people go
// to B as often).
func TestVisitLinks(t *testing.T) {
	cases := []struct {
		name string
		city crossCity
		join bool
	}{
		{"six of each ring come to the other's clinic", crossCity{ringHome: "350202", ringAtOther: 6, plainAtOther: 1}, true},
		{"one way only", crossCity{ringHome: "350202", ringAtOther: 6, plainAtOther: 1, oneWay: true}, false},
		{"four of each", crossCity{ringHome: "350202", ringAtOther: 4, plainAtOther: 1}, false},
		{"the clinics share their ordinary people as much", crossCity{ringHome: "350202", ringAtOther: 6, plainAtOther: 70}, false},
		{"the rings' neighbours go to B as often", crossCity{ringHome: "350202", ringAtOther: 6, plainAtOther: 1, homeAtB: 75}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, cands := c.city.build(t)
			s := newTestState(t, g)
			out := s.visitLinks(cands)
			if got := len(out) == 1; got != c.join {
				t.Fatalf("joined %v (%d candidates), want %v", got, len(out), c.join)
			}
			if !c.join {
				return
			}
			ring := out[0]
			if len(ring.patients) != 16 || len(ring.insts) != 2 {
				t.Errorf("joined ring has %d people at %d sites, want 16 at 2", len(ring.patients), len(ring.insts))
			}
			var merged *fact
			for i := range ring.facts {
				if ring.facts[i].id == FactMerged {
					merged = &ring.facts[i]
				}
			}
			if merged == nil {
				t.Fatal("no merge fact")
			}
			if got := merged.params["crossing_people"]; got != 12 {
				t.Errorf("crossing_people %v, want 12", got)
			}
			if got := len(merged.visits); got != 12 {
				t.Errorf("the merge fact cites %d visits, want the 12 visits at the other's clinic", got)
			}
		})
	}
}
