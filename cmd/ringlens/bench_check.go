package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/server"
	"github.com/urfave/cli/v2"
)

// benchCheckCommand is `ringlens bench check`: an HTTP load of
// POST /api/v1/check on loopback with claims of a city.
func benchCheckCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "load POST /api/v1/check on loopback with varied real claims of a city; print latency percentiles and checks/s",
		UsageText: "ringlens bench check --in DIR [--duration 30s] [--warmup 30s] [--connections 4] [--rate 2000] [--post-rate 3] [--claims 5000] [--seed 1] [--bodies FILE] [--cpu-profile FILE] [--alloc-profile FILE]\n" +
			"   ringlens bench check --url http://127.0.0.1:8080 --bodies FILE [--duration 30s] [--connections 4] [--rate 2000] [--post-rate 3]",
		Description: "Reads --in, serves it on a loopback port in this process (as `serve` does, without\n" +
			"full runs), waits for the first detection, then samples --claims visits of the city\n" +
			"with their fee lines (not reversed, with fee lines; the claim ids are settled, so\n" +
			"every answer says already_settled) and posts them as checks from --connections\n" +
			"clients, each with one keep-alive connection, for --duration (the requests are\n" +
			"written in advance and the answers read without net/http's Transport, so that the\n" +
			"load generator takes little of the cores it shares with the server). It prints p50, p99,\n" +
			"p999 and max latency and the checks per second. With --rate the clients send on a\n" +
			"fixed schedule and latency counts from the scheduled time (a late answer delays the\n" +
			"next request but is not forgiven). --bodies also writes the request bodies, one per\n" +
			"line, for other load tools (wrk: bench/wrk_check.lua). --url loads a running server\n" +
			"(`ringlens serve`) instead, posting the bodies of --bodies. --post-rate also settles\n" +
			"claims during the load (POST /api/v1/claims, one claim per batch, the sampled claims\n" +
			"under new ids), so that incremental updates run beside the checks, as they do in\n" +
			"production; it prints how many were acknowledged. --cpu-profile writes a CPU profile\n" +
			"of this process (with --in: server and load generator) for `go tool pprof`;\n" +
			"--alloc-profile FILE writes the allocations of this process up to the load to\n" +
			"FILE.base and up to its end to FILE: `go tool pprof -sample_index=alloc_space -base\n" +
			"FILE.base FILE` shows what the load allocated (what makes the collector run). --warmup\n" +
			"sends checks first for that long, at the same rate, and reports them apart: a server\n" +
			"just started is still faulting in its memory.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "dataset directory, served in this process"},
			&cli.StringFlag{Name: "url", Usage: "load the server at `URL` (e.g. http://127.0.0.1:8080, a `ringlens serve`) instead, with the bodies of --bodies"},
			&cli.DurationFlag{Name: "duration", Value: 30 * time.Second, Usage: "how long to load the server"},
			&cli.DurationFlag{Name: "warmup", Usage: "checks sent first, at the same rate, for this long and reported apart (0: none)"},
			&cli.IntFlag{Name: "connections", Value: 4, Usage: "concurrent clients"},
			&cli.IntFlag{Name: "claims", Value: 5000, Usage: "distinct claims sampled from the city"},
			&cli.Float64Flag{Name: "rate", Usage: "checks per second in all, sent on a fixed schedule (0: each client sends as soon as it has its answer)"},
			&cli.Float64Flag{Name: "post-rate", Usage: "claims per second settled (POST /api/v1/claims) during the load, each one batch under a new id (0: none)"},
			&cli.StringFlag{Name: "cpu-profile", Usage: "write a CPU profile of this process to `FILE`"},
			&cli.StringFlag{Name: "alloc-profile", Usage: "write the allocations of this process before the load to `FILE`.base and after it to FILE (pprof -base)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the sample"},
			&cli.StringFlag{Name: "bodies", Usage: "write the request bodies to `FILE`, one per line (with --url: read them from it)"},
			&cli.DurationFlag{Name: "slow", Value: 15 * time.Millisecond, Usage: "answers at least this slow (from the schedule with --rate) are grouped into stalls, listed longest first with the time they began, to set beside the server's log (0: none)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			serveMemoryLimitFlag(),
		}, logFlags()...),
		Action: runBenchCheck,
	}
}

// checkBench is the result of `ringlens bench check`.
type checkBench struct {
	Visits      int     `json:"visits"` // visits of the city (-1: not known, with --url)
	Claims      int     `json:"claims"` // distinct claims posted
	Connections int     `json:"connections"`
	Rate        float64 `json:"rate,omitempty"` // checks/s asked for (0: as fast as answered)
	Seconds     float64 `json:"seconds"`
	Checks      int     `json:"checks"`
	Errors      int     `json:"errors"` // answers other than 200
	PerSecond   float64 `json:"checks_per_second"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	P999Ms      float64 `json:"p999_ms"`
	MaxMs       float64 `json:"max_ms"`
	// LagP50Ms and LagP99Ms are, with --rate, how late the clients sent
	// after their scheduled time (the sleep's overshoot, and answers
	// that came late): part of the latency above, counted from the
	// schedule, that the server did not spend.
	LagP50Ms float64 `json:"send_lag_p50_ms,omitempty"`
	LagP99Ms float64 `json:"send_lag_p99_ms,omitempty"`
	// Behind counts, with --rate, the sends whose time came while their
	// connection still waited for its previous answer (a late answer
	// delays the next check on its connection), and FreeLagP99Ms is the
	// p99 lag of the others: the load generator's own lag.
	Behind       int     `json:"sent_behind_answer,omitempty"`
	FreeLagP99Ms float64 `json:"send_lag_free_p99_ms,omitempty"`
	// SentP50Ms and SentP99Ms are, with --rate, the latency counted from
	// when each check was sent instead (the client's lag left out).
	SentP50Ms float64        `json:"from_send_p50_ms,omitempty"`
	SentP99Ms float64        `json:"from_send_p99_ms,omitempty"`
	Decisions map[string]int `json:"decisions"`
	// PostRate is the claims per second settled during the load (0: none);
	// Posted counts those sent, Acknowledged those the server accepted.
	PostRate     float64 `json:"post_rate,omitempty"`
	Posted       int     `json:"posted,omitempty"`
	Acknowledged int     `json:"acknowledged,omitempty"`
	// LoadBefore and LoadAfter are the machine's one-minute load average
	// (/proc/loadavg; -1 when unknown) before and after: other work on the
	// machine weighs on the tail.
	LoadBefore float64 `json:"load_before"`
	LoadAfter  float64 `json:"load_after"`
	// Warmup holds the checks of --warmup, run before the measured load
	// and reported apart (nil without one): a server just started is still
	// faulting in its memory.
	Warmup *checkBench `json:"warmup,omitempty"`
	// SlowMs is the --slow threshold; Stalls are the longest stretches of
	// answers that slow (at most maxStalls, longest first) and StallCount
	// all of them.
	SlowMs     float64 `json:"slow_ms,omitempty"`
	Stalls     []stall `json:"stalls,omitempty"`
	StallCount int     `json:"stall_count,omitempty"`
}

// maxStalls is how many stalls bench check lists.
const maxStalls = 10

// loadAverage returns the one-minute load average of the machine, or -1.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _, _ := strings.Cut(string(data), " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return -1
	}
	return v
}

func runBenchCheck(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	conns, n, rate, postRate := c.Int("connections"), c.Int("claims"), c.Float64("rate"), c.Float64("post-rate")
	if conns < 1 || n < 1 || c.Duration("duration") <= 0 || rate < 0 || postRate < 0 || c.Duration("warmup") < 0 {
		return usagef("bench check: --connections, --claims and --duration must be positive, --rate, --post-rate and --warmup not negative")
	}
	stopProfile, err := startCPUProfile(c.String("cpu-profile"))
	if err != nil {
		return fmt.Errorf("bench check: %w", err)
	}
	defer stopProfile()
	target := targetCity{url: strings.TrimSuffix(c.String("url"), "/"), visits: -1}
	if target.url == "" {
		if c.String("in") == "" {
			return usagef("bench check: --in or --url is required")
		}
		logf := func(format string, args ...any) { log.Info().Msgf(format, args...) }
		stop, err := target.serve(c.Context, c.String("in"), n, c.Uint64("seed"), logf)
		defer stop()
		if err != nil {
			return err
		}
		if f := c.String("bodies"); f != "" {
			if err := os.WriteFile(filepath.Clean(f), append(bytes.Join(target.bodies, []byte("\n")), '\n'), 0o644); err != nil {
				return fmt.Errorf("bench check: %w", err)
			}
		}
	} else if err := target.readBodies(c.String("bodies")); err != nil {
		return err
	}
	var warm *checkBench
	if d := c.Duration("warmup"); d > 0 {
		w, err := loadChecks(target.url+"/api/v1/check", target.bodies, conns, d, rate, c.Duration("slow"))
		if err != nil {
			return err
		}
		warm = &w
	}
	allocs := c.String("alloc-profile")
	if allocs != "" {
		if err := writeAllocProfile(allocs + ".base"); err != nil {
			return err
		}
	}
	loadBefore := loadAverage()
	posting := make(chan [2]int, 1)
	go func() {
		var posted, acked int
		if postRate > 0 {
			posted, acked = postClaims(target.url+"/api/v1/claims", target.bodies, postRate, c.Duration("duration"))
		}
		posting <- [2]int{posted, acked}
	}()
	res, err := loadChecks(target.url+"/api/v1/check", target.bodies, conns, c.Duration("duration"), rate, c.Duration("slow"))
	pa := <-posting
	if err != nil {
		return err
	}
	res.PostRate, res.Posted, res.Acknowledged = postRate, pa[0], pa[1]
	res.Visits = target.visits
	res.LoadBefore, res.LoadAfter = loadBefore, loadAverage()
	res.Warmup = warm
	if allocs != "" {
		if err := writeAllocProfile(allocs); err != nil {
			return err
		}
	}
	if c.Bool("json") {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, string(b))
		return nil
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	if res.Visits >= 0 {
		fmt.Fprintf(w, "city\t%d visits\n", res.Visits)
	}
	fmt.Fprintf(w, "claims\t%d distinct, %d connections, %.1f s, rate %s\n", res.Claims, res.Connections, res.Seconds, rateText(res.Rate))
	if warm != nil {
		fmt.Fprintf(w, "warm-up\t%.1f s, %d checks (%d errors), p50 %.3f ms  p99 %.3f ms  p999 %.3f ms  max %.3f ms (not counted below)\n",
			warm.Seconds, warm.Checks, warm.Errors, warm.P50Ms, warm.P99Ms, warm.P999Ms, warm.MaxMs)
	}
	fmt.Fprintf(w, "checks\t%d (%d errors)\n", res.Checks, res.Errors)
	fmt.Fprintf(w, "checks/s\t%.0f\n", res.PerSecond)
	fmt.Fprintf(w, "latency\tp50 %.3f ms  p99 %.3f ms  p999 %.3f ms  max %.3f ms\n", res.P50Ms, res.P99Ms, res.P999Ms, res.MaxMs)
	if res.Rate > 0 {
		fmt.Fprintf(w, "sent late by\tp50 %.3f ms  p99 %.3f ms (the clients' lag behind the schedule, counted in the latency)\n", res.LagP50Ms, res.LagP99Ms)
		fmt.Fprintf(w, "  of which\t%d sends behind a late answer on their connection; the others late by p99 %.3f ms (the clients' own lag)\n", res.Behind, res.FreeLagP99Ms)
		fmt.Fprintf(w, "from send\tp50 %.3f ms  p99 %.3f ms (latency from when each check was sent)\n", res.SentP50Ms, res.SentP99Ms)
	}
	fmt.Fprintf(w, "decisions\t%v\n", res.Decisions)
	if res.PostRate > 0 {
		fmt.Fprintf(w, "claims settled\t%d posted at %.1f/s, %d acknowledged\n", res.Posted, res.PostRate, res.Acknowledged)
	}
	fmt.Fprintf(w, "load average\t%.2f before, %.2f after (%d cores)\n", res.LoadBefore, res.LoadAfter, runtime.NumCPU())
	if res.SlowMs > 0 {
		fmt.Fprintf(w, "stalls\t%d with answers of %.0f ms or more", res.StallCount, res.SlowMs)
		if len(res.Stalls) > 0 {
			fmt.Fprintf(w, "; the longest (began, UTC):")
		}
		fmt.Fprintln(w)
		for _, st := range res.Stalls {
			fmt.Fprintf(w, "\t%s  %.0f ms, %d checks\n", st.Start.UTC().Format("15:04:05.000"), st.Ms, st.Checks)
		}
	}
	return w.Flush()
}

// writeAllocProfile writes the allocations of the process so far (the
// allocs profile) to path, after a collection: the profile counts what
// was allocated up to the last one.
func writeAllocProfile(path string) error {
	runtime.GC()
	out, err := os.Create(filepath.Clean(path))
	if err != nil {
		return fmt.Errorf("bench check: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(out, 0); err != nil {
		out.Close()
		return fmt.Errorf("bench check: alloc profile: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("bench check: %w", err)
	}
	return nil
}

// targetCity is the server a bench loads and the bodies it posts.
type targetCity struct {
	url    string
	bodies [][]byte
	visits int // visits of the city, -1 when not known
}

// serve reads the city in dir, serves it on a loopback port in this
// process (without full runs), waits for the first detection and samples
// n claims of it; stop stops the server.
func (tc *targetCity) serve(ctx context.Context, dir string, n int, seed uint64, logf func(string, ...any)) (stop func(), err error) {
	var loaded *graph.Tables
	load := func(ctx context.Context, _ int, _ func(string, int64, int64)) (*graph.Tables, error) {
		if loaded != nil {
			return nil, errors.New("bench check: the city is loaded once")
		}
		res, err := ingest.Load(ctx, dir, ingest.Options{}, func(ingest.Reject) error { return nil })
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", dir, err)
		}
		loaded = res.Tables
		return res.Tables, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return func() {}, fmt.Errorf("bench check: listen: %w", err)
	}
	srv, err := server.New(server.Config{Load: load, Detect: rings.Options{Seed: 1}, FullEvery: -1, ListenAddr: ln.Addr().String()})
	if err != nil {
		ln.Close()
		return func() {}, fmt.Errorf("bench check: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	hs := srv.HTTPServer()
	go func() { _ = hs.Serve(ln) }()
	runErr := make(chan error, 1)
	go func() { runErr <- srv.Run(ctx) }()
	stop = func() { cancel(); hs.Close() }
	tc.url = "http://" + ln.Addr().String()
	start := time.Now()
	logf("loading and detecting %s", dir)
	if err := waitReady(ctx, tc.url, runErr); err != nil {
		return stop, err
	}
	logf("ready after %s", time.Since(start).Round(time.Millisecond))
	tc.bodies, tc.visits = sampleClaims(loaded, n, seed), loaded.Visits.Len()
	if len(tc.bodies) == 0 {
		return stop, errors.New("bench check: the city has no visits with fee lines to check")
	}
	return stop, nil
}

// readBodies reads request bodies, one per line, from file (written by an
// earlier run with --bodies).
func (tc *targetCity) readBodies(file string) error {
	if file == "" {
		return usagef("bench check: --url needs --bodies FILE (written by a run with --in)")
	}
	data, err := os.ReadFile(filepath.Clean(file))
	if err != nil {
		return fmt.Errorf("bench check: %w", err)
	}
	for line := range bytes.Lines(data) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			tc.bodies = append(tc.bodies, line)
		}
	}
	if len(tc.bodies) == 0 {
		return fmt.Errorf("bench check: no bodies in %s", file)
	}
	return nil
}

// waitReady polls the status until the first detection has finished.
func waitReady(ctx context.Context, base string, runErr <-chan error) error {
	for {
		select {
		case err := <-runErr:
			if err == nil {
				err = errors.New("server stopped")
			}
			return fmt.Errorf("bench check: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		res, err := http.Get(base + "/api/v1/status")
		if err != nil {
			continue
		}
		var st server.Status
		err = json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		if err == nil && st.Ready {
			return nil
		}
	}
}

// sampleClaims returns up to n request bodies of POST /api/v1/check: visits
// of t drawn at random (not reversed or refunded, with fee lines of
// positive quantity and amount), in the contract's columns.
func sampleClaims(t *graph.Tables, n int, seed uint64) [][]byte {
	vt, ft := &t.Visits, &t.Fees
	fees := make(map[uint32][]uint32)
	rng := rand.New(rand.NewPCG(seed, 0xc4ec))
	pick := make(map[uint32]bool)
	for tries := 0; len(pick) < n && tries < 20*n && vt.Len() > 0; tries++ {
		v := uint32(rng.IntN(vt.Len()))
		if vt.Flags[v] != 0 || vt.FundPay.At(v) <= 0 {
			continue
		}
		pick[v] = true
	}
	for f, v := range ft.Visit.All() {
		if pick[v] && ft.Count.At(f) > 0 && ft.AmountAt(f) > 0 {
			fees[v] = append(fees[v], f)
		}
	}
	rows := make([]uint32, 0, len(pick))
	for v := range pick {
		if len(fees[v]) > 0 {
			rows = append(rows, v)
		}
	}
	slices.Sort(rows)
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	out := make([][]byte, 0, len(rows))
	for _, v := range rows {
		if b, err := json.Marshal(claimBody(t, v, fees[v])); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// checkBody is the body of POST /api/v1/check.
type checkBody struct {
	Visit    map[string]string   `json:"visit"`
	FeeLines []map[string]string `json:"fee_lines"`
}

// claimBody renders visit v of t and its fee lines in the contract's
// columns.
func claimBody(t *graph.Tables, v uint32, fees []uint32) checkBody {
	vt, ft, ct := &t.Visits, &t.Fees, &t.Catalog
	visit := map[string]string{
		"mdtrt_id": vt.IDs.String(v), "psn_no": t.Persons.IDs.String(vt.Person[v]),
		"fixmedins_code": t.Institutions.IDs.String(vt.Institution[v]), "med_type": strconv.Itoa(int(vt.MedType[v])),
		"begntime": vt.Begin.At(v).String(), "endtime": vt.End.At(v).String(), "dise_codg": t.Str(vt.Dise.At(v)),
		"medfee_sumamt": vt.MedFee.At(v).String(), "fund_pay_sumamt": vt.FundPay.At(v).String(),
	}
	if d := vt.Doctor[v]; d != graph.None {
		visit["atddr_no"] = t.Doctors.IDs.String(d)
	}
	if c := vt.Cert[v]; c != claims.CertNone {
		visit["mdtrt_cert_type"] = fmt.Sprintf("%02d", c)
	}
	body := checkBody{Visit: visit}
	for _, f := range fees {
		line := map[string]string{
			"feedetl_sn": t.FeeSerial(f), "mdtrt_id": visit["mdtrt_id"], "med_list_codg": ct.IDs.String(ft.Item.At(f)),
			"cnt": strconv.FormatFloat(ft.Count.At(f), 'f', -1, 64), "pric": ft.Price.At(f).String(),
			"det_item_fee_sumamt": ft.AmountAt(f).String(), "fee_ocur_time": ft.Time.At(f).String(),
		}
		if lt := ct.ListType[ft.Item.At(f)]; lt != 0 {
			line["list_type"] = strconv.Itoa(int(lt))
		}
		if d := t.FeeDoctor(f); d != graph.None {
			line["bilg_dr_codg"] = t.Doctors.IDs.String(d)
		}
		if d := ft.SupplyDays.At(f); d > 0 {
			line["prd_days"] = strconv.Itoa(int(d))
		}
		if tr := ft.Trace.At(f); tr != graph.None {
			line["drug_trac_codg"] = ft.Traces.String(tr)
		}
		body.FeeLines = append(body.FeeLines, line)
	}
	return body
}

// loadChecks posts bodies round-robin from conns clients for d and
// measures each answer's latency; with rate > 0 the clients send rate
// checks per second in all on a fixed schedule, latency counted from the
// scheduled time. Answers of slow or more (when positive) are grouped
// into stalls (stallsOf).
func loadChecks(url string, bodies [][]byte, conns int, d time.Duration, rate float64, slow time.Duration) (checkBench, error) {
	type worker struct {
		client    *checkClient
		lat, lag  []time.Duration
		freeLag   []time.Duration // lag of the sends whose connection was free at their time
		behind    int             // sends whose time came before their connection's answer
		sent      []time.Duration // latency from the actual send, with --rate
		slow      []slowAnswer
		errs      int
		decisions map[string]int
	}
	first, err := newCheckClient(url, bodies)
	if err != nil {
		return checkBench{}, err
	}
	ws := make([]worker, conns)
	for i := range ws {
		ws[i].client = first.another()
	}
	start := time.Now()
	deadline := start.Add(d)
	var ticks []chan time.Time // the schedule of each client, with --rate
	if rate > 0 {
		ticks = pace(start, deadline, rate, conns)
	}
	var wg sync.WaitGroup
	for i := range ws {
		w := &ws[i]
		w.decisions = make(map[string]int)
		wg.Go(func() {
			defer w.client.close()
			var answered time.Time // of the previous check on this connection
			for k := i; ; k += conns {
				var t0 time.Time
				if ticks != nil {
					at, ok := <-ticks[i]
					if !ok {
						return
					}
					lag := max(0, time.Since(at))
					w.lag = append(w.lag, lag)
					if answered.After(at) {
						w.behind++
					} else {
						w.freeLag = append(w.freeLag, lag)
					}
					t0 = at
				} else if t0 = time.Now(); !t0.Before(deadline) {
					return
				}
				t1 := time.Now()
				status, decision, err := w.client.post(k)
				if err != nil {
					w.errs++
					continue
				}
				answered = time.Now()
				l := answered.Sub(t0)
				w.lat = append(w.lat, l)
				if slow > 0 && l >= slow {
					w.slow = append(w.slow, slowAnswer{at: t0, latency: l})
				}
				if ticks != nil {
					w.sent = append(w.sent, answered.Sub(t1))
				}
				if status != http.StatusOK || decision == "" {
					w.errs++
					continue
				}
				w.decisions[decision]++
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	out := checkBench{Claims: len(bodies), Connections: conns, Seconds: secs, Rate: rate, Decisions: make(map[string]int)}
	var lat, lag, freeLag, sent []time.Duration
	var slowest []slowAnswer
	for _, w := range ws {
		slowest = append(slowest, w.slow...)
		lat = append(lat, w.lat...)
		lag = append(lag, w.lag...)
		freeLag = append(freeLag, w.freeLag...)
		out.Behind += w.behind
		sent = append(sent, w.sent...)
		out.Errors += w.errs
		for k, v := range w.decisions {
			out.Decisions[k] += v
		}
	}
	slices.Sort(lat)
	out.Checks = len(lat)
	out.PerSecond = float64(len(lat)) / secs
	slices.Sort(lag)
	slices.Sort(freeLag)
	slices.Sort(sent)
	ms := func(q float64) float64 { return quantileMs(lat, q) }
	out.P50Ms, out.P99Ms, out.P999Ms, out.MaxMs = ms(0.5), ms(0.99), ms(0.999), ms(1)
	out.LagP50Ms, out.LagP99Ms = quantileMs(lag, 0.5), quantileMs(lag, 0.99)
	out.FreeLagP99Ms = quantileMs(freeLag, 0.99)
	out.SentP50Ms, out.SentP99Ms = quantileMs(sent, 0.5), quantileMs(sent, 0.99)
	if slow > 0 {
		out.SlowMs = float64(slow.Microseconds()) / 1000
		out.Stalls, out.StallCount = stallsOf(slowest, maxStalls)
	}
	return out, nil
}

// postClaims settles rate claims per second for d at url (POST
// /api/v1/claims): each batch is one of the check bodies (a visit and its
// fee lines) as JSON Lines under a new claim id, so that every batch is
// accepted and scored incrementally. It returns the batches sent and those
// acknowledged (202).
func postClaims(url string, bodies [][]byte, rate float64, d time.Duration) (posted, acked int) {
	client := &http.Client{Timeout: 10 * time.Second}
	every := time.Duration(float64(time.Second) / rate)
	run := time.Now().UnixNano()
	deadline := time.Now().Add(d)
	var batch bytes.Buffer
	for next := time.Now(); next.Before(deadline); next = next.Add(every) {
		time.Sleep(time.Until(next))
		var body checkBody
		if err := json.Unmarshal(bodies[posted%len(bodies)], &body); err != nil || body.Visit == nil {
			continue
		}
		id := fmt.Sprintf("BENCH%d-%d", run, posted)
		batch.Reset()
		body.Visit["mdtrt_id"] = id
		rows := append([]map[string]string{body.Visit}, body.FeeLines...)
		for _, row := range rows {
			row["mdtrt_id"] = id
			b, err := json.Marshal(row)
			if err != nil {
				continue
			}
			batch.Write(b)
			batch.WriteByte('\n')
		}
		posted++
		res, err := client.Post(url, "application/x-ndjson", bytes.NewReader(batch.Bytes()))
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusAccepted {
			acked++
		}
	}
	return posted, acked
}

// rateText describes a --rate.
func rateText(r float64) string {
	if r <= 0 {
		return "as fast as answered"
	}
	return fmt.Sprintf("%.0f/s scheduled", r)
}
