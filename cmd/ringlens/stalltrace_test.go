package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestStallWatch: the watch writes nothing while the process is not
// ready; once it is, a collection and a stall (a threshold every tick
// passes) each write an execution trace named after them.
func TestStallWatch(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold time.Duration
		provoke   func()
		want      string
	}{
		{"collection", time.Hour, func() { runtime.GC() }, "-gc-"},
		{"stall", time.Nanosecond, func() {}, "-stall-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			var ready atomic.Bool
			var logged syncBuffer
			done, err := startStallWatch(ctx, dir, "test", tc.threshold, ready.Load, zerolog.New(&logged))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { cancel(); <-done }()
			runtime.GC()
			time.Sleep(2 * stallReadyPoll)
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Fatalf("%d traces written before the process was ready", len(files))
			}
			ready.Store(true)
			time.Sleep(2 * stallReadyPoll) // the recorder starts
			tc.provoke()
			// The trace of what was provoked (a collection of the
			// runtime's own may come first, on a loaded machine).
			deadline := time.Now().Add(10 * time.Second)
			name := ""
			for name == "" {
				files, _ := os.ReadDir(dir)
				for _, f := range files {
					if strings.Contains(f.Name(), tc.want) {
						name = f.Name()
					}
				}
				if name == "" && time.Now().After(deadline) {
					t.Fatalf("no %s trace written (%d files): %s", tc.want, len(files), logged.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			// Numbered from 1: not necessarily the first, when the
			// runtime's own collection was traced before it.
			if !strings.HasPrefix(name, "test-") || strings.HasPrefix(name, "test-0") || !strings.HasSuffix(name, ".trace") {
				t.Fatalf("trace named %s, want test-N…%s….trace", name, tc.want)
			}
			for !strings.Contains(logged.String(), name+`","bytes"`) { // written and closed
				if time.Now().After(deadline) {
					t.Fatalf("%s not logged as written: %s", name, logged.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.HasPrefix(data, []byte("go 1.")) {
				t.Fatalf("not an execution trace (%d bytes, %v)", len(data), err)
			}
			if !strings.Contains(logged.String(), "/gc/scan/heap:bytes") {
				t.Errorf("the log does not say what the collector scanned: %s", logged.String())
			}
		})
	}
}
