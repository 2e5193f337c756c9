package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Defaults of Config.
const (
	DefaultQueueSize = 1024
	DefaultMaxBody   = 8 << 20
	DefaultDebounce  = 500 * time.Millisecond
	DefaultPoll      = 2 * time.Second
)

// Loader reads the base dataset into fresh tables. It is called once at
// start-up and again for every re-scoring run, so it must return tables not
// shared with any earlier call. progress, when not nil, reports its stages.
type Loader func(ctx context.Context, progress func(stage string, done, total int64)) (*graph.Tables, error)

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
	// FollowDir, when not empty, is polled for new *.jsonl files of visits
	// and fee lines, fed like POST /api/v1/claims.
	FollowDir string
	// QueueSize bounds each websocket client's queue (DefaultQueueSize
	// when <= 0).
	QueueSize int
	// MaxBody bounds request bodies in bytes (DefaultMaxBody when <= 0).
	MaxBody int64
	// Debounce is how long re-scoring waits for more claims after new ones
	// arrive (DefaultDebounce when <= 0).
	Debounce time.Duration
	// Poll is the FollowDir polling interval (DefaultPoll when <= 0).
	Poll time.Duration
	// Logf, when not nil, receives operational messages. They never carry
	// personal data.
	Logf func(format string, args ...any)
}

// Status is the server's state as reported by stats messages and
// GET /api/v1/status.
type Status struct {
	Type string `json:"type"` // always "stats"
	// Ready is true once the first detection has finished.
	Ready bool `json:"ready"`
	// Generation counts finished detection runs (1 after start-up).
	Generation int `json:"generation"`
	// Stage is the current stage ("" when idle), Error the last failure.
	Stage string `json:"stage"`
	Error string `json:"error,omitempty"`
	// Rings, Visits, FeeLines and Nodes describe the current findings and
	// graph.
	Rings    int `json:"rings"`
	Visits   int `json:"visits"`
	FeeLines int `json:"fee_lines"`
	Nodes    int `json:"nodes"`
	// Accepted counts claim rows accepted since start (visits + fee lines);
	// Pending those not yet scored.
	Accepted int `json:"accepted_rows"`
	Pending  int `json:"pending_rows"`
	// Clients is the number of connected websocket clients.
	Clients int `json:"clients"`
}

// Server serves the live web view. Create it with New, serve its Handler
// and call Run.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu        sync.RWMutex // guards everything below and the order of published messages
	g         *graph.Graph
	snap      *snapshot
	status    Status
	clients   map[*client]struct{}
	visits    []claims.Visit   // accepted visits, in order
	fees      []claims.FeeLine // accepted fee lines, in order
	visitIDs  map[string]bool  // mdtrt_id of accepted visits
	feeKeys   map[string]bool  // mdtrt_id + "\x00" + feedetl_sn of accepted fee lines
	scored    int              // accepted rows included in the current findings
	nextID    int              // next fresh ring number; used by rescore only
	kick      chan struct{}    // wakes the re-scoring loop
	closed    bool
	closeOnce sync.Once
	running   atomic.Bool // Run has been called
}

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
	s := &Server{
		cfg:      cfg,
		snap:     emptySnapshot(),
		clients:  make(map[*client]struct{}),
		visitIDs: make(map[string]bool),
		feeKeys:  make(map[string]bool),
		kick:     make(chan struct{}, 1),
	}
	s.status.Type = "stats"
	s.status.Stage = "starting"
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the server: the API under /api/v1/
// and the static web app at /, behind the token check when a token is set.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// logf logs through Config.Logf when set.
func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Run loads the dataset, builds the graph and detects rings, streaming
// progress and rings to clients; then it re-scores whenever claims arrive
// (and polls FollowDir when set) until ctx is cancelled. It returns the
// error of the first load, build or detection, or nil on cancellation;
// failures of later re-scoring runs are reported in the status, not
// returned. Run closes every websocket client when it returns. It may be
// called once.
func (s *Server) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("server: Run called twice")
	}
	defer s.shutdown()
	if err := s.rescore(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if s.cfg.FollowDir != "" {
		var wg sync.WaitGroup
		wg.Go(func() { s.follow(ctx) })
		defer wg.Wait() // runs before shutdown: the poller stops first
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.kick:
		}
		t := time.NewTimer(s.cfg.Debounce)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := s.rescore(ctx); err != nil && ctx.Err() == nil {
			s.logf("re-scoring failed: %v", err)
		}
	}
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

// rescore loads the base tables, adds every accepted claim, builds the
// graph, detects rings and publishes the differences to the current ring
// set. It is a full re-run, not an incremental one.
func (s *Server) rescore(ctx context.Context) error {
	s.mu.Lock()
	visits := s.visits[:len(s.visits):len(s.visits)]
	fees := s.fees[:len(s.fees):len(s.fees)]
	s.mu.Unlock()
	fail := func(err error) error {
		s.mu.Lock()
		s.status.Stage = ""
		s.status.Error = err.Error()
		s.broadcastLocked(mustJSON(s.statusLocked()))
		s.mu.Unlock()
		return err
	}
	t, err := s.cfg.Load(ctx, func(stage string, done, total int64) { s.progress("load "+stage, done, total) })
	if err != nil {
		return fail(fmt.Errorf("load dataset: %w", err))
	}
	applyClaims(t, visits, fees)
	s.progress("build", 0, 1)
	g, err := graph.Build(ctx, t, graph.BuildOptions{
		Progress: func(stage string, done, total int64) { s.progress("build "+stage, done, total) },
	})
	if err != nil {
		return fail(fmt.Errorf("build graph: %w", err))
	}
	opt := s.cfg.Detect
	opt.Progress = func(stage string, done, total int64) { s.progress("detect "+stage, done, total) }
	f, err := rings.Detect(ctx, g, opt)
	if err != nil {
		return fail(fmt.Errorf("detect: %w", err))
	}
	s.mu.RLock()
	old := s.snap
	s.mu.RUnlock()
	stableIDs(old, f, &s.nextID)
	snap, err := newSnapshot(f)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.g, s.snap = g, snap
	s.scored = len(visits) + len(fees)
	s.status.Ready = true
	s.status.Generation++
	s.status.Stage = ""
	s.status.Error = ""
	s.status.Rings, s.status.Visits, s.status.FeeLines, s.status.Nodes =
		len(f.Rings), t.Visits.Len(), t.Fees.Len(), g.NumNodes()
	for _, m := range diff(old, snap) {
		s.broadcastLocked(m)
	}
	s.broadcastLocked(mustJSON(s.statusLocked()))
	gen := s.status.Generation
	s.mu.Unlock()
	s.logf("detection generation %d: %d rings", gen, len(f.Rings))
	return nil
}

// statusLocked returns the status; s.mu must be held.
func (s *Server) statusLocked() Status {
	st := s.status
	st.Accepted = len(s.visits) + len(s.fees)
	st.Pending = st.Accepted - s.scored
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
