package graph

import "sort"

// buildAdjacency builds the CSR adjacency: every edge appears in the lists
// of both its ends. Filling in (U, V, Type) order, lower neighbours first,
// and since U < V, the lists come out sorted by (neighbour, type).
func (g *Graph) buildAdjacency(s *scratch) {
	et := &g.edges
	n := g.numNodes
	off := resize(g.adjOff, int(n)+1)
	for i := range et.U {
		off[et.U[i]+1]++
		off[et.V[i]+1]++
	}
	for i := uint32(1); i <= n; i++ {
		off[i] += off[i-1]
	}
	s.pos = resize(s.pos, int(n))
	pos := s.pos
	copy(pos, off[:n])
	nbr := resize(g.adjNbr, int(off[n]))
	eid := resize(g.adjEdge, int(off[n]))
	mergedOrder(et, &g.edgeSeg, func(i int) { // lower neighbours first, ascending U
		v := et.V[i]
		nbr[pos[v]], eid[pos[v]] = et.U[i], EdgeIndex(i)
		pos[v]++
	})
	mergedOrder(et, &g.edgeSeg, func(i int) { // then higher neighbours, ascending V
		u := et.U[i]
		nbr[pos[u]], eid[pos[u]] = et.V[i], EdgeIndex(i)
		pos[u]++
	})
	g.adjOff, g.adjNbr, g.adjEdge = off, nbr, eid
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
