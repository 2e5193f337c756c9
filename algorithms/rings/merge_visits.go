package rings

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
)

// crossing is what joins a candidate to a ring when the two share no
// one: the people of the candidate who come to the ring's sites (theirs)
// and of the ring who come to the candidate's (ours), the smaller of the
// two lifts over what those sites' other people and the people living
// where they live explain, and those people's visits at the other's sites
// (the rows the join rests on).
type crossing struct {
	theirs, ours int
	lift         float64
	visits       []uint32
}

// crossTest is the outcome of the test of one direction of a pair.
type crossTest struct {
	people []graph.NodeID // a's people with a visit at b's sites
	lift   float64
	ok     bool
}

// visitLinks joins candidates whose people come to each other's sites far
// more often than chance explains, both ways: one operation run at
// several sites, each with its own doctors and recruits, whose recruits
// keep some of their care at the operation's other sites (sessions moved
// there, ordinary care the organiser steers), while two unrelated rings of
// one district share no more of their people than their sites' ordinary
// patients do. For a pair (a, b), k is the number of a's people with a
// visit at one of b's sites. Two expectations count, the larger: a's
// people times the share of the other people of a's sites who come to
// b's sites, and, over a's people, the share of the people living where
// each lives (insured region, or the area of the city its care lies in;
// the two candidates' people left out) who come to b's sites, since rings
// recruiting in one district send their people to that district's sites.
// The pair passes when k is at least min_ring_people, link_visit_lift
// times the expectation and beyond chance at min_significance + log10(pairs
// tested), and the same holds from b to a. Candidates with fewer than
// min_ring_people people take no part. It returns the candidates with
// every linked group absorbed into its member of most visits, in the order
// of cands (the group's place is its first member's).
func (s *state) visitLinks(cands []*candidate) []*candidate {
	p := &s.opt.Params
	if p.LinkVisitLift <= 0 || len(cands) < 2 {
		return cands
	}
	g := s.g
	bySite := make(map[graph.NodeID][]int)
	for i, c := range cands {
		if len(c.patients) < p.MinRingPeople {
			continue
		}
		for _, h := range c.insts {
			bySite[h] = append(bySite[h], i)
		}
	}
	// Pairs where some person of one candidate has a visit at a site of
	// the other.
	seen := make(map[[2]int]bool)
	var pairs [][2]int
	for a, c := range cands {
		if len(c.patients) < p.MinRingPeople {
			continue
		}
		for _, x := range c.patients {
			nb, _ := g.Neighbors(x)
			for _, n := range nb {
				for _, b := range bySite[n] {
					if k := [2]int{min(a, b), max(a, b)}; b != a && !seen[k] {
						seen[k] = true
						pairs = append(pairs, k)
					}
				}
			}
		}
	}
	if len(pairs) == 0 {
		return cands
	}
	slices.SortFunc(pairs, func(x, y [2]int) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	// Per candidate, every patient of its sites, and those not its own
	// (its sites' other people), each gathered at first need.
	visitors := make(map[int][]graph.NodeID)
	visitorsOf := func(i int) []graph.NodeID {
		v, ok := visitors[i]
		if !ok {
			v = s.patientsAt(cands[i].insts)
			visitors[i] = v
		}
		return v
	}
	others := make(map[int][]graph.NodeID)
	othersOf := func(i int) []graph.NodeID {
		o, ok := others[i]
		if !ok {
			o = slices.DeleteFunc(slices.Clone(visitorsOf(i)), func(x graph.NodeID) bool { return contains(cands[i].patients, x) })
			others[i] = o
		}
		return o
	}
	// Where people live, gathered at the first pair worth testing.
	var home []uint32
	var pop map[uint32]int
	minSig := p.MinSignificance + math.Log10(float64(len(pairs)))
	test := func(a, b int) crossTest {
		pa, pb := cands[a].patients, cands[b].patients
		vb := visitorsOf(b)
		t := crossTest{people: common(pa, vb)}
		k := len(t.people)
		if k < p.MinRingPeople {
			return t
		}
		// The other people of a's sites, and those of them who come to
		// b's sites.
		oa := othersOf(a)
		if len(oa) == 0 {
			return t
		}
		if home == nil {
			home, pop = s.homes()
		}
		mu := (float64(intersect(oa, vb)) + 0.5) * float64(len(pa)) / float64(len(oa))
		// Where a's people live: the share of their neighbours (neither
		// candidate's people) who come to b's sites.
		there := make(map[uint32]int)
		for _, x := range vb {
			if h := home[g.Row(x)]; h != graph.None && !contains(pa, x) && !contains(pb, x) {
				there[h]++
			}
		}
		geo := 0.0
		for _, x := range pa {
			if h := home[g.Row(x)]; h != graph.None && pop[h] > 0 {
				geo += float64(there[h]) / float64(pop[h])
			}
		}
		mu = max(mu, geo)
		t.lift = float64(k) / mu
		t.ok = t.lift >= p.LinkVisitLift && poissonTailLog10(k, mu) <= -minSig
		return t
	}
	type link struct {
		a, b   int
		ab, ba crossTest
	}
	var links []link
	for _, k := range pairs {
		ab := test(k[0], k[1])
		if !ab.ok {
			continue
		}
		if ba := test(k[1], k[0]); ba.ok {
			links = append(links, link{a: k[0], b: k[1], ab: ab, ba: ba})
		}
	}
	if len(links) == 0 {
		return cands
	}
	uf := newUnionFind(len(cands))
	for _, l := range links {
		uf.union(int32(l.a), int32(l.b))
	}
	var out []*candidate
	for _, grp := range uf.components(len(cands), func(i int) int32 { return int32(i) }) {
		if len(grp) == 1 {
			out = append(out, cands[grp[0]])
			continue
		}
		// The member of most visits absorbs the others in the order they
		// are reached from it over the links (breadth first), each with
		// the crossing that reached it.
		root := slices.MinFunc(grp, func(x, y int) int {
			return cmp.Or(cmp.Compare(len(cands[y].visits), len(cands[x].visits)), cmp.Compare(x, y))
		})
		in := map[int]bool{root: true}
		queue := []int{root}
		ring := cands[root]
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, l := range links {
				v, there, back := l.b, l.ab, l.ba
				if l.b == u {
					v, there, back = l.a, l.ba, l.ab
				} else if l.a != u {
					continue
				}
				if in[v] {
					continue
				}
				in[v] = true
				queue = append(queue, v)
				x := &crossing{theirs: len(back.people), ours: len(there.people), lift: min(there.lift, back.lift),
					visits: append(s.visitsAt(back.people, cands[u].insts), s.visitsAt(there.people, cands[v].insts)...)}
				absorbWith(ring, cands[v], x)
			}
		}
		out = append(out, ring)
	}
	return out
}

// patientsAt returns every patient node with a visit at one of sites,
// sorted.
func (s *state) patientsAt(sites []graph.NodeID) []graph.NodeID {
	var out []graph.NodeID
	for _, h := range sites {
		nb, _ := s.g.Neighbors(h)
		for _, n := range nb {
			if s.g.Kind(n) == graph.KindPatient {
				out = append(out, n)
			}
		}
	}
	return sortedUniq(out)
}

// visitsAt returns the live visits of the people ps at the sites insts
// (sorted), sorted.
func (s *state) visitsAt(ps []graph.NodeID, insts []graph.NodeID) []uint32 {
	var out []uint32
	for _, x := range ps {
		for _, v := range s.g.VisitsOf(x) {
			if s.live(v) && contains(insts, s.instNode(v)) {
				out = append(out, v)
			}
		}
	}
	return sortedUniq(out)
}

// homes returns, per patient row, a key of where the person lives (the
// insured region's string id, or, where it is absent, the inferred area of
// the person's care with the top bit set; graph.None when neither is
// known) and the number of people per key.
func (s *state) homes() ([]uint32, map[uint32]int) {
	g := s.g
	n := g.NumKind(graph.KindPatient)
	home := make([]uint32, n)
	pop := make(map[uint32]int)
	regions := s.t.Persons.InsuplcAdmdvs
	for i := range home {
		home[i] = graph.None
		switch {
		case i < len(regions) && regions[i] != graph.None && (s.siteArea == nil || districtCode(s.t.Str(regions[i]))):
			home[i] = regions[i]
		case s.siteArea != nil:
			if a, ok := s.homeArea(g.PatientNode(uint32(i)), graph.NoNode); ok {
				home[i] = 1<<31 | uint32(a)
			}
		}
		if home[i] != graph.None {
			pop[home[i]]++
		}
	}
	return home, pop
}
