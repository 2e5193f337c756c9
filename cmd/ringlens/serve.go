package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
	"github.com/urfave/cli/v2"
)

// serveCommand is `ringlens serve`: ingest, detect and serve the live web view.
func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "read a claims dataset, detect rings and serve the live web view and streaming API",
		UsageText: "ringlens serve --in city [--addr 127.0.0.1:8080] [--state DIR] [--follow] [--full-every 10m] [--update-nice 10] [--full-run-workers 0] [--token T] [--allowed-host NAME] [--check-policy FILE]",
		Description: "Starts listening at once, then reads the dataset, builds the graph and detects rings,\n" +
			"streaming progress and rings to connected browsers (docs/api.md documents the API).\n" +
			"New claims (POST /api/v1/claims, or with --follow new *.jsonl files in --in) are\n" +
			"scored incrementally: only the rings they touch are re-scored, and changed rings are\n" +
			"pushed as updates. Every --full-every, while claims were scored only incrementally, a\n" +
			"full run over the whole city catches up in the background. Accepted claims are\n" +
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
			&cli.IntFlag{Name: "full-run-workers", Value: 0, Usage: "goroutines a background full run's parallel stages may use (0: one fewer than GOMAXPROCS, at least 1, so that a core stays with the checks; -1: all)"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"RINGLENS_TOKEN"}, Usage: "token every request must carry, at least 16 characters (required off loopback)"},
			&cli.StringSliceFlag{Name: "allowed-host", Usage: "extra name the server may be reached by (e.g. viz.example or viz.example:8443, a reverse proxy's); repeatable"},
			&cli.StringSliceFlag{Name: "allow-origin", Usage: "extra browser origin allowed (e.g. https://viz.example:8443); repeatable"},
			&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters; see algorithms/rules/RULES.md"},
			&cli.StringFlag{Name: "check-policy", Usage: "decision policy of POST /api/v1/check (JSON object of rule or signal id, definite, suspicious or before-cap to pass, remind, review or reject) overriding the defaults; see docs/api.md"},
			ringParamsFlag(),
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of community detection"},
			&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
			serveMemoryLimitFlag(),
		}, logFlags()...),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	in, addr, token := c.String("in"), c.String("addr"), c.String("token")
	if in == "" {
		return usagef("serve: --in is required")
	}
	if st, err := os.Stat(in); err != nil || !st.IsDir() {
		return usagef("serve: --in %q is not a directory", in)
	}
	if err := checkEncodingFlag(c.String("encoding")); err != nil {
		return err
	}
	if err := server.CheckToken(token); err != nil {
		return usagef("serve: --token: %v", err)
	}
	if err := server.CheckBind(addr, token); err != nil {
		return usagef("serve: %v", err)
	}
	if err := server.CheckHosts(c.StringSlice("allowed-host"), c.StringSlice("allow-origin")); err != nil {
		return usagef("serve: %v", err)
	}
	state := c.String("state")
	withWorkspace := state != "" // the workspace is served only with an explicit --state
	if state == "" {
		state = filepath.Join(in, ".ringlens-state")
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	set, params, err := detectionSettings(c)
	if err != nil {
		return err
	}
	policy, err := checkPolicy(c.String("check-policy"), &set)
	if err != nil {
		return err
	}
	if path := c.String("check-policy"); path != "" {
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
	cfg := server.Config{
		Load:         load,
		Detect:       rings.Options{Rules: set, Params: params, Seed: c.Int64("seed")},
		CheckPolicy:  policy,
		Token:        token,
		AllowOrigins: c.StringSlice("allow-origin"),
		AllowedHosts: c.StringSlice("allowed-host"),
		StateDir:     state,
		Static:       web.FS(),
		Logf:         func(format string, args ...any) { log.Info().Msgf(format, args...) },
		Warnf:        func(format string, args ...any) { log.Warn().Msgf(format, args...) },
	}
	if c.Bool("follow") {
		cfg.FollowDir = in
	}
	if withWorkspace {
		ws, err := workspace.Open(c.Context, state)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer ws.Close()
		cfg.Workspace = ws
		users, err := ws.HasUsers(c.Context)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		if users {
			log.Info().Msg("the workspace has users: the web view requires a login (docs/workflow.md)")
		}
	}
	cfg.FullRunReload = c.Bool("full-run-reload")
	switch n := c.Int("full-run-workers"); {
	case n < -1:
		return usagef("serve: --full-run-workers must be -1 (all), 0 (all but one) or more")
	default:
		cfg.FullRunWorkers = n
	}
	switch n := c.Int("update-nice"); {
	case n < 0 || n > 19:
		return usagef("serve: --update-nice must be between 0 and 19")
	case n == 0:
		cfg.UpdateNice = -1 // the process's priority
	default:
		cfg.UpdateNice = n
	}
	switch d := c.Duration("full-every"); {
	case d < 0:
		return usagef("serve: --full-every must not be negative")
	case d == 0:
		cfg.FullEvery = -1 // never
	default:
		cfg.FullEvery = d
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	cfg.ListenAddr = ln.Addr().String()
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
	hs := srv.HTTPServer()
	url := "http://" + ln.Addr().String() + "/"
	if token != "" {
		url += "?token=<token>"
	}
	fmt.Fprintf(c.App.Writer, "serving on %s\n", url)
	log.Info().Str("url", url).Str("in", in).Str("state", state).Bool("follow", c.Bool("follow")).Msg("listening")

	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	runErr := make(chan error, 1)
	go func() { runErr <- srv.Run(ctx) }()

	var result error
	select {
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
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
