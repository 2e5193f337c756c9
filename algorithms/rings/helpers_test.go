package rings_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/ingest"
)

// loadCity ingests a generated city directory and builds its graph.
func loadCity(t testing.TB, dir string) (*graph.Graph, *fixtures.Truth) {
	t.Helper()
	res, err := ingest.Load(context.Background(), dir, ingest.Options{}, func(ingest.Reject) error { return nil })
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	g, err := graph.Build(context.Background(), res.Tables, graph.BuildOptions{})
	if err != nil {
		t.Fatalf("build %s: %v", dir, err)
	}
	tr, err := fixtures.ReadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatalf("truth: %v", err)
	}
	return g, tr
}

// cityDir returns RINGLENS_CITY or skips.
func cityDir(t testing.TB) string {
	d := os.Getenv("RINGLENS_CITY")
	if d == "" {
		t.Skip("RINGLENS_CITY not set")
	}
	return d
}
