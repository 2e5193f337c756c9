package rings

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite generated documents")

// TestParamsDoc checks that docs/RING_PARAMS.md is the document Table
// renders (go test -run TestParamsDoc -update rewrites it).
func TestParamsDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "RING_PARAMS.md")
	want := MarkdownParams()
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale; rerun with -update", path)
	}
}

func TestParamsDefaultsValid(t *testing.T) {
	p := DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, d := range Table() {
		if seen[d.Name] || d.Doc == "" || d.Group == "" {
			t.Errorf("parameter %q: duplicate or undocumented", d.Name)
		}
		seen[d.Name] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d parameters documented", len(seen))
	}
}

func TestParamsApply(t *testing.T) {
	cases := []struct {
		name, json, err string
		check           func(p Params) bool
	}{
		{"override", `{"min_ring_people": 7, "costly_z": 2.5}`, "", func(p Params) bool { return p.MinRingPeople == 7 && p.CostlyZ == 2.5 }},
		{"empty", `{}`, "", func(p Params) bool { return p == DefaultParams() }},
		{"unknown key", `{"min_people": 7}`, `unknown parameter "min_people"`, nil},
		{"not a number", `{"costly_z": "high"}`, `"costly_z": not a number`, nil},
		{"fraction for an integer", `{"max_rings": 2.5}`, "whole number", nil},
		{"negative", `{"costly_z": -1}`, "must be a finite number", nil},
		{"too small a ring", `{"min_ring_people": 1}`, "at least 2", nil},
		{"not an object", `[1]`, "not a JSON object", nil},
		{"short stays of no visits", `{"episode_min_visits": 0}`, "episode_min_visits", nil},
		{"short stays off", `{"episode_grow_share": 0, "episode_min_visits": 0}`, "", func(p Params) bool { return p.EpisodeGrowShare == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultParams()
			err := p.Apply("params.json", strings.NewReader(c.json))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "params.json") {
					t.Fatalf("error %v, want one naming params.json and %q", err, c.err)
				}
				return
			}
			if err != nil || !c.check(p) {
				t.Fatalf("err %v, params %+v", err, p)
			}
		})
	}
}

func TestPoissonTail(t *testing.T) {
	cases := []struct {
		k      int
		mu     float64
		lo, hi float64 // bounds of log10 P(X ≥ k)
	}{
		{0, 3, 0, 0},
		{1, 1, -0.21, -0.19},     // 1 − e^−1 = 0.632
		{5, 1, -2.45, -2.42},     // 0.00366
		{20, 2, -13.21, -13.17},  // 6.4e−14
		{10, 10, -0.276, -0.256}, // 0.542
	}
	for _, c := range cases {
		got := poissonTailLog10(c.k, c.mu)
		if got < c.lo || got > c.hi {
			t.Errorf("log10 P(X ≥ %d | μ=%g) = %.3f, want in [%g, %g]", c.k, c.mu, got, c.lo, c.hi)
		}
	}
}
