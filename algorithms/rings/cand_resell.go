package rings

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// Thresholds of the drug-reselling generator.
const (
	minTracePair = 3   // trace codes re-sold between two pharmacies
	heavyZ       = 3.0 // robust z of a person's yearly pharmacy fund (log scale)
	resellShare  = 0.5 // share of a heavy filler's pharmacy fund in the ring's pharmacies
)

// resellCandidates finds pharmacies between which drug trace codes are sold
// again and again (R-TRACE-DUP), and the people who fill high-value drugs
// there far more heavily than other pharmacy customers, across several of
// those pharmacies: the drug-reselling signature. Single re-sold boxes
// between unrelated pharmacies do not link them.
func (s *state) resellCandidates(ctx context.Context) ([]*candidate, error) {
	hits := s.hitsOf(rules.IDTraceDuplicate)
	if len(hits) == 0 {
		return nil, nil
	}
	groups := s.resellGroups(hits)
	if len(groups) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	heavy := s.pharmacyFunds()
	var out []*candidate
	for _, phs := range groups {
		if c := s.resellCandidate(phs, hits, heavy); c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// resellGroups returns the groups of pharmacies joined by pairs between
// which at least minTracePair of the R-TRACE-DUP hits (indexes hits) sell
// the same codes again, each group sorted.
func (s *state) resellGroups(hits []int) [][]graph.NodeID {
	g := s.g
	pairN := newCounter[[2]graph.NodeID]()
	for _, i := range hits {
		var ph []graph.NodeID
		for _, r := range s.hits[i].Institutions {
			if n := g.InstitutionNode(r); n != graph.NoNode && g.Kind(n) == graph.KindPharmacy {
				ph = append(ph, n)
			}
		}
		ph = sortedUniq(ph)
		for a := 0; a < len(ph); a++ {
			for b := a + 1; b < len(ph); b++ {
				pairN.add([2]graph.NodeID{ph[a], ph[b]}, 1)
			}
		}
	}
	base := graph.NodeID(g.NumKind(graph.KindPatient) + g.NumKind(graph.KindDoctor) + g.NumKind(graph.KindInstitution))
	uf := newUnionFind(g.NumKind(graph.KindPharmacy))
	linked := make(map[graph.NodeID]bool)
	for _, k := range pairN.keys {
		if pairN.n[k] >= minTracePair {
			uf.union(int32(k[0]-base), int32(k[1]-base))
			linked[k[0]], linked[k[1]] = true, true
		}
	}
	var nodes []graph.NodeID
	for n := range linked {
		nodes = append(nodes, n)
	}
	nodes = sortedUniq(nodes)
	var out [][]graph.NodeID
	for _, idx := range uf.components(len(nodes), func(i int) int32 { return int32(nodes[i] - base) }) {
		phs := make([]graph.NodeID, 0, len(idx))
		for _, i := range idx {
			phs = append(phs, nodes[i])
		}
		out = append(out, phs)
	}
	return out
}

// pharmacyFund is each person's yearly pharmacy fund and a test of whether
// a person fills drugs far more heavily than other pharmacy customers.
type pharmacyFund struct {
	fund  []claims.Money // per person row, over the data's period
	heavy func(p uint32) bool
}

// pharmacyFunds returns the people's pharmacy fund and the heavy test: the
// robust z of the log of the yearly fund at least heavyZ.
func (s *state) pharmacyFunds() pharmacyFund {
	g, vt := s.g, &s.t.Visits
	pf := make([]claims.Money, g.NumKind(graph.KindPatient))
	for v := 0; v < vt.Len(); v++ {
		if vt.MedType[v].Pharmacy() && s.live(uint32(v)) && int(vt.Person[v]) < len(pf) {
			pf[vt.Person[v]] += vt.FundPay.At(uint32(v))
		}
	}
	var logs []float64
	for _, f := range pf {
		if f > 0 {
			logs = append(logs, math.Log(f.Yuan()/s.years))
		}
	}
	med, scale := robust(logs)
	scale = max(scale, 0.1)
	return pharmacyFund{fund: pf, heavy: func(p uint32) bool {
		return pf[p] > 0 && (math.Log(pf[p].Yuan()/s.years)-med)/scale >= heavyZ
	}}
}

// resellCandidate returns the candidate of the pharmacy group phs: the
// heavy buyers who fill at two or more of its pharmacies and spend there at
// least resellShare of their pharmacy fund, citing the trace-code hits
// (indexes hits) of the group; nil with fewer than min_ring_people.
func (s *state) resellCandidate(phs []graph.NodeID, hits []int, pf pharmacyFund) *candidate {
	g, vt := s.g, &s.t.Visits
	type acc struct {
		fund  claims.Money
		sites map[graph.NodeID]bool
		vs    []uint32
	}
	per := make(map[uint32]*acc)
	var order []uint32
	for _, ph := range phs {
		for _, v := range g.VisitsOf(ph) {
			if !s.live(v) {
				continue
			}
			p := vt.Person[v]
			a := per[p]
			if a == nil {
				a = &acc{sites: make(map[graph.NodeID]bool)}
				per[p] = a
				order = append(order, p)
			}
			a.fund += vt.FundPay.At(v)
			a.sites[ph] = true
			a.vs = append(a.vs, v)
		}
	}
	c := &candidate{source: SourceResell, typology: findings.TypDrugReselling, strength: 1}
	for _, p := range order {
		a := per[p]
		if len(a.sites) >= 2 && pf.heavy(p) && float64(a.fund) >= resellShare*float64(pf.fund[p]) {
			c.patients = append(c.patients, g.PatientNode(p))
			c.visits = append(c.visits, a.vs...)
		}
	}
	if len(c.patients) < s.opt.Params.MinRingPeople {
		return nil
	}
	for _, i := range hits {
		h := &s.hits[i]
		for _, ir := range h.Institutions {
			if slices.Contains(phs, g.InstitutionNode(ir)) {
				c.hits = append(c.hits, i)
				break
			}
		}
	}
	c.normalise()
	c.insts = s.instsOf(c.visits, 0.03, 3)
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"min_trace_pair": minTracePair, "heavy_z": heavyZ, "ring_share": resellShare},
		detail: fmt.Sprintf("%d people fill drugs far more heavily than other pharmacy customers (robust z ≥ %.0f), across pharmacies between which trace codes are sold again",
			len(c.patients), heavyZ),
		detailZh: fmt.Sprintf("%d人在多家药店大量购药（稳健z≥%.0f），这些药店之间存在追溯码重复销售", len(c.patients), heavyZ)})
	return c
}
