package graph

import "context"

// Rebuilder builds the graphs of small tables one after the other (a
// check of one claim builds the graph of one person's history), reusing
// the memory of the graph it built before. Build allocates every stage
// anew (some 60 allocations and 64 KB for a graph of 200 visits:
// BenchmarkRebuilder) and starts two goroutines, which for a small graph
// cost more than the building. A Rebuilder runs the stages of Build one
// after the other on the calling goroutine, with the graph's slices, the
// state between stages and the sorts' scratch memory kept from the build
// before, so its graphs are those Build returns (TestRebuilder compares
// them field by field) and, once its memory has grown to the tables'
// size, a build allocates nothing. The zero value is ready to use; a
// Rebuilder is not safe for concurrent use.
type Rebuilder struct {
	g       Graph
	b       builder
	scratch [1 + numSortJobs]scratch
}

// Build returns the graph of t, the same as Build(ctx, t, BuildOptions{})
// returns, with the same errors. The graph is valid until the next call of
// Build on r, which reuses its memory: it must no longer be in use then,
// nor any slice it returned. t must not be modified while it is in use.
func (r *Rebuilder) Build(ctx context.Context, t *Tables) (*Graph, error) {
	if err := checkTables(t); err != nil {
		return nil, err
	}
	g := &r.g
	*g = Graph{t: t, instNode: g.instNode, instRow: g.instRow, edges: g.edges,
		adjOff: g.adjOff, adjNbr: g.adjNbr, adjEdge: g.adjEdge, byTime: g.byTime,
		nodeVisOff: g.nodeVisOff, nodeVis: g.nodeVis, feeOff: g.feeOff, feeRows: g.feeRows,
		nodeVisits: g.nodeVisits, nodeFund: g.nodeFund}
	r.b.g, r.b.workers, r.b.reuse = g, 1, r.scratch[:]
	if err := r.b.build(ctx); err != nil {
		return nil, err
	}
	return g, nil
}
