package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/ingest"
	"github.com/urfave/cli/v2"
)

// benchScaleCommand is `ringlens bench scale`: time per stage and memory
// per visit on cities of several sizes, so that growth can be seen to be
// linear (docs/scale.md).
func benchScaleCommand() *cli.Command {
	return &cli.Command{
		Name:      "scale",
		Usage:     "run cities of several sizes and print time per stage, peak memory and bytes per visit",
		UsageText: "ringlens bench scale [--scales 1M,3M,10M] [--dir /tmp/scale] [--keep] [--json] [--heap-profile DIR] [--cpu-profile DIR] [--cpu-timeline 250ms] [--budget]",
		Description: "For each scale, generates a city (or reuses DIR/city-SCALE when --dir holds one), then\n" +
			"ingests it, builds the graph and runs detection in a child process, and prints the\n" +
			"seconds of each stage, the child's peak resident memory after each stage and the bytes\n" +
			"per visit, then the memory model: the bytes every structure of the tables and the graph\n" +
			"holds per visit and per fee line at the largest scale (docs/scale.md). --heap-profile DIR\n" +
			"writes DIR/heap-SCALE.pb.gz, the heap profile (go tool pprof -sample_index=inuse_space)\n" +
			"at detection's highest live heap: what detection's state is made of (each new peak forces a\n" +
			"collection, so the times of such a run are not comparable). --cpu-profile DIR writes\n" +
			"DIR/cpu-SCALE.pb.gz, the CPU profile of the three stages (make pgo uses it). --cpu-timeline\n" +
			"250ms samples the child's CPU time and prints, stage by stage, the cores busy and the seconds\n" +
			"a core sat idle: where more parallelism would pay. --budget checks\n" +
			"each scale against the speed budget, 3 s from CSV to ranked rings per million visits (30 s\n" +
			"for 10M) and 300 MB/s of ingest, and exits non-zero when one is over it.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "scales", Value: "1M,3M,10M", Usage: "comma-separated visit counts (k and M suffixes)"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed"},
			&cli.StringFlag{Name: "preset", Value: "default", Usage: "city preset"},
			&cli.StringFlag{Name: "dir", Usage: "where the cities are kept (city-SCALE, generated if absent); default a temporary directory per city"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the generated cities (with --dir they are always kept)"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
			&cli.StringFlag{Name: "heap-profile", Usage: "write DIR/heap-SCALE.pb.gz, the heap profile at detection's highest live heap"},
			&cli.StringFlag{Name: "cpu-profile", Usage: "write DIR/cpu-SCALE.pb.gz, the CPU profile of the ingest, the graph build and detection together"},
			&cli.DurationFlag{Name: "cpu-timeline", Usage: "sample the child's CPU time every `INTERVAL` (such as 250ms) and print, stage by stage, the cores busy and the seconds a core sat idle; 0 = off"},
			&cli.BoolFlag{Name: "budget", Usage: "check every scale against the speed budget (--budget-seconds-per-million, --budget-ingest-mbps) and exit non-zero when one is over it"},
			&cli.Float64Flag{Name: "budget-seconds-per-million", Value: budgetSecondsPerMillion, Usage: "seconds from CSV to ranked rings allowed per million visits (30 s for 10M)"},
			&cli.Float64Flag{Name: "budget-ingest-mbps", Value: budgetIngestMBPerSecond, Usage: "least MB of input a second the ingest must read"},
			memoryLimitFlag(),
			spillDirFlag("the system's temporary directory"),
		}, logFlags()...),
		Action: runBenchScale,
		Subcommands: []*cli.Command{{
			Name:   "child",
			Hidden: true,
			Usage:  "internal: ingest, build and detect one dataset, print stage times and memory as JSON",
			Flags:  append([]cli.Flag{&cli.StringFlag{Name: "in"}, &cli.StringFlag{Name: "heap-profile"}, &cli.StringFlag{Name: "cpu-profile"}, &cli.DurationFlag{Name: "cpu-timeline"}, memoryLimitFlag(), spillDirFlag("the system's temporary directory")}, logFlags()...),
			Action: runBenchScaleChild,
		}},
	}
}

// scaleResult is what bench scale measures on one city.
type scaleResult struct {
	Scale         string  `json:"scale"`
	Visits        int     `json:"visits"`
	FeeLines      int     `json:"fee_lines"`
	Rows          int64   `json:"rows"`
	Bytes         int64   `json:"bytes"` // input files
	IngestSeconds float64 `json:"ingest_seconds"`
	BuildSeconds  float64 `json:"build_seconds"`
	DetectSeconds float64 `json:"detect_seconds"`
	// CPU seconds (user and system, all threads) of each stage: on a
	// machine shared with other work they vary less than the wall times.
	IngestCPUSeconds float64 `json:"ingest_cpu_seconds"`
	BuildCPUSeconds  float64 `json:"build_cpu_seconds"`
	DetectCPUSeconds float64 `json:"detect_cpu_seconds"`
	Rings            int     `json:"rings"`
	// Peak resident memory of the child after each stage (the high-water
	// mark so far) and at its end, as the parent's rusage reports it.
	PeakRSSIngestBytes int64 `json:"peak_rss_ingest_bytes"`
	PeakRSSBuildBytes  int64 `json:"peak_rss_build_bytes"`
	PeakRSSBytes       int64 `json:"peak_rss_bytes"`
	// Live heap (after a forced collection) once the tables are read and
	// once the graph is built, and the highest live heap a collection
	// found during detection.
	LiveIngestBytes     int64 `json:"live_ingest_bytes"`
	LiveBuildBytes      int64 `json:"live_build_bytes"`
	LiveDetectPeakBytes int64 `json:"live_detect_peak_bytes"`
	// Memory is the structure-by-structure breakdown of the tables and
	// the graph (graph.MemoryItem).
	Memory []graph.MemoryItem `json:"memory"`
	// SpilledBytes is how much of the tables (counted in Memory) was
	// moved out of the heap into the spill file (graph.Tables.Spill).
	SpilledBytes int64 `json:"spilled_bytes"`
	GOMAXPROCS   int   `json:"gomaxprocs"`
	// CPUTimeline is the child's CPU use stage by stage (--cpu-timeline).
	CPUTimeline []timelineStage `json:"cpu_timeline,omitempty"`
}

// totalSeconds returns r's time from CSV to ranked rings: ingest, build
// and detection.
func (r *scaleResult) totalSeconds() float64 {
	return r.IngestSeconds + r.BuildSeconds + r.DetectSeconds
}

// ingestMBps returns the MB of input r's ingest read a second.
func (r *scaleResult) ingestMBps() float64 {
	return float64(r.Bytes) / 1e6 / max(r.IngestSeconds, 1e-9)
}

// perVisit returns n bytes per visit of r.
func (r *scaleResult) perVisit(n int64) float64 {
	if r.Visits == 0 {
		return 0
	}
	return float64(n) / float64(r.Visits)
}

// parseScales reads a comma-separated list of visit counts, keeping each
// one's spelling for directory names and output.
func parseScales(s string) ([]string, []int, error) {
	var names []string
	var visits []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := parseScale(f)
		if err != nil {
			return nil, nil, err
		}
		names, visits = append(names, f), append(visits, n)
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("want visit counts such as 1M,3M,10M, not %q", s)
	}
	return names, visits, nil
}

// runBenchScale generates (or reuses) a city per scale, measures each in a
// child process and prints the results.
func runBenchScale(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	names, visits, err := parseScales(c.String("scales"))
	if err != nil {
		return usagef("bench scale: --scales: %v", err)
	}
	if _, err := parseBytes(c.String("memory-limit")); err != nil {
		return usagef("bench scale: --memory-limit: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	var results []scaleResult
	for i, name := range names {
		dir, cleanup, err := scaleCityDir(c.String("dir"), name, c.Bool("keep"))
		if err != nil {
			return err
		}
		r, err := func() (scaleResult, error) {
			defer cleanup()
			if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
				m := newMeter(log, c.App.ErrWriter, tty)
				start := time.Now()
				_, err := fixtures.Generate(c.Context, fixtures.Config{
					Preset: c.String("preset"), Seed: c.Int64("seed"), Visits: visits[i], Out: dir,
					Progress: func(done, total int64) { m.update("generate "+name, "visits", done, total) },
				})
				m.finish()
				if err != nil {
					return scaleResult{}, fmt.Errorf("generate %s city: %w", name, err)
				}
				log.Info().Int("visits", visits[i]).Str("elapsed", roundDur(time.Since(start))).Str("dir", dir).Msg("city generated")
			} else {
				log.Info().Str("dir", dir).Msg("reusing generated city")
			}
			args := []string{"--in", dir, "--log-format", c.String("log-format"), "--log-level", c.String("log-level"),
				"--memory-limit", c.String("memory-limit"), "--spill-dir", c.String("spill-dir")}
			if p := c.String("heap-profile"); p != "" {
				if err := os.MkdirAll(p, 0o755); err != nil {
					return scaleResult{}, fmt.Errorf("heap profile directory: %w", err)
				}
				args = append(args, "--heap-profile", filepath.Join(p, "heap-"+name+".pb.gz"))
			}
			if d := c.Duration("cpu-timeline"); d > 0 {
				args = append(args, "--cpu-timeline", d.String())
			}
			if p := c.String("cpu-profile"); p != "" {
				if err := os.MkdirAll(p, 0o755); err != nil {
					return scaleResult{}, fmt.Errorf("cpu profile directory: %w", err)
				}
				args = append(args, "--cpu-profile", filepath.Join(p, "cpu-"+name+".pb.gz"))
			}
			return runScaleChild(c.Context, self, dir, args, c.App.ErrWriter)
		}()
		if err != nil {
			return err
		}
		r.Scale = name
		log.Info().Str("scale", name).Float64("ingest_s", r.IngestSeconds).Float64("build_s", r.BuildSeconds).
			Float64("detect_s", r.DetectSeconds).Int64("peak_rss", r.PeakRSSBytes).Msg("scale measured")
		results = append(results, r)
	}
	if c.Bool("json") {
		if err := json.NewEncoder(c.App.Writer).Encode(struct {
			Scales []scaleResult `json:"scales"`
		}{results}); err != nil {
			return err
		}
	} else {
		writeScaleTable(c.App.Writer, results)
	}
	if !c.Bool("budget") {
		return nil
	}
	w := c.App.Writer
	if c.Bool("json") {
		w = c.App.ErrWriter
	}
	return checkScaleBudget(w, results, c.Float64("budget-seconds-per-million"), c.Float64("budget-ingest-mbps"))
}

// The speed budget of a city on the reference machine (2 cores), scaled
// with its visits: 30 s from CSV to ranked rings for 10M visits, and an
// ingest reading at least 300 MB of CSV a second.
const (
	budgetSecondsPerMillion = 3.0
	budgetIngestMBPerSecond = 300.0
)

// checkScaleBudget prints each scale's time from CSV to ranked rings
// against perMillion seconds per million visits and its ingest rate
// against minMBps, and returns an error naming the scales over budget.
// Small cities carry fixed costs that the budget, linear in the visits,
// does not allow for: it is meant for cities of a million visits or more.
func checkScaleBudget(w io.Writer, rs []scaleResult, perMillion, minMBps float64) error {
	var over []string
	fmt.Fprintln(w)
	for _, r := range rs {
		total, mbps := r.totalSeconds(), r.ingestMBps()
		allowed := perMillion * float64(r.Visits) / 1e6
		within := total <= allowed && mbps >= minMBps
		if !within {
			over = append(over, r.Scale)
		}
		verdict := budgetVerdict(within)
		fmt.Fprintf(w, "budget %-6s CSV to ranked rings %.2f s of %.2f s allowed, ingest %.0f MB/s (at least %.0f): %s\n",
			r.Scale, total, allowed, mbps, minMBps, verdict)
	}
	if len(over) > 0 {
		return fmt.Errorf("bench scale: over the speed budget at %s", strings.Join(over, ", "))
	}
	return nil
}

// scaleCityDir returns the directory of the city of one scale and a
// function that removes it if it is temporary and not kept.
func scaleCityDir(base, name string, keep bool) (string, func(), error) {
	if base != "" {
		dir := filepath.Join(base, "city-"+name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("city directory: %w", err)
		}
		return dir, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "ringlens-scale-"+name+"-")
	if err != nil {
		return "", nil, fmt.Errorf("temporary directory: %w", err)
	}
	if keep {
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// runScaleChild measures one city in a child process, so that its peak
// resident memory is that of ingest, build and detection alone.
// args are the child's flags (--in first).
func runScaleChild(ctx context.Context, self, dir string, args []string, stderr io.Writer) (scaleResult, error) {
	cmd := exec.CommandContext(ctx, self, append([]string{"bench", "scale", "child"}, args...)...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		return scaleResult{}, fmt.Errorf("bench child on %s: %w", dir, err)
	}
	var r scaleResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return scaleResult{}, fmt.Errorf("bench child output: %w", err)
	}
	r.PeakRSSBytes = childPeakRSS(cmd.ProcessState)
	return r, nil
}

// liveHeap collects garbage and returns the bytes of live heap objects.
func liveHeap() int64 {
	runtime.GC()
	return lastLiveHeap()
}

// lastLiveHeap returns the heap the last collection found live, without
// collecting (0 where the runtime does not report it).
func lastLiveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// heapWatch records the highest live heap that the collector reports
// while it runs and, when asked, the heap profile at that peak.
type heapWatch struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak int64
	// profile is the heap profile (pprof's gzipped protocol buffer) taken
	// when the live heap last rose past profileStep over the one profiled
	// before: nil unless watchHeap was asked for profiles.
	profile    []byte
	profileErr error
}

// profileStep is how much higher (a share) the live heap must be than at
// the last profile for heapWatch to take another: a profile takes a few
// milliseconds, too many to take at every sample.
const profileStep = 0.01

// watchHeap starts sampling the live heap every interval; with profile set
// it also keeps the heap profile at the highest live heap it sees.
func watchHeap(interval time.Duration, profile bool) *heapWatch {
	w := &heapWatch{stop: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(interval)
		defer t.Stop()
		var profiled int64
		for {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				live := int64(s[0].Value.Uint64())
				w.peak = max(w.peak, live)
				if profile && float64(live) > float64(profiled)*(1+profileStep) {
					// The heap profile is published only once a collection
					// has swept, a cycle or more after the live heap read
					// above: a collection forced here (as pprof's ?gc=1
					// does) makes the two agree. It slows detection down:
					// the times of a profiled run are not comparable.
					runtime.GC()
					var b bytes.Buffer
					if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
						w.profileErr = err
					} else {
						w.profile, profiled = b.Bytes(), live
					}
				}
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// done stops w and returns the peak it saw.
func (w *heapWatch) done() int64 {
	close(w.stop)
	w.wg.Wait()
	return w.peak
}

// runBenchScaleChild ingests, builds and detects one dataset and prints
// its scaleResult as JSON: stage times, peak RSS and live heap after each
// stage, and the memory breakdown of the tables and the graph.
func runBenchScaleChild(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(c.String("cpu-profile"))
	if err != nil {
		return err
	}
	defer stopProfile()
	var tl *cpuTimeline
	mark := func(string) {}
	if d := c.Duration("cpu-timeline"); d > 0 {
		tl = newCPUTimeline(d, "ingest")
		mark = tl.mark
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	dir := c.String("in")
	start, cpu := time.Now(), processCPUTime().Seconds()
	res, err := ingest.Load(c.Context, dir, ingest.Options{DropSettlementIDs: true, Progress: func(p ingest.Progress) {
		if p.Done {
			m.finish()
			return
		}
		mark("ingest " + filepath.Base(p.Path))
		m.update("read "+filepath.Base(p.Path), "rows", p.Rows, 0)
	}}, func(ingest.Reject) error { return nil })
	m.finish()
	mark("ingest: trim and spill")
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	trimTables(log, res.Tables) // as detect does
	moved, err := spillTables(c, log, res.Tables)
	if err != nil {
		return err
	}
	p := &pipeline{result: res, ingestTime: time.Since(start), spilled: moved}
	defer p.closeSpill(log)
	ingestCPU := processCPUTime().Seconds() - cpu
	r := scaleResult{
		IngestCPUSeconds:   ingestCPU,
		Visits:             res.Tables.Visits.Len(),
		FeeLines:           res.Tables.Fees.Len(),
		IngestSeconds:      p.ingestTime.Seconds(),
		PeakRSSIngestBytes: peakRSS(),
		LiveIngestBytes:    liveHeap(),
		GOMAXPROCS:         runtime.GOMAXPROCS(0),
	}
	if moved != nil {
		r.SpilledBytes = moved.Moved()
	}
	for _, f := range res.Files {
		r.Rows += f.Read
		r.Bytes += f.Size
	}
	cpu = processCPUTime().Seconds()
	mark("build")
	if err := buildGraph(c, m, p, mark); err != nil {
		return err
	}
	r.BuildSeconds, r.BuildCPUSeconds = p.buildTime.Seconds(), processCPUTime().Seconds()-cpu
	r.PeakRSSBuildBytes = peakRSS()
	r.LiveBuildBytes = liveHeap()
	r.Memory = append(res.Tables.Memory(), p.graph.Memory()...)

	profilePath := c.String("heap-profile")
	watch := watchHeap(20*time.Millisecond, profilePath != "")
	start, cpu = time.Now(), processCPUTime().Seconds()
	f, err := rings.Detect(c.Context, p.graph, rings.Options{
		Rules: rules.Defaults(),
		Seed:  1,
		Progress: func(stage string, done, total int64) {
			mark("detect " + stage)
			m.update("detect "+stage, "steps", done, total)
		},
	})
	m.finish()
	r.LiveDetectPeakBytes = watch.done()
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if profilePath != "" {
		if watch.profileErr != nil {
			return fmt.Errorf("heap profile: %w", watch.profileErr)
		}
		if err := os.WriteFile(profilePath, watch.profile, 0o644); err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
		log.Info().Str("file", profilePath).Msg("heap profile at detection's peak written")
	}
	r.DetectSeconds, r.DetectCPUSeconds, r.Rings = time.Since(start).Seconds(), processCPUTime().Seconds()-cpu, len(f.Rings)
	if tl != nil {
		r.CPUTimeline = tl.finish()
	}
	return json.NewEncoder(c.App.Writer).Encode(r)
}

// writeScaleTable prints the stages and memory of every scale, the growth
// from the smallest to the largest, and the memory model of the largest.
func writeScaleTable(w io.Writer, rs []scaleResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "bench scale: ingest, graph build and detection per city size (GOMAXPROCS=%d)\n\n", rs[0].GOMAXPROCS)
	fmt.Fprintf(w, "%-6s %12s %12s %9s %8s %8s %9s %8s %9s %10s %10s %10s\n",
		"scale", "visits", "fee lines", "ingest s", "MB/s", "build s", "detect s", "total s",
		"peak RSS", "RSS B/vis", "heap B/vis", "rings")
	for i := range rs {
		r := &rs[i]
		fmt.Fprintf(w, "%-6s %12s %12s %9.2f %8.0f %8.2f %9.2f %8.2f %8.2fG %10.0f %10.0f %10d\n",
			r.Scale, humanCount(int64(r.Visits)), humanCount(int64(r.FeeLines)), r.IngestSeconds,
			r.ingestMBps(), r.BuildSeconds, r.DetectSeconds, r.totalSeconds(),
			float64(r.PeakRSSBytes)/(1<<30), r.perVisit(r.PeakRSSBytes), r.perVisit(max(r.LiveDetectPeakBytes, r.LiveBuildBytes)), r.Rings)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "CPU seconds per stage (user + system, all threads; steadier than wall time on a shared machine):")
	for i := range rs {
		r := &rs[i]
		fmt.Fprintf(w, "  %-6s ingest %7.2f  build %7.2f  detect %7.2f  total %7.2f\n", r.Scale,
			r.IngestCPUSeconds, r.BuildCPUSeconds, r.DetectCPUSeconds, r.IngestCPUSeconds+r.BuildCPUSeconds+r.DetectCPUSeconds)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "peak RSS per visit after each stage, and live heap per visit (allocated, after a collection: tables; + graph; detection's peak):")
	for i := range rs {
		r := &rs[i]
		fmt.Fprintf(w, "  %-6s RSS ingest %4.0f  build %4.0f  detect %4.0f B/visit   live tables %4.0f  +graph %4.0f  detect peak %4.0f B/visit\n",
			r.Scale, r.perVisit(r.PeakRSSIngestBytes), r.perVisit(r.PeakRSSBuildBytes), r.perVisit(r.PeakRSSBytes),
			r.perVisit(r.LiveIngestBytes), r.perVisit(r.LiveBuildBytes), r.perVisit(r.LiveDetectPeakBytes))
	}
	if len(rs) > 1 {
		a, b := &rs[0], &rs[len(rs)-1]
		ratio := func(x, y float64) float64 {
			if x == 0 {
				return 0
			}
			return y / x
		}
		fmt.Fprintf(w, "\ngrowth %s -> %s: visits x%.2f, ingest x%.2f (CPU x%.2f), build x%.2f (CPU x%.2f), detect x%.2f (CPU x%.2f), peak RSS x%.2f, live heap x%.2f\n",
			a.Scale, b.Scale, ratio(float64(a.Visits), float64(b.Visits)),
			ratio(a.IngestSeconds, b.IngestSeconds), ratio(a.IngestCPUSeconds, b.IngestCPUSeconds),
			ratio(a.BuildSeconds, b.BuildSeconds), ratio(a.BuildCPUSeconds, b.BuildCPUSeconds),
			ratio(a.DetectSeconds, b.DetectSeconds), ratio(a.DetectCPUSeconds, b.DetectCPUSeconds),
			ratio(float64(a.PeakRSSBytes), float64(b.PeakRSSBytes)),
			ratio(float64(max(a.LiveDetectPeakBytes, a.LiveBuildBytes)), float64(max(b.LiveDetectPeakBytes, b.LiveBuildBytes))))
	}
	writeTimeline(w, rs)
	writeMemoryModel(w, &rs[len(rs)-1])
}

// writeMemoryModel prints the bytes each structure holds per visit, per
// fee line (for those that grow with fee lines) and in all.
func writeMemoryModel(w io.Writer, r *scaleResult) {
	if len(r.Memory) == 0 {
		return
	}
	items := append([]graph.MemoryItem(nil), r.Memory...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Bytes > items[j].Bytes })
	fmt.Fprintf(w, "\nmemory model at %s (%s visits, %.2f fee lines per visit), bytes in use:\n",
		r.Scale, humanCount(int64(r.Visits)), float64(r.FeeLines)/max(float64(r.Visits), 1))
	fmt.Fprintf(w, "  %-40s %-9s %12s %10s %10s %10s %9s\n", "structure", "grows by", "rows", "MiB", "B/row", "B/visit", "reserved")
	var used, reserved int64
	for _, m := range items {
		perRow := 0.0
		if m.Rows > 0 {
			perRow = float64(m.Bytes) / float64(m.Rows)
		}
		fmt.Fprintf(w, "  %-40s %-9s %12s %10.1f %10.1f %10.1f %8.0f%%\n", m.Structure, m.Per, humanCount(m.Rows),
			float64(m.Bytes)/(1<<20), perRow, r.perVisit(m.Bytes), 100*float64(m.Reserved)/max(float64(m.Bytes), 1))
		used += m.Bytes
		reserved += m.Reserved
	}
	fmt.Fprintf(w, "  %-40s %-9s %12s %10.1f %10s %10.1f %8.0f%%\n", "total (tables + graph)", "", "",
		float64(used)/(1<<20), "", r.perVisit(used), 100*float64(reserved)/max(float64(used), 1))
	if r.SpilledBytes > 0 {
		fmt.Fprintf(w, "  %-40s %-9s %12s %10.1f %10s %10.1f   (ids, names, serials: --spill-dir)\n", "  of which moved out of the heap", "", "",
			float64(r.SpilledBytes)/(1<<20), "", r.perVisit(r.SpilledBytes))
		fmt.Fprintf(w, "  %-40s %-9s %12s %10.1f %10s %10.1f\n", "  on the heap", "", "",
			float64(used-r.SpilledBytes)/(1<<20), "", r.perVisit(used-r.SpilledBytes))
	}
}

// startCPUProfile writes the CPU profile of the process to path until stop
// is called; an empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	out, err := os.Create(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}, nil
}
