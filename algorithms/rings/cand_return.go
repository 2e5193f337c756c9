package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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

// returnCandidates finds drug reselling from where the boxes come back. A
// trace code sold more than once (R-TRACE-DUP) points at its first sale:
// the person whose box came back, the site that sold it and the doctor who
// prescribed it; the later sales show where it resurfaced, which may be
// anywhere. People whose boxes keep coming back (min_returned_boxes) are
// joined when they share the site of their first sales or the prescriber;
// a group of at least min_ring_people such people, return_lift times more
// than the city's rate of returners among the sites' trace-coded buyers
// predicts, is a candidate, with the sites and prescribers of most of its
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
		h := &s.rr.Hits[i]
		if len(h.Fees) < 2 {
			continue
		}
		first := slices.MinFunc(h.Fees, func(a, b uint32) int {
			return cmp.Or(cmp.Compare(t.Fees.Time[a], t.Fees.Time[b]), cmp.Compare(a, b))
		})
		v := t.Fees.Visit[first]
		b := returnedBox{hit: i, buyer: t.Visits.Person[v], site: s.instNode(v), firstVisit: v, prescriber: t.Fees.Doctor[first]}
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
				if n := s.instNode(t.Fees.Visit[f]); n != b.site && n != graph.NoNode {
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
	}
	rate := s.returnerRate(len(returner))
	var out []*candidate
	for _, grp := range uf.components(len(buyers), func(i int) int32 { return int32(i) }) {
		if len(grp) < p.MinRingPeople {
			continue
		}
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

// returnerRate is the share of people buying trace-coded drugs whose boxes
// keep coming back, over the whole city.
func (s *state) returnerRate(returners int) float64 {
	t := s.t
	buyers := make(map[uint32]bool)
	for f, tr := range t.Fees.Trace {
		if tr != graph.None {
			buyers[t.Visits.Person[t.Fees.Visit[f]]] = true
		}
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
