package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// runBenchLeidenApp runs `ringlens bench leiden args...` in process and
// returns its standard output.
func runBenchLeidenApp(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app, _ := newApp(&stdout, &stderr)
	err := app.Run(append([]string{"ringlens", "bench", "leiden"}, args...))
	return stdout.String(), err
}

// twoTriangles writes an edge list of two triangles joined by an edge, with
// a duplicate line and a comment, gzip-free.
func twoTriangles(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.edges")
	data := "# two triangles\n10 11\n11 12\n12 10\n13 14\n14 15\n15 13\n12 13\n10 11\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBenchLeidenTable(t *testing.T) {
	path := twoTriangles(t)
	out, err := runBenchLeidenApp(t, "--graph", path, "--runs", "2", "--igraph", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ringlens", "nodes", "6", "modularity, median", "communities, median", "igraph: skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestBenchLeidenPhases checks --phases: the medians of every phase of our
// runs, as text and as JSON.
func TestBenchLeidenPhases(t *testing.T) {
	path := twoTriangles(t)
	out, err := runBenchLeidenApp(t, "--graph", path, "--runs", "3", "--igraph", "", "--networkit", "", "--phases")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ringlens phases", "validate", "move  iteration 1, level 0", "connect", "quality", "3 runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = runBenchLeidenApp(t, "--graph", path, "--runs", "2", "--igraph", "", "--networkit", "", "--phases", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r leidenBench
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	ph := r.Ours.Phases
	if len(ph) < 5 || ph[0].Name != "validate" || ph[len(ph)-1].Name != "quality" || ph[0].Runs != 2 || ph[0].Nodes != 6 {
		t.Errorf("phases %+v", ph)
	}
}

func TestBenchLeidenJSON(t *testing.T) {
	path := twoTriangles(t)
	out, err := runBenchLeidenApp(t, "--graph", path, "--runs", "3", "--iterations", "-1",
		"--igraph", "bench/igraph_leiden.py", "--python", "/nonexistent/python3", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r leidenBench
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Ours.Nodes != 6 || r.Ours.Edges != 7 || len(r.Ours.Runs) != 3 {
		t.Errorf("ours: %+v", r.Ours)
	}
	for _, run := range r.Ours.Runs {
		if run.Communities != 2 || run.Modularity < 0.35 {
			t.Errorf("run %+v: want the two triangles (modularity 5/14)", run)
		}
	}
	if r.Igraph == nil || r.Igraph.Error == "" {
		t.Fatalf("igraph side %+v: want an error for a missing script or interpreter", r.Igraph)
	}
}

func TestBenchLeidenIgraphMissing(t *testing.T) {
	path := twoTriangles(t)
	script := filepath.Join(t.TempDir(), "igraph_leiden.py")
	if err := os.WriteFile(script, []byte("raise SystemExit(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runBenchLeidenApp(t, "--graph", path, "--runs", "1", "--igraph", script, "--python", "/nonexistent/python3")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "apt-get install -y python3-igraph") {
		t.Errorf("output does not say how to install igraph:\n%s", out)
	}
}

func TestBenchLeidenWorkers(t *testing.T) {
	path := twoTriangles(t)
	script := filepath.Join(t.TempDir(), "networkit_leiden.py")
	if err := os.WriteFile(script, []byte("raise SystemExit(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		workers   int
		networkit string // in the networkit side's error; "" for no side
	}{
		{"sequential", []string{"--networkit", ""}, 1, ""},
		{"parallel", []string{"--workers", "2", "--networkit", ""}, 2, ""},
		{"networkit missing", []string{"--workers", "2", "--networkit", script, "--networkit-python", "/nonexistent/python3"}, 2, "pip install networkit"},
		{"networkit script absent", []string{"--networkit", filepath.Join(t.TempDir(), "absent.py")}, 1, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--graph", path, "--runs", "2", "--igraph", "", "--json"}, tc.args...)
			out, err := runBenchLeidenApp(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var r leidenBench
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if r.Ours.Workers != tc.workers || len(r.Ours.Runs) != 2 {
				t.Errorf("ours: %+v, want %d workers and 2 runs", r.Ours, tc.workers)
			}
			for _, run := range r.Ours.Runs {
				if run.Communities != 2 {
					t.Errorf("run %+v: want the two triangles", run)
				}
			}
			switch {
			case tc.networkit == "" && r.Networkit != nil:
				t.Errorf("networkit side %+v, want none", r.Networkit)
			case tc.networkit != "" && (r.Networkit == nil || !strings.Contains(r.Networkit.Error, tc.networkit)):
				t.Errorf("networkit side %+v, want an error containing %q", r.Networkit, tc.networkit)
			}
			table, err := runBenchLeidenApp(t, append([]string{"--graph", path, "--runs", "1", "--igraph", ""}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"threads", "edges/s per core (wall)", "edge entries/s per core (wall)", "edges per CPU second", "networkit: "} {
				if !strings.Contains(table, want) {
					t.Errorf("table lacks %q:\n%s", want, table)
				}
			}
		})
	}
}

func TestBenchLeidenErrors(t *testing.T) {
	path := twoTriangles(t)
	for _, args := range [][]string{
		{"--graph", filepath.Join(t.TempDir(), "absent.edges")},
		{"--graph", path, "--runs", "0"},
		{"--graph", path, "--iterations", "0"},
		{"--graph", path, "--workers", "0"},
		{"--graph", path, "--resolution", "-1", "--igraph", ""},
	} {
		if _, err := runBenchLeidenApp(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// fakeGVE writes an executable shell script standing in for the GVE-Leiden
// driver: it copies its input file and environment beside itself and runs
// body.
func fakeGVE(t *testing.T, body string) (script, dir string) {
	t.Helper()
	dir = t.TempDir()
	script = filepath.Join(dir, "gve-leiden")
	data := "#!/bin/sh\ncp \"$1\" \"$(dirname \"$0\")/input.mtx\"\necho \"$@\" > \"$(dirname \"$0\")/args\"\necho \"$OMP_NUM_THREADS\" > \"$(dirname \"$0\")/omp\"\n" + body + "\n"
	if err := os.WriteFile(script, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, dir
}

func TestBenchLeidenGVE(t *testing.T) {
	path := twoTriangles(t)
	const good = `echo '{"nodes": 6, "edges": 7, "arcs": 14, "iterations": -1, "gve_leiden": "f741a40717a1", "threads": 2, "runs": [` +
		`{"seed": 1, "seconds": 0.25, "wall_seconds": 0.125, "modularity": 0.357, "communities": 2, "passes": 2},` +
		`{"seed": 2, "seconds": 0.5, "wall_seconds": 0.25, "modularity": 0.357, "communities": 2, "passes": 3}]}'`
	for _, tc := range []struct {
		name   string
		body   string // the fake driver's script; "" for no --gve-leiden
		absent bool   // pass a path that does not exist
		err    string // in the side's error; "" for a run side
		table  string // in the table
	}{
		{name: "not given", table: "gve-leiden: skipped (no --gve-leiden PATH"},
		{name: "absent", absent: true, err: "not found or not executable", table: "gve-leiden: not run: GVE-Leiden driver"},
		{name: "fails", body: "echo 'bad mtx' >&2; exit 3", err: "exit status 3: bad mtx", table: "gve-leiden: not run:"},
		{name: "not JSON", body: "echo 'modularity 0.35'", err: "output is not JSON", table: "gve-leiden: not run:"},
		{name: "runs", body: good, table: "wall time ratio ringlens/gve-leiden on 2 threads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--graph", path, "--runs", "2", "--workers", "2", "--igraph", "", "--networkit", ""}
			var dir string
			switch {
			case tc.absent:
				args = append(args, "--gve-leiden", filepath.Join(t.TempDir(), "absent"))
			case tc.body != "":
				var script string
				script, dir = fakeGVE(t, tc.body)
				args = append(args, "--gve-leiden", script)
			}
			out, err := runBenchLeidenApp(t, append(args, "--json")...)
			if err != nil {
				t.Fatal(err)
			}
			var r leidenBench
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			switch {
			case tc.body == "" && !tc.absent:
				if r.GVELeiden != nil {
					t.Errorf("gve-leiden side %+v, want none", r.GVELeiden)
				}
			case tc.err != "":
				if r.GVELeiden == nil || !strings.Contains(r.GVELeiden.Error, tc.err) {
					t.Errorf("gve-leiden side %+v, want an error containing %q", r.GVELeiden, tc.err)
				}
			default:
				s := r.GVELeiden
				if s == nil || s.Error != "" || s.Name != "gve-leiden f741a40717a1" || s.Nodes != 6 || s.Edges != 7 ||
					s.Workers != 2 || s.Iterations != -1 || len(s.Runs) != 2 || s.Runs[1].Passes != 3 {
					t.Fatalf("gve-leiden side %+v", s)
				}
				if r.GVELeidenWallRatio <= 0 {
					t.Errorf("wall ratio %v", r.GVELeidenWallRatio)
				}
				mtx, err := os.ReadFile(filepath.Join(dir, "input.mtx"))
				if err != nil {
					t.Fatal(err)
				}
				// The duplicate line "10 11" is one edge of weight 2, as ours reads it.
				want := "%%MatrixMarket matrix coordinate real symmetric\n6 6 7\n2 1 2\n3 1 1\n3 2 1\n4 3 1\n5 4 1\n6 4 1\n6 5 1\n"
				if string(mtx) != want {
					t.Errorf("driver input:\n%s\nwant:\n%s", mtx, want)
				}
				for file, want := range map[string]string{"omp": "2\n", "args": "--runs 2 --threads 2 --seed 1\n"} {
					got, err := os.ReadFile(filepath.Join(dir, file))
					if err != nil {
						t.Fatal(err)
					}
					if !strings.HasSuffix(string(got), want) {
						t.Errorf("driver %s %q, want %q at its end", file, got, want)
					}
				}
			}
			table, err := runBenchLeidenApp(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(table, tc.table) {
				t.Errorf("table lacks %q:\n%s", tc.table, table)
			}
		})
	}
}

func TestWriteMatrixMarket(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		edges []graph.WeightedEdge
		want  string
	}{
		{"pattern", 3, []graph.WeightedEdge{{U: 0, V: 1, W: 1}, {U: 2, V: 1, W: 1}},
			"%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n3 2\n"},
		{"isolated node", 3, []graph.WeightedEdge{{U: 0, V: 2, W: 1}},
			"%%MatrixMarket matrix coordinate pattern symmetric\n3 3 1\n3 1\n"},
		{"duplicates summed", 2, []graph.WeightedEdge{{U: 0, V: 1, W: 1}, {U: 1, V: 0, W: 1}},
			"%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n2 1 2\n"},
		{"self-loop doubled", 2, []graph.WeightedEdge{{U: 0, V: 1, W: 1}, {U: 1, V: 1, W: 1.5}},
			"%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 1\n2 2 3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := writeMatrixMarket(&b, graph.NewWeighted(tc.n, tc.edges)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}
