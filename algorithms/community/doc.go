// Package community finds communities in weighted undirected graphs with the
// Leiden algorithm (Traag, Waltman & van Eck 2019, "From Louvain to Leiden:
// guaranteeing well-connected communities", Sci. Rep. 9, 5233,
// doi:10.1038/s41598-019-41695-z).
//
// Graphs are given as a CSR: flat offset, neighbour and weight arrays, the
// layout of graph.Weighted, which FromAdjacency converts. Leiden works on
// these arrays and on aggregate graphs of the same form, with per-community
// totals in flat slices and a reusable neighbour-community accumulator, so
// that its cost is a few linear passes over the adjacency per level.
//
// Two quality functions are supported: modularity (Modularity) and the
// Constant Potts Model (CPM), both with a resolution parameter. Every
// community Leiden returns is connected, and the result is a deterministic
// function of the graph, the options and the seed.
//
// The algorithm follows the reference implementation in igraph 0.10
// (src/community/leiden.c): fast local moving with a queue, refinement by
// merging well-connected singletons with randomness θ, aggregation by the
// refined partition with the unrefined one as the starting point.
package community
