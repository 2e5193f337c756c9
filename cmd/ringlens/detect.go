package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/spill"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/report"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

func detectCommand() *cli.Command {
	return &cli.Command{
		Name:      "detect",
		Usage:     "read a claims dataset, find and rank the fraud rings, and report them",
		UsageText: "ringlens detect --in city --out report [--lang en] [--rules rules.json] [--strict] [--state DIR]",
		Description: "Reads the dataset directory (psn, fixmedins, staff, catalog, mdtrt, fee_list as\n" +
			"CSV or JSON Lines, optionally .gz; see docs/data-contract.md), builds the graph and\n" +
			"runs the rule library, community detection and lockstep detection, and writes into --out:\n" +
			"  rings.json    the ranked rings: members by role, typology, amount at risk, evidence rows\n" +
			"  entities.csv  every patient, doctor, institution and pharmacy scored (kind,id,score,ring_id,reasons)\n" +
			"  report.html   one self-contained report for investigators (zh-CN; --lang en for English)\n" +
			"  single_hits.csv  the report's appendix: every single rule hit with its rows\n" +
			"  ring_visits.csv  every visit behind each ring's amount at risk (read by 'ringlens dossier')\n" +
			"  rejects.csv   every rejected row with file, line, column and reason\n" +
			"  summary.json  per-file reconciliation (read = accepted + rejected) and graph summary\n" +
			"  summary.txt   the same as readable tables (also printed)\n" +
			"A missing required file or column stops the run before any row is read.\n" +
			"With --state DIR the rings and the rule hits of at least --clue-min-amount yuan are recorded\n" +
			"as clues in the workspace DIR/workspace.db ('ringlens case', docs/workflow.md).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "dataset directory (required)"},
			&cli.StringFlag{Name: "out", Usage: "output directory (required)"},
			&cli.BoolFlag{Name: "strict", Usage: "stop at the first rejected row"},
			&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
			&cli.IntFlag{Name: "top", Value: 10, Usage: "hubs to list per node kind in the summary"},
			memoryLimitFlag(),
			spillDirFlag("the output directory"),
			&cli.BoolFlag{Name: "from-neo4j", Usage: "read the graph pushed by 'ringlens neo4j push' from Neo4j instead of --in (see docs/neo4j.md)"},
			&cli.StringFlag{Name: "region", Usage: "report only the rings holding an institution of this region: an admdvs or its prefix (3502 a city, 350203 a district), read from fixmedins.admdvs, else from the national institution code; single hits and entities.csv keep the region's sites and the doctors and people seen there, rings.json's region_scope counts what was left out; for a province's partition detected with a sample of other regions' people (docs/scale.md)"},
		}, append(append(append(detectionFlags(), clueFlags()...), neo4jSourceFlags()...), logFlags()...)...),
		Action: runDetect,
	}
}

func runDetect(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	in, out := c.String("in"), c.String("out")
	fromNeo4j := c.Bool("from-neo4j")
	switch {
	case out == "":
		return usagef("detect: --out is required")
	case in == "" && !fromNeo4j:
		return usagef("detect: --in is required (or --from-neo4j)")
	case in != "" && fromNeo4j:
		return usagef("detect: give --in or --from-neo4j, not both")
	}
	if err := checkEncodingFlag(c.String("encoding")); err != nil {
		return err
	}
	if r := c.String("region"); r != "" && !regionPrefix(r) {
		return usagef("detect: --region %q: want 2 to 6 digits of an admdvs", r)
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	if err := checkLang(c.String("lang")); err != nil {
		return err
	}
	set, params, err := detectionSettings(c)
	if err != nil {
		return err
	}
	clues, err := openClues(c)
	if err != nil {
		return err
	}
	defer clues.Close()
	started := time.Now()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	p, err := loadInput(c, log, m, in, out)
	if err != nil {
		return err
	}
	defer p.closeSpill(log)
	logFiles(log, p.result.Files)
	warnMemoryLimit(log, p.result.Tables.Visits.Len())
	if fromNeo4j {
		in = c.String("uri")
		if err := neo4jGDSCompare(c, p.graph); err != nil {
			return err
		}
	}

	rep := newSummary(p.result, graph.Summarize(p.graph, c.Int("top")))
	var text bytes.Buffer
	if err := rep.writeText(&text); err != nil {
		return fmt.Errorf("format summary: %w", err)
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, "summary.json"), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, "summary.txt"), text.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if _, err := c.App.Writer.Write(text.Bytes()); err != nil {
		return fmt.Errorf("print summary: %w", err)
	}

	detectStart := time.Now()
	found, err := detectRings(c.Context, m, p.graph, set, params, c.Int64("seed"), c.String("region"))
	if err != nil {
		return err
	}
	detectTime := time.Since(detectStart)
	reportPath, err := writeFindings(out, found, reportMeta(in, rep, started, c.String("lang")), c.String("lang"))
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer)
	if err := report.WriteTable(c.App.Writer, found, c.Int("show"), c.String("lang")); err != nil {
		return fmt.Errorf("print rings: %w", err)
	}
	if n := found.RingsNotReported; n > 0 {
		fmt.Fprintf(c.App.Writer, "\n%d more rings scored above report_score than max_rings (%d) lets through; raise it with --ring-params (docs/RING_PARAMS.md) to see them\n",
			n, params.MaxRings)
		log.Warn().Int("reported", len(found.Rings)).Int("not_reported", n).Int("max_rings", params.MaxRings).
			Msg("rings beyond max_rings not reported")
	}
	if sc := found.Scope; sc != nil {
		fmt.Fprintf(c.App.Writer, "\nrestricted to region %s: %d rings, %d single hits and %d entities of other regions left to them\n",
			sc.Region, sc.Rings, sc.SingleHits, sc.Entities)
		log.Info().Str("region", sc.Region).Int("rings_outside", sc.Rings).Int("single_hits_outside", sc.SingleHits).
			Int("entities_outside", sc.Entities).Msg("findings restricted to the region")
	}
	fmt.Fprintf(c.App.Writer, "\nreport: %s\n", reportPath)
	if err := clues.record(c, found); err != nil {
		return err
	}

	ev := log.Info().Int64("rows", rep.Rows.Read).Int64("rejected", rep.Rows.Rejected).
		Int("rings", len(found.Rings)).Int("single_hits", len(found.SingleHits)).
		Str("ingest", roundDur(p.ingestTime)).Str("build", roundDur(p.buildTime)).
		Str("detect", roundDur(detectTime)).Str("out", out)
	if rep.Rows.Rejected > 0 {
		ev = ev.Str("rejects", filepath.Join(out, "rejects.csv"))
	}
	ev.Msg("done")
	return nil
}

// detectRings runs detection (rules, communities, lockstep, scoring) on g
// with the rule set, ring parameters and community seed, showing progress
// on m; region, when not empty, restricts the findings to its
// institutions and the people and doctors seen there
// (rings.Options.Region).
func detectRings(ctx context.Context, m *meter, g *graph.Graph, set rules.Set, params rings.Params, seed int64, region string) (*findings.Findings, error) {
	found, err := rings.Detect(ctx, g, rings.Options{
		Rules:    set,
		Params:   params,
		Seed:     seed,
		Region:   region,
		Progress: func(stage string, done, total int64) { m.update("detect "+stage, "steps", done, total) },
	})
	m.finish()
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	return found, nil
}

// regionPrefix reports whether r is 2 to 6 ASCII digits: a province,
// city or district code or a prefix of one.
func regionPrefix(r string) bool {
	return len(r) >= 2 && len(r) <= 6 && claims.Digits(r, len(r))
}

func checkEncodingFlag(enc string) error {
	switch enc {
	case "", "auto", "utf-8", "utf8", "gb18030", "gbk":
		return nil
	}
	return usagef("--encoding: want auto, utf-8 or gb18030, not %q", enc)
}

func flushClose(rw *ingest.RejectWriter, bw *bufio.Writer, f *os.File) error {
	if err := rw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// loadInput reads the dataset directory in (writing out/rejects.csv) or,
// with --from-neo4j, the graph pushed to Neo4j, and builds the graph.
func loadInput(c *cli.Context, log zerolog.Logger, m *meter, in, out string) (*pipeline, error) {
	rejectsPath := filepath.Join(out, "rejects.csv")
	f, err := os.Create(rejectsPath)
	if err != nil {
		return nil, fmt.Errorf("create rejects file: %w", err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<16)
	rw := ingest.NewRejectWriter(bw)
	var p *pipeline
	if c.Bool("from-neo4j") {
		log.Info().Str("uri", c.String("uri")).Msg("reading the graph from Neo4j")
		start := time.Now()
		var t *graph.Tables
		if t, err = loadFromNeo4j(c); err == nil {
			trimTables(m.log, t)
			var moved *spill.File
			if moved, err = spillTables(c, m.log, t); err == nil {
				p = &pipeline{result: &ingest.Result{Tables: t}, ingestTime: time.Since(start), spilled: moved}
				if err = buildGraph(c, m, p, nil); err != nil {
					p.closeSpill(m.log)
				}
			}
		}
	} else {
		log.Info().Str("in", in).Msg("reading dataset")
		p, err = loadGraph(c, m, in, ingest.Options{Strict: c.Bool("strict"), Encoding: c.String("encoding"), DropSettlementIDs: true}, rw.Write)
	}
	if ferr := flushClose(rw, bw, f); ferr != nil && err == nil {
		err = fmt.Errorf("write %s: %w", rejectsPath, ferr)
	}
	return p, err
}

// pipeline is a dataset read and built into a graph.
type pipeline struct {
	result     *ingest.Result
	graph      *graph.Graph
	ingestTime time.Duration
	buildTime  time.Duration
	// spilled holds the tables' columns moved out of the heap
	// (spillTables), nil if none: closed by closeSpill once the tables
	// and every string read from them are no longer in use.
	spilled *spill.File
}

// trimTables gives back the room the tables reserved for rows that did not
// come (graph.Tables.Trim) and the indexes only ingest needs
// (graph.Tables.DropIngestIndexes): batch commands only read them by row
// from here on.
func trimTables(log zerolog.Logger, t *graph.Tables) {
	reserved := func() (n int64) {
		for _, m := range t.Memory() {
			n += m.Reserved
		}
		return n
	}
	start, before := time.Now(), reserved()
	t.Trim()
	t.DropIngestIndexes()
	log.Info().Int64("given_back_mb", (before-reserved())>>20).Str("elapsed", roundDur(time.Since(start))).Msg("tables trimmed")
}

// loadGraph ingests dir and builds its graph, showing progress on m.
func loadGraph(c *cli.Context, m *meter, dir string, opts ingest.Options, sink ingest.RejectSink) (*pipeline, error) {
	opts.Progress = func(p ingest.Progress) {
		if p.Done {
			m.finish()
			return
		}
		m.update("read "+filepath.Base(p.Path), "rows", p.Rows, 0)
	}
	start := time.Now()
	res, err := ingest.Load(c.Context, dir, opts, sink)
	m.finish()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	trimTables(m.log, res.Tables)
	moved, err := spillTables(c, m.log, res.Tables)
	if err != nil {
		return nil, err
	}
	p := &pipeline{result: res, ingestTime: time.Since(start), spilled: moved}
	if err := buildGraph(c, m, p, nil); err != nil {
		p.closeSpill(m.log)
		return nil, err
	}
	return p, nil
}

// buildGraph builds p's graph from its tables. If stage is not nil it is
// called with the name of each stage of the build as it starts.
func buildGraph(c *cli.Context, m *meter, p *pipeline, stage func(string)) error {
	start := time.Now()
	g, err := graph.Build(c.Context, p.result.Tables, graph.BuildOptions{
		Progress: func(name string, done, total int64) {
			if stage != nil && done == 0 {
				stage("build " + name)
			}
			m.update("build "+name, "items", done, total)
		},
	})
	m.finish()
	if err != nil {
		return fmt.Errorf("build graph: %w", err)
	}
	p.graph, p.buildTime = g, time.Since(start)
	return nil
}

// logFiles logs the reconciliation of every file read.
func logFiles(log zerolog.Logger, files []ingest.FileReport) {
	for _, f := range files {
		ev := log.Info()
		if f.Rejected > 0 {
			ev = log.Warn()
		}
		rate := float64(f.Read) / f.Elapsed.Seconds()
		ev.Str("file", filepath.Base(f.Path)).Int64("read", f.Read).Int64("accepted", f.Accepted).
			Int64("rejected", f.Rejected).Int64("refunds_netted", f.RefundsNetted).
			Int64("bytes_read", f.BytesRead).Int64("size", f.Size).
			Str("rate", humanRate(rate)+" rows/s").Str("elapsed", roundDur(f.Elapsed)).Msg("file read")
	}
}
