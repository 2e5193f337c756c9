package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
	"github.com/urfave/cli/v2"
)

// defaultIgraphScript is the igraph side of `ringlens bench leiden`,
// relative to the repository root.
const defaultIgraphScript = "bench/igraph_leiden.py"

// systemPython is the interpreter Debian's python3-igraph installs into.
const systemPython = "/usr/bin/python3"

// defaultNetworkitScript is the NetworKit side of `ringlens bench leiden`,
// relative to the repository root.
const defaultNetworkitScript = "bench/networkit_leiden.py"

// benchLeidenCommand is `ringlens bench leiden`: Leiden on an edge list,
// side by side with igraph's C Leiden and, when installed, NetworKit's
// ParallelLeiden on the same file, and GVE-Leiden when --gve-leiden names
// its driver.
func benchLeidenCommand() *cli.Command {
	return &cli.Command{
		Name:      "leiden",
		Usage:     "time Leiden community detection on an edge list, side by side with igraph, NetworKit and GVE-Leiden",
		UsageText: "ringlens bench leiden --graph FILE [--seed 1] [--runs 3] [--iterations 1] [--workers 1] [--igraph bench/igraph_leiden.py] [--networkit bench/networkit_leiden.py] [--gve-leiden PATH] [--json]",
		Description: "Loads FILE (whitespace \"u v [w]\" lines, .gz allowed) with graph.ReadEdgeList, runs\n" +
			"modularity Leiden --runs times with seeds --seed, --seed+1, ... and times detection\n" +
			"alone (wall and process CPU time). Then runs the igraph script on the same file with\n" +
			"the same seeds and iterations, and prints both side by side with the time ratio.\n" +
			"--iterations N runs N Leiden iterations on both sides; a negative N iterates ours\n" +
			"until stable and passes -1 to igraph, whose 0.10 C core then stops after one.\n" +
			"--workers N runs ours on N goroutines (1: the sequential algorithm, >1: the parallel\n" +
			"variant, the same result for every N > 1). NetworKit's ParallelLeiden (pip install\n" +
			"networkit) runs with N threads and the same iterations when --networkit-python can\n" +
			"import it, and is skipped otherwise. Rates are distinct edges per second: per core\n" +
			"is edges / median wall seconds / threads, per CPU second is edges / median CPU seconds;\n" +
			"edge entries count each edge both ways, as GVE-Leiden's papers do (twice the rate).\n" +
			"--gve-leiden PATH runs GVE-Leiden (Sahu, arXiv:2312.13936) through our driver, which\n" +
			"`make gve-leiden` builds and prints the path of (bench/README.md), on a MatrixMarket copy of the\n" +
			"graph, on N threads with its default options (until converged, whatever --iterations).\n" +
			"--phases times our runs phase by phase (validation, setup, then local moving, refinement\n" +
			"and aggregation per iteration and level, connectivity, quality) and prints the medians.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "graph", Required: true, Usage: "edge list `FILE` (.gz allowed)"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of the first run"},
			&cli.IntFlag{Name: "runs", Value: 3, Usage: "number of runs on each side"},
			&cli.IntFlag{Name: "iterations", Value: 1, Usage: "Leiden iterations (negative: until stable)"},
			&cli.Float64Flag{Name: "resolution", Value: 1, Usage: "modularity resolution γ (ours only; igraph uses 1)"},
			&cli.StringFlag{Name: "igraph", Value: defaultIgraphScript, Usage: "igraph script `PATH`; empty to skip igraph"},
			&cli.StringFlag{Name: "python", Value: systemPython, Usage: "python interpreter with igraph"},
			&cli.IntFlag{Name: "workers", Value: 1, Usage: "goroutines of our Leiden, threads of NetworKit's"},
			&cli.StringFlag{Name: "networkit", Value: defaultNetworkitScript, Usage: "NetworKit script `PATH`; empty to skip NetworKit"},
			&cli.StringFlag{Name: "networkit-python", Value: "python3", Usage: "python interpreter with networkit"},
			&cli.StringFlag{Name: "gve-leiden", Usage: "GVE-Leiden driver `PATH`; empty to skip GVE-Leiden"},
			&cli.BoolFlag{Name: "phases", Usage: "also time our runs phase by phase (community.Options.Phase) and print the medians"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: runBenchLeiden,
	}
}

// leidenRun is one timed detection.
type leidenRun struct {
	Seed        int64   `json:"seed"`
	Seconds     float64 `json:"seconds"` // process CPU time
	WallSeconds float64 `json:"wall_seconds"`
	Modularity  float64 `json:"modularity"`
	Communities int     `json:"communities"`
	// Passes is the number of Leiden passes (levels) GVE-Leiden took; the
	// other sides leave it 0.
	Passes int `json:"passes,omitempty"`
}

// leidenSide is the result of one implementation.
type leidenSide struct {
	Name        string      `json:"name"`
	Nodes       int         `json:"nodes"`
	Edges       int         `json:"edges"`
	LoadSeconds float64     `json:"load_seconds,omitempty"`
	Iterations  int         `json:"iterations"`
	Workers     int         `json:"workers"` // threads of the detection
	Runs        []leidenRun `json:"runs"`
	// Phases holds, with --phases, the median wall time of each phase of
	// our runs, in the order of the runs' phases.
	Phases []leidenPhase `json:"phases,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// leidenPhase is the median timing of one phase over the runs that had it.
type leidenPhase struct {
	Name      string  `json:"name"`
	Iteration int     `json:"iteration,omitempty"`
	Level     int     `json:"level,omitempty"`
	Nodes     int     `json:"nodes"`   // median over the runs
	Runs      int     `json:"runs"`    // runs that had the phase
	Seconds   float64 `json:"seconds"` // median wall time
}

// medianPhases returns the median of each phase of runs (each a run's
// phases in order), keyed by name, iteration and level, in the order in
// which the phases first occur.
func medianPhases(runs [][]community.PhaseTiming) []leidenPhase {
	type key struct {
		name             string
		iteration, level int
	}
	var order []key
	secs, nodes := map[key][]float64{}, map[key][]float64{}
	for _, r := range runs {
		for _, ph := range r {
			k := key{ph.Name, ph.Iteration, ph.Level}
			if _, ok := secs[k]; !ok {
				order = append(order, k)
			}
			secs[k] = append(secs[k], ph.Duration.Seconds())
			nodes[k] = append(nodes[k], float64(ph.Nodes))
		}
	}
	out := make([]leidenPhase, 0, len(order))
	for _, k := range order {
		out = append(out, leidenPhase{Name: k.name, Iteration: k.iteration, Level: k.level,
			Nodes: int(lowerMedian(nodes[k])), Runs: len(secs[k]), Seconds: lowerMedian(secs[k])})
	}
	return out
}

// leidenBench is what `ringlens bench leiden --json` prints.
type leidenBench struct {
	Graph      string      `json:"graph"`
	GOMAXPROCS int         `json:"gomaxprocs"`
	Ours       leidenSide  `json:"ringlens"`
	Igraph     *leidenSide `json:"igraph,omitempty"`
	Networkit  *leidenSide `json:"networkit,omitempty"`
	GVELeiden  *leidenSide `json:"gve_leiden,omitempty"`
	// CPURatio is the median CPU seconds of ours over igraph's.
	CPURatio float64 `json:"cpu_ratio,omitempty"`
	// NetworkitWallRatio is the median wall seconds of ours over
	// NetworKit's, both on Workers threads.
	NetworkitWallRatio float64 `json:"networkit_wall_ratio,omitempty"`
	// GVELeidenWallRatio is the median wall seconds of ours over
	// GVE-Leiden's, both on Workers threads.
	GVELeidenWallRatio float64 `json:"gve_leiden_wall_ratio,omitempty"`
}

func runBenchLeiden(c *cli.Context) error {
	path := c.String("graph")
	runs := c.Int("runs")
	if runs < 1 {
		return fmt.Errorf("bench leiden: --runs %d: want at least 1", runs)
	}
	iterations := c.Int("iterations")
	if iterations == 0 {
		return errors.New("bench leiden: --iterations 0: want a positive count, or negative for until stable")
	}
	workers := c.Int("workers")
	if workers < 1 {
		return fmt.Errorf("bench leiden: --workers %d: want at least 1", workers)
	}
	res := leidenBench{Graph: path, GOMAXPROCS: runtime.GOMAXPROCS(0)}

	start := time.Now()
	g, w, err := loadLeidenGraph(path)
	if err != nil {
		return fmt.Errorf("bench leiden: %w", err)
	}
	res.Ours = leidenSide{Name: "ringlens", Nodes: w.Len(), Edges: w.NumEdges(),
		LoadSeconds: time.Since(start).Seconds(), Iterations: iterations, Workers: workers}
	// GVE-Leiden's input is written now: w is then dead through our runs,
	// as it is without --gve-leiden.
	var gve *gveLeidenInput
	if bin := c.String("gve-leiden"); bin != "" {
		gve = prepareGVELeiden(bin, w, workers)
		defer gve.remove()
	}

	opt := community.Options{Resolution: c.Float64("resolution"), Workers: workers}
	if iterations > 0 {
		opt.MaxIterations = iterations
	}
	var phases [][]community.PhaseTiming
	for i := range runs {
		opt.Seed = c.Int64("seed") + int64(i)
		if c.Bool("phases") {
			phases = append(phases, nil)
			opt.Phase = func(p community.PhaseTiming) { phases[i] = append(phases[i], p) }
		}
		runtime.GC() // keep the previous run's garbage out of this one
		c0, w0 := processCPUTime(), time.Now()
		p, err := community.Leiden(c.Context, g, opt)
		cpu, wall := processCPUTime()-c0, time.Since(w0)
		if err != nil {
			return fmt.Errorf("bench leiden: %w", err)
		}
		res.Ours.Runs = append(res.Ours.Runs, leidenRun{Seed: opt.Seed, Seconds: cpu.Seconds(),
			WallSeconds: wall.Seconds(), Modularity: p.Quality, Communities: p.Communities})
	}
	res.Ours.Phases = medianPhases(phases)

	if script := c.String("igraph"); script != "" {
		side := runIgraphLeiden(c.Context, c.String("python"), script, path, c.Int64("seed"), runs, iterations)
		res.Igraph = &side
		if side.Error == "" && len(side.Runs) > 0 {
			res.CPURatio = leidenMedian(res.Ours.Runs, leidenCPU) / leidenMedian(side.Runs, leidenCPU)
		}
	}
	if script := c.String("networkit"); script != "" {
		side := runNetworkitLeiden(c.Context, c.String("networkit-python"), script, path, c.Int64("seed"), runs, iterations, workers)
		res.Networkit = &side
		if side.Error == "" && len(side.Runs) > 0 {
			res.NetworkitWallRatio = leidenMedian(res.Ours.Runs, leidenWall) / leidenMedian(side.Runs, leidenWall)
		}
	}
	if gve != nil {
		side := runGVELeiden(c.Context, gve, c.Int64("seed"), runs)
		res.GVELeiden = &side
		if side.Error == "" && len(side.Runs) > 0 {
			res.GVELeidenWallRatio = leidenMedian(res.Ours.Runs, leidenWall) / leidenMedian(side.Runs, leidenWall)
		}
	}

	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printLeidenBench(c.App.Writer, &res)
}

// loadLeidenGraph reads an edge list, gzip-compressed if its name ends in
// .gz, and returns its CSR and the graph it was built from (its node count
// and distinct edge count are the table's).
func loadLeidenGraph(path string) (*community.CSR, *graph.Weighted, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	w, _, err := graph.ReadEdgeList(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	g := community.FromAdjacency(w)
	if err := g.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, w, nil
}

// runIgraphLeiden runs the igraph script and returns its result, or a side
// whose Error says why igraph could not run.
func runIgraphLeiden(ctx context.Context, python, script, path string, seed int64, runs, iterations int) leidenSide {
	side := leidenSide{Name: "igraph", Iterations: iterations, Workers: 1}
	if _, err := os.Stat(script); err != nil {
		side.Error = fmt.Sprintf("igraph script %s not found (run from the repository root or pass --igraph PATH)", script)
		return side
	}
	if err := exec.CommandContext(ctx, python, "-c", "import igraph").Run(); err != nil {
		side.Error = fmt.Sprintf("igraph is not installed for %s: install it with `apt-get install -y python3-igraph` (Debian's package, run with %s)", python, systemPython)
		return side
	}
	if iterations < 0 {
		iterations = -1
	}
	runPeerScript(ctx, &side, "igraph", python, script, path,
		"--seed", fmt.Sprint(seed), "--runs", fmt.Sprint(runs), "--iterations", fmt.Sprint(iterations))
	return side
}

// runNetworkitLeiden runs the NetworKit script on the given number of
// threads and returns its result, or a side whose Error says why NetworKit
// could not run.
func runNetworkitLeiden(ctx context.Context, python, script, path string, seed int64, runs, iterations, threads int) leidenSide {
	side := leidenSide{Name: "networkit", Iterations: iterations, Workers: threads}
	if _, err := os.Stat(script); err != nil {
		side.Error = fmt.Sprintf("NetworKit script %s not found (run from the repository root or pass --networkit PATH)", script)
		return side
	}
	if err := exec.CommandContext(ctx, python, "-c", "import networkit").Run(); err != nil {
		side.Error = fmt.Sprintf("networkit is not installed for %s: install it with `%s -m pip install networkit` (PyPI) or pass --networkit-python", python, python)
		return side
	}
	if iterations < 0 {
		iterations = -1 // NetworKit's default, 3
	}
	runPeerScript(ctx, &side, "networkit", python, script, path,
		"--seed", fmt.Sprint(seed), "--runs", fmt.Sprint(runs), "--iterations", fmt.Sprint(iterations),
		"--threads", fmt.Sprint(threads))
	return side
}

// gveLeidenInput is the GVE-Leiden side before its run: its driver and the
// MatrixMarket file it reads, or the side's Error.
type gveLeidenInput struct {
	side leidenSide
	exe  string
	mtx  string
}

// prepareGVELeiden finds the GVE-Leiden driver bin and writes w as a
// MatrixMarket file for it; a failure is left in the side's Error.
func prepareGVELeiden(bin string, w *graph.Weighted, threads int) *gveLeidenInput {
	in := &gveLeidenInput{side: leidenSide{Name: "gve-leiden", Iterations: -1, Workers: threads}}
	exe, err := exec.LookPath(bin)
	if err != nil {
		in.side.Error = fmt.Sprintf("GVE-Leiden driver %s not found or not executable (%v): build it with make gve-leiden (bench/README.md) and pass the path it prints", bin, err)
		return in
	}
	f, err := os.CreateTemp("", "ringlens-gve-*.mtx")
	if err != nil {
		in.side.Error = fmt.Sprintf("GVE-Leiden input: %v", err)
		return in
	}
	in.exe, in.mtx = exe, f.Name()
	err = writeMatrixMarket(f, w)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		in.side.Error = fmt.Sprintf("GVE-Leiden input %s: %v", f.Name(), err)
	}
	return in
}

// remove deletes the MatrixMarket file.
func (in *gveLeidenInput) remove() {
	if in.mtx != "" {
		os.Remove(in.mtx)
	}
}

// runGVELeiden runs the GVE-Leiden driver on its input on the side's
// threads and returns its result, or a side whose Error says why GVE-Leiden
// could not run. The driver runs leidenStaticOmp with its default options,
// which iterate until converged.
func runGVELeiden(ctx context.Context, in *gveLeidenInput, seed int64, runs int) leidenSide {
	side := in.side
	if side.Error != "" {
		return side
	}
	threads := side.Workers
	cmd := exec.CommandContext(ctx, in.exe, in.mtx, "--runs", fmt.Sprint(runs),
		"--threads", fmt.Sprint(threads), "--seed", fmt.Sprint(seed))
	cmd.Env = append(os.Environ(), fmt.Sprintf("OMP_NUM_THREADS=%d", threads))
	runPeer(cmd, &side, "gve_leiden", in.exe)
	return side
}

// writeMatrixMarket writes w as a symmetric MatrixMarket coordinate file,
// nodes numbered from 1, each undirected edge once in the lower triangle:
// "pattern" when every weight is 1 and there is no self-loop, else "real".
// A self-loop is written with twice its weight: GVE-Leiden keeps it as one
// arc counted once in its node's weight, where our modularity (and igraph's)
// counts a self-loop twice in the node's strength.
func writeMatrixMarket(out io.Writer, w *graph.Weighted) error {
	pattern := true
	for i := range w.Len() {
		nbr, wt := w.Neighbors(i)
		for k, j := range nbr {
			if int(j) == i || wt[k] != 1 {
				pattern = false
			}
		}
	}
	field := "real"
	if pattern {
		field = "pattern"
	}
	bw := bufio.NewWriterSize(out, 1<<16)
	fmt.Fprintf(bw, "%%%%MatrixMarket matrix coordinate %s symmetric\n%d %d %d\n", field, w.Len(), w.Len(), w.NumEdges())
	var line []byte
	for i := range w.Len() {
		nbr, wt := w.Neighbors(i)
		for k, j := range nbr {
			if int(j) > i {
				break // neighbours are sorted: the rest are upper triangle
			}
			line = strconv.AppendInt(line[:0], int64(i)+1, 10)
			line = append(line, ' ')
			line = strconv.AppendInt(line, int64(j)+1, 10)
			if !pattern {
				x := wt[k]
				if int(j) == i {
					x *= 2
				}
				line = append(line, ' ')
				line = strconv.AppendFloat(line, x, 'g', -1, 64)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// runPeerScript runs a peer's script, which prints JSON with nodes, edges,
// runs, iterations and the peer's version under the key name, and fills
// side from it, or sets side.Error.
func runPeerScript(ctx context.Context, side *leidenSide, name, python, script string, args ...string) {
	runPeer(exec.CommandContext(ctx, python, append([]string{script}, args...)...), side, name, script)
}

// runPeer runs a peer's command cmd (what names it in errors), which prints
// JSON with nodes, edges, runs, iterations and the peer's version under the
// key versionKey, and fills side from it (the version appended to its name),
// or sets side.Error.
func runPeer(cmd *exec.Cmd, side *leidenSide, versionKey, what string) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		side.Error = fmt.Sprintf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
		return
	}
	var out struct {
		Nodes      int         `json:"nodes"`
		Edges      int         `json:"edges"`
		Iterations int         `json:"iterations"`
		Runs       []leidenRun `json:"runs"`
	}
	var version map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		side.Error = fmt.Sprintf("%s: output is not JSON: %v", what, err)
		return
	}
	if err := json.Unmarshal(stdout.Bytes(), &version); err == nil {
		if v, ok := version[versionKey].(string); ok {
			side.Name += " " + v
		}
	}
	if versionKey == "networkit" && out.Iterations > 0 {
		side.Iterations = out.Iterations
	}
	side.Nodes, side.Edges, side.Runs = out.Nodes, out.Edges, out.Runs
}

func printLeidenBench(w io.Writer, r *leidenBench) error {
	fmt.Fprintf(w, "graph %s: loaded in %.2f s (GOMAXPROCS %d)\n", r.Graph, r.Ours.LoadSeconds, r.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	sides := []*leidenSide{&r.Ours}
	for _, s := range []*leidenSide{r.Igraph, r.Networkit, r.GVELeiden} {
		if s != nil && s.Error == "" {
			sides = append(sides, s)
		}
	}
	row := func(label string, f func(s *leidenSide) string) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, s := range sides {
			fmt.Fprintf(tw, "%s\t", f(s))
		}
		fmt.Fprintln(tw)
	}
	row("", func(s *leidenSide) string { return s.Name })
	row("nodes", func(s *leidenSide) string { return fmt.Sprint(s.Nodes) })
	row("edges", func(s *leidenSide) string { return fmt.Sprint(s.Edges) })
	row("iterations", func(s *leidenSide) string {
		if s.Iterations < 0 {
			return "until stable"
		}
		return fmt.Sprint(s.Iterations)
	})
	row("threads", func(s *leidenSide) string { return fmt.Sprint(s.Workers) })
	row("runs", func(s *leidenSide) string { return fmt.Sprint(len(s.Runs)) })
	row("CPU seconds, min", func(s *leidenSide) string { return fmt.Sprintf("%.3f", leidenMin(s.Runs, leidenCPU)) })
	row("CPU seconds, median", func(s *leidenSide) string { return fmt.Sprintf("%.3f", leidenMedian(s.Runs, leidenCPU)) })
	row("wall seconds, min", func(s *leidenSide) string { return fmt.Sprintf("%.3f", leidenMin(s.Runs, leidenWall)) })
	row("wall seconds, median", func(s *leidenSide) string { return fmt.Sprintf("%.3f", leidenMedian(s.Runs, leidenWall)) })
	// perCore is a side's rate per thread over its median wall time, in
	// millions of edges, each counted the given number of times.
	perCore := func(s *leidenSide, times float64) string {
		return fmt.Sprintf("%.3gM", times*float64(s.Edges)/leidenMedian(s.Runs, leidenWall)/float64(max(s.Workers, 1))/1e6)
	}
	row("edges/s per core (wall)", func(s *leidenSide) string { return perCore(s, 1) })
	// GVE-Leiden's papers count an undirected edge once each way (the
	// entries of the symmetric matrix): the same rate, doubled.
	row("edge entries/s per core (wall)", func(s *leidenSide) string { return perCore(s, 2) })
	row("edges per CPU second", func(s *leidenSide) string {
		return fmt.Sprintf("%.3gM", float64(s.Edges)/leidenMedian(s.Runs, leidenCPU)/1e6)
	})
	row("modularity, median", func(s *leidenSide) string { return fmt.Sprintf("%.4f", leidenMedian(s.Runs, leidenQ)) })
	row("modularity, min-max", func(s *leidenSide) string {
		return fmt.Sprintf("%.4f-%.4f", leidenMin(s.Runs, leidenQ), -leidenMin(s.Runs, func(r leidenRun) float64 { return -r.Modularity }))
	})
	row("communities, median", func(s *leidenSide) string {
		return fmt.Sprint(leidenMedian(s.Runs, func(r leidenRun) float64 { return float64(r.Communities) }))
	})
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Ours.Phases) > 0 {
		fmt.Fprintf(w, "ringlens phases (median wall ms over the runs that had them):\n")
		pw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, ph := range r.Ours.Phases {
			place := ""
			if ph.Iteration > 0 {
				place = fmt.Sprintf("iteration %d, level %d", ph.Iteration, ph.Level)
			}
			fmt.Fprintf(pw, "  %s\t%s\t%d nodes\t%.1f\t%d runs\t\n", ph.Name, place, ph.Nodes, ph.Seconds*1000, ph.Runs)
		}
		if err := pw.Flush(); err != nil {
			return err
		}
	}
	switch {
	case r.Igraph == nil:
		fmt.Fprintln(w, "igraph: skipped (--igraph \"\")")
	case r.Igraph.Error != "":
		fmt.Fprintf(w, "igraph: not run: %s\n", r.Igraph.Error)
	default:
		fmt.Fprintf(w, "CPU time ratio ringlens/igraph (median CPU seconds): %.2f\n", r.CPURatio)
		if r.Igraph.Edges != r.Ours.Edges {
			fmt.Fprintln(w, "note: ringlens counts distinct edges (duplicate lines merged, weights summed), igraph input lines")
		}
		if strings.HasPrefix(r.Igraph.Name, "igraph 0.10") {
			fmt.Fprintln(w, "note: igraph 0.10 stops after one iteration even with n_iterations=-1, so --iterations 1 is its \"until stable\"")
		}
	}
	switch {
	case r.Networkit == nil:
		fmt.Fprintln(w, "networkit: skipped (--networkit \"\")")
	case r.Networkit.Error != "":
		fmt.Fprintf(w, "networkit: not run: %s\n", r.Networkit.Error)
	default:
		fmt.Fprintf(w, "wall time ratio ringlens/networkit on %d threads (median wall seconds): %.2f\n", r.Ours.Workers, r.NetworkitWallRatio)
		if r.Ours.Iterations < 0 {
			fmt.Fprintf(w, "note: networkit ran its default %d iterations (ours until stable)\n", r.Networkit.Iterations)
		}
	}
	switch {
	case r.GVELeiden == nil:
		fmt.Fprintln(w, "gve-leiden: skipped (no --gve-leiden PATH; bench/README.md says how to build its driver)")
	case r.GVELeiden.Error != "":
		fmt.Fprintf(w, "gve-leiden: not run: %s\n", r.GVELeiden.Error)
	default:
		fmt.Fprintf(w, "wall time ratio ringlens/gve-leiden on %d threads (median wall seconds): %.2f\n", r.Ours.Workers, r.GVELeidenWallRatio)
		fmt.Fprintf(w, "note: gve-leiden ran its default options until converged (median %v passes), whatever --iterations\n",
			leidenMedian(r.GVELeiden.Runs, func(r leidenRun) float64 { return float64(r.Passes) }))
		if r.GVELeiden.Edges != r.Ours.Edges {
			fmt.Fprintf(w, "note: gve-leiden read %d edges, ours %d\n", r.GVELeiden.Edges, r.Ours.Edges)
		}
	}
	return nil
}

func leidenCPU(r leidenRun) float64  { return r.Seconds }
func leidenWall(r leidenRun) float64 { return r.WallSeconds }
func leidenQ(r leidenRun) float64    { return r.Modularity }

// leidenMedian returns the median of f over runs (the lower middle one for an
// even count), or NaN for no runs.
func leidenMedian(runs []leidenRun, f func(leidenRun) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	return lowerMedian(v)
}

// lowerMedian returns the median of v (the lower middle value for an even
// count), or NaN for none; it sorts v.
func lowerMedian(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// leidenMin returns the minimum of f over runs, or NaN for no runs.
func leidenMin(runs []leidenRun, f func(leidenRun) float64) float64 {
	if len(runs) == 0 {
		return math.NaN()
	}
	m := f(runs[0])
	for _, r := range runs[1:] {
		m = min(m, f(r))
	}
	return m
}
