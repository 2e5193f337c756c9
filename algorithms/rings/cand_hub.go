package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Thresholds of the repeat-patient generator. They are relative: a visit is
// costly against the peers of its scenario, institution class and
// diagnosis, and a repeat patient has many more visits at one hub than the
// data period makes ordinary.
const (
	costlyZ       = 3.0 // median peer z of a repeat patient's visits at a hub
	cardShare     = 0.8 // share of card-based (cert type 03) visits
	minRingPeople = 5   // fewer patients are a family, not a ring
	// A ring hub's repeat patients are largely flagged: at least this share
	// (costly, card-based), and flaggedLift times the median share of the
	// hubs of the same class.
	minCostlyShare = 0.3
	minCardShare   = 0.1
	flaggedLift    = 3.0
)

// repeatEdge is one repeat patient at one hub.
type repeatEdge struct {
	person uint32
	hub    graph.NodeID
	visits []uint32
	costly bool // billed far above peers
	card   bool // card-based, insured elsewhere
}

// hubCandidates finds medical institutions (grouped when they share
// doctors) whose repeat patients are billed far above their peers (fund
// per visit or fund share of the bill) or are
// registered with collected cards of people insured elsewhere: the
// fabricated-outpatient, lockstep and card-collection signatures.
func (s *state) hubCandidates(ctx context.Context) ([]*candidate, error) {
	g, vt := s.g, &s.t.Visits
	lo := g.NumKind(graph.KindPatient) + g.NumKind(graph.KindDoctor)
	nInst := g.NumKind(graph.KindInstitution)
	type pv struct {
		p uint32
		v uint32
	}
	var scratch []pv
	var edges []repeatEdge
	repeaters := make([]int32, nInst) // repeat patients per hub
	costly := make([]int32, nInst)    // of which billed far above peers
	carded := make([]int32, nInst)    // of which card-based, insured elsewhere
	for i := 0; i < nInst; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h := graph.NodeID(lo + i)
		scratch = scratch[:0]
		for _, v := range g.VisitsOf(h) {
			if s.live(v) && !vt.MedType[v].Inpatient() {
				scratch = append(scratch, pv{vt.Person[v], v})
			}
		}
		slices.SortStableFunc(scratch, func(a, b pv) int { return cmp.Compare(a.p, b.p) })
		for a := 0; a < len(scratch); {
			b := a
			for b < len(scratch) && scratch[b].p == scratch[a].p {
				b++
			}
			if b-a >= s.repeat {
				repeaters[i]++
				vs := make([]uint32, 0, b-a)
				for _, x := range scratch[a:b] {
					vs = append(vs, x.v)
				}
				e := s.repeatPatient(scratch[a].p, h, vs)
				if e.costly {
					costly[i]++
				} else if e.card {
					carded[i]++
				}
				if e.costly || e.card {
					edges = append(edges, e)
				}
			}
			a = b
		}
	}
	// The share of a hub's repeat patients that are flagged, against the
	// median share of the hubs of its class: ordinary hubs have a few
	// costly regulars, ring hubs are made of them.
	costlyMed := classMedians(g, lo, repeaters, costly)
	cardMed := classMedians(g, lo, repeaters, carded)
	// Group hubs that share doctors on suspicious visits.
	uf := newUnionFind(nInst)
	perHub := make(map[graph.NodeID]int)
	for _, e := range edges {
		perHub[e.hub]++
	}
	docHub := newCounter[[2]uint32]()
	for _, e := range edges {
		if perHub[e.hub] < 2 {
			continue
		}
		for _, v := range e.visits {
			if d := vt.Doctor[v]; s.doctorOK(d) {
				docHub.add([2]uint32{d, uint32(e.hub) - uint32(lo)}, 1)
			}
		}
	}
	firstHub := make(map[uint32]int32)
	for _, k := range docHub.keys {
		if docHub.n[k] < 3 {
			continue
		}
		if h0, ok := firstHub[k[0]]; ok {
			uf.union(h0, int32(k[1]))
		} else {
			firstHub[k[0]] = int32(k[1])
		}
	}
	var out []*candidate
	for _, idx := range uf.components(len(edges), func(i int) int32 { return int32(int(edges[i].hub) - lo) }) {
		// Distance from peers: the flagged share of the group's repeat
		// patients against the class median.
		var rep, nc, nd int32
		var peerC, peerD float64
		seenHub := make(map[graph.NodeID]bool)
		for _, i := range idx {
			h := edges[i].hub
			if seenHub[h] {
				continue
			}
			seenHub[h] = true
			rep += repeaters[int(h)-lo]
			nc += costly[int(h)-lo]
			nd += carded[int(h)-lo]
			peerC, peerD = max(peerC, costlyMed[g.Class(h)]), max(peerD, cardMed[g.Class(h)])
		}
		rep = max(rep, 1)
		shareC, shareD := float64(nc)/float64(rep), float64(nd)/float64(rep)
		for _, card := range []bool{false, true} {
			people := make(map[uint32]bool)
			var vs []uint32
			for _, i := range idx {
				e := &edges[i]
				if isCard := e.card && !e.costly; isCard == card {
					people[e.person] = true
					vs = append(vs, e.visits...)
				}
			}
			share, peer, minShare := shareC, peerC, minCostlyShare
			if card {
				share, peer, minShare = shareD, peerD, minCardShare
			}
			if len(people) < minRingPeople || share < minShare || share < flaggedLift*peer {
				continue
			}
			out = append(out, s.hubCandidate(people, vs, card, share, peer))
		}
	}
	return out, nil
}

// repeatPatient flags the repeat visits vs of person row p at hub h: costly
// when the median peer z of their fund or of their fund share is at least
// costlyZ, card-based when at least cardShare of them are registered with
// a social-security card and p may be insured elsewhere.
func (s *state) repeatPatient(p uint32, h graph.NodeID, vs []uint32) repeatEdge {
	vt := &s.t.Visits
	zs := make([]float32, 0, len(vs))
	shares := make([]float32, 0, len(vs))
	card := 0
	for _, v := range vs {
		zs = append(zs, s.visitZ[v])
		shares = append(shares, s.shareZ[v])
		if vt.Cert[v] == claims.CertSocialCard {
			card++
		}
	}
	slices.Sort(zs)
	slices.Sort(shares)
	e := repeatEdge{person: p, hub: h, visits: vs}
	e.costly = float64(zs[len(zs)/2]) >= costlyZ || float64(shares[len(shares)/2]) >= costlyZ
	e.card = float64(card) >= cardShare*float64(len(vs)) && s.elsewhere(p, h)
	return e
}

// hubCandidate builds the candidate of one group of flagged repeat
// patients.
func (s *state) hubCandidate(people map[uint32]bool, vs []uint32, card bool, share, peer float64) *candidate {
	g := s.g
	c := &candidate{source: "G-REPEAT-COSTLY", typology: TypFabricatedOutpatient,
		feat: map[string]float64{"flagged_share": share, "flagged_share_peer": peer}}
	if card {
		c.source, c.typology = "G-CARD-REPEAT", TypCardCollection
	}
	for p := range people {
		c.patients = append(c.patients, g.PatientNode(p))
	}
	c.visits = vs
	c.normalise()
	c.insts = s.instsOf(c.visits, 0.05, 3)
	c.doctors = s.doctorsOf(c.visits, 0.01, 3)
	c.strength = 1
	if c.typology == TypCardCollection {
		c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
			params: map[string]float64{"min_repeat_visits": float64(s.repeat), "card_share": cardShare},
			detail: fmt.Sprintf("%d people insured elsewhere registered here again and again (at least %d visits each) almost only with a social-security card (cert type 03)",
				len(people), s.repeat),
			detailZh: fmt.Sprintf("%d名异地参保人员在此反复就诊（每人至少%d次），几乎全部以社保卡（03）登记", len(people), s.repeat)})
	} else {
		c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
			params: map[string]float64{"min_repeat_visits": float64(s.repeat), "min_peer_z": costlyZ},
			detail: fmt.Sprintf("%d repeat patients (at least %d visits each) billed far above peers (fund per visit against the same diagnosis and institution type, or fund share against the same scheme and institution type; median robust z ≥ %.0f)",
				len(people), s.repeat, costlyZ),
			detailZh: fmt.Sprintf("%d名反复就诊人员（每人至少%d次）的医保支付额（对比同诊断、同类机构）或基金支付比例（对比同险种、同类机构）远高于同类人群（稳健z中位数≥%.0f）", len(people), s.repeat, costlyZ)})
	}
	return c
}

// classMedians returns, per institution class, the median over hubs with
// repeat patients of the share of them counted in part; a class with fewer
// than minVoters such hubs takes the median over all classes, so that a
// handful of ring hubs cannot make up their own peers.
func classMedians(g *graph.Graph, lo int, repeaters, part []int32) [nClasses]float64 {
	var shares [nClasses][]float64
	var all []float64
	for i := range repeaters {
		if repeaters[i] > 0 {
			cl := g.Class(graph.NodeID(lo + i))
			x := float64(part[i]) / float64(repeaters[i])
			shares[cl] = append(shares[cl], x)
			all = append(all, x)
		}
	}
	overall, _ := robust(all)
	var med [nClasses]float64
	for cl := range shares {
		med[cl] = overall
		if len(shares[cl]) >= minVoters {
			med[cl], _ = robust(shares[cl])
		}
	}
	return med
}
