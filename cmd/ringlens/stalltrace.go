package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/trace"
	"time"

	"github.com/rs/zerolog"
)

// A stall watch keeps an execution trace of the last seconds of the
// process in memory (runtime/trace's flight recorder) and writes it to a
// file when something worth reading happened: a watchdog goroutine woke
// later than it asked by more than the threshold (the process, or the
// machine, stalled), or a garbage collection ended (the collector is the
// usual suspect for a tail of slow answers). Read the files with
// `go tool trace FILE`.
//
// The watch begins once the process serves (ready returns true): a
// process loading its city, or a full run at idle priority, stalls by
// design. It is a diagnostic, off by default: tracing costs a few
// percent of CPU.
type stallWatch struct {
	dir       string
	prefix    string        // file name prefix: the process's part
	threshold time.Duration // lateness of a watchdog tick that counts as a stall
	log       zerolog.Logger
	fr        *trace.FlightRecorder
}

// Settings of the stall watch.
const (
	// stallTick is how often the watchdog wakes.
	stallTick = 5 * time.Millisecond
	// stallWindow is how much execution the flight recorder keeps:
	// enough to hold a collection's mark phase and what led up to it.
	stallWindow = 4 * time.Second
	// stallWindowBytes caps the recorder's memory (a busy server traces
	// a few megabytes a second).
	stallWindowBytes = 256 << 20
	// stallAfter is how long the watch waits after a stall or a
	// collection before writing, so that the file shows its end too.
	stallAfter = time.Second
	// stallReadyPoll is how often the watch asks whether the process
	// serves yet.
	stallReadyPoll = 500 * time.Millisecond
	// maxStallTraces is how many files one process writes at most.
	maxStallTraces = 8
	// gcCyclesMetric counts the completed collections.
	gcCyclesMetric = "/gc/cycles/total:gc-cycles"
)

// startStallWatch starts the watch, which runs until ctx ends: once ready
// returns true, the flight recorder and its watchdog. Files are named
// DIR/PREFIX-N-REASON.trace. The channel returned is closed when the watch
// has ended.
func startStallWatch(ctx context.Context, dir, prefix string, threshold time.Duration, ready func() bool, log zerolog.Logger) (<-chan struct{}, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("stall trace: %w", err)
	}
	w := &stallWatch{dir: dir, prefix: prefix, threshold: threshold, log: log}
	done := make(chan struct{})
	go func() {
		defer close(done)
		poll := time.NewTicker(stallReadyPoll)
		defer poll.Stop()
		for !ready() {
			select {
			case <-ctx.Done():
				return
			case <-poll.C:
			}
		}
		w.fr = trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: stallWindow, MaxBytes: stallWindowBytes})
		if err := w.fr.Start(); err != nil {
			log.Warn().Err(err).Msg("stall trace")
			return
		}
		defer w.fr.Stop()
		w.watch(ctx)
	}()
	return done, nil
}

// watch is the watchdog's loop.
func (w *stallWatch) watch(ctx context.Context) {
	tick := time.NewTicker(stallTick)
	defer tick.Stop()
	sample := []metrics.Sample{{Name: gcCyclesMetric}}
	metrics.Read(sample)
	cycles := sample[0].Value.Uint64()
	last := time.Now()
	written := 0
	for written < maxStallTraces {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// time.Now, not the tick's value: a tick that waited during
			// the write below carries the time it was due.
			now := time.Now()
			late := now.Sub(last) - stallTick
			last = now
			metrics.Read(sample)
			reason := ""
			switch c := sample[0].Value.Uint64(); {
			case late >= w.threshold:
				reason = fmt.Sprintf("stall-%dms", late.Milliseconds())
			case c != cycles:
				reason = fmt.Sprintf("gc-%d", c)
			}
			cycles = sample[0].Value.Uint64()
			if reason == "" {
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(stallAfter):
			}
			written++
			w.write(fmt.Sprintf("%s-%d-%s.trace", w.prefix, written, reason))
			metrics.Read(sample)
			cycles = sample[0].Value.Uint64()
			last = time.Now()
		}
	}
}

// write writes the recorder's window to name in the watch's directory.
func (w *stallWatch) write(name string) {
	path := filepath.Join(w.dir, name)
	f, err := os.Create(path)
	if err != nil {
		w.log.Warn().Err(err).Msg("stall trace")
		return
	}
	n, err := w.fr.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.log.Warn().Err(err).Str("file", path).Msg("stall trace")
		return
	}
	ev := w.log.Info().Str("file", path).Int64("bytes", n)
	// How much the collector had to scan (pointers) against how much it
	// keeps.
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(sample)
	for _, m := range sample {
		if m.Value.Kind() == metrics.KindUint64 {
			ev = ev.Uint64(m.Name, m.Value.Uint64())
		}
	}
	ev.Msg("stall trace written")
}
