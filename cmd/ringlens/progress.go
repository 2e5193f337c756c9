package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// meter shows the progress of long steps: on a terminal one line rewritten
// in place, elsewhere a log event every few seconds. A step shorter than a
// second shows nothing. It is safe for concurrent use.
type meter struct {
	log   zerolog.Logger
	w     io.Writer
	tty   bool
	now   func() time.Time
	every time.Duration

	mu        sync.Mutex
	stage     string
	unit      string
	start     time.Time
	lastShown time.Time
	done      int64
	total     int64
	onLine    bool
}

func newMeter(log zerolog.Logger, w io.Writer, tty bool) *meter {
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	return &meter{log: log, w: w, tty: tty, now: time.Now, every: every}
}

// update records that stage has done of total units (total 0: unknown).
func (m *meter) update(stage, unit string, done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if stage != m.stage {
		m.finishLocked()
		m.stage, m.unit, m.start, m.lastShown = stage, unit, now, now
	}
	m.done, m.total = done, total
	if now.Sub(m.start) < time.Second || now.Sub(m.lastShown) < m.every {
		return
	}
	m.lastShown = now
	m.showLocked(now)
}

// finish ends the current stage's display (a terminal line gets its newline).
func (m *meter) finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finishLocked()
}

func (m *meter) finishLocked() {
	if m.onLine {
		m.showLocked(m.now())
		fmt.Fprintln(m.w)
		m.onLine = false
	}
	m.stage = ""
}

func (m *meter) showLocked(now time.Time) {
	elapsed := now.Sub(m.start)
	rate := float64(m.done) / elapsed.Seconds()
	if m.tty {
		pct := ""
		if m.total > 0 {
			pct = fmt.Sprintf("  %3.0f%%", 100*float64(m.done)/float64(m.total))
		}
		fmt.Fprintf(m.w, "\r\033[K%-22s %14s %s  %9s/s  %6.1fs%s", m.stage, humanCount(m.done), m.unit, humanRate(rate), elapsed.Seconds(), pct)
		m.onLine = true
		return
	}
	ev := m.log.Info().Str("stage", m.stage).Int64(m.unit, m.done).Str("rate", humanRate(rate)+" "+m.unit+"/s").Str("elapsed", roundDur(elapsed))
	if m.total > 0 {
		ev = ev.Int64("total", m.total)
	}
	ev.Msg("progress")
}
