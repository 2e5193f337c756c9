package graph

import (
	"sort"
	"sync"
)

// buildAdjacency builds the CSR adjacency: every edge appears in the lists
// of both its ends. Filling in (U, V, Type) order, lower neighbours first,
// and since U < V, the lists come out sorted by (neighbour, type).
//
// The edges are cut into parts by their lower end U, one per worker, each
// about as many edges: a part's edges, merged across the types in (U, V,
// Type) order, fill the higher-neighbour lists of its own nodes and, at
// positions counted beforehand per part, the lower-neighbour lists of their
// V ends, after those of the parts of lower U. The parts fill in parallel;
// the lists do not depend on the number of workers.
func (g *Graph) buildAdjacency(s *scratch, workers int) {
	et := &g.edges
	n := int(g.numNodes)
	off := resize(g.adjOff, n+1)
	clear(off)
	for _, u := range et.U {
		off[u+1]++ // higher neighbours, for now
	}
	s.cuts = adjacencyParts(s.cuts[:0], off[1:], max(workers, 1))
	parts := len(s.cuts) - 1
	s.counts = resize(s.counts, parts)
	a := adjacencyBuild{g: g, s: s}
	if parts == 1 {
		a.count(0)
	} else {
		run(parts, a.count)
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
	if parts == 1 {
		a.fill(0)
	} else {
		run(parts, a.fill)
	}
}

// adjacencyBuild holds the state of buildAdjacency shared by its parts.
type adjacencyBuild struct {
	g *Graph
	s *scratch
}

// count sets s.counts[p] to the number of edges of part p by their V end.
func (a adjacencyBuild) count(p int) {
	c := resize(a.s.counts[p], int(a.g.numNodes))
	clear(c)
	et := &a.g.edges
	forPart(et, &a.g.edgeSeg, a.s.cuts[p], a.s.cuts[p+1], func(lo, hi int) {
		for _, v := range et.V[lo:hi] {
			c[v]++
		}
	})
	a.s.counts[p] = c
}

// fill enters the edges of part p in (U, V, Type) order in the lists of
// their ends, at the positions s.counts[p] (V ends) and s.pos (U ends).
func (a adjacencyBuild) fill(p int) {
	g := a.g
	et, nbr, eid := &g.edges, g.adjNbr, g.adjEdge
	low, pos := a.s.counts[p], a.s.pos
	mergedOrder(et, &g.edgeSeg, a.s.cuts[p], a.s.cuts[p+1], func(i int) {
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

// run calls f(0) .. f(n-1), each on its own goroutine but the last, which
// runs on the caller's, and waits for them.
func run(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n - 1 {
		wg.Go(func() { f(i) })
	}
	if n > 0 {
		f(n - 1)
	}
	wg.Wait()
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
