package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// returnedBox is one re-sold trace code seen from its first sale.
type returnedBox struct {
	hit        int    // index of the R-TRACE-DUP hit
	buyer      uint32 // Persons row of the first buyer
	site       graph.NodeID
	prescriber uint32 // Doctors row of the first sale's billing doctor, or None
	firstVisit uint32
	resellers  []graph.NodeID // sites of the later sales
}

// firstSale returns the earliest of the fee rows fees (the lowest row
// among equal times): the sale of a trace code sold more than once whose
// box came back.
func (s *state) firstSale(fees []uint32) uint32 {
	t := s.t
	return slices.MinFunc(fees, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(t.Fees.Time.At(a), t.Fees.Time.At(b)), cmp.Compare(a, b))
	})
}

// returnCandidates finds drug reselling from where the boxes come back. A
// trace code sold more than once (R-TRACE-DUP) points at its first sale:
// the person whose box came back, the site that sold it and the doctor who
// prescribed it; the later sales show where it resurfaced, which may be
// anywhere. People whose boxes keep coming back (min_returned_boxes) are
// joined when they share a site (of their boxes' first sales, or where
// they resurfaced) or the prescriber;
// a group of at least min_ring_people such people, return_lift times more
// than the city's rate of returners among the sites' trace-coded buyers
// predicts (the rate of the returners that no group holds, at least one:
// one ring's hundreds of returners would hide another's five), is a
// candidate, with the sites and prescribers of most of its
// boxes and the pharmacies that resold several of them.
func (s *state) returnCandidates(ctx context.Context) ([]*candidate, error) {
	t := s.t
	p := &s.opt.Params
	hits := s.hitsOf(rules.IDTraceDuplicate)
	if len(hits) == 0 {
		return nil, nil
	}
	var boxes []returnedBox
	for _, i := range hits {
		h := &s.hits[i]
		if len(h.Fees) < 2 {
			continue
		}
		first := s.firstSale(h.Fees)
		v := t.Fees.Visit.At(first)
		b := returnedBox{hit: i, buyer: t.Visits.Person[v], site: s.instNode(v), firstVisit: v, prescriber: t.FeeDoctor(first)}
		if b.prescriber == graph.None && s.g.Kind(b.site) != graph.KindPharmacy {
			// The attending doctor of a medical visit prescribed; at a
			// pharmacy's counter it is the pharmacist who dispensed.
			b.prescriber = t.Visits.Doctor[v]
		}
		if !s.doctorOK(b.prescriber) {
			b.prescriber = graph.None
		}
		for _, f := range h.Fees {
			if f != first {
				if n := s.instNode(t.Fees.Visit.At(f)); n != b.site && n != graph.NoNode {
					b.resellers = append(b.resellers, n)
				}
			}
		}
		if b.site != graph.NoNode {
			boxes = append(boxes, b)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	perBuyer := newCounter[uint32]()
	for _, b := range boxes {
		perBuyer.add(b.buyer, 1)
	}
	returner := make(map[uint32]bool)
	for _, x := range perBuyer.keys {
		if perBuyer.n[x] >= p.MinReturnedBoxes {
			returner[x] = true
		}
	}
	if len(returner) < p.MinRingPeople {
		return nil, nil
	}
	// Join returners through the sites and prescribers of their boxes.
	buyers := make([]uint32, 0, len(returner))
	for x := range returner {
		buyers = append(buyers, x)
	}
	slices.Sort(buyers)
	index := make(map[uint32]int32, len(buyers))
	for i, x := range buyers {
		index[x] = int32(i)
	}
	uf := newUnionFind(len(buyers))
	bySite := make(map[graph.NodeID]int32)
	byDoc := make(map[uint32]int32)
	for _, b := range boxes {
		i, ok := index[b.buyer]
		if !ok {
			continue
		}
		if j, ok := bySite[b.site]; ok {
			uf.union(i, j)
		} else {
			bySite[b.site] = i
		}
		if b.prescriber != graph.None {
			if j, ok := byDoc[b.prescriber]; ok {
				uf.union(i, j)
			} else {
				byDoc[b.prescriber] = i
			}
		}
		// Where the boxes resurface ties their buyers too: an operation's
		// recruits fill at their own counters and sell back through the
		// same few.
		for _, r := range b.resellers {
			if j, ok := bySite[r]; ok {
				uf.union(i, j)
			} else {
				bySite[r] = i
			}
		}
	}
	var groups [][]int
	grouped := 0
	for _, grp := range uf.components(len(buyers), func(i int) int32 { return int32(i) }) {
		if len(grp) < p.MinRingPeople {
			continue
		}
		parts, err := s.splitReturners(ctx, boxes, buyers, index, grp)
		if err != nil {
			return nil, err
		}
		for _, part := range parts {
			grouped += len(part)
		}
		groups = append(groups, parts...)
	}
	// Chance is the returners no group holds (at least one): a city's
	// large reselling ring must not set the rate a small one is tested
	// against.
	rate := s.returnerRate(max(len(returner)-grouped, 1))
	var out []*candidate
	for _, grp := range groups {
		in := make(map[uint32]bool, len(grp))
		for _, i := range grp {
			in[buyers[i]] = true
		}
		if c := s.returnCandidate(boxes, in, rate); c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// splitReturners divides a group of returners joined through shared
// sites and prescribers (grp, indexes into buyers) into the operations it
// holds. A single box bought from a doctor or pharmacy of another ring
// joins two rings in the union; Leiden (modularity) on the bipartite graph
// of returners and the sites of their boxes' first and later sales
// (weighted by boxes) cuts such bridges: recruits who each fill at their
// own pharmacy but whose boxes resurface at the same few stay one ring. Prescribers stay out of this graph: ordinary
// doctors of a district prescribe to the people of several rings. The split is taken
// when the partition reaches min_split_modularity and leaves at least two
// communities of min_ring_people returners, large communities staying
// one when shared_visit_share of the smaller one's boxes cross to the
// other's hubs (one ring's people spread their boxes over all its
// pharmacies; a bridge between two rings is a box or two); returners of
// smaller communities join the large community their boxes tie them to
// most (or are left out when none does).
func (s *state) splitReturners(ctx context.Context, boxes []returnedBox, buyers []uint32, index map[uint32]int32, grp []int) ([][]int, error) {
	p := &s.opt.Params
	if len(grp) < 2*p.MinRingPeople {
		return [][]int{grp}, nil
	}
	// Local nodes: the group's returners first, then their hubs.
	local := make(map[int32]int32, len(grp)) // buyer index -> local node
	for k, i := range grp {
		local[int32(i)] = int32(k)
	}
	hubs := make(map[graph.NodeID]int32) // site -> local node
	hubOf := func(key graph.NodeID) int32 {
		if h, ok := hubs[key]; ok {
			return h
		}
		h := int32(len(grp) + len(hubs))
		hubs[key] = h
		return h
	}
	var edges []community.Edge
	for _, b := range boxes {
		i, ok := index[b.buyer]
		if !ok {
			continue
		}
		r, ok := local[i]
		if !ok {
			continue
		}
		edges = append(edges, community.Edge{U: r, V: hubOf(b.site), W: 1})
		// Where the box resurfaced ties its buyer to the operation too:
		// recruits who each fill at their own pharmacy sell back through
		// the same few.
		for _, rs := range b.resellers {
			edges = append(edges, community.Edge{U: r, V: hubOf(rs), W: 1})
		}
	}
	n := len(grp) + len(hubs)
	csr, err := community.NewCSR(n, edges)
	if err != nil {
		return nil, fmt.Errorf("returners' graph: %w", err)
	}
	part, err := community.Leiden(ctx, csr, community.Options{Seed: s.opt.Seed, MaxIterations: 2})
	if err != nil {
		return nil, err
	}
	if part.Communities < 2 || !(part.Quality >= p.MinSplitModularity) {
		return [][]int{grp}, nil
	}
	memb := part.Membership
	size := make([]int, part.Communities)
	for k := range grp {
		size[memb[k]]++
	}
	large := 0
	for _, z := range size {
		if z >= p.MinRingPeople {
			large++
		}
	}
	if large < 2 {
		return [][]int{grp}, nil
	}
	// Large communities whose returners' boxes cross to each other's hubs
	// (shared_visit_share of the smaller one's) are one ring: what Leiden
	// cut there is chance structure, not a bridge.
	cross := make(map[[2]int32]float64)
	weight := make([]float64, part.Communities)
	for _, e := range edges {
		cu, ch := memb[e.U], memb[e.V]
		weight[cu] += e.W
		if cu != ch && size[cu] >= p.MinRingPeople && size[ch] >= p.MinRingPeople {
			cross[[2]int32{min(cu, ch), max(cu, ch)}] += e.W
		}
	}
	join := newUnionFind(part.Communities)
	for _, k := range sortedPairs(cross) {
		if cross[k] >= p.SharedVisitShare*min(weight[k[0]], weight[k[1]]) {
			join.union(k[0], k[1])
		}
	}
	// Returners of small communities: the large community their boxes'
	// hubs belong to most.
	tie := make(map[int32]map[int32]float64)
	for _, e := range edges {
		if c := memb[e.V]; size[memb[e.U]] < p.MinRingPeople && size[c] >= p.MinRingPeople {
			if tie[e.U] == nil {
				tie[e.U] = make(map[int32]float64)
			}
			tie[e.U][c] += e.W
		}
	}
	out := make([][]int, part.Communities)
	for k, i := range grp {
		c := join.find(memb[k])
		if size[c] < p.MinRingPeople {
			best, bw := int32(-1), 0.0
			for _, cc := range sortedKeys(tie[int32(k)]) {
				if w := tie[int32(k)][cc]; w > bw {
					best, bw = cc, w
				}
			}
			if best < 0 {
				continue
			}
			c = join.find(best)
		}
		out[c] = append(out[c], i)
	}
	parts := out[:0]
	for _, o := range out {
		if len(o) >= p.MinRingPeople {
			parts = append(parts, o)
		}
	}
	return parts, nil
}

// returnerRate is the share of the city's people buying trace-coded drugs
// that returners of them are.
func (s *state) returnerRate(returners int) float64 {
	t := s.t
	buyers := make(map[uint32]bool)
	for f := range t.Fees.Trace.All() {
		buyers[t.Visits.Person[t.Fees.Visit.At(f)]] = true
	}
	return float64(returners) / float64(max(len(buyers), 1))
}

// returnCandidate builds the candidate of one group of returners.
func (s *state) returnCandidate(boxes []returnedBox, in map[uint32]bool, rate float64) *candidate {
	g, t := s.g, s.t
	p := &s.opt.Params
	c := &candidate{source: SourceReturnedBoxes, typology: findings.TypDrugReselling, strength: 1}
	sites := newCounter[graph.NodeID]()
	docs := newCounter[uint32]()
	resold := newCounter[graph.NodeID]()
	n := 0
	for _, b := range boxes {
		if !in[b.buyer] {
			continue
		}
		n++
		sites.add(b.site, 1)
		if b.prescriber != graph.None {
			docs.add(b.prescriber, 1)
		}
		for _, r := range b.resellers {
			resold.add(r, 1)
		}
		c.hits = append(c.hits, b.hit)
	}
	for x := range in {
		c.patients = append(c.patients, g.PatientNode(x))
	}
	need := max(p.MinReturnedBoxes, n/10)
	for _, h := range sites.keys {
		if sites.n[h] >= need {
			c.insts = append(c.insts, h)
		}
	}
	for _, d := range docs.keys {
		if docs.n[d] >= need {
			c.doctors = append(c.doctors, g.DoctorNode(d))
		}
	}
	c.normalise()
	// The people who come to the sites: how many returners would be
	// expected among them at the city's rate.
	people := make(map[uint32]bool)
	for _, h := range c.insts {
		for _, v := range s.visitsOf(h) {
			if !s.live(v) {
				continue
			}
			x := t.Visits.Person[v]
			people[x] = true
			if in[x] {
				c.visits = append(c.visits, v)
			}
		}
	}
	expected := max(rate*float64(len(people)), 0.1)
	lift := float64(len(in)) / expected
	if lift < p.ReturnLift || len(c.insts) == 0 {
		return nil
	}
	for _, r := range resold.keys {
		if resold.n[r] >= max(3, need) && !slices.Contains(c.insts, r) {
			c.insts = append(c.insts, r)
		}
	}
	c.normalise()
	c.feat.ReturnedBoxes, c.feat.ReturnerLift = float64(n), lift
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"min_returned_boxes": float64(p.MinReturnedBoxes), "returner_lift": lift},
		detail: fmt.Sprintf("%d people whose drug boxes came back: %d boxes first sold to them were sold again later (trace codes), %.0f× the city's rate of such people among the buyers of the same sites",
			len(in), n, lift),
		detailZh: fmt.Sprintf("%d人购买的药品回流：首次售予他们的%d盒药品其后被再次销售（追溯码重复），为同机构购药人群中全市比例的%.0f倍", len(in), n, lift)})
	return c
}
