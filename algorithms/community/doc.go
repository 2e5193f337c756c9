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
//
// # Parallel Leiden
//
// With Options.Workers > 1, Leiden runs the phases of the large levels on
// that many goroutines, after the ideas of GVE-Leiden (Sahu, "GVE-Leiden:
// Fast Leiden Algorithm for Community Detection in Shared Memory Setting",
// 2023/2024, arXiv:2312.13936), but with every commit made in a fixed order,
// so that the result is a deterministic function of the graph, the options
// and the seed: the same for every Workers > 1 and every scheduling, though
// not the sequential result (Workers 0 or 1, which is unchanged).
//
//   - Local moving (levels of at least parMinNodes nodes) takes the unstable
//     nodes, at first all, in batches of moveBatch nodes in a fixed cyclic
//     order: blocks of moveBlock consecutive ids, each in classes of ids
//     congruent modulo moveStride, so that a batch reads the arrays of one
//     block and rarely holds two neighbours (unlike the sequential local
//     moving, whose queue starts in a random order and is first in, first
//     out). The workers compute the best move of each node of a batch
//     against the state before the batch, each summing the edge weights to
//     neighbouring clusters in its own small hash table; the moves are then
//     applied one by one in queue order. A node a neighbour of which moved
//     earlier in the same round is stale: it is set aside and its move
//     computed again, in parallel with the others set aside, against the
//     new state, until the batch is done. A move that is not stale is made
//     only if it still improves the quality given the cluster weights left
//     by the moves before it, so that, as in the sequential local moving,
//     every move strictly improves the quality. After each round the
//     neighbours of the moved nodes that are not in their new cluster
//     become unstable again, found in parallel. GVE-Leiden instead lets
//     threads move nodes asynchronously, which is faster but not
//     deterministic.
//   - Refinement (levels of at least parMinEntries adjacency entries) refines
//     the clusters in parallel, each with its own random stream derived from
//     one draw of the run's generator and the cluster id, so that the result
//     does not depend on which worker refines which cluster.
//   - Aggregation (the same levels) builds the rows of the aggregate graph in
//     parallel in chunks of about aggChunkEntries adjacency entries, each in
//     its own buffer, concatenated in order: the same graph as the
//     sequential aggregation builds.
//
// Smaller levels run the sequential phases. Unlike GVE-Leiden the parallel
// variant revisits a node only when a neighbour moved, until none is
// unstable, rather than in passes with a tolerance, and iterates as
// Options.MaxIterations says.
//
// Both variants check the CSR (on the workers for the parallel one: a
// streaming pass with a hashed symmetry check, see CSR.Validate) and end
// with the connectivity of the communities: when every sub-community of the
// last iteration's refinements was formed through edges of positive weight,
// the communities, which are the nodes of the iteration's last aggregate
// level, are connected and only renumbered; otherwise each is searched for
// its components.
package community
