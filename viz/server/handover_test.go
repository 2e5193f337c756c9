package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHandOver hands a serving server's work to a successor, as serve
// does with full runs in a process of their own: claims logged before and
// after the successor read the log, intake refused while handing over,
// counters and ring ids continued, the log written by the successor only.
func TestHandOver(t *testing.T) {
	state := t.TempDir()
	var asked atomic.Int32
	a := startReady(t, func(c *Config) {
		c.StateDir = state
		c.FullEvery = 20 * time.Millisecond
		c.FullRunApart = func() { asked.Add(1) }
	})
	t.Cleanup(func() { a.Close() })
	p, c, d := ringIDs(t, a)
	before := a.firstRing(t)
	post := func(s *testServer, id string) (int, http.Header, []byte) {
		return s.do(t, "POST", "/api/v1/claims", visitRow(id, p, c, d)+"\n"+feeRow(id, "1")+"\n", nil)
	}
	if code, _, b := post(a, "HO1"); code != http.StatusAccepted {
		t.Fatalf("POST to the serving server: %d %s", code, b)
	}
	a.waitGeneration(t, 2)
	waitFor(t, "a full run asked of a successor", func() bool { return asked.Load() > 0 })
	if _, _, st := a.current(); st.FullRuns != 1 {
		t.Fatalf("the serving server ran a full run itself: %+v", st)
	}

	ready, adopted := make(chan struct{}), make(chan struct{})
	handoff := make(chan *HandOff, 1)
	b := newTestServer(t, func(cfg *Config) {
		cfg.StateDir = state
		cfg.Successor = &Successor{
			Ready: func(ctx context.Context) (*HandOff, error) {
				close(ready)
				select {
				case h := <-handoff:
					return h, nil
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			},
			Adopted: func() { close(adopted) },
		}
	})
	t.Cleanup(func() { b.Close() })
	if _, _, st := b.current(); st.Accepted != 2 {
		t.Fatalf("successor read %d rows of the log, want 2", st.Accepted)
	}
	// Logged after the successor read the log: taken over later.
	if code, _, body := post(a, "HO2"); code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	b.run(t)
	<-ready
	h, err := a.HandOver(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.FullRuns != 1 || h.Generation < 2 || len(h.Rings) == 0 || h.Rings[0].ID != before.ID || h.Rings[0].Evidence != nil {
		t.Fatalf("hand-off: %+v", h)
	}
	code, hdr, body := post(a, "HO3")
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || !strings.Contains(string(body), "handing over") {
		t.Errorf("POST while handing over: %d %q %s", code, hdr.Get("Retry-After"), body)
	}
	if code, _, body := a.do(t, "GET", "/api/v1/rings/"+before.ID, "", nil); code != http.StatusOK {
		t.Errorf("the old server stopped reading: %d %s", code, body)
	}
	if _, err := a.HandOver(context.Background()); err == nil {
		t.Error("handed over twice")
	}
	handoff <- h
	select {
	case <-adopted:
	case <-time.After(30 * time.Second):
		t.Fatal("the successor did not take over")
	}
	_, _, st := b.current()
	if st.Accepted != 4 || st.Pending != 0 || st.Incremental != 2 || st.FullRuns != h.FullRuns+1 || st.Generation != h.Generation+1 || !st.Ready {
		t.Errorf("successor's status: %+v (handed %+v)", st, *h)
	}
	after := b.firstRing(t)
	if after.ID != before.ID || after.Visits < before.Visits+2 {
		t.Errorf("successor's first ring %s with %d visits, was %s with %d (+2 posted)", after.ID, after.Visits, before.ID, before.Visits)
	}
	if code, _, body := post(b, "HO2"); code != http.StatusBadRequest || !strings.Contains(string(body), "duplicate") {
		t.Errorf("a claim taken over posted again: %d %s", code, body)
	}
	if code, _, body := post(b, "HO4"); code != http.StatusAccepted {
		t.Errorf("POST to the successor: %d %s", code, body)
	}
	recs, _, err := readWAL(state) // the successor holds the log open
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Visits[0].MdtrtID)
	}
	if got := strings.Join(ids, ","); got != "HO1,HO2,HO4" {
		t.Errorf("claims log: %s", got)
	}
	// The successor holds the log: the old server cannot take its intake
	// back.
	if err := a.Resume(); err == nil || !strings.Contains(err.Error(), "in use by another server") {
		t.Errorf("Resume after the successor wrote: %v", err)
	}
}

// TestResume gives intake back to a server whose successor failed.
func TestResume(t *testing.T) {
	state := t.TempDir()
	s := startReady(t, func(c *Config) { c.StateDir = state })
	t.Cleanup(func() { s.Close() })
	p, c, d := ringIDs(t, s)
	for i, want := range []int{http.StatusAccepted, http.StatusServiceUnavailable, http.StatusAccepted} {
		switch i {
		case 1:
			if _, err := s.HandOver(context.Background()); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := s.Resume(); err != nil {
				t.Fatal(err)
			}
		}
		id := fmt.Sprintf("RS%d", i)
		if code, _, body := s.do(t, "POST", "/api/v1/claims", visitRow(id, p, c, d), nil); code != want {
			t.Errorf("POST %s: %d %s, want %d", id, code, body, want)
		}
	}
	recs, _, err := readWAL(state)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Errorf("%d batches logged, want 2", len(recs))
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestHandOverNeedsLog: without a claims log a successor would miss the
// posted claims.
func TestHandOverNeedsLog(t *testing.T) {
	s := startReady(t, nil)
	if _, err := s.HandOver(context.Background()); err == nil {
		t.Error("handed over without a claims log")
	}
	if _, err := New(Config{Load: loaderOf(fixtureDir), Successor: &Successor{}}); err == nil {
		t.Error("a successor without a state directory")
	}
}

// TestClaimsLogLocked: a second server on the same state directory waits
// for the first to let go of the claims log, then fails.
func TestClaimsLogLocked(t *testing.T) {
	dir := t.TempDir()
	w, _, err := openWAL(dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	_, _, err = openWALWait(dir, func(string, ...any) { warned = true }, 100*time.Millisecond, 0)
	if err == nil || !strings.Contains(err.Error(), "in use by another server") || !warned {
		t.Errorf("second open while locked: %v (warned %v)", err, warned)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		w.close()
	}()
	w2, _, err := openWALWait(dir, nil, 10*time.Second, 0)
	if err != nil {
		t.Fatalf("open once the first let go: %v", err)
	}
	w2.close()
}
