package server

import (
	"os"
	"testing"
	"time"
)

// TestFirstRingDemoCity measures how soon the first ring reaches a client
// connected at start-up on a full city. It runs only when
// RINGLENS_DEMO_CITY names a dataset (e.g. out/huli-city of `make run`):
//
//	RINGLENS_DEMO_CITY=$PWD/out/huli-city go test ./viz/server -run FirstRingDemo -v
//
// The target is 2 s (without -race).
func TestFirstRingDemoCity(t *testing.T) {
	dir := os.Getenv("RINGLENS_DEMO_CITY")
	if dir == "" {
		t.Skip("RINGLENS_DEMO_CITY not set")
	}
	s := newTestServer(t, func(c *Config) { c.Load = loaderOf(dir) })
	got, elapsed := ringAtStartup(t, s, 2*time.Minute)
	t.Logf("first ring %s after %v (%d messages before it)", got[len(got)-1].Ring.ID, elapsed, len(got)-1)
	if elapsed > 2*time.Second {
		t.Logf("slower than the 2 s target")
	}
}
