package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
)

// Inferred geography. Whether a person lives away from a site matters for
// card collection and scattered recruits; the contract's region codes
// (insuplc_admdvs, admdvs) that tell it are optional. Without them, the
// places a person is treated at still say where the person lives: people
// use the sites near home. Sites are grouped into areas by Leiden
// (modularity) on the site–site graph in which every person who visited k
// sites (2 ≤ k ≤ maxAreaSites) adds 1/(k−1) to each pair of them (Newman's
// weighting, so that a busy traveller counts no more than a homebody); a
// person's home area is the area where the person uses the most sites
// other than the one judged (homeArea).

const (
	// maxAreaSites: people who visited more sites than this (a few
	// chronic travellers, data-quality hubs) do not vote on areas.
	maxAreaSites = 30
	// regionKnownShare: below this share of persons with an insured region
	// or institutions with a region code, areas are inferred.
	regionKnownShare = 0.5
	// minHomeVisits: visits elsewhere a person needs for a home area.
	minHomeVisits = 2
	// farAffinity: two areas are far apart when neither sends this share
	// of its people's site-to-site weight to the other (neighbouring
	// districts exchange far more; another city almost none).
	farAffinity = 0.02
)

// Distances between where a person lives and a site.
const (
	distSame = iota // the same district or area
	distNear        // another district of the same city, or a neighbouring area
	distFar         // another city, or an area the site's people hardly ever visit
)

// districtCode reports whether a region code (admdvs, six digits of GB/T
// 2260) names a district or county: its last two digits are not 00, which
// mark a city (XXXX00) or a province (XX0000). Where basic insurance is
// pooled by the city, as in most of the country, every insured person of
// the city carries the city's code.
func districtCode(code string) bool {
	return len(code) == 6 && code[4:] != "00"
}

// inferGeography fills s.siteArea when region codes are missing, or when
// the insured regions name only cities.
func (s *state) inferGeography(ctx context.Context) error {
	g, t := s.g, s.t
	// The share of codes that name a district: an insured region that
	// names only the city (municipal pooling, 市级统筹) says nothing of
	// where in it the person lives.
	known := func(col []uint32) float64 {
		if len(col) == 0 {
			return 0
		}
		n := 0
		for _, x := range col {
			if x != graph.None && districtCode(t.Str(x)) {
				n++
			}
		}
		return float64(n) / float64(len(col))
	}
	if known(t.Persons.InsuplcAdmdvs) >= regionKnownShare && known(t.Institutions.Admdvs) >= regionKnownShare {
		return nil
	}
	lo := s.siteLo()
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	if nSites < 2 {
		return nil
	}
	weight := make(map[uint64]float64)
	var sites []int32
	nP := g.NumKind(graph.KindPatient)
	for p := 0; p < nP; p++ {
		if p%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		nb, _ := g.Neighbors(graph.NodeID(p))
		sites = sites[:0]
		for _, x := range nb {
			if k := g.Kind(x); k == graph.KindInstitution || k == graph.KindPharmacy {
				sites = append(sites, int32(int(x)-lo))
			}
		}
		k := len(sites)
		if k < 2 || k > maxAreaSites {
			continue
		}
		w := 1 / float64(k-1)
		for a := 0; a < k; a++ {
			for b := a + 1; b < k; b++ {
				u, v := min(sites[a], sites[b]), max(sites[a], sites[b])
				weight[uint64(u)<<32|uint64(v)] += w
			}
		}
	}
	keys := make([]uint64, 0, len(weight))
	for k := range weight {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	edges := make([]graph.WeightedEdge, 0, len(keys))
	for _, k := range keys {
		edges = append(edges, graph.WeightedEdge{U: int32(k >> 32), V: int32(k & 0xffffffff), W: weight[k]})
	}
	w := graph.NewWeighted(nSites, edges)
	part, err := community.Leiden(ctx, community.FromAdjacency(w), community.Options{Seed: s.opt.Seed, MaxIterations: 2})
	if err != nil {
		return fmt.Errorf("inferring areas: %w", err)
	}
	s.siteArea = part.Membership
	k := part.Communities
	s.areaW = make([]float64, k*k)
	for _, e := range edges {
		a, b := s.siteArea[e.U], s.siteArea[e.V]
		s.areaW[int(a)*k+int(b)] += e.W
		s.areaW[int(b)*k+int(a)] += e.W
	}
	s.areas = k
	return nil
}

// areaDistance returns how far apart areas a and b are.
func (s *state) areaDistance(a, b int32) int {
	if a == b {
		return distSame
	}
	k := s.areas
	total := func(x int32) float64 {
		t := 0.0
		for y := 0; y < k; y++ {
			t += s.areaW[int(x)*k+y]
		}
		return max(t, 1e-9)
	}
	w := s.areaW[int(a)*k+int(b)]
	if w/total(a) < farAffinity && w/total(b) < farAffinity {
		return distFar
	}
	return distNear
}

// siteLo is the first site node (institutions, then pharmacies).
func (s *state) siteLo() int {
	return s.g.NumKind(graph.KindPatient) + s.g.NumKind(graph.KindDoctor)
}

// siteIndex returns the index of site node n among the sites.
func (s *state) siteIndex(n graph.NodeID) int { return int(n) - s.siteLo() }

// homeArea returns the area where patient node p uses the most sites
// other than skip (more visits there on ties), when p has at least
// minHomeVisits visits at them. Sites, not visits: people use the
// pharmacy, station, clinic and hospital near home, each now and then,
// while a ring brings its recruits again and again to its own one or two
// sites, so that by visits a recruit from another city would live at the
// ring and be a stranger at the home pharmacy.
func (s *state) homeArea(p, skip graph.NodeID) (int32, bool) {
	g := s.g
	e := g.Edges()
	nb, es := g.Neighbors(p)
	type use struct{ sites, visits uint32 }
	per := make(map[int32]use, 4)
	total := uint32(0)
	for j, x := range nb {
		if x == skip {
			continue
		}
		if k := g.Kind(x); k != graph.KindInstitution && k != graph.KindPharmacy {
			continue
		}
		a := s.siteArea[s.siteIndex(x)]
		u := per[a]
		u.sites++
		u.visits += e.Visits[es[j]]
		per[a] = u
		total += e.Visits[es[j]]
	}
	if total < minHomeVisits {
		return 0, false
	}
	best, bestU := int32(-1), use{}
	for a, u := range per {
		if c := cmp.Or(cmp.Compare(u.sites, bestU.sites), cmp.Compare(u.visits, bestU.visits), cmp.Compare(best, a)); c > 0 {
			best, bestU = a, u
		}
	}
	return best, true
}
