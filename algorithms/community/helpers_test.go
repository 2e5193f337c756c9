package community

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchGraphsEnv names the environment variable holding the directory of
// the public benchmark graphs (SNAP edge lists such as
// com-dblp.ungraph.edges.gz and the LFR graphs with their communities);
// tests that need them skip when it is unset.
const benchGraphsEnv = "RINGLENS_BENCH_GRAPHS"

// loadEdgeList reads a whitespace edge list ("u v" per line, .gz allowed)
// from testdata or else the benchmark directory (benchGraphsEnv), mapping ids densely in order of first
// appearance. Duplicate lines and (v, u) repeats are merged into one edge of
// weight 1 if simple is true (the graph gonum sees, self-loops dropped);
// otherwise every line is an edge of weight 1. It skips the test if the file
// is absent.
func loadEdgeList(tb testing.TB, name string, simple bool) (n int, edges []Edge) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if _, err := os.Stat(path); err != nil {
		dir := os.Getenv(benchGraphsEnv)
		if dir == "" {
			tb.Skipf("benchmark graph %s: set %s to the directory of the benchmark graphs", name, benchGraphsEnv)
		}
		path = filepath.Join(dir, name)
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("benchmark graph %s is absent", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatal(err)
		}
		r = zr
	}
	index := make(map[int64]int32)
	id := func(s string) int32 {
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		i, ok := index[x]
		if !ok {
			i = int32(len(index))
			index[x] = i
		}
		return i
	}
	seen := make(map[[2]int32]bool)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		u, v := id(f[0]), id(f[1])
		if simple {
			if u == v {
				continue
			}
			k := [2]int32{min(u, v), max(u, v)}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		edges = append(edges, Edge{u, v, 1})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return len(index), edges
}

// mustCSR builds a CSR or fails the test.
func mustCSR(tb testing.TB, n int, edges []Edge) *CSR {
	tb.Helper()
	g, err := NewCSR(n, edges)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}
