package server

import (
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// liveTotals holds, per node of the current graph, the non-reversed visits
// scored incrementally since the graph's full run and their fund (fen): the
// graph's node totals (NodeVisits, NodeFund) are those of the full run, so
// the API adds these to keep a node's visits and fund current. A visit
// counts for its patient, its institution or pharmacy and its attending
// doctor (a billing doctor named only by its fee lines joins at the next
// full run). The map is replaced at every full run and written only under
// dataMu, which the API's reads hold (readLocked).
type liveTotals map[graph.NodeID]nodeTotals

// nodeTotals is one node's share of liveTotals.
type nodeTotals struct {
	visits uint32
	fund   claims.Money
}

// add counts visits, rows of g's tables, for their nodes.
func (lt liveTotals) add(g *graph.Graph, visits []claims.Visit) {
	for i := range visits {
		v := &visits[i]
		if v.Refund {
			continue
		}
		ends := [3]graph.NodeID{graph.NoNode, graph.NoNode, graph.NoNode}
		if n, ok := g.Lookup(graph.KindPatient, v.PsnNo); ok {
			ends[0] = n
		}
		if n, ok := g.Lookup(graph.KindInstitution, v.InstitutionCode); ok {
			ends[1] = n
		} else if n, ok := g.Lookup(graph.KindPharmacy, v.InstitutionCode); ok {
			ends[1] = n
		}
		if v.DoctorCode != "" {
			if n, ok := g.Lookup(graph.KindDoctor, v.DoctorCode); ok {
				ends[2] = n
			}
		}
		for _, n := range ends {
			if n == graph.NoNode {
				continue
			}
			t := lt[n]
			t.visits++
			t.fund += v.FundPay
			lt[n] = t
		}
	}
}

// apply adds the live totals of n to it.
func (lt liveTotals) apply(n *graph.SubNode) {
	if t, ok := lt[n.ID]; ok {
		n.Visits += t.visits
		n.Fund += t.fund
	}
}
