// Driver for `ringlens bench leiden --gve-leiden PATH`: runs GVE-Leiden's
// leidenStaticOmp (default LeidenOptions) on a MatrixMarket file and prints
// the JSON the peer scripts print. Built against GVE-Leiden's inc/ headers
// by build.sh (make gve-leiden), from a pinned commit; only this driver is
// ours, GVE-Leiden itself is fetched, never committed.
//
// Usage: gve-leiden FILE.mtx [--runs N] [--threads T] [--seed S] [--membership OUT]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>
#include <sys/resource.h>
#include <omp.h>
#include "inc/main.hxx"

#ifndef GVE_COMMIT
#define GVE_COMMIT "unknown"
#endif

using namespace std;

static double cpuSeconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec/1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec/1e6;
}

int main(int argc, char **argv) {
  using K = uint32_t;
  using E = float;  // edge weight type of GVE-Leiden's main.cxx (TYPE=float)
  if (argc < 2) { fprintf(stderr, "usage: %s FILE.mtx [--runs N] [--threads T] [--seed S] [--membership OUT]\n", argv[0]); return 2; }
  const char *file = argv[1];
  int runs = 1, threads = 0; long seed = 1; const char *memb = nullptr;
  for (int i=2; i<argc; ++i) {
    string a = argv[i];
    if (i+1 >= argc) { fprintf(stderr, "%s: %s wants a value\n", argv[0], a.c_str()); return 2; }
    if      (a=="--runs")       runs    = atoi(argv[++i]);
    else if (a=="--threads")    threads = atoi(argv[++i]);
    else if (a=="--seed")       seed    = atol(argv[++i]);
    else if (a=="--membership") memb    = argv[++i];
    else { fprintf(stderr, "%s: unknown flag %s\n", argv[0], a.c_str()); return 2; }
  }
  if (runs < 1) { fprintf(stderr, "%s: --runs %d: want at least 1\n", argv[0], runs); return 2; }
  if (threads > 0) omp_set_num_threads(threads);
  threads = omp_get_max_threads();
  // Header: a "real"/"integer" field means weighted; "symmetric" makes the
  // reader add both directions of every line.
  bool symmetric; size_t rows, cols, size;
  readMtxHeader(file, symmetric, rows, cols, size);
  if (rows == 0 && cols == 0) { fprintf(stderr, "%s: %s: not a MatrixMarket coordinate file\n", argv[0], file); return 1; }
  string h3;
  { ifstream s(file); string line; getline(s, line); istringstream l(line); string h0, h1, h2; l >> h0 >> h1 >> h2 >> h3; }
  bool weighted = h3 != "pattern";
  DiGraph<K, None, E> x;
  readMtxOmpW(x, file, weighted);
  if (!symmetric) x = symmetricizeOmp(x);
  // Distinct undirected edges: arcs are both directions of each edge, a
  // self-loop one arc.
  size_t arcs = x.size(), loops = 0;
  x.forEachVertexKey([&](auto u) { x.forEachEdge(u, [&](auto v, auto w) { if (v==u) ++loops; }); });
  size_t edges = (arcs - loops)/2 + loops;
  double M = edgeWeightOmp(x)/2;
  string out = "{\"nodes\": " + to_string(x.order()) + ", \"edges\": " + to_string(edges) +
    ", \"arcs\": " + to_string(arcs) + ", \"self_loops\": " + to_string(loops) +
    ", \"iterations\": -1, \"gve_leiden\": \"" GVE_COMMIT "\", \"threads\": " + to_string(threads) + ", \"runs\": [";
  for (int r=0; r<runs; ++r) {
    double c0 = cpuSeconds();
    auto   w0 = chrono::steady_clock::now();
    auto   a  = leidenStaticOmp(x, {1});
    auto   w1 = chrono::steady_clock::now();
    double c1 = cpuSeconds();
    auto   fc = [&](auto u) { return a.membership[u]; };
    double q  = modularityByOmp(x, fc, M, 1.0);
    size_t nc = communities(x, a.membership).size();
    size_t nd = countValue(communitiesDisconnectedOmp(x, a.membership), char(1));
    char buf[512];
    snprintf(buf, sizeof buf,
      "%s{\"seed\": %ld, \"seconds\": %.6f, \"wall_seconds\": %.6f, \"algorithm_seconds\": %.6f, \"modularity\": %.9f, "
      "\"communities\": %zu, \"disconnected\": %zu, \"passes\": %d, \"iterations\": %d}",
      r? ", " : "", seed + r, c1 - c0, chrono::duration<double>(w1 - w0).count(), a.time/1000.0, q, nc, nd, a.passes, a.iterations);
    out += buf;
    if (memb && r==0) {
      FILE *f = fopen(memb, "w");
      if (!f) { perror(memb); return 1; }
      x.forEachVertexKey([&](auto u) { fprintf(f, "%u %u\n", unsigned(u), unsigned(a.membership[u])); });
      fclose(f);
    }
  }
  out += "]}\n";
  fputs(out.c_str(), stdout);
  return 0;
}
