package graph

// MemoryBytes returns the approximate number of bytes held by the graph's
// own structures (node maps, edges, adjacency, time indexes, totals), not
// counting the Tables it was built from.
func (g *Graph) MemoryBytes() int64 {
	et := &g.edges
	b := 4*cap(g.instNode) + 4*cap(g.instRow) +
		cap(et.Type) + 4*cap(et.U) + 4*cap(et.V) + 4*cap(et.Visits) +
		8*cap(et.Fund) + 8*cap(et.MedFee) + 8*cap(et.First) + 8*cap(et.Last) +
		4*cap(g.adjOff) + 4*cap(g.adjNbr) + 4*cap(g.adjEdge) +
		4*cap(g.byTime) + 4*cap(g.nodeVisOff) + 4*cap(g.nodeVis) +
		4*cap(g.feeOff) + 4*cap(g.feeRows) +
		4*cap(g.nodeVisits) + 8*cap(g.nodeFund)
	return int64(b)
}
