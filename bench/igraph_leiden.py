#!/usr/bin/python3
"""Run igraph's C Leiden (modularity) on a whitespace edge list and print JSON.

Usage: /usr/bin/python3 bench/igraph_leiden.py FILE [--seed S] [--runs N] [--iterations N]

FILE holds "u v [w]" lines (.gz allowed; '#' and '%' lines skipped). Node ids
are mapped densely in order of first appearance; every line is one edge
(duplicates are kept as parallel edges, which modularity treats as one edge of
summed weight). The graph is loaded once, then community_leiden runs N times
with seeds S, S+1, ... Prints one JSON object {nodes, edges, iterations,
igraph, runs: [{seed, seconds, wall_seconds, modularity, communities}]}:
seconds is the process CPU time of community_leiden alone, modularity is
recomputed with Graph.modularity.

Note: igraph 0.10's C core stops after the first iteration when n_iterations
is negative (its loop runs while "!changed"), so -1 and 1 give the same result.

Requires python3-igraph (Debian: apt-get install -y python3-igraph).
"""
import argparse
import json
import random
import sys
import time

import igraph

from edgelist import read_edges  # bench/edgelist.py, beside this script


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first run")
    ap.add_argument("--runs", type=int, default=1, help="number of runs")
    ap.add_argument("--iterations", type=int, default=-1,
                    help="n_iterations of community_leiden (-1: until an iteration changes nothing)")
    a = ap.parse_args()

    n, edges, weights = read_edges(a.file)
    g = igraph.Graph(n=n, edges=edges, directed=False)
    if weights is not None:
        g.es["weight"] = weights
    runs = []
    for seed in range(a.seed, a.seed + a.runs):
        random.seed(seed)  # igraph uses Python's random module as its RNG
        c0, w0 = time.process_time(), time.perf_counter()
        part = g.community_leiden(objective_function="modularity",
                                  weights="weight" if weights is not None else None,
                                  n_iterations=a.iterations)
        c1, w1 = time.process_time(), time.perf_counter()
        q = g.modularity(part.membership, weights="weight" if weights is not None else None)
        runs.append({"seed": seed, "seconds": c1 - c0, "wall_seconds": w1 - w0,
                     "modularity": q, "communities": len(part)})
    json.dump({
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "iterations": a.iterations,
        "igraph": igraph.__version__,
        "runs": runs,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
