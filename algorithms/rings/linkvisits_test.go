package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// visitCity is a small city for the visit-link test: clinics A and B, each
// with its own ordinary people, some of whom (shared) also go to the other
// clinic, and a group of flagged people per clinic, crossing of whom come
// to the other clinic.
type visitCity struct {
	ordinary, shared  int // ordinary people of each clinic; of them, coming to the other too
	flagged, crossing int
}

// build returns the graph, the site indexes of A and B and the flagged
// people (person rows) of each.
func (vc visitCity) build(t *testing.T) (*graph.Graph, [2]int32, map[int32][]uint32) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	var sites [2]uint32
	for i, code := range []string{"A", "B"} {
		sites[i], _ = tb.AddInstitution(&claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical, Beds: -1})
	}
	n := 0
	visit := func(person uint32, site int) {
		n++
		tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: []string{"A", "B"}[site], MedType: claims.MedOutpatient,
			Begin: claims.DateOf(2025, 1, 1+n%28).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, person, sites[site], uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		return row
	}
	flagged := map[int][]uint32{}
	for site := 0; site < 2; site++ {
		for i := 0; i < vc.ordinary; i++ {
			p := person(fmt.Sprintf("o%d-%d", site, i))
			visit(p, site)
			if i < vc.shared {
				visit(p, 1-site)
			}
		}
		for i := 0; i < vc.flagged; i++ {
			p := person(fmt.Sprintf("f%d-%d", site, i))
			visit(p, site)
			if i < vc.crossing {
				visit(p, 1-site)
			}
			flagged[site] = append(flagged[site], p)
		}
	}
	g := graphOf(t, tb)
	s := &state{g: g}
	lo := s.siteLo()
	var idx [2]int32
	out := map[int32][]uint32{}
	for i, row := range sites {
		idx[i] = int32(int(g.InstitutionNode(row)) - lo)
		out[idx[i]] = sortedUniq(flagged[i])
	}
	return g, idx, out
}

// TestLinkByVisits checks the visit link between two seeded sites: the
// flagged people of each must come to the other link_visit_lift times more
// often than its other people, beyond chance, and at least min_ring_people
// of them.
func TestLinkByVisits(t *testing.T) {
	cases := []struct {
		name string
		city visitCity
		lift float64
		want bool
	}{
		{"ring's people keep care at its other site", visitCity{ordinary: 400, shared: 4, flagged: 40, crossing: 16}, 5, true},
		{"neighbouring sites: flagged people cross as often as the others", visitCity{ordinary: 400, shared: 120, flagged: 40, crossing: 12}, 5, false},
		{"too few cross (fewer than min_ring_people)", visitCity{ordinary: 400, shared: 0, flagged: 40, crossing: 4}, 5, false},
		{"a few crossers among many flagged is chance", visitCity{ordinary: 60, shared: 6, flagged: 200, crossing: 12}, 5, false},
		{"link turned off", visitCity{ordinary: 400, shared: 8, flagged: 40, crossing: 12}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, idx, flagged := c.city.build(t)
			p := DefaultParams()
			p.LinkVisitLift = c.lift
			s := &state{g: g, opt: &Options{Params: p}}
			uf := newUnionFind(2)
			s.linkByVisits(s.siteLo(), idx[:], flagged, &uf)
			if got := uf.find(idx[0]) == uf.find(idx[1]); got != c.want {
				t.Errorf("linked = %v, want %v", got, c.want)
			}
		})
	}
}
