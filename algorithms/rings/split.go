package rings

import (
	"context"
	"slices"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
)

// splitCommunities partitions candidates that span several institutions
// with Leiden (modularity, seeded by Options.Seed) on the candidate's own
// patient–doctor–institution graph, weighted by its visits. Institutions
// joined only through a shared doctor or a handful of patients fall apart
// into separate rings; a ring whose clinics share doctors and patients
// throughout stays whole. Parts with fewer than min_ring_people patients are
// dropped.
func (s *state) splitCommunities(ctx context.Context, cands []*candidate) ([]*candidate, error) {
	var out []*candidate
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Relation-excess and onset candidates were joined only through
		// shared people, doctors or visits (linkGroups), returners split on where
		// their boxes were sold (splitReturners): they are not split
		// again (a returner's visits do not show where the boxes resurface).
		if len(c.insts) < 2 || len(c.patients) < 2*s.opt.Params.MinRingPeople || c.source == SourceRelationExcess || c.cohort() || c.source == SourceReturnedBoxes {
			out = append(out, c)
			continue
		}
		parts, err := s.partition(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, parts...)
	}
	return out, nil
}

// partition splits c into its Leiden communities, or returns c whole.
func (s *state) partition(ctx context.Context, c *candidate) ([]*candidate, error) {
	vt := &s.t.Visits
	nodes := make([]graph.NodeID, 0, c.members())
	nodes = append(nodes, c.patients...)
	nodes = append(nodes, c.doctors...)
	nodes = append(nodes, c.insts...)
	slices.Sort(nodes)
	local := func(n graph.NodeID) int32 {
		i, ok := slices.BinarySearch(nodes, n)
		if !ok {
			return -1
		}
		return int32(i)
	}
	var edges []graph.WeightedEdge
	for _, v := range c.visits {
		p := local(s.g.PatientNode(vt.Person[v]))
		if p < 0 {
			continue
		}
		if h := local(s.instNode(v)); h >= 0 {
			edges = append(edges, graph.WeightedEdge{U: p, V: h, W: 1})
		}
		if d := vt.Doctor[v]; s.doctorOK(d) {
			if dn := local(s.g.DoctorNode(d)); dn >= 0 {
				edges = append(edges, graph.WeightedEdge{U: p, V: dn, W: 1})
			}
		}
	}
	w := graph.NewWeighted(len(nodes), edges)
	part, err := community.Leiden(ctx, community.FromAdjacency(w), community.Options{Seed: s.opt.Seed, MaxIterations: 2})
	if err != nil {
		return nil, err
	}
	if part.Communities < 2 || !(part.Quality >= s.opt.Params.MinSplitModularity) {
		return []*candidate{c}, nil
	}
	// Communities whose patients share doctors are one ring: the organised
	// doctors of a ring bill at all its clinics. Join two communities when
	// a doctor gives at least shared_doctor_share of his ring visits to each.
	memb := part.Membership
	uf := newUnionFind(part.Communities)
	perDoc := make(map[int32]map[int32]int)
	for _, v := range c.visits {
		d := vt.Doctor[v]
		if !s.doctorOK(d) {
			continue
		}
		p, dn := local(s.g.PatientNode(vt.Person[v])), local(s.g.DoctorNode(d))
		if p < 0 || dn < 0 {
			continue
		}
		if perDoc[dn] == nil {
			perDoc[dn] = make(map[int32]int)
		}
		perDoc[dn][memb[p]]++
	}
	for _, dn := range sortedKeys(perDoc) {
		m := perDoc[dn]
		total := 0
		for _, n := range m {
			total += n
		}
		first := int32(-1)
		for _, k := range sortedKeys(m) {
			if float64(m[k]) < s.opt.Params.SharedDoctorShare*float64(total) {
				continue
			}
			if first < 0 {
				first = k
			} else {
				uf.union(first, k)
			}
		}
	}
	// Communities whose patients go to each other's sites are one ring too
	// (rings whose visits name no doctor): join two communities when the
	// visits crossing between them are at least shared_visit_share of the
	// smaller one's.
	cross := make(map[[2]int32]float64)
	tot := make([]float64, part.Communities)
	for _, e := range edges {
		a, b := memb[e.U], memb[e.V] // U is the patient
		tot[a] += e.W
		if a != b && s.g.Kind(nodes[e.V]) != graph.KindDoctor {
			cross[[2]int32{min(a, b), max(a, b)}] += e.W
		}
	}
	for _, k := range sortedPairs(cross) {
		if cross[k] >= s.opt.Params.SharedVisitShare*min(tot[k[0]], tot[k[1]]) {
			uf.union(k[0], k[1])
		}
	}
	// Each part gets its own copy of the hits: finishing or merging a part
	// sorts and appends to them in place.
	parts := make([]*candidate, part.Communities)
	for i, n := range nodes {
		k := uf.find(memb[i])
		if parts[k] == nil {
			parts[k] = &candidate{source: c.source, typology: c.typology, strength: c.strength, hits: slices.Clone(c.hits), feat: c.feat, flags: c.flags}
		}
		p := parts[k]
		switch s.g.Kind(n) {
		case graph.KindPatient:
			p.patients = append(p.patients, n)
		case graph.KindDoctor:
			p.doctors = append(p.doctors, n)
		default:
			p.insts = append(p.insts, n)
		}
	}
	var out []*candidate
	for _, p := range parts {
		if p == nil || len(p.patients) < s.opt.Params.MinRingPeople {
			continue
		}
		for _, v := range c.visits {
			if _, ok := slices.BinarySearch(p.patients, s.g.PatientNode(vt.Person[v])); ok {
				p.visits = append(p.visits, v)
			}
		}
		for _, f := range c.facts {
			f.visits = common(f.visits, p.visits)
			p.facts = append(p.facts, f)
		}
		p.normalise()
		out = append(out, p)
	}
	if len(out) < 2 {
		return []*candidate{c}, nil
	}
	return out, nil
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[int32]V) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
