package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
)

// Full runs in a process of their own.
//
// A full run in the serving process shares its heap and its processors
// with the checks: the collector marks the full run's allocations beside
// them and the checks wait (docs/api.md, issue 15's measurements). A
// server can instead hand its work to a successor process that loaded
// the dataset and the claims log as a restart would and ran the full run
// at a priority that yields to the server:
//
//  1. The serving server, when a full run is due, calls
//     Config.FullRunApart instead of running it; the caller starts the
//     successor (a New server with Config.Successor) in another process.
//  2. The successor reads the claims log without writing to it
//     (the serving server is still appending), loads, builds and detects,
//     then calls Successor.Ready, which asks the serving server to
//     HandOver and returns its HandOff.
//  3. HandOver stops the serving server's intake (POST /api/v1/claims and
//     followed files answer errHandedOver, 503, "retry") and closes its
//     claims log; its checks and reads go on.
//  4. The successor opens the claims log for writing, records the claims
//     logged since it read it, keeps the ring ids of the HandOff's rings,
//     scores those claims into its full run (as any full run adopts the
//     claims accepted while it ran), and calls Successor.Adopted: the
//     caller starts serving it and retires the old process.
//
// If the successor fails after step 3, Resume gives the serving server
// its intake back.

// HandOff is what a serving server passes to its successor (HandOver):
// the counters its status continues and the rings whose ids it keeps.
// The claims themselves are in the claims log.
type HandOff struct {
	// NextID is the next fresh ring number.
	NextID int `json:"next_id"`
	// Generation, FullRuns, Updates and StaffAlerts continue the status's.
	Generation  int `json:"generation"`
	FullRuns    int `json:"full_runs"`
	Updates     int `json:"updates"`
	StaffAlerts int `json:"staff_alerts"`
	// Rings are the reported rings, best first, without evidence: the
	// successor's full run keeps their ids for the rings it finds again
	// and reports what became of the changed ones (notices).
	Rings []findings.Ring `json:"rings"`
}

// Successor makes a server the successor of another process's
// (Config.Successor): both functions are required.
type Successor struct {
	// Ready is called once the successor's first full run has finished;
	// it returns the serving server's HandOff once that server stopped its
	// intake and closed the claims log (step 3 above).
	Ready func(ctx context.Context) (*HandOff, error)
	// Adopted is called once the successor has taken the claims logged
	// since it started into its findings: it may serve now.
	Adopted func()
}

// errHandedOver refuses intake once the server handed its work to a
// successor process.
var errHandedOver = errors.New("the server is handing over to a new process after a full run; retry in a moment")

// handOverReq asks the Run loop for a HandOff between two updates.
type handOverReq struct {
	reply chan *HandOff
}

// HandOver stops intake, closes the claims log and returns what a
// successor needs to continue. Checks and reads are served on. It fails
// without a claims log (the successor would not see the claims posted
// since start), after an earlier HandOver, and when ctx ends before the
// Run loop answers (Run not running, or an update that outlasts ctx).
// When closing the log fails, intake stays stopped: Resume gives it back.
func (s *Server) HandOver(ctx context.Context) (*HandOff, error) {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if s.handedOver {
		return nil, errors.New("server: hand over: already handed over")
	}
	if s.wal == nil {
		return nil, errors.New("server: hand over: no claims log (a state directory is required)")
	}
	req := handOverReq{reply: make(chan *HandOff, 1)}
	select {
	case s.handOver <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var h *HandOff
	select {
	case h = <-req.reply:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	err := s.wal.close()
	s.wal, s.handedOver = nil, true
	if err != nil {
		return nil, fmt.Errorf("server: hand over: close claims log: %w", err)
	}
	return h, nil
}

// resumeLockWait is how long Resume waits for the claims log's lock.
const resumeLockWait = 2 * time.Second

// Resume gives intake back after a HandOver whose successor failed: the
// claims log is opened again (a successor that died in the middle of a
// write leaves a torn record, cut as at start-up).
func (s *Server) Resume() error {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if !s.handedOver {
		return nil
	}
	// The successor has ended (a process's end releases the log's lock),
	// or still holds the log and intake stays with it.
	s.mu.RLock()
	at := s.loggedAt
	s.mu.RUnlock()
	w, recs, err := openWALWait(s.cfg.StateDir, s.warnf, resumeLockWait, at)
	if err != nil {
		return fmt.Errorf("server: resume: %w", err)
	}
	if len(recs) != 0 {
		w.close()
		return fmt.Errorf("server: resume: the claims log holds %d batches more than this server accepted: another process wrote to it", len(recs))
	}
	s.wal, s.handedOver = w, false
	s.logf("intake resumed: the successor process did not take over")
	return nil
}

// handOff returns the HandOff of the current state; called by the Run
// loop between updates.
func (s *Server) handOff() *HandOff {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := &HandOff{NextID: s.nextID, Generation: s.status.Generation, FullRuns: s.status.FullRuns,
		Updates: s.status.Updates, StaffAlerts: s.status.StaffAlerts, Rings: make([]findings.Ring, 0, len(s.snap.order))}
	for _, id := range s.snap.order {
		r := *s.snap.ring[id]
		r.Evidence = nil
		h.Rings = append(h.Rings, r)
	}
	return h
}

// takeOver is the successor's step 4 before its first findings are
// adopted: it waits for the HandOff, opens the claims log for writing,
// records the claims logged since New read it and continues the
// predecessor's counters and ring ids.
func (s *Server) takeOver(ctx context.Context) error {
	h, err := s.cfg.Successor.Ready(ctx)
	if err != nil {
		return fmt.Errorf("take over: %w", err)
	}
	// Only what was logged since New read the log is read (and parsed):
	// a successor takes over in the same time whatever the log's length.
	s.mu.RLock()
	at := s.loggedAt
	s.mu.RUnlock()
	w, recs, err := openWALWait(s.cfg.StateDir, s.warnf, walLockWait, at)
	if err != nil {
		return fmt.Errorf("take over: %w", err)
	}
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range recs {
		s.record(rec.batch())
		if m := rec.Follow; m != nil {
			s.marks[m.Name] = m
		}
	}
	s.logf("took over: %d batches logged while the full run ran", len(recs))
	s.loggedAt = w.size
	s.wal = w
	s.nextID = h.NextID
	s.status.Generation, s.status.FullRuns, s.status.Updates, s.status.StaffAlerts = h.Generation, h.FullRuns, h.Updates, h.StaffAlerts
	old, err := newSnapshot(&findings.Findings{Rings: h.Rings}, nil)
	if err != nil {
		return fmt.Errorf("take over: rings handed over: %w", err)
	}
	s.snap = old
	return nil
}
