package rings

import (
	"context"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// returnRing describes the returners of one ring for TestSplitReturners:
// people whose boxes were first sold at the ring's sites, in turn.
type returnRing struct {
	people, firstPerson int
	sites               []graph.NodeID
	boxes               int  // boxes per person
	lattice             bool // person i's k-th box at site (i+k) mod sites, not drawn at random
	// fillers, when set, has person i fill all boxes at sites[i mod
	// len(sites)], each box resold at resellers[k mod len(resellers)].
	fillers   bool
	resellers []graph.NodeID
}

// boxesOf returns the ring's returned boxes, each first sold at one of
// its sites drawn by a fixed linear congruential sequence, prescribed by
// no one.
func (r returnRing) boxesOf() []returnedBox {
	var out []returnedBox
	x := uint64(r.firstPerson + 1)
	for i := 0; i < r.people; i++ {
		for k := 0; k < r.boxes; k++ {
			x = x*6364136223846793005 + 1442695040888963407
			site := r.sites[int(x>>33)%len(r.sites)]
			if r.lattice {
				site = r.sites[(i+k)%len(r.sites)]
			}
			var resold []graph.NodeID
			if r.fillers {
				site = r.sites[i%len(r.sites)]
				resold = []graph.NodeID{r.resellers[k%len(r.resellers)]}
			}
			out = append(out, returnedBox{buyer: uint32(r.firstPerson + i), site: site, prescriber: graph.None, resellers: resold})
		}
	}
	return out
}

// TestSplitReturners checks that returners joined through one shared
// prescriber are cut into their two rings, while one ring whose people
// spread their boxes over all its pharmacies, or fill apart but resell
// through the same pharmacies, stays whole.
func TestSplitReturners(t *testing.T) {
	a := returnRing{people: 16, firstPerson: 0, sites: []graph.NodeID{100, 101, 102}, boxes: 4}
	b := returnRing{people: 16, firstPerson: 100, sites: []graph.NodeID{200, 201, 202, 203}, boxes: 4}
	wide := returnRing{people: 16, firstPerson: 0, sites: []graph.NodeID{100, 101, 102, 103, 104, 105}, boxes: 3}
	chain := wide
	chain.lattice = true
	// Each recruit fills at one of three pharmacies; the boxes of all of
	// them resurface at the same two.
	resold := returnRing{people: 30, firstPerson: 0, sites: []graph.NodeID{100, 101, 102}, boxes: 6, fillers: true, resellers: []graph.NodeID{300, 301}}
	// Two such rings with resellers of their own stay apart.
	resoldB := returnRing{people: 16, firstPerson: 100, sites: []graph.NodeID{200, 201}, boxes: 6, fillers: true, resellers: []graph.NodeID{400}}
	resoldA := resold
	resoldA.people = 16
	// bridge: one doctor prescribed two boxes to people of a and one to b.
	bridge := []returnedBox{{buyer: 0, site: 100, prescriber: 7}, {buyer: 1, site: 101, prescriber: 7}, {buyer: 100, site: 200, prescriber: 7}}
	cases := []struct {
		name  string
		boxes []returnedBox
		want  []int // sizes of the parts
	}{
		{"two rings joined by one doctor", append(append(a.boxesOf(), b.boxesOf()...), bridge...), []int{16, 16}},
		{"one ring over six pharmacies", wide.boxesOf(), []int{16}},
		{"one ring whose people fill at neighbouring pharmacies of six", chain.boxesOf(), []int{16}},
		{"one ring whose people fill apart and resell together", resold.boxesOf(), []int{30}},
		{"two rings reselling apart, joined by one doctor", append(append(resoldA.boxesOf(), resoldB.boxesOf()...), bridge...), []int{16, 16}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &state{opt: &Options{Params: DefaultParams(), Seed: 1}}
			seen := map[uint32]bool{}
			var buyers []uint32
			for _, b := range c.boxes {
				if !seen[b.buyer] {
					seen[b.buyer] = true
					buyers = append(buyers, b.buyer)
				}
			}
			buyers = sortedUniq(buyers)
			index := map[uint32]int32{}
			grp := make([]int, len(buyers))
			for i, x := range buyers {
				index[x] = int32(i)
				grp[i] = i
			}
			parts, err := s.splitReturners(context.Background(), c.boxes, buyers, index, grp)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range parts {
				got = append(got, len(p))
			}
			if len(got) != len(c.want) {
				t.Fatalf("parts of sizes %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("parts of sizes %v, want %v", got, c.want)
				}
			}
			// No returner in two parts; in a split, no part mixes the rings.
			in := map[int]int{}
			for k, p := range parts {
				for _, i := range p {
					if _, dup := in[i]; dup {
						t.Errorf("returner %d in two parts", i)
					}
					in[i] = k
					if len(parts) > 1 && (buyers[i] >= 100) != (buyers[p[0]] >= 100) {
						t.Errorf("part %d mixes the rings", k)
					}
				}
			}
		})
	}
}
