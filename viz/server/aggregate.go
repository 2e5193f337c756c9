package server

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/vocab"
)

// defaultAggregated caps the ordinary nodes of an aggregated neighbourhood
// unless the request's limit says otherwise.
const defaultAggregated = 2000

// aggregated returns the aggregated neighbourhood of a ring (GET
// /api/v1/rings/{id}/subgraph?aggregate=1): the seeds (its members), then
// hop by hop the institutions, pharmacies and doctors next to the nodes of
// the previous hop (at most limit nodes in all; when a hop's candidates do
// not fit, those with the most visits on their edges to the nodes already
// included are kept, ties by id, and the expansion stops), with the edges
// among them; people who are not members are collapsed, for every
// institution, pharmacy or doctor included, into one group node (kind
// vocab.NodeGroup) counting those who use it, on one edge holding their
// visits and fund. The result is deterministic.
func aggregated(g *graph.Graph, snap *snapshot, seeds []graph.NodeID, hops, limit int, roles map[string]string) viewGraph {
	et := g.Edges()
	index := make(map[graph.NodeID]int, len(seeds))
	var order []graph.NodeID
	var hop []int
	truncated, dropped := false, 0
	for _, n := range seeds {
		if _, dup := index[n]; dup {
			continue
		}
		if len(order) == limit {
			truncated = true
			dropped++
			continue
		}
		index[n] = len(order)
		order, hop = append(order, n), append(hop, 0)
	}
	type cand struct {
		n      graph.NodeID
		visits uint64
	}
	for h, from := 1, 0; h <= hops && !truncated; h++ {
		end := len(order)
		score := make(map[graph.NodeID]uint64)
		var cands []cand
		for _, f := range order[from:end] {
			nbr, eid := g.Neighbors(f)
			for i, m := range nbr {
				if _, in := index[m]; in || g.Kind(m) == graph.KindPatient {
					continue
				}
				if _, seen := score[m]; !seen {
					cands = append(cands, cand{n: m})
				}
				score[m] += uint64(et.Visits[eid[i]])
			}
		}
		for i := range cands {
			cands[i].visits = score[cands[i].n]
		}
		slices.SortFunc(cands, func(a, b cand) int {
			return cmp.Or(cmp.Compare(b.visits, a.visits), cmp.Compare(a.n, b.n))
		})
		if room := limit - len(order); len(cands) > room {
			truncated, dropped = true, len(cands)-room
			cands = cands[:room]
		}
		for _, c := range cands {
			index[c.n] = len(order)
			order, hop = append(order, c.n), append(hop, h)
		}
		from = end
	}
	// The included nodes with the edges among them, in the order above.
	v := view(snap, g.Neighbourhood(order, 0, max(len(order), 1)), roles)
	for i := range v.Nodes {
		v.Nodes[i].Hop = hop[i]
	}
	// One group per institution, pharmacy or doctor: the people beyond the
	// included nodes who use it.
	for i, n := range order {
		if g.Kind(n) == graph.KindPatient {
			continue
		}
		var count int
		var e graph.SubEdge
		nbr, eid := g.Neighbors(n)
		for j, m := range nbr {
			if _, in := index[m]; in || g.Kind(m) != graph.KindPatient {
				continue
			}
			if j == 0 || nbr[j-1] != m { // a person once, whatever their edges
				count++
			}
			e.Type = et.Type[eid[j]]
			e.Visits += et.Visits[eid[j]]
			e.Fund += et.Fund.At(uint32(eid[j]))
		}
		if count == 0 {
			continue
		}
		of := i
		e.From, e.To = len(v.Nodes), of
		sn := v.Nodes[i].SubNode
		v.Nodes = append(v.Nodes, viewNode{
			SubNode: graph.SubNode{ID: n, Kind: vocab.NodeGroup, Key: sn.Kind + ":" + sn.Key, Hop: hop[i] + 1, Visits: e.Visits, Fund: e.Fund},
			Count:   count, Of: &of,
		})
		v.Edges = append(v.Edges, e)
	}
	v.Truncated, v.TotalNodes = truncated, len(v.Nodes)+dropped
	return v
}
