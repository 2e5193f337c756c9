package rings

import (
	"fmt"
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 2, 10}, 3},
	} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("%s: median = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMemberShares(t *testing.T) {
	yuan := func(y int) claims.Money { return claims.Money(100 * y) }
	for _, tc := range []struct {
		name  string
		stats map[graph.NodeID]*memberStat
		want  map[graph.NodeID]float64
	}{
		{"median member has share 1",
			map[graph.NodeID]*memberStat{1: {visits: 2, fund: yuan(100)}, 2: {visits: 2, fund: yuan(100)}, 3: {visits: 2, fund: yuan(100)}},
			map[graph.NodeID]float64{1: 1, 2: 1, 3: 1}},
		{"tout and card lender",
			map[graph.NodeID]*memberStat{1: {visits: 60, fund: yuan(3000)}, 2: {visits: 1, fund: yuan(50)}, 3: {visits: 2, fund: yuan(100)}},
			map[graph.NodeID]float64{1: 30, 2: 0.5, 3: 1}},
		{"medians floored at one visit and one yuan",
			map[graph.NodeID]*memberStat{1: {}, 2: {}, 3: {visits: 4, fund: yuan(2)}},
			map[graph.NodeID]float64{1: 0, 2: 0, 3: 3}},
		{"refunds do not count below zero",
			map[graph.NodeID]*memberStat{1: {visits: 1, fund: -yuan(5)}, 2: {visits: 1, fund: yuan(10)}, 3: {visits: 1, fund: yuan(10)}},
			map[graph.NodeID]float64{1: 0.5, 2: 1, 3: 1}},
	} {
		got := memberShares(tc.stats)
		for x, w := range tc.want {
			if math.Abs(got[x]-w) > 1e-9 {
				t.Errorf("%s: share of %d = %v, want %v", tc.name, x, got[x], w)
			}
		}
	}
}

func TestMemberScore(t *testing.T) {
	for _, tc := range []struct {
		name              string
		ring, share, half float64
		want              float64
	}{
		{"no share of the evidence", 0.8, 0, 1, 0.5},
		{"median member", 0.8, 1, 1, 0.7},
		{"tout with 30 times the median", 0.8, 30, 1, 0.5 + 0.4*30.0/31},
		{"card lender with half the median", 0.8, 0.5, 1, 0.5 + 0.4/3},
		{"full ring score, huge share", 1, 1e9, 1, 1},
		{"half 0 gives no lift", 0.9, 3, 0, 0.5},
	} {
		got := memberScore(tc.ring, tc.share, tc.half)
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s: memberScore(%v, %v, %v) = %v, want %v", tc.name, tc.ring, tc.share, tc.half, got, tc.want)
		}
		if got < 0.5 || got > 1 {
			t.Errorf("%s: %v outside [0.5, 1]", tc.name, got)
		}
	}
	tout, lender := memberScore(0.8, 30, 1), memberScore(0.8, 0.5, 1)
	if tout-lender < 0.2 {
		t.Errorf("tout %v and card lender %v score almost alike", tout, lender)
	}
}

// TestRegisteredShare checks the evidence share of a ring's doctors whom
// no row names: (k − 1)/(n − 1) for registrations at k of its n medical
// sites, nothing at a ring of one medical site (its pharmacy not counted),
// and memberScores raising a registered doctor's share to it.
func TestRegisteredShare(t *testing.T) {
	tb := graph.NewTables(0, 0)
	rows := map[string]uint32{}
	for _, code := range []string{"A", "B", "C", "OTHER"} {
		rows[code], _ = tb.AddInstitution(&claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical, Beds: -1})
	}
	rows["P"], _ = tb.AddInstitution(&claims.Institution{Code: "P", Name: "P药店", Type: claims.Pharmacy, Beds: -1})
	staff := map[string][]string{"D-ALL": {"A", "B", "C"}, "D-TWO": {"A", "C", "OTHER"}, "D-ONE": {"B"}, "D-ELSEWHERE": {"OTHER"}}
	for dr, sites := range staff {
		for _, site := range sites {
			tb.AddStaff(&claims.Staff{DrCode: dr, InstitutionCode: site}, rows[site])
		}
	}
	g := graphOf(t, tb)
	s := &state{g: g, t: tb}
	node := func(code string) graph.NodeID {
		for x := 0; x < g.NumNodes(); x++ {
			if g.Key(graph.NodeID(x)) == code {
				return graph.NodeID(x)
			}
		}
		t.Fatalf("no node %s", code)
		return graph.NoNode
	}
	ring := func(codes ...string) []graph.NodeID {
		var out []graph.NodeID
		for _, c := range codes {
			out = append(out, node(c))
		}
		return sortedUniq(out)
	}
	cases := []struct {
		doctor string
		sites  []graph.NodeID
		want   float64
	}{
		{"D-ALL", ring("A", "B", "C", "P"), 1},
		{"D-TWO", ring("A", "B", "C", "P"), 0.5},
		{"D-ONE", ring("A", "B", "C", "P"), 0},
		{"D-ELSEWHERE", ring("A", "B", "C"), 0},
		{"D-ALL", ring("A", "P"), 0},
		{"D-TWO", ring("A", "C"), 1},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s at %d sites", c.doctor, len(c.sites)), func(t *testing.T) {
			if got := s.registeredShare(node(c.doctor), c.sites); got != c.want {
				t.Errorf("share %v, want %v", got, c.want)
			}
		})
	}
	c := &candidate{doctors: ring("D-ALL", "D-ONE"), insts: ring("A", "B", "C"),
		roles: map[graph.NodeID]string{node("D-ALL"): RoleRegisteredDoctor, node("D-ONE"): RoleRegisteredDoctor}}
	s.memberScores(c)
	if c.share[node("D-ALL")] != 1 || c.share[node("D-ONE")] != 0 {
		t.Errorf("memberScores shares %v, want D-ALL 1, D-ONE 0", c.share)
	}
}
