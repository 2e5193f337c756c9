package graph

import (
	"context"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestStageTiming prints the duration of each Build stage at
// RINGLENS_STAGE_VISITS visits (values below 1000 mean 1M) with
// the CPU time and peak RSS; skipped unless set.
func TestStageTiming(t *testing.T) {
	if os.Getenv("RINGLENS_STAGE_VISITS") == "" {
		t.Skip("set RINGLENS_STAGE_VISITS")
	}
	n, err := strconv.Atoi(os.Getenv("RINGLENS_STAGE_VISITS"))
	if err != nil || n < 1000 {
		n = 1_000_000
	}
	tb := synthTables(n, 3)
	var mu sync.Mutex
	starts := map[string]time.Time{}
	var r0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	t0 := time.Now()
	g, err := Build(context.Background(), tb, BuildOptions{Progress: func(s string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if done == 0 && total != 0 || starts[s].IsZero() {
			starts[s] = time.Now()
			return
		}
		t.Logf("%-14s %v", s, time.Since(starts[s]))
	}})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(t0)
	var r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	cpu := time.Duration(r1.Utime.Nano()+r1.Stime.Nano()-r0.Utime.Nano()-r0.Stime.Nano()) * time.Nanosecond
	t.Logf("total wall %v, cpu %v, max rss %d MiB; graph %d MiB, %d edges", wall, cpu, r1.Maxrss>>10, g.MemoryBytes()>>20, g.NumEdges())
}
