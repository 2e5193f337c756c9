package graph

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// DefaultMaxNodes is the node cap Neighbourhood uses when maxNodes <= 0.
const DefaultMaxNodes = 1000

// Subgraph is a neighbourhood of the claims graph, ready for the web view.
type Subgraph struct {
	Nodes []SubNode `json:"nodes"`
	Edges []SubEdge `json:"edges"`
	// Truncated reports that the node cap cut the neighbourhood short.
	Truncated bool `json:"truncated"`
}

// SubNode is a node of a Subgraph. Personal data in Label is masked.
type SubNode struct {
	ID    NodeID `json:"id"`
	Kind  string `json:"kind"`            // patient, doctor, institution, pharmacy
	Class string `json:"class,omitempty"` // clinic, hospital, station, pharmacy; institutions only
	Key   string `json:"key"`
	Label string `json:"label"`
	Hop   int    `json:"hop"` // distance from the nearest seed
	// Visits and Fund are the node's totals over non-reversed visits
	// (NodeVisits, NodeFund); Fund is in fen.
	Visits uint32       `json:"visits"`
	Fund   claims.Money `json:"fund_fen"`
}

// SubEdge is an edge of a Subgraph between Nodes[From] and Nodes[To].
type SubEdge struct {
	From   int          `json:"from"`
	To     int          `json:"to"`
	Type   EdgeType     `json:"type"`
	Visits uint32       `json:"visits"`
	Fund   claims.Money `json:"fund_fen"`
	First  string       `json:"first,omitempty"` // "YYYY-MM-DD HH:MM:SS"; empty for registrations
	Last   string       `json:"last,omitempty"`
}

// Neighbourhood returns the subgraph within hops hops of seeds (invalid and
// repeated seeds are ignored), with at most maxNodes nodes (DefaultMaxNodes
// when maxNodes <= 0). Nodes are added hop by hop; when a hop's new nodes
// would exceed the cap, those with the most visits on their edges to the
// nodes already included are preferred (ties by id), the rest are dropped,
// the expansion stops and Truncated is set. Nodes are listed seeds first,
// then in the order they were added; edges are those among included nodes,
// in edge order. The result is deterministic.
func (g *Graph) Neighbourhood(seeds []NodeID, hops int, maxNodes int) *Subgraph {
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	sub := &Subgraph{Nodes: []SubNode{}, Edges: []SubEdge{}}
	index := make(map[NodeID]int)
	var order []NodeID
	var hop []int
	add := func(n NodeID, h int) {
		index[n] = len(order)
		order = append(order, n)
		hop = append(hop, h)
	}
	for _, s := range seeds {
		if _, dup := index[s]; dup || !g.valid(s) {
			continue
		}
		if len(order) == maxNodes {
			sub.Truncated = true
			break
		}
		add(s, 0)
	}
	type cand struct {
		n     NodeID
		score uint64
	}
	frontier := 0
	for h := 1; h <= hops && !sub.Truncated; h++ {
		score := make(map[NodeID]uint64)
		var cands []cand
		end := len(order)
		for _, f := range order[frontier:end] {
			nbr, eid := g.Neighbors(f)
			for i, m := range nbr {
				if _, in := index[m]; in {
					continue
				}
				if _, seen := score[m]; !seen {
					cands = append(cands, cand{n: m})
				}
				score[m] += uint64(g.edges.Visits[eid[i]])
			}
		}
		if len(cands) == 0 {
			break
		}
		for i := range cands {
			cands[i].score = score[cands[i].n]
		}
		slices.SortFunc(cands, func(a, b cand) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.n, b.n))
		})
		if room := maxNodes - len(order); len(cands) > room {
			cands = cands[:room]
			sub.Truncated = true
		}
		for _, c := range cands {
			add(c.n, h)
		}
		frontier = end
	}
	for i, n := range order {
		sn := SubNode{ID: n, Kind: g.Kind(n).String(), Key: g.Key(n), Label: g.Label(n), Hop: hop[i],
			Visits: g.NodeVisits(n), Fund: g.NodeFund(n)}
		if k := g.Kind(n); k == KindInstitution || k == KindPharmacy {
			sn.Class = g.Class(n).String()
		}
		sub.Nodes = append(sub.Nodes, sn)
	}
	var eids []EdgeIndex
	for _, u := range order {
		nbr, eid := g.Neighbors(u)
		for i, m := range nbr {
			if _, in := index[m]; in && m > u {
				eids = append(eids, eid[i])
			}
		}
	}
	slices.Sort(eids)
	et := &g.edges
	for _, e := range eids {
		sub.Edges = append(sub.Edges, SubEdge{From: index[et.U[e]], To: index[et.V[e]], Type: et.Type[e],
			Visits: et.Visits[e], Fund: et.Fund.At(uint32(e)), First: et.First.At(uint32(e)).String(), Last: et.Last.At(uint32(e)).String()})
	}
	return sub
}
