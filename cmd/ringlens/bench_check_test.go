package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
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
	res := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 0, 0)
	if res.Checks == 0 || res.Errors != 0 || res.P50Ms <= 0 || res.P99Ms < res.P50Ms {
		t.Fatalf("bench: %+v", res)
	}
	paced := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 200, time.Nanosecond)
	if paced.Errors != 0 || paced.Checks < 50 || paced.Checks > 110 {
		t.Errorf("paced at 200/s for 0.5 s: %+v", paced)
	}
	// Every answer is slow at 1 ns, and due 5 ms after the one before:
	// one stall holding them all. Without --slow, none.
	if paced.StallCount != 1 || len(paced.Stalls) != 1 || paced.Stalls[0].Checks != paced.Checks || paced.Stalls[0].Ms < 400 {
		t.Errorf("stalls at a 1-ns threshold: %d, %+v (of %d checks)", paced.StallCount, paced.Stalls, paced.Checks)
	}
	if res.StallCount != 0 || res.SlowMs != 0 {
		t.Errorf("stalls without a threshold: %d", res.StallCount)
	}

	// Claims settled beside the checks are accepted under new ids and
	// scored: the server's accepted rows grow by each batch's rows.
	before := acceptedRows(t, tc.url)
	posted, acked := postClaims(tc.url+"/api/v1/claims", tc.bodies, 20, 300*time.Millisecond)
	if posted < 3 || acked != posted {
		t.Fatalf("posted %d claims at 20/s for 0.3 s, %d acknowledged", posted, acked)
	}
	rows := 0
	for i := range posted {
		var b checkBody
		if err := json.Unmarshal(tc.bodies[i%len(tc.bodies)], &b); err != nil {
			t.Fatal(err)
		}
		rows += 1 + len(b.FeeLines)
	}
	if got := acceptedRows(t, tc.url) - before; got != rows {
		t.Errorf("the server accepted %d rows, want the %d of %d claims", got, rows, posted)
	}

	file := filepath.Join(t.TempDir(), "bodies.jsonl")
	if err := os.WriteFile(file, append(bytes.Join(tc.bodies, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	again := targetCity{url: tc.url}
	if err := again.readBodies(file); err != nil || len(again.bodies) != len(tc.bodies) {
		t.Fatalf("read back %d bodies of %d: %v", len(again.bodies), len(tc.bodies), err)
	}

	// The command against the running server, with a warm-up reported
	// apart from the measured load.
	var out, errw bytes.Buffer
	app, _ := newApp(&out, &errw)
	if err := app.RunContext(context.Background(), []string{"ringlens", "bench", "check", "--url", tc.url, "--bodies", file,
		"--duration", "300ms", "--warmup", "200ms", "--rate", "200", "--connections", "2", "--json"}); err != nil {
		t.Fatalf("bench check --url: %v\n%s", err, errw.String())
	}
	var got checkBench
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got.Warmup == nil || got.Warmup.Checks < 20 || got.Warmup.Seconds > 0.3 || got.Checks < 30 || got.Errors != 0 || got.Warmup.Errors != 0 {
		t.Errorf("warm-up %+v, load %+v", got.Warmup, got)
	}
}

// acceptedRows returns the rows the server at url has accepted since it
// started (its status's accepted_rows).
func acceptedRows(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st struct {
		Accepted int `json:"accepted_rows"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Accepted
}
