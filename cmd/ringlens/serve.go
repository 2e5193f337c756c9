package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/server"
	"github.com/ringlens/ringlens/viz/web"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// defaultFullRunShare is --full-run-share's default: the share of the time
// a full-run process runs until it is ready (Linux; elsewhere full runs
// stay in the serving process). At 1, a 10M-visit city's full run took
// about 82 s, and checks answered within 2 ms at p99 in about half of the
// 30-s runs during full runs on the 2-core machine; at 0.7 it took about
// 105 s and they did in 10 of 10 (0.5: 218 s, 15 of 16); docs/api.md.
const defaultFullRunShare = 0.7

// serveCommand is `ringlens serve`: ingest, detect and serve the live web view.
func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "read a claims dataset, detect rings and serve the live web view and streaming API",
		UsageText: "ringlens serve --in city [--addr 127.0.0.1:8080] [--state DIR] [--follow] [--full-every 10m] [--full-run-process=true] [--update-nice 10] [--full-run-workers 0] [--full-run-share 0.7] [--token T] [--allowed-host NAME] [--check-policy FILE]",
		Description: "Starts listening at once, then reads the dataset, builds the graph and detects rings,\n" +
			"streaming progress and rings to connected browsers (docs/api.md documents the API).\n" +
			"New claims (POST /api/v1/claims, or with --follow new *.jsonl files in --in) are\n" +
			"scored incrementally: only the rings they touch are re-scored, and changed rings are\n" +
			"pushed as updates. Every --full-every, while claims were scored only incrementally, a\n" +
			"full run over the whole city catches up in the background: on Linux in a process of\n" +
			"its own at idle priority, which then takes over serving (--full-run-process). Accepted claims are\n" +
			"written to a claims log in --state (default: a .ringlens-state directory in --in)\n" +
			"before they are acknowledged, and replayed on restart. Binding an address other\n" +
			"than loopback requires --token (or RINGLENS_TOKEN, at least 16 characters); every\n" +
			"request then needs it. Requests must name the server by its listen address (or,\n" +
			"on loopback, localhost) or by an --allowed-host. --check-policy FILE overrides\n" +
			"the decision policy of POST /api/v1/check; --memory-limit defaults to 75% of the\n" +
			"machine's memory (auto).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "dataset directory (required)"},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on"},
			&cli.StringFlag{Name: "state", Usage: "workspace directory for the claims log, follow positions and, when given, the cases served at /api/v1/cases, with a login once it has users (ringlens user add) (default: <in>/.ringlens-state, no cases)"},
			&cli.BoolFlag{Name: "follow", Usage: "watch --in for *.jsonl files of visits and fee lines (complete lines; appended rows are read)"},
			&cli.DurationFlag{Name: "full-every", Value: server.DefaultFullEvery, Usage: "how often a background full run catches up with incrementally scored claims (0: never)"},
			&cli.IntFlag{Name: "update-nice", Value: server.DefaultUpdateNice, Usage: "how much lower (Linux nice, 0-19) incremental updates and background full runs are scheduled than checks (0: the same)"},
			&cli.BoolFlag{Name: "full-run-reload", Usage: "reload the dataset from --in for every background full run (picks up an export replaced on disk; holds a second copy of the city while it runs) instead of detecting on a snapshot of the served tables"},
			&cli.Float64Flag{Name: "full-run-share", Value: defaultFullRunShare, Usage: "share of the time a full-run process (--full-run-process) runs until it is ready (0 < share ≤ 1): below 1 the supervisor stops it (SIGSTOP) for the rest of every 20 ms, leaving the processors and their shared caches to the checks for that while; the full run takes longer (1: never stopped)"},
			&cli.IntFlag{Name: "full-run-workers", Value: 0, Usage: "goroutines a background full run's parallel stages may use, and the processors of the Go scheduler of a full-run process until it serves (0: one fewer than GOMAXPROCS, at least 1, so that a core stays with the checks; -1: all)"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"RINGLENS_TOKEN"}, Usage: "token every request must carry, at least 16 characters (required off loopback)"},
			&cli.StringSliceFlag{Name: "allowed-host", Usage: "extra name the server may be reached by (e.g. viz.example or viz.example:8443, a reverse proxy's); repeatable"},
			&cli.StringSliceFlag{Name: "allow-origin", Usage: "extra browser origin allowed (e.g. https://viz.example:8443); repeatable"},
			&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters; see algorithms/rules/RULES.md"},
			&cli.StringFlag{Name: "check-policy", Usage: "decision policy of POST /api/v1/check (JSON object of rule or signal id, definite, suspicious or before-cap to pass, remind, review or reject) overriding the defaults; see docs/api.md"},
			ringParamsFlag(),
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of community detection"},
			&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
			serveMemoryLimitFlag(),
			&cli.BoolFlag{Name: "full-run-process", Value: runtime.GOOS == "linux", Usage: "run every background full run in a process of its own at idle priority, which then takes over serving, so that checks never share a heap with a full run and come first for the processors (Linux; the claims log of the state directory carries the posted claims over); =false runs full runs in the serving process, on a snapshot of its tables, holding the city once"},
			&cli.StringFlag{Name: "stall-trace", Usage: "diagnostic: keep an execution trace of the last seconds in memory and write it to `DIR` (go tool trace) after each garbage collection and each stall of the process of --stall-threshold, at most 8 files a process (costs a few percent of CPU)"},
			&cli.DurationFlag{Name: "stall-threshold", Value: 20 * time.Millisecond, Usage: "with --stall-trace: how late a watchdog that wakes every 5 ms must wake to count as a stall"},
			&cli.IntFlag{Name: "generation", Hidden: true, Usage: "internal: the number of a serving process started by --full-run-process"},
			&cli.BoolFlag{Name: "successor", Hidden: true, Usage: "internal: start as the successor of the serving process"},
		}, logFlags()...),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	if n := c.Int("generation"); n > 0 {
		log = log.With().Int("process", n).Logger()
	}
	sc, err := serveSettings(c, log)
	if err != nil {
		return err
	}
	switch {
	case c.Int("generation") > 0:
		return runGeneration(c, log, sc)
	case c.Bool("full-run-process"):
		return superviseServe(c, log, sc)
	}
	ln, err := net.Listen("tcp", sc.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sc.addr, err)
	}
	return serveOn(c, log, sc, ln, nil)
}

// serveConfig is serve's command line, checked: the server's
// configuration but for its listen address and workspace.
type serveConfig struct {
	cfg           server.Config
	addr, in      string
	state         string
	withWorkspace bool // the workspace is served only with an explicit --state
}

// serveSettings checks serve's flags and returns the server's settings.
func serveSettings(c *cli.Context, log zerolog.Logger) (*serveConfig, error) {
	in, addr, token := c.String("in"), c.String("addr"), c.String("token")
	if in == "" {
		return nil, usagef("serve: --in is required")
	}
	if st, err := os.Stat(in); err != nil || !st.IsDir() {
		return nil, usagef("serve: --in %q is not a directory", in)
	}
	if err := checkEncodingFlag(c.String("encoding")); err != nil {
		return nil, err
	}
	if err := server.CheckToken(token); err != nil {
		return nil, usagef("serve: --token: %v", err)
	}
	if err := server.CheckBind(addr, token); err != nil {
		return nil, usagef("serve: %v", err)
	}
	if err := server.CheckHosts(c.StringSlice("allowed-host"), c.StringSlice("allow-origin")); err != nil {
		return nil, usagef("serve: %v", err)
	}
	sc := &serveConfig{addr: addr, in: in, state: c.String("state")}
	sc.withWorkspace = sc.state != ""
	if sc.state == "" {
		sc.state = filepath.Join(in, ".ringlens-state")
	}
	if err := applyMemoryLimit(c); err != nil {
		return nil, err
	}
	set, params, err := detectionSettings(c)
	if err != nil {
		return nil, err
	}
	policy, err := checkPolicy(c.String("check-policy"), &set)
	if err != nil {
		return nil, err
	}
	if path := c.String("check-policy"); path != "" && c.Int("generation") <= 1 {
		log.Info().Str("file", path).Msg("check decision policy overridden")
	}
	enc := c.String("encoding")
	load := func(ctx context.Context, workers int, progress func(stage string, done, total int64)) (*graph.Tables, error) {
		var rejected atomic.Int64
		res, err := ingest.Load(ctx, in, ingest.Options{Encoding: enc, Workers: workers, Progress: func(p ingest.Progress) {
			progress("read "+filepath.Base(p.Path), p.Bytes, p.TotalBytes)
		}}, func(ingest.Reject) error { rejected.Add(1); return nil })
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", in, err)
		}
		if n := rejected.Load(); n > 0 {
			log.Warn().Int64("rejected", n).Msg("rows rejected while reading the dataset (run detect for rejects.csv)")
		}
		return res.Tables, nil
	}
	sc.cfg = server.Config{
		Load:         load,
		Detect:       rings.Options{Rules: set, Params: params, Seed: c.Int64("seed")},
		CheckPolicy:  policy,
		Token:        token,
		AllowOrigins: c.StringSlice("allow-origin"),
		AllowedHosts: c.StringSlice("allowed-host"),
		StateDir:     sc.state,
		Static:       web.FS(),
		Logf:         func(format string, args ...any) { log.Info().Msgf(format, args...) },
		Warnf:        func(format string, args ...any) { log.Warn().Msgf(format, args...) },
	}
	if c.Bool("follow") {
		sc.cfg.FollowDir = in
	}
	sc.cfg.FullRunReload = c.Bool("full-run-reload")
	if s := c.Float64("full-run-share"); !(s > 0 && s <= 1) {
		return nil, usagef("serve: --full-run-share must be above 0 and at most 1")
	}
	switch n := c.Int("full-run-workers"); {
	case n < -1:
		return nil, usagef("serve: --full-run-workers must be -1 (all), 0 (all but one) or more")
	default:
		sc.cfg.FullRunWorkers = n
	}
	switch n := c.Int("update-nice"); {
	case n < 0 || n > 19:
		return nil, usagef("serve: --update-nice must be between 0 and 19")
	case n == 0:
		sc.cfg.UpdateNice = -1 // the process's priority
	default:
		sc.cfg.UpdateNice = n
	}
	switch d := c.Duration("full-every"); {
	case d < 0:
		return nil, usagef("serve: --full-every must not be negative")
	case d == 0:
		sc.cfg.FullEvery = -1 // never
	default:
		sc.cfg.FullEvery = d
	}
	if c.Bool("full-run-process") && c.Bool("full-run-reload") {
		return nil, usagef("serve: --full-run-process reads the dataset for every full run already; drop --full-run-reload")
	}
	return sc, nil
}

// serveOn serves sc on ln until the command's context is cancelled or
// the server fails. gen, when not nil, is the supervisor's channel of a
// process serving with full runs in processes of their own
// (serve_apart.go): it sets the server's hand-over hooks, and a successor
// starts serving only once it has taken over.
func serveOn(c *cli.Context, log zerolog.Logger, sc *serveConfig, ln net.Listener, gen *generationLink) error {
	cfg := sc.cfg
	if sc.withWorkspace {
		ws, err := workspace.Open(c.Context, sc.state)
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve: %w", err)
		}
		defer ws.Close()
		cfg.Workspace = ws
		users, err := ws.HasUsers(c.Context)
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve: %w", err)
		}
		if users && gen == nil {
			log.Info().Msg("the workspace has users: the web view requires a login (docs/workflow.md)")
		}
	}
	cfg.ListenAddr = ln.Addr().String()
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	serving := make(chan struct{}) // closed when the listener may be served
	if gen != nil {
		gen.configure(&cfg, cancel, serving)
	} else {
		close(serving)
	}
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			log.Warn().Err(err).Msg("closing the claims log")
		}
	}()
	if dir := c.String("stall-trace"); dir != "" {
		prefix := fmt.Sprintf("serve-%d-process-%d", os.Getpid(), c.Int("generation"))
		ready := func() bool {
			select {
			case <-serving:
				return srv.Status().Ready
			default:
				return false
			}
		}
		if _, err := startStallWatch(ctx, dir, prefix, c.Duration("stall-threshold"), ready, log); err != nil {
			ln.Close()
			return err
		}
	}
	hs := srv.HTTPServer()
	url := "http://" + ln.Addr().String() + "/"
	if sc.cfg.Token != "" {
		url += "?token=<token>"
	}
	if gen == nil {
		fmt.Fprintf(c.App.Writer, "serving on %s\n", url)
		log.Info().Str("url", url).Str("in", sc.in).Str("state", sc.state).Bool("follow", c.Bool("follow")).Msg("listening")
	}
	var retiring atomic.Bool
	if gen != nil {
		gen.start(ctx, srv, drainer(hs, ln, &retiring))
	}

	serveErr := make(chan error, 1)
	go func() {
		select {
		case <-serving:
			serveErr <- hs.Serve(ln)
		case <-ctx.Done():
			ln.Close()
			serveErr <- http.ErrServerClosed
		}
	}()
	runErr := make(chan error, 1)
	go func() { runErr <- srv.Run(ctx) }()

	var result error
	select {
	case err := <-serveErr:
		switch {
		case retiring.Load():
			<-ctx.Done() // the listener was closed to retire: drained, then cancelled
		case !errors.Is(err, http.ErrServerClosed):
			result = fmt.Errorf("serve: %w", err)
		}
	case err := <-runErr:
		if err != nil {
			result = err
		} else {
			<-ctx.Done() // Run returned on cancellation
		}
	case <-ctx.Done():
	}
	cancel()
	shutCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := hs.Shutdown(shutCtx); err != nil {
		log.Warn().Err(err).Msg("shutting down the HTTP server")
	}
	log.Info().Msg("stopped")
	return result
}

// drainTimeout bounds how long a retiring process waits for its
// connections to close after it stopped accepting (drainer).
const drainTimeout = 3 * time.Second

// drainer returns the retirement of a serving process whose successor
// serves the same listener: it stops accepting (the successor accepts
// what comes next), answers every request still arriving on the
// connections it has, each with Connection: close so that the client
// opens its next connection to the successor, and returns once they are
// closed or drainTimeout has passed. http.Server.Shutdown alone would
// drop a request read after it began; it is called after the drain.
// Websocket streams are hijacked, not counted: the caller closes them.
func drainer(hs *http.Server, ln net.Listener, retiring *atomic.Bool) func() {
	var open atomic.Int64 // connections neither closed nor hijacked
	hs.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	next := hs.Handler
	hs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if retiring.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
	return func() {
		retiring.Store(true)
		ln.Close()
		for deadline := time.Now().Add(drainTimeout); open.Load() > 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// checkPolicy returns the decision policy of checks: the default, or the
// default overridden by the JSON object of file path (--check-policy),
// whose keys are checked against the rule set in force. A bad file is a
// usage error naming the file and the entry.
func checkPolicy(path string, set *rules.Set) (check.Policy, error) {
	if path == "" {
		return check.DefaultPolicy(), nil
	}
	p, err := check.LoadPolicy(path, set)
	if err != nil {
		return check.Policy{}, usagef("serve: --check-policy: %w", err)
	}
	return p, nil
}
