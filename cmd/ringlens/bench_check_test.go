package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBenchCheck serves the Huli fixture in process, samples claims of it
// and loads POST /api/v1/check with them briefly: every sampled claim
// passes the intake's validation (no errors) and is known as settled.
func TestBenchCheck(t *testing.T) {
	var tc targetCity
	stop, err := tc.serve(context.Background(), "../../fixtures/testdata/huli-small", 200, 1, t.Logf)
	defer stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.bodies) < 100 || tc.visits <= 0 {
		t.Fatalf("%d bodies of a city of %d visits", len(tc.bodies), tc.visits)
	}
	var first struct {
		Visit    map[string]string   `json:"visit"`
		FeeLines []map[string]string `json:"fee_lines"`
	}
	if err := json.Unmarshal(tc.bodies[0], &first); err != nil || first.Visit["mdtrt_id"] == "" || len(first.FeeLines) == 0 {
		t.Fatalf("body %s: %v", tc.bodies[0], err)
	}
	res := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 0)
	if res.Checks == 0 || res.Errors != 0 || res.P50Ms <= 0 || res.P99Ms < res.P50Ms {
		t.Fatalf("bench: %+v", res)
	}
	paced := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 200)
	if paced.Errors != 0 || paced.Checks < 50 || paced.Checks > 110 {
		t.Errorf("paced at 200/s for 0.5 s: %+v", paced)
	}

	file := filepath.Join(t.TempDir(), "bodies.jsonl")
	if err := os.WriteFile(file, append(bytes.Join(tc.bodies, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	again := targetCity{url: tc.url}
	if err := again.readBodies(file); err != nil || len(again.bodies) != len(tc.bodies) {
		t.Fatalf("read back %d bodies of %d: %v", len(again.bodies), len(tc.bodies), err)
	}
}
