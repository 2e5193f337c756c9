package graph

import (
	"context"
	"fmt"
	"sort"
)

// buildAdjacency builds the CSR adjacency: every edge appears in the lists
// of both its ends. Filling in (U, V, Type) order, lower neighbours first,
// and since U < V, the lists come out sorted by (neighbour, type).
//
// The edges are cut into parts by their lower end U, one per worker, each
// about as many edges: a part's edges, merged across the types in (U, V,
// Type) order, fill the higher-neighbour lists of its own nodes and, at
// positions counted beforehand per part, the lower-neighbour lists of their
// V ends, after those of the parts of lower U. The parts are jobs of
// runJobs; the lists do not depend on the number of workers.
func (b *builder) buildAdjacency(ctx context.Context) error {
	g := b.g
	et := &g.edges
	n := int(g.numNodes)
	s := b.scratch(0)
	b.adj = s
	defer func() { b.adj = nil }()
	off := resize(g.adjOff, n+1)
	clear(off)
	for _, u := range et.U {
		off[u+1]++ // higher neighbours, for now
	}
	s.cuts = adjacencyParts(s.cuts[:0], off[1:], max(b.workers, 1))
	parts := len(s.cuts) - 1
	s.counts = resize(s.counts, parts)
	if b.runJobs(ctx, parts, (*builder).countAdjacency); ctx.Err() != nil {
		return fmt.Errorf("graph: build cancelled while counting the adjacency: %w", ctx.Err())
	}
	// off: row starts; counts[p][x]: where part p's edges with V = x go;
	// pos[x]: where x's higher neighbours go.
	s.pos = resize(s.pos, n)
	pos := s.pos
	var at uint32
	for x := range n {
		high := off[x+1]
		off[x] = at
		for p := range s.counts {
			c := s.counts[p][x]
			s.counts[p][x] = at
			at += c
		}
		pos[x] = at
		at += high
	}
	off[n] = at
	g.adjOff, g.adjNbr, g.adjEdge = off, resize(g.adjNbr, int(at)), resize(g.adjEdge, int(at))
	if b.runJobs(ctx, parts, (*builder).fillAdjacency); ctx.Err() != nil {
		return fmt.Errorf("graph: build cancelled while filling the adjacency: %w", ctx.Err())
	}
	return nil
}

// countAdjacency sets counts[p] of the adjacency's scratch to the number of
// edges of part p by their V end.
func (b *builder) countAdjacency(p int) {
	s, et := b.adj, &b.g.edges
	c := resize(s.counts[p], int(b.g.numNodes))
	clear(c)
	forPart(et, &b.g.edgeSeg, s.cuts[p], s.cuts[p+1], func(lo, hi int) {
		for _, v := range et.V[lo:hi] {
			c[v]++
		}
	})
	s.counts[p] = c
}

// fillAdjacency enters the edges of part p in (U, V, Type) order in the
// lists of their ends, at the positions counts[p] (V ends) and pos (U ends)
// of the adjacency's scratch.
func (b *builder) fillAdjacency(p int) {
	g, s := b.g, b.adj
	et, nbr, eid := &g.edges, g.adjNbr, g.adjEdge
	low, pos := s.counts[p], s.pos
	mergedOrder(et, &g.edgeSeg, s.cuts[p], s.cuts[p+1], func(i int) {
		u, v := et.U[i], et.V[i]
		nbr[low[v]], eid[low[v]] = u, EdgeIndex(i)
		low[v]++
		nbr[pos[u]], eid[pos[u]] = v, EdgeIndex(i)
		pos[u]++
	})
}

// adjacencyParts cuts the nodes 0..len(high)-1, node x being the lower end
// of high[x] edges, into at most parts ranges of consecutive nodes of about
// as many edges each, and appends their boundaries (0 first, len(high)
// last) to cuts.
func adjacencyParts(cuts []NodeID, high []uint32, parts int) []NodeID {
	var total uint64
	for _, h := range high {
		total += uint64(h)
	}
	cuts = append(cuts, 0)
	var sum uint64
	for x, h := range high {
		sum += uint64(h)
		if len(cuts) < parts && sum*uint64(parts) >= total*uint64(len(cuts)) && x+1 < len(high) {
			cuts = append(cuts, NodeID(x+1))
		}
	}
	return append(cuts, NodeID(len(high)))
}

// Degree returns the number of edges incident to n (parallel edges of
// different types count separately).
func (g *Graph) Degree(n NodeID) int {
	if !g.valid(n) {
		return 0
	}
	return int(g.adjOff[n+1] - g.adjOff[n])
}

// Neighbors returns the neighbours of n sorted by id (ties by edge type) and
// the index of the edge to each. The slices must not be modified.
func (g *Graph) Neighbors(n NodeID) ([]NodeID, []EdgeIndex) {
	if !g.valid(n) {
		return nil, nil
	}
	a, b := g.adjOff[n], g.adjOff[n+1]
	return g.adjNbr[a:b:b], g.adjEdge[a:b:b]
}

// EdgeBetween returns the edge of type ty between u and v (in either
// order).
func (g *Graph) EdgeBetween(u, v NodeID, ty EdgeType) (EdgeIndex, bool) {
	nbr, eid := g.Neighbors(u)
	i := sort.Search(len(nbr), func(i int) bool {
		return nbr[i] > v || nbr[i] == v && g.edges.Type[eid[i]] >= ty
	})
	if i < len(nbr) && nbr[i] == v && g.edges.Type[eid[i]] == ty {
		return eid[i], true
	}
	return 0, false
}
