#!/usr/bin/env python3
"""Run NetworKit's ParallelLeiden (modularity) on a whitespace edge list and print JSON.

Usage: python3 bench/networkit_leiden.py FILE [--seed S] [--runs N] [--iterations N] [--threads T]

FILE holds "u v [w]" lines (.gz allowed; '#' and '%' lines skipped), read as
bench/igraph_leiden.py reads it: node ids mapped densely in order of first
appearance, every line one edge (duplicates kept as parallel edges). The graph
is loaded once, then ParallelLeiden runs N times on T threads with seeds S,
S+1, ... (networkit.engineering.setSeed). Prints one JSON object {nodes, edges,
iterations, networkit, threads, runs: [{seed, seconds, wall_seconds,
modularity, communities}]}: seconds is the process CPU time (all threads) of
ParallelLeiden.run alone, modularity is recomputed with
networkit.community.Modularity.

--iterations is ParallelLeiden's `iterations` (default 3, NetworKit's own
default); a negative value means that default. NetworKit's Leiden is not
deterministic with more than one thread, whatever the seed.

Requires networkit from PyPI (pip install networkit).
"""
import argparse
import json
import sys
import time

import networkit as nk

from edgelist import read_edges  # bench/edgelist.py, beside this script


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first run")
    ap.add_argument("--runs", type=int, default=1, help="number of runs")
    ap.add_argument("--iterations", type=int, default=3,
                    help="ParallelLeiden iterations (negative: NetworKit's default, 3)")
    ap.add_argument("--threads", type=int, default=0, help="threads (0: NetworKit's default)")
    a = ap.parse_args()

    iterations = a.iterations if a.iterations > 0 else 3
    if a.threads > 0:
        nk.setNumberOfThreads(a.threads)
    n, edges, weights = read_edges(a.file)
    g = nk.Graph(n, weighted=weights is not None, directed=False)
    if weights is None:
        for u, v in edges:
            g.addEdge(u, v)
    else:
        for (u, v), w in zip(edges, weights):
            g.addEdge(u, v, w)
    g.indexEdges()
    runs = []
    for seed in range(a.seed, a.seed + a.runs):
        nk.engineering.setSeed(seed, True)
        algo = nk.community.ParallelLeiden(g, iterations=iterations, randomize=True)
        c0, w0 = time.process_time(), time.perf_counter()
        algo.run()
        c1, w1 = time.process_time(), time.perf_counter()
        part = algo.getPartition()
        q = nk.community.Modularity().getQuality(part, g)
        runs.append({"seed": seed, "seconds": c1 - c0, "wall_seconds": w1 - w0,
                     "modularity": q, "communities": part.numberOfSubsets()})
    json.dump({
        "nodes": g.numberOfNodes(),
        "edges": g.numberOfEdges(),
        "iterations": iterations,
        "networkit": nk.__version__,
        "threads": nk.getMaxNumberOfThreads(),
        "runs": runs,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
