package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
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
	res, err := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Checks == 0 || res.Errors != 0 || res.P50Ms <= 0 || res.P99Ms < res.P50Ms {
		t.Fatalf("bench: %+v", res)
	}
	paced, err := loadChecks(tc.url+"/api/v1/check", tc.bodies, 2, 500*time.Millisecond, 200, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
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

	// The load generator's client reads the answers as encoding/json and
	// net/http's client do.
	cc, err := newCheckClient(tc.url+"/api/v1/check", tc.bodies)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.close()
	for k := range 30 {
		status, decision, err := cc.post(k)
		res, err2 := http.Post(tc.url+"/api/v1/check", "application/json", bytes.NewReader(tc.bodies[k]))
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		var reply struct {
			Decision string `json:"decision"`
		}
		err = json.NewDecoder(res.Body).Decode(&reply)
		res.Body.Close()
		if err != nil || status != res.StatusCode || decision != reply.Decision || decision == "" {
			t.Fatalf("claim %d: %d %q, net/http %d %q (%v)", k, status, decision, res.StatusCode, reply.Decision, err)
		}
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

// TestCheckClient: the load generator's client reads answers of a fixed
// length and chunked ones, dials again when the server closes the
// connection (as a retiring serve process does, with Connection: close) or
// drops it, and refuses what is not an http URL.
func TestCheckClient(t *testing.T) {
	var conns atomic.Int64
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k := n.Add(1)
		switch k % 4 {
		case 1: // chunked: flushed before it ends
			fmt.Fprintf(w, `{"decision":"review","echo":%q,"pad":"`, body)
			w.(http.Flusher).Flush()
			fmt.Fprintf(w, `%s"}`, strings.Repeat("x", 10000))
		case 2: // then closed
			w.Header().Set("Connection", "close")
			fmt.Fprintf(w, `{"decision":"pass"}`)
		case 3: // dropped without an answer
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		default:
			fmt.Fprintf(w, `{"error":"no decision"}`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newCheckClient(srv.URL+"/api/v1/check", [][]byte{[]byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	type answer struct {
		status   int
		decision string
		err      bool
	}
	var got []answer
	for k := range 8 {
		status, decision, err := c.post(k)
		got = append(got, answer{status, decision, err != nil})
	}
	want := []answer{{200, "review", false}, {200, "pass", false}, {0, "", true}, {200, "", false}}
	want = append(want, want...)
	if !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	// A new connection after each close and each drop: 1 + 2 a round.
	if got := conns.Load(); got != 5 {
		t.Errorf("%d connections, want 5", got)
	}
	for _, bad := range []string{"https://example.org/api/v1/check", "::", "/api/v1/check"} {
		if _, err := newCheckClient(bad, nil); err == nil {
			t.Errorf("newCheckClient(%q) accepted", bad)
		}
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

// TestPace: the pacer hands out the schedule of rate sends a second in
// turn to each client, none before its time, and ends at the deadline.
func TestPace(t *testing.T) {
	start := time.Now()
	const rate, conns = 1000, 3
	ticks := pace(start, start.Add(100*time.Millisecond), rate, conns)
	var n int
	for i, ch := range ticks {
		want := start.Add(time.Duration(i) * time.Millisecond)
		for at := range ch {
			if !at.Equal(want) {
				t.Fatalf("client %d: send %d due at %v, want %v", i, n, at.Sub(start), want.Sub(start))
			}
			if early := at.Sub(time.Now()); early > 0 {
				t.Fatalf("client %d: send due at %v handed out %v early", i, at.Sub(start), early)
			}
			want = want.Add(conns * time.Millisecond)
			n++
		}
	}
	if n != 100 {
		t.Errorf("%d sends in 100 ms at %d/s, want 100", n, rate)
	}
}

// TestBenchCheckBehind: with --rate, a send whose time comes while its
// connection still waits for a late answer is counted apart from the load
// generator's own lag, and a server answering at once leaves none behind.
func TestBenchCheckBehind(t *testing.T) {
	const stall = 60 * time.Millisecond
	for _, c := range []struct {
		name       string
		stallFirst bool
	}{{"prompt", false}, {"first answer late", true}} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if n.Add(1) == 1 && c.stallFirst {
					time.Sleep(stall)
				}
				fmt.Fprint(w, `{"decision":"pass"}`)
			}))
			defer srv.Close()
			// One connection, a send every 5 ms for 0.3 s.
			res, err := loadChecks(srv.URL, [][]byte{[]byte(`{}`)}, 1, 300*time.Millisecond, 200, 0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Errors != 0 || res.Checks < 30 {
				t.Fatalf("bench: %+v", res)
			}
			// The sends due during the late answer (every 5 ms for 60 ms)
			// waited behind it; a generous margin for a loaded machine.
			if c.stallFirst && (res.Behind < 5 || res.Behind > 30) {
				t.Errorf("%d sends behind a %v answer at 200/s", res.Behind, stall)
			}
			if !c.stallFirst && res.Behind > 3 {
				t.Errorf("%d sends behind prompt answers", res.Behind)
			}
			if res.FreeLagP99Ms > res.LagP99Ms {
				t.Errorf("lag with the connection free p99 %.3f ms > all sends' %.3f ms", res.FreeLagP99Ms, res.LagP99Ms)
			}
		})
	}
}
