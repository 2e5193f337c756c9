package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/ingest"
	"github.com/urfave/cli/v2"
)

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure RingLens on generated data",
		Subcommands: []*cli.Command{
			{
				Name:      "ingest",
				Usage:     "generate a city, then time ingest plus graph build and measure peak memory",
				UsageText: "ringlens bench ingest --scale 10M [--dir /tmp/city10m] [--keep]",
				Description: "Generates a city of --scale visits (or reuses --dir if it already holds one),\n" +
					"then reads it and builds the graph in a child process, so that the peak resident\n" +
					"memory printed is that of ingest and build alone.",
				Flags:  benchFlags(),
				Action: func(c *cli.Context) error { return runBench(c, false) },
			},
			{
				Name:      "detect",
				Usage:     "generate a city, then time ingest, build and detection and measure peak memory",
				UsageText: "ringlens bench detect --scale 10M [--dir /tmp/city10m] [--keep]",
				Description: "Like bench ingest, and then runs detection (rules, communities, lockstep,\n" +
					"scoring) in the same child process; detection time is everything after ingest.",
				Flags:  benchFlags(),
				Action: func(c *cli.Context) error { return runBench(c, true) },
			},
			{
				Name:   "child",
				Hidden: true,
				Usage:  "internal: ingest, build and optionally detect one dataset, print timings as JSON",
				Flags: append([]cli.Flag{&cli.StringFlag{Name: "in"}, &cli.BoolFlag{Name: "detect"}, memoryLimitFlag(),
					spillDirFlag("the system's temporary directory")}, logFlags()...),
				Action: runBenchChild,
			},
			benchLeidenCommand(),
			benchQualityCommand(),
			benchCheckCommand(),
			benchWakeCommand(),
			benchScaleCommand(),
			benchProvinceCommand(),
		},
	}
}

func benchFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "scale", Value: "1M", Usage: "visits in the generated city (k and M suffixes)"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed"},
		&cli.StringFlag{Name: "preset", Value: "default", Usage: "city preset"},
		&cli.StringFlag{Name: "dir", Usage: "where the city is (generated there if absent); default a temporary directory"},
		&cli.BoolFlag{Name: "keep", Usage: "keep the generated city"},
		&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		memoryLimitFlag(),
		spillDirFlag("the system's temporary directory"),
	}, logFlags()...)
}

// ingestBench is what the child process measures.
type ingestBench struct {
	Rows          int64   `json:"rows"`
	Visits        int     `json:"visits"`
	FeeLines      int     `json:"fee_lines"`
	Bytes         int64   `json:"bytes"`
	IngestSeconds float64 `json:"ingest_seconds"`
	BuildSeconds  float64 `json:"build_seconds"`
	DetectSeconds float64 `json:"detect_seconds,omitempty"`
	Rings         int     `json:"rings,omitempty"`
	GraphBytes    int64   `json:"graph_bytes"`
	Nodes         int     `json:"nodes"`
	PeakRSSBytes  int64   `json:"peak_rss_bytes"`
	GOMAXPROCS    int     `json:"gomaxprocs"`
}

func runBenchChild(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	p, err := loadGraph(c, m, c.String("in"), ingest.Options{DropSettlementIDs: true}, func(ingest.Reject) error { return nil })
	if err != nil {
		return err
	}
	b := ingestBench{
		Visits:        p.result.Tables.Visits.Len(),
		FeeLines:      p.result.Tables.Fees.Len(),
		IngestSeconds: p.ingestTime.Seconds(),
		BuildSeconds:  p.buildTime.Seconds(),
		GraphBytes:    p.graph.MemoryBytes(),
		Nodes:         p.graph.NumNodes(),
		GOMAXPROCS:    runtime.GOMAXPROCS(0),
	}
	for _, f := range p.result.Files {
		b.Rows += f.Read
		if st, err := os.Stat(f.Path); err == nil {
			b.Bytes += st.Size()
		}
	}
	if c.Bool("detect") {
		start := time.Now()
		f, err := rings.Detect(c.Context, p.graph, rings.Options{
			Rules:    rules.Defaults(),
			Seed:     1,
			Progress: func(stage string, done, total int64) { m.update("detect "+stage, "steps", done, total) },
		})
		m.finish()
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		b.DetectSeconds, b.Rings = time.Since(start).Seconds(), len(f.Rings)
	}
	return json.NewEncoder(c.App.Writer).Encode(b)
}

// runBench generates (or reuses) a city and measures a child process that
// ingests it, builds the graph and, with detect, runs detection.
func runBench(c *cli.Context, detect bool) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	visits, err := parseScale(c.String("scale"))
	if err != nil {
		return usagef("bench ingest: --scale: %v", err)
	}
	dir := c.String("dir")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ringlens-bench-"); err != nil {
			return fmt.Errorf("temporary directory: %w", err)
		}
		if !c.Bool("keep") {
			defer os.RemoveAll(dir)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
		m := newMeter(log, c.App.ErrWriter, tty)
		start := time.Now()
		_, err := fixtures.Generate(c.Context, fixtures.Config{
			Preset: c.String("preset"), Seed: c.Int64("seed"), Visits: visits, Out: dir,
			Progress: func(done, total int64) { m.update("generate", "visits", done, total) },
		})
		m.finish()
		if err != nil {
			return fmt.Errorf("generate city: %w", err)
		}
		log.Info().Int("visits", visits).Str("elapsed", roundDur(time.Since(start))).Str("dir", dir).Msg("city generated")
	} else {
		log.Info().Str("dir", dir).Msg("reusing generated city")
	}

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	cmd := exec.CommandContext(c.Context, self, "bench", "child", "--detect="+fmt.Sprint(detect), "--in", dir, "--log-format", c.String("log-format"), "--log-level", c.String("log-level"), "--memory-limit", c.String("memory-limit"), "--spill-dir", c.String("spill-dir"))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, c.App.ErrWriter
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ingest child: %w", err)
	}
	wall := time.Since(start)
	var b ingestBench
	if err := json.Unmarshal(stdout.Bytes(), &b); err != nil {
		return fmt.Errorf("ingest child output: %w", err)
	}
	b.PeakRSSBytes = childPeakRSS(cmd.ProcessState)
	if c.Bool("json") {
		return json.NewEncoder(c.App.Writer).Encode(b)
	}
	total := b.IngestSeconds + b.BuildSeconds
	w := c.App.Writer
	fmt.Fprintf(w, "ingest + build of %s visits, %s fee lines (%s rows, %.2f GB on disk), GOMAXPROCS=%d\n",
		humanCount(int64(b.Visits)), humanCount(int64(b.FeeLines)), humanCount(b.Rows), float64(b.Bytes)/1e9, b.GOMAXPROCS)
	fmt.Fprintf(w, "  ingest     %7.2f s  %s rows/s  %.0f MB/s\n", b.IngestSeconds, humanRate(float64(b.Rows)/b.IngestSeconds), float64(b.Bytes)/1e6/b.IngestSeconds)
	fmt.Fprintf(w, "  build      %7.2f s\n", b.BuildSeconds)
	fmt.Fprintf(w, "  total      %7.2f s  (process wall %.2f s)\n", total, wall.Seconds())
	if detect {
		fmt.Fprintf(w, "  detect     %7.2f s  %d rings\n", b.DetectSeconds, b.Rings)
	}
	perVisit := func(bytes int64) float64 { return float64(bytes) / float64(max(b.Visits, 1)) }
	fmt.Fprintf(w, "  peak RSS   %7.2f GiB, %.0f bytes a visit (graph structures %.2f GiB, %.0f bytes a visit)\n",
		float64(b.PeakRSSBytes)/(1<<30), perVisit(b.PeakRSSBytes), float64(b.GraphBytes)/(1<<30), perVisit(b.GraphBytes))
	// The budget of bench scale --budget, scaled to this city.
	mbps := float64(b.Bytes) / 1e6 / b.IngestSeconds
	fmt.Fprintf(w, "  budget     ingest %.0f MB/s, at least %.0f: %s\n", mbps, budgetIngestMBPerSecond, budgetVerdict(mbps >= budgetIngestMBPerSecond))
	if detect {
		allowed := budgetSecondsPerMillion * float64(b.Visits) / 1e6
		fmt.Fprintf(w, "  budget     CSV to ranked rings %.2f s of %.2f s allowed (%.0f s per million visits): %s\n",
			total+b.DetectSeconds, allowed, budgetSecondsPerMillion, budgetVerdict(total+b.DetectSeconds <= allowed))
		if b.Visits < 1e6 {
			fmt.Fprintln(w, "             (linear in the visits, the budget leaves out fixed costs: it is meant for a million visits or more)")
		}
	}
	return nil
}

// budgetVerdict is the word bench commands print for a budget met or not.
func budgetVerdict(within bool) string {
	if within {
		return "within budget"
	}
	return "OVER BUDGET"
}
