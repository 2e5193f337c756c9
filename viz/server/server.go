package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// Defaults of Config.
const (
	DefaultQueueSize = 1024
	DefaultMaxBody   = 8 << 20
	DefaultDebounce  = 500 * time.Millisecond
	DefaultPoll      = 2 * time.Second
	DefaultFullEvery = 10 * time.Minute
	// DefaultUpdateNice: updates and full runs are scheduled well below
	// checks, though not at the lowest priority (other processes of the
	// machine at nice 19 still yield to them).
	DefaultUpdateNice = 10
)

// Loader reads the base dataset into fresh tables. It is called once at
// start-up and, with Config.FullRunReload, again for every background full
// run, so it must return tables not shared with any earlier call. workers, when positive, bounds the
// goroutines it reads with (0: as many as it likes); progress, when not
// nil, reports its stages.
type Loader func(ctx context.Context, workers int, progress func(stage string, done, total int64)) (*graph.Tables, error)

// Config configures a Server.
type Config struct {
	// Load reads the base dataset (required).
	Load Loader
	// Detect holds the rules and seed of detection; its Progress is
	// replaced by the server's.
	Detect rings.Options
	// Token, when not empty, is required on every request, as
	// "Authorization: Bearer TOKEN", a ?token=TOKEN query parameter or the
	// cookie set by a request that carried the token in the query.
	Token string
	// AllowOrigins lists extra origins ("https://host:port") allowed on the
	// websocket and on non-GET requests besides the request's own host.
	AllowOrigins []string
	// Static is served at /; nil serves a minimal placeholder page.
	Static fs.FS
	// FollowDir, when not empty, is polled for *.jsonl files of visits and
	// fee lines, whose complete lines are fed like POST /api/v1/claims.
	FollowDir string
	// StateDir, when not empty, is the workspace directory: the claims log
	// (claims.wal), replayed by New, and the read positions of followed
	// files (follow.json). Without it accepted claims live in memory only.
	StateDir string
	// Workspace, when not nil, is the investigator's workspace, served at
	// /api/v1/cases (read and updated); without it those answer 404. Once
	// it has users, the API requires a login (auth.go): sessions, CSRF
	// tokens, roles, reveals and the audit of views and exports. The
	// caller opens and closes it.
	Workspace *workspace.Workspace
	// ListenAddr is the address the server listens on (host:port, as
	// net.Listener.Addr reports it). Requests whose Host header names
	// neither it (nor, for a loopback or unspecified address, localhost,
	// 127.0.0.1 or [::1] with its port) nor one of AllowedHosts are
	// refused with 421. When empty, only loopback names (any port) are
	// allowed.
	ListenAddr string
	// AllowedHosts lists extra names the server may be reached by, such as
	// a reverse proxy's: "viz.example" (with the listen port or none) or
	// "viz.example:8443" (exactly).
	AllowedHosts []string
	// QueueSize bounds each websocket client's queue (DefaultQueueSize
	// when <= 0).
	QueueSize int
	// MaxBody bounds request bodies in bytes (DefaultMaxBody when <= 0).
	MaxBody int64
	// Debounce is how long incremental scoring waits for more claims after
	// new ones arrive (DefaultDebounce when <= 0).
	Debounce time.Duration
	// FullEvery is how often a full run (load, build, detect over the
	// whole city, in the background) catches up with the claims scored
	// incrementally since the last one; it runs only when there are such
	// claims (DefaultFullEvery when 0; never when < 0).
	FullEvery time.Duration
	// UpdateNice is how much lower than the rest of the process the
	// threads scoring updates and running background full runs are
	// scheduled (the Linux nice value they add; DefaultUpdateNice when 0,
	// none when < 0): on a machine whose cores are all busy, checks come
	// first. Goroutines a full run starts for parallel stages keep the
	// process's priority.
	UpdateNice int
	// FullRunWorkers bounds the goroutines of a background full run's
	// parallel stages (load, build, detect): GOMAXPROCS − 1 when 0 (at
	// least 1), so that a core stays with the checks answered meanwhile
	// (a lower thread priority cannot keep goroutines of the full run off
	// the Go scheduler's processors); GOMAXPROCS when < 0. The run at
	// start-up, with nothing to answer yet, uses GOMAXPROCS.
	FullRunWorkers int
	// FullRunReload makes every background full run read the dataset
	// again (Load) and add the accepted claims to it, which picks up a
	// dataset replaced on disk since start-up, at the cost of a second copy
	// of the city in memory while it runs. By default a background full run
	// detects on a Snapshot of the served tables, which already hold every
	// claim applied, and adopting it keeps them.
	FullRunReload bool
	// onFullRun, when not nil, is called as a background full run starts,
	// with its workers; an error fails the run (tests).
	onFullRun func(workers int) error
	// Poll is the FollowDir polling interval (DefaultPoll when <= 0).
	Poll time.Duration
	// Logf, when not nil, receives operational messages. They never carry
	// personal data.
	Logf func(format string, args ...any)
	// CheckPolicy is the decision policy of POST /api/v1/check
	// (check.DefaultPolicy when it has no rows; serve --check-policy).
	CheckPolicy check.Policy
	// Warnf, when not nil, receives warnings (a torn record cut from the
	// claims log, problems of followed files); Logf when nil.
	Warnf func(format string, args ...any)
	// FullRunApart, when not nil, is called instead of running a due
	// background full run in this process (handover.go): the caller
	// starts a successor process and has this server HandOver once the
	// successor is ready. It must return at once; it is called again at
	// every FullEvery while the full run is still due.
	FullRunApart func()
	// Successor, when not nil, starts the server as the successor of a
	// serving process (handover.go): New reads the claims log without
	// writing to it and Run takes over after its first full run.
	// StateDir is required.
	Successor *Successor
}

// Status is the server's state as reported by stats messages and
// GET /api/v1/status.
type Status struct {
	Type string `json:"type"` // always "stats"
	// Ready is true once the first detection has finished.
	Ready bool `json:"ready"`
	// Generation counts published findings: 1 after start-up, then one
	// more for every incremental update and every full run.
	Generation int `json:"generation"`
	// FullRuns counts finished full runs (1 after start-up); Updates the
	// incremental updates.
	FullRuns int `json:"full_runs"`
	Updates  int `json:"updates"`
	// Stage is the current stage ("" when idle), Error the last failure.
	Stage string `json:"stage"`
	Error string `json:"error,omitempty"`
	// Rings, Visits, FeeLines and Nodes describe the current findings and
	// graph.
	Rings int `json:"rings"`
	// RingsNotReported counts the rings beyond max_rings
	// (findings.Findings.RingsNotReported), absent when none.
	RingsNotReported int `json:"rings_not_reported,omitempty"`
	Visits           int `json:"visits"`
	FeeLines         int `json:"fee_lines"`
	Nodes            int `json:"nodes"`
	// Accepted counts claim rows accepted since start (visits + fee lines);
	// Pending those not yet scored; Incremental those scored only
	// incrementally, not yet by a full run.
	Accepted    int `json:"accepted_rows"`
	Pending     int `json:"pending_rows"`
	Incremental int `json:"incremental_rows"`
	// Replayed counts the rows replayed from the claims log at start-up
	// (they are part of Accepted).
	Replayed int `json:"replayed_rows"`
	// Clients is the number of connected websocket clients.
	Clients int `json:"clients"`
	// StaffAlerts counts the claims accepted since start whose attending
	// or billing doctor was suspended or terminated on the claim's date
	// (one per visit and doctor; alert messages of the stream).
	StaffAlerts int `json:"staff_alerts"`
	// FollowProblems lists followed files that need attention (rejected
	// rows, rewritten or truncated files, a partial last line); omitted
	// when none.
	FollowProblems []FollowProblem `json:"follow_problems,omitempty"`
}

// FollowProblem is a followed file that is not fully read.
type FollowProblem struct {
	File string `json:"file"`
	// State is "rejected" (a row failed validation: fix the file and it is
	// retried), "rewritten" or "truncated" (bytes already read changed:
	// the file is no longer read; drop new rows in a new file),
	// "partial_line" (the last line has no newline yet), "too_long" (a
	// line beyond the limit) or "error" (reading or storing failed; retried).
	State string `json:"state"`
	// Offset is the byte offset read up to, Line the number of lines read.
	Offset int64 `json:"offset"`
	Line   int   `json:"line"`
	// Error describes the problem (row and field for rejected rows; never
	// values).
	Error string `json:"error,omitempty"`
}

// Server serves the live web view. Create it with New, serve its Handler
// and call Run.
//
// Locks: dataMu guards the contents of the current tables and graph (Run
// appends accepted claims to the tables; API handlers read them under
// dataMu.RLock, taken by Handler); scoreMu guards the current findings'
// entity scores, which incremental scoring (rings.Live.Add) updates in
// place while it holds dataMu only for reading, so that checks, which
// read the tables but no entity score, never wait for it; mu guards the
// fields below it and the order of published messages. Whoever needs
// several takes them in that order: dataMu, scoreMu, mu.
type Server struct {
	cfg Config
	mux *http.ServeMux

	dataMu  sync.RWMutex
	scoreMu sync.RWMutex

	// intakeMu serialises accepted batches: validation, the claims log
	// and recording happen in one order.
	intakeMu sync.Mutex
	wal      *wal                   // nil without a state directory
	wsReads  *wsCache               // the workspace's staff registers and open cases, read every wsRefresh
	marks    map[string]*followMark // follow positions replayed from the log; read by follow only
	access   *access                // allowed hosts and origins

	mu       sync.RWMutex
	g        *graph.Graph
	snap     *snapshot
	status   Status
	clients  map[*client]struct{}
	visits   []claims.Visit   // accepted visits, in order
	fees     []claims.FeeLine // accepted fee lines, in order
	visitIDs map[string]bool  // mdtrt_id of accepted visits
	feeKeys  map[string]bool  // mdtrt_id + "\x00" + feedetl_sn of accepted fee lines
	closed   bool
	// loggedAt is the byte offset in the claims log where the batches
	// recorded (replayed, accepted or taken over) end; handedOver is set
	// by HandOver, under intakeMu, and refuses intake.
	loggedAt   int64
	handedOver bool
	handOver   chan handOverReq // HandOver's requests to the Run loop
	closeOnce  sync.Once
	running    atomic.Bool   // Run has been called
	kick       chan struct{} // wakes the Run loop

	// recentAlerts are the latest staff alerts (at most maxRecentAlerts),
	// sent to a client on connect; guarded by mu.
	recentAlerts []alertMsg

	// Written by the Run goroutine only (applied and inFull under mu,
	// which statusLocked reads).
	live    *rings.Live
	totals  liveTotals // the current graph's incremental node totals; written under dataMu
	applied cursor     // accepted claims applied to the current tables
	inFull  cursor     // accepted claims in the current full run's tables
	nextID  int        // next fresh ring number
}

// cursor counts accepted visits and fee lines.
type cursor struct{ visits, fees int }

// rows returns the rows counted.
func (c cursor) rows() int { return c.visits + c.fees }

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Load == nil {
		return nil, errors.New("server: Config.Load is required")
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.FullEvery == 0 {
		cfg.FullEvery = DefaultFullEvery
	}
	if cfg.UpdateNice == 0 {
		cfg.UpdateNice = DefaultUpdateNice
	}
	s := &Server{
		cfg:      cfg,
		snap:     emptySnapshot(),
		clients:  make(map[*client]struct{}),
		visitIDs: make(map[string]bool),
		feeKeys:  make(map[string]bool),
		kick:     make(chan struct{}, 1),
		handOver: make(chan handOverReq),
		wsReads:  newWSCache(cfg.Workspace),
	}
	s.status.Type = "stats"
	s.status.Stage = "starting"
	if err := CheckToken(cfg.Token); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	acc, err := newAccess(cfg.ListenAddr, cfg.AllowedHosts, cfg.AllowOrigins)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.access = acc
	if cfg.Successor != nil && cfg.StateDir == "" {
		return nil, errors.New("server: a successor needs the state directory of the claims log")
	}
	if cfg.StateDir != "" {
		if err := s.replay(); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	}
	s.routes()
	return s, nil
}

// replay opens the claims log of the state directory and records its
// batches as accepted, before anything is served.
func (s *Server) replay() error {
	if err := os.MkdirAll(s.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	var recs []*walRecord
	if s.cfg.Successor != nil {
		var err error
		if recs, s.loggedAt, err = readWAL(s.cfg.StateDir); err != nil { // opened for writing at the take-over
			return err
		}
	} else {
		w, all, err := openWAL(s.cfg.StateDir, s.warnf)
		if err != nil {
			return err
		}
		s.wal, recs, s.loggedAt = w, all, w.size
	}
	s.marks = make(map[string]*followMark)
	for _, rec := range recs {
		s.record(rec.batch())
		if m := rec.Follow; m != nil {
			s.marks[m.Name] = m
		}
	}
	s.status.Replayed = len(s.visits) + len(s.fees)
	if len(recs) > 0 {
		s.logf("claims log: replayed %d batches, %d visits and %d fee lines", len(recs), len(s.visits), len(s.fees))
	}
	return nil
}

// Close releases the claims log. Call it after Run has returned and the
// HTTP server has stopped; later intake fails.
func (s *Server) Close() error {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if s.wal == nil {
		return nil
	}
	err := s.wal.close()
	s.wal.broken = errWALBroken
	if err != nil {
		return fmt.Errorf("close claims log: %w", err)
	}
	return nil
}

// Handler returns the HTTP handler of the server: the API under /api/v1/
// and the static web app at /, behind the token check when a token is set
// and the login (authorize) when the workspace has users.
func (s *Server) Handler() http.Handler { return s.guard(s.authorize(s.readLocked(s.mux))) }

// readLocked serves the API's reads of the graph under dataMu.RLock and
// of the entity scores under scoreMu.RLock, so that Run can append claims
// to the tables and re-score entities between requests. The reply is
// built in memory under the lock and written to the network after it is
// released: a client that does not read cannot hold the lock (and so stall
// updates and, behind them, every other reader). The stream (long-lived,
// reads only snapshots) and POST /api/v1/claims (which locks for itself)
// are served without it.
func (s *Server) readLocked(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || r.URL.Path == "/api/v1/stream" || r.Method == http.MethodPost ||
			strings.HasPrefix(r.URL.Path, "/api/v1/cases") || r.URL.Path == "/api/v1/audit" || r.URL.Path == "/api/v1/session" { // the workspace, not the graph: no data lock
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedReply{header: make(http.Header)}
		s.dataMu.RLock()
		s.scoreMu.RLock()
		next.ServeHTTP(buf, r)
		s.scoreMu.RUnlock()
		s.dataMu.RUnlock()
		buf.writeTo(w)
	})
}

// bufferedReply is an http.ResponseWriter that keeps the reply in memory.
type bufferedReply struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

// Header returns the reply's header.
func (b *bufferedReply) Header() http.Header { return b.header }

// WriteHeader records the status code.
func (b *bufferedReply) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

// Write appends to the body.
func (b *bufferedReply) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// writeTo sends the reply to w.
func (b *bufferedReply) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	if b.code == 0 {
		b.code = http.StatusOK
	}
	w.WriteHeader(b.code)
	_, _ = w.Write(b.body.Bytes())
}

// Timeouts of HTTPServer. The websocket stream, once upgraded, is exempt
// from them and keeps its own write deadline per message (writeWait).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 120 * time.Second
	IdleTimeout       = 120 * time.Second
)

// HTTPServer returns an http.Server serving Handler with timeouts, so that
// a client that stalls while sending or receiving is cut off.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}

// logf logs through Config.Logf when set.
func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// warnf warns through Config.Warnf, or Config.Logf when it is not set.
func (s *Server) warnf(format string, args ...any) {
	if s.cfg.Warnf != nil {
		s.cfg.Warnf(format, args...)
		return
	}
	s.logf("warning: "+format, args...)
}

// Run loads the dataset, builds the graph and detects rings, streaming
// progress and rings to clients. Then, until ctx is cancelled, it scores
// accepted claims incrementally (rings.Live: only the rings the new rows
// touch are re-scored, and changed rings are published) and, every
// FullEvery while some claims were scored only incrementally, runs a full
// pass in the background over the base dataset and every accepted claim
// (on a snapshot of the current tables, or reloaded with
// Config.FullRunReload), whose findings replace the incremental ones when
// it finishes; with Config.FullRunApart the full run is asked of a
// successor process instead, and with Config.Successor this server is that
// successor, taking over after its first full run (handover.go). FollowDir
// is polled when set. Run returns the error of the first load, build or
// detection, or nil on cancellation; later failures are reported in the
// status, not returned. Run closes every websocket client when it returns.
// It may be called once.
func (s *Server) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("server: Run called twice")
	}
	defer s.shutdown()
	// Claims replayed from the log join the first full run.
	s.mu.RLock()
	replayed := cursor{len(s.visits), len(s.fees)}
	s.mu.RUnlock()
	first, err := s.fullRun(ctx, replayed, 0)
	if err == nil {
		// The start-up run's garbage (loading, building and detecting:
		// gigabytes at 10M visits) is collected and its memory returned
		// now, before anything is answered (in a successor, at idle
		// priority), rather than by collections beside the checks: the
		// first serving process of the 10M city held 4.9 GiB after
		// start-up (resident), and 3.5 GiB since.
		debug.FreeOSMemory()
	}
	if err == nil && s.cfg.Successor != nil {
		err = s.takeOver(ctx)
	}
	if err == nil {
		err = s.adopt(ctx, first)
	}
	if err == nil && s.cfg.Successor != nil {
		s.cfg.Successor.Adopted()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return s.fail(err)
	}
	if s.cfg.FollowDir != "" {
		var wg sync.WaitGroup
		wg.Go(func() { s.follow(ctx) })
		defer wg.Wait() // runs before shutdown: the poller stops first
	}
	updates := s.startUpdater()
	defer updates.stop()
	var (
		fullTick  <-chan time.Time
		fullDone  chan fullResult
		debounced <-chan time.Time
	)
	if s.cfg.FullEvery > 0 {
		tk := time.NewTicker(s.cfg.FullEvery)
		defer tk.Stop()
		fullTick = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			if fullDone != nil {
				<-fullDone
			}
			return nil
		case <-s.kick:
			if debounced == nil {
				debounced = time.After(s.cfg.Debounce)
			}
		case <-debounced:
			debounced = nil
			var err error
			updates.do(func() { err = s.incremental(ctx) })
			if err != nil && ctx.Err() == nil {
				s.logf("incremental scoring failed: %v", s.fail(err))
			}
		case req := <-s.handOver:
			updates.do(func() { req.reply <- s.handOff() })
		case <-fullTick:
			if fullDone != nil || s.applied == s.inFull {
				continue // one full run at a time, and only to catch up
			}
			if s.cfg.FullRunApart != nil {
				s.cfg.FullRunApart() // in a successor process
				continue
			}
			fullDone = make(chan fullResult, 1)
			upto := s.applied
			// The updater is idle (this loop waits for every update), so
			// the tables hold exactly the claims up to upto: the full run
			// detects on a snapshot of them instead of loading the city
			// again, while updates go on appending to them.
			var base *graph.Tables
			started := time.Now()
			if !s.cfg.FullRunReload {
				base = s.g.Tables().Snapshot()
			}
			snapshotTook := time.Since(started)
			go func() {
				s.lowerPriority("full run")
				r, err := s.backgroundRun(ctx, base, upto)
				if err != nil {
					r = &fullResult{err: err}
				}
				r.started, r.snapshotTook = started, snapshotTook
				fullDone <- *r
			}()
		case r := <-fullDone:
			fullDone = nil
			err := r.err
			if err == nil {
				updates.do(func() { err = s.adopt(ctx, &r) })
			}
			if err != nil && ctx.Err() == nil {
				s.logf("full run failed: %v", s.fail(err))
			}
		}
	}
}

// updater runs the Run loop's updates, one at a time, on a goroutine of
// its own whose thread is scheduled below the rest of the process
// (Config.UpdateNice).
type updater struct {
	work chan func()
	done chan struct{}
}

// startUpdater starts the server's updater.
func (s *Server) startUpdater() *updater {
	u := &updater{work: make(chan func()), done: make(chan struct{})}
	go func() {
		defer close(u.done)
		s.lowerPriority("incremental updates")
		for fn := range u.work {
			fn()
		}
	}()
	return u
}

// do runs fn on the updater and waits for it.
func (u *updater) do(fn func()) {
	ran := make(chan struct{})
	u.work <- func() { fn(); close(ran) }
	<-ran
}

// stop ends the updater's goroutine, and its thread with it.
func (u *updater) stop() {
	close(u.work)
	<-u.done
}

// lowerPriority schedules the calling goroutine's thread, for good,
// Config.UpdateNice below the process (see lowerThreadPriority); call it
// only on a goroutine that ends with its work. A failure is logged once
// per call and the work runs at the process's priority.
func (s *Server) lowerPriority(what string) {
	if s.cfg.UpdateNice < 0 {
		return
	}
	if err := lowerThreadPriority(s.cfg.UpdateNice); err != nil {
		s.logf("%s run at the process's priority: %v", what, err)
	}
}

// fail records err in the status and publishes it; it returns err.
func (s *Server) fail(err error) error {
	s.mu.Lock()
	s.status.Stage = ""
	s.status.Error = err.Error()
	s.broadcastLocked(mustJSON(s.statusLocked()))
	s.mu.Unlock()
	return err
}

// shutdown closes every client once.
func (s *Server) shutdown() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for c := range s.clients {
			c.close()
			delete(s.clients, c)
		}
		s.status.Clients = 0
		s.mu.Unlock()
	})
}

// progress publishes a progress message and records the stage.
func (s *Server) progress(stage string, done, total int64) {
	msg := mustJSON(progressMsg{Type: "progress", Stage: stage, Done: done, Total: total})
	s.mu.Lock()
	s.status.Stage = stage
	s.broadcastLocked(msg)
	s.mu.Unlock()
}

// fullResult is a finished full run: tables holding the base dataset and
// the accepted claims up to upto, their graph and detection. snapshot
// marks tables that are a Snapshot of the current ones, which adopt makes
// the run read instead (the claims since upto are in them already).
type fullResult struct {
	t        *graph.Tables
	g        *graph.Graph
	live     *rings.Live
	upto     cursor
	snapshot bool
	// started is when a background run was asked for (zero for the
	// first run), snapshotTook how long the Snapshot of the tables it
	// detects on took.
	started      time.Time
	snapshotTook time.Duration
	err          error
}

// claimsUpTo returns the accepted claims from a to b.
func (s *Server) claimsUpTo(a, b cursor) ([]claims.Visit, []claims.FeeLine) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.visits[a.visits:b.visits:b.visits], s.fees[a.fees:b.fees:b.fees]
}

// fullRun loads the base tables, adds the accepted claims up to upto,
// builds the graph and detects rings over the whole city, on at most
// workers goroutines at a time when positive. It shares nothing with the
// current tables, so it may run beside incremental scoring.
func (s *Server) fullRun(ctx context.Context, upto cursor, workers int) (*fullResult, error) {
	t, err := s.cfg.Load(ctx, workers, func(stage string, done, total int64) { s.progress("load "+stage, done, total) })
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	visits, fees := s.claimsUpTo(cursor{}, upto)
	applyClaims(t, visits, fees)
	return s.detectOn(ctx, t, upto, workers)
}

// backgroundRun is a background full run up to upto: on base, a Snapshot
// of the current tables, or, when base is nil, on the dataset loaded again
// (Config.FullRunReload).
func (s *Server) backgroundRun(ctx context.Context, base *graph.Tables, upto cursor) (*fullResult, error) {
	workers := s.backgroundWorkers()
	if s.cfg.onFullRun != nil {
		if err := s.cfg.onFullRun(workers); err != nil {
			return nil, err
		}
	}
	if base == nil {
		return s.fullRun(ctx, upto, workers)
	}
	r, err := s.detectOn(ctx, base, upto, workers) // nothing to load
	if err != nil {
		return nil, err
	}
	r.snapshot = true
	return r, nil
}

// detectOn builds the graph of t, which holds the accepted claims up to
// upto, and detects rings over the whole city, on at most workers
// goroutines at a time when positive.
func (s *Server) detectOn(ctx context.Context, t *graph.Tables, upto cursor, workers int) (*fullResult, error) {
	s.progress("build", 0, 1)
	g, err := graph.Build(ctx, t, graph.BuildOptions{
		Progress: func(stage string, done, total int64) { s.progress("build "+stage, done, total) },
		Workers:  workers,
	})
	if err != nil {
		return nil, fmt.Errorf("build graph: %w", err)
	}
	opt := s.cfg.Detect
	opt.Progress = func(stage string, done, total int64) { s.progress("detect "+stage, done, total) }
	if workers > 0 {
		opt.Workers = workers
	}
	live, err := rings.DetectLive(ctx, g, opt)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	live.Prepare() // here, not in the first update beside checks
	return &fullResult{t: t, g: g, live: live, upto: upto}, nil
}

// backgroundWorkers returns the goroutines a background full run of this
// process may use (BackgroundWorkers of Config.FullRunWorkers).
func (s *Server) backgroundWorkers() int {
	return BackgroundWorkers(s.cfg.FullRunWorkers, runtime.GOMAXPROCS(0))
}

// BackgroundWorkers returns the goroutines a background full run may use
// for a Config.FullRunWorkers of workers in a process of procs processors
// (GOMAXPROCS): workers when positive, procs − 1 (at least 1) when 0, and
// 0 (no bound) when negative.
func BackgroundWorkers(workers, procs int) int {
	switch {
	case workers > 0:
		return workers
	case workers < 0:
		return 0
	}
	return max(1, procs-1)
}

// newID names a ring found for the first time.
func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprintf("R%03d", s.nextID-1)
}

// adopt makes a full run current: its ring ids continue those of the
// current findings, the claims accepted while it ran are scored into it
// incrementally, and the differences are published.
func (s *Server) adopt(ctx context.Context, r *fullResult) error {
	s.mu.RLock()
	old := s.snap
	s.mu.RUnlock()
	stableIDs(old, r.live.Findings(), &s.nextID)
	r.live.SyncIDs()
	// Claims accepted while the full run ran: the new tables are not
	// shared yet, so no lock is needed to add them.
	s.mu.RLock()
	now := cursor{len(s.visits), len(s.fees)}
	s.mu.RUnlock()
	visits, fees := s.claimsUpTo(r.upto, now)
	if r.snapshot {
		// The run detected on a snapshot of the current tables, to which
		// incremental updates have appended these claims since: it goes on
		// with the current tables. Claims no update applied (scoring
		// paused after a failure) are applied now, beside the readers of
		// the tables, and counted as applied at once, so that a failure
		// below leaves them to the current Live, not to be applied twice.
		t := s.g.Tables()
		if s.applied != now {
			pv, pf := s.claimsUpTo(s.applied, now)
			s.dataMu.Lock()
			applyClaims(t, pv, pf)
			s.dataMu.Unlock()
			s.mu.Lock()
			s.applied = now
			s.mu.Unlock()
		}
		if err := r.live.UseTables(t); err != nil {
			return err
		}
		r.t = t
	} else {
		applyClaims(r.t, visits, fees)
	}
	totals := liveTotals{}
	totals.add(r.g, visits)
	up, err := r.live.Add(ctx, s.newID)
	if err != nil {
		return err
	}
	stampChanges(up.Findings, time.Now())
	snap, err := newSnapshot(up.Findings, nil) // new tables: nothing to reuse
	if err != nil {
		return err
	}
	notices := fullRunNotices(old, snap)
	msgs := diff(old, snap) // only this goroutine replaces s.snap
	s.dataMu.Lock()
	s.mu.Lock()
	s.g, s.live, s.totals, s.applied, s.inFull = r.g, r.live, totals, now, r.upto
	s.status.FullRuns++
	s.publishLocked(snap, r.t, msgs)
	for _, n := range notices {
		s.broadcastLocked(mustJSON(n))
	}
	s.mu.Unlock()
	s.dataMu.Unlock()
	switch {
	case r.started.IsZero():
		s.logf("full run %d: %d rings", s.status.FullRuns, len(up.Findings.Rings))
	case r.snapshot:
		s.logf("full run %d: %d rings, adopted %v after it began (snapshot of the tables: %v)", s.status.FullRuns,
			len(up.Findings.Rings), time.Since(r.started).Round(time.Millisecond), r.snapshotTook.Round(time.Microsecond))
	default:
		s.logf("full run %d: %d rings, adopted %v after it began", s.status.FullRuns,
			len(up.Findings.Rings), time.Since(r.started).Round(time.Millisecond))
	}
	for _, n := range notices {
		s.logf("%s", vocab.RenderIn(vocab.Notices, n.Code, n.Params, vocab.LangEn))
	}
	return nil
}

// incremental applies the claims accepted since the last update to the
// current tables and scores them with rings.Live, publishing the rings
// they change.
func (s *Server) incremental(ctx context.Context) error {
	s.mu.RLock()
	now := cursor{len(s.visits), len(s.fees)}
	s.mu.RUnlock()
	if now == s.applied || s.live == nil {
		return nil
	}
	visits, fees := s.claimsUpTo(s.applied, now)
	s.progress("incremental", 0, int64(len(visits)))
	start := time.Now()
	// Appending to the tables excludes every reader of the graph, for as
	// long as the appending takes; Live.Add then only reads the tables
	// (dataMu.RLock, beside checks and the API's reads) and updates the
	// current entities in place, which excludes the API's reads
	// (scoreMu) but not checks, which read no entity score.
	s.dataMu.Lock()
	applyClaims(s.g.Tables(), visits, fees)
	s.totals.add(s.g, visits)
	s.dataMu.Unlock()
	appended := time.Since(start)
	s.dataMu.RLock()
	s.scoreMu.Lock()
	up, err := s.live.Add(ctx, s.newID)
	s.scoreMu.Unlock()
	s.dataMu.RUnlock()
	scored := time.Since(start)
	s.mu.Lock()
	s.applied = now // read by statusLocked under mu
	s.mu.Unlock()
	if err != nil {
		s.live = nil // half updated: wait for the next full run
		return fmt.Errorf("incremental scoring: %w", err)
	}
	stampChanges(up.Findings, time.Now())
	s.mu.RLock()
	prev := s.snap // only this goroutine replaces it
	s.mu.RUnlock()
	snap, err := newSnapshot(up.Findings, prev)
	if err != nil {
		return err
	}
	// The messages are encoded before the lock that checks and the stream
	// take: a changed ring can be megabytes of JSON.
	msgs := diff(prev, snap)
	s.mu.Lock()
	s.status.Updates++
	s.publishLocked(snap, s.g.Tables(), msgs)
	s.mu.Unlock()
	s.logf("incremental update: %d visits scored in %s (appended in %s with the data locked, scored by %s), %d attached to rings, %d patients recruited, %d rings rebuilt",
		up.Rows, time.Since(start).Round(time.Millisecond), appended.Round(time.Microsecond), scored.Round(time.Millisecond), up.Attached, up.Recruited, up.Rebuilt)
	return nil
}

// publishLocked makes snap current and sends msgs (diff of the snapshot
// before and snap) and the status; s.mu must be held.
func (s *Server) publishLocked(snap *snapshot, t *graph.Tables, msgs [][]byte) {
	snap.totals = s.totals
	s.snap = snap
	s.status.Ready = true
	s.status.Generation++
	s.status.Stage = ""
	s.status.Error = ""
	s.status.Rings, s.status.Visits, s.status.FeeLines, s.status.Nodes =
		len(snap.order), t.Visits.Len(), t.Fees.Len(), s.g.NumNodes()
	s.status.RingsNotReported = 0
	if snap.findings != nil {
		s.status.RingsNotReported = snap.findings.RingsNotReported
	}
	for _, m := range msgs {
		s.broadcastLocked(m)
	}
	s.broadcastLocked(mustJSON(s.statusLocked()))
}

// statusLocked returns the status; s.mu must be held.
func (s *Server) statusLocked() Status {
	st := s.status
	st.Accepted = len(s.visits) + len(s.fees)
	st.Pending = st.Accepted - s.applied.rows()
	st.Incremental = s.applied.rows() - s.inFull.rows()
	st.Clients = len(s.clients)
	return st
}

// CheckBind returns an error when addr is not a loopback address and token
// is empty: only 127.0.0.1, ::1 and localhost may be served without a token.
func CheckBind(addr, token string) error {
	if token != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("address %q is not loopback: a token is required (--token or RINGLENS_TOKEN)", addr)
}
