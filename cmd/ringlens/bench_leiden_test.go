package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			for _, want := range []string{"threads", "edges/s per core (wall)", "edges per CPU second", "networkit: "} {
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
