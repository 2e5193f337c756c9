package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	neo "github.com/ringlens/ringlens/graph/neo4j"
	"github.com/ringlens/ringlens/ingest"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// neo4jPasswordEnv is the only way to give the Neo4j password: never a flag,
// so that it stays out of shell history and process listings.
const neo4jPasswordEnv = "NEO4J_PASSWORD"

// neo4jCommand is `ringlens neo4j` with its subcommands push, export and
// leiden.
func neo4jCommand() *cli.Command {
	return &cli.Command{
		Name:  "neo4j",
		Usage: "push the graph and findings to Neo4j, or export them for neo4j-admin import",
		Description: "See docs/neo4j.md for the data model and example Cypher. The password is read\n" +
			"from " + neo4jPasswordEnv + " only.",
		Subcommands: []*cli.Command{neo4jPushCommand(), neo4jExportCommand(), neo4jLeidenCommand()},
	}
}

// neo4jConnFlags are the connection flags.
func neo4jConnFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "uri", Value: "bolt://localhost:7687", Usage: "Neo4j URI (bolt://, neo4j://, +s/+ssc variants); password from " + neo4jPasswordEnv},
		&cli.StringFlag{Name: "user", Value: "neo4j", Usage: "Neo4j user"},
		&cli.StringFlag{Name: "database", Usage: "Neo4j database (default: the server's default database)"},
	}
}

// neo4jModelFlags are the flags choosing what is written.
func neo4jModelFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "in", Usage: "dataset directory (required)"},
		&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
		&cli.BoolFlag{Name: "include-pii", Usage: "write names and certificate numbers unmasked (default: masked)"},
		&cli.StringFlag{Name: "run", Value: "latest", Usage: "run id of the findings: Ring and RuleHit nodes of the same run are replaced"},
		&cli.BoolFlag{Name: "visits", Value: true, Usage: "write Visit, FeeLine and Item (catalogue) nodes (needed by detect --from-neo4j)"},
		&cli.BoolFlag{Name: "trace-lines", Usage: "with --visits=false, write only the fee lines that carry a drug trace code, with their visits (what a province's partitions exchange: docs/scale.md)"},
		&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters; see algorithms/rules/RULES.md"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of community detection"},
		memoryLimitFlag(),
	}
}

func neo4jPushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "write the graph, rings, entity scores and rule hits into Neo4j over Bolt",
		UsageText: "NEO4J_PASSWORD=... ringlens neo4j push --in city --uri bolt://localhost:7687 --user neo4j [--database db] [--batch 5000]",
		Description: "Creates the uniqueness constraints and indexes, then MERGEs nodes and relationships in\n" +
			"batches (UNWIND) inside managed write transactions, retrying transient errors. Pushing\n" +
			"twice leaves the same graph. Ends with a count check and prints the throughput.",
		Flags: append(append(neo4jModelFlags(), neo4jConnFlags()...),
			append([]cli.Flag{&cli.IntFlag{Name: "batch", Value: 5000, Usage: "rows per UNWIND batch and transaction"}}, logFlags()...)...),
		Action: runNeo4jPush,
	}
}

func neo4jExportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write node and relationship CSV files for neo4j-admin database import",
		UsageText: "ringlens neo4j export --in city --out city-neo4j [--database db]",
		Description: "Writes nodes_*.csv and rels_*.csv in the neo4j-admin import format and a README.md with\n" +
			"the exact import command: far faster than push for province-scale data.",
		Flags: append(append(neo4jModelFlags(),
			&cli.StringFlag{Name: "out", Usage: "output directory (required)"},
			&cli.StringFlag{Name: "database", Value: "neo4j", Usage: "database named in the import command"},
		), logFlags()...),
		Action: runNeo4jExport,
	}
}

func neo4jLeidenCommand() *cli.Command {
	return &cli.Command{
		Name:      "leiden",
		Usage:     "run gds.leiden in Neo4j (Graph Data Science plugin) and compare with RingLens's Leiden",
		UsageText: "NEO4J_PASSWORD=... ringlens neo4j leiden --uri bolt://localhost:7687 [--in city]",
		Description: "Reads the pushed graph back (or --in the dataset files), runs Leiden in the database and\n" +
			"here on the same visit-weighted graph, and prints NMI and both modularities.",
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "compare on this dataset instead of the graph read back from Neo4j"},
			&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "text encoding of CSV files: auto, utf-8 or gb18030"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of both Leiden runs"},
			&cli.IntFlag{Name: "neo4j-page", Value: 10000, Usage: "records per page when reading back"},
			memoryLimitFlag(),
		}, neo4jConnFlags()...), logFlags()...),
		Action: runNeo4jLeiden,
	}
}

// neo4jSourceFlags are the flags detect takes to read its graph from Neo4j
// (the CLI owner adds them, with --from-neo4j, to detect): connection,
// page size and --neo4j-gds.
func neo4jSourceFlags() []cli.Flag {
	return append(neo4jConnFlags(),
		&cli.IntFlag{Name: "neo4j-page", Value: 10000, Usage: "records per page when reading from Neo4j"},
		&cli.BoolFlag{Name: "neo4j-gds", Usage: "also run gds.leiden in Neo4j (Graph Data Science plugin) and compare with RingLens's Leiden"},
	)
}

// loadFromNeo4j reads graph.Tables back from the database named by the
// neo4jSourceFlags, streaming in pages with progress: entities, catalogue
// items, visits and fee lines, so that every rule can run (docs/neo4j.md).
func loadFromNeo4j(c *cli.Context) (*graph.Tables, error) {
	log, tty, err := newLogger(c)
	if err != nil {
		return nil, err
	}
	conn, err := openNeo4j(c)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(c.Context))
	return readNeo4jTables(c, log, tty, conn)
}

// neo4jGDSCompare runs gds.leiden in the database when --neo4j-gds is set
// and logs its comparison with RingLens's Leiden on g (the graph detect
// built from the tables loadFromNeo4j returned). It does nothing without
// --neo4j-gds.
func neo4jGDSCompare(c *cli.Context, g *graph.Graph) error {
	if !c.Bool("neo4j-gds") {
		return nil
	}
	conn, err := openNeo4j(c)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(c.Context))
	return compareGDS(c, conn, g)
}

func readNeo4jTables(c *cli.Context, log zerolog.Logger, tty bool, conn *neo.Conn) (*graph.Tables, error) {
	m := newMeter(log, c.App.ErrWriter, tty)
	start := time.Now()
	t, st, err := neo.LoadTablesStats(c.Context, neo.Source{Exec: conn, Page: c.Int("neo4j-page")},
		func(stage string, done int64) { m.update("neo4j read "+stage, "records", done, 0) })
	m.finish()
	if err != nil {
		return nil, err
	}
	ev := log.Info()
	if st.SkippedVisits > 0 || st.SkippedFees > 0 || st.RejectedVisits > 0 || st.RejectedFees > 0 {
		ev = log.Warn()
	}
	ev.Int64("patients", st.Persons).Int64("doctors", st.Doctors).Int64("institutions", st.Institutions).
		Int64("items", st.Items).Int64("visits", st.Visits).Int64("fee_lines", st.Fees).
		Int64("skipped_visits", st.SkippedVisits).Int64("skipped_fee_lines", st.SkippedFees).
		Int64("rejected_visits", st.RejectedVisits).Int64("rejected_fee_lines", st.RejectedFees).
		Str("elapsed", roundDur(time.Since(start))).Msg("read graph from neo4j")
	for _, r := range st.Rejects {
		// Column and reason only: a refused value may hold personal data.
		log.Warn().Str("table", r.Table).Str("column", r.Column).Str("reason", r.Reason).Int64("records", r.Count).
			Msg("neo4j read-back refused records (rules of docs/data-contract.md)")
	}
	if st.Visits > 0 && st.Fees == 0 {
		log.Warn().Msg("the database holds visits but no fee lines (pushed with --visits=false or by an older ringlens): fee-level rules cannot fire")
	}
	return t, nil
}

func compareGDS(c *cli.Context, conn *neo.Conn, g *graph.Graph) error {
	start := time.Now()
	theirs, err := neo.RunLeiden(c.Context, conn, neo.Retry{}, neo.LeidenOptions{Seed: c.Int64("seed")})
	if err != nil {
		return err
	}
	gdsTook := time.Since(start)
	cmp, err := compareLeiden(c.Context, g, theirs, c.Int64("seed"))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "gds.leiden vs RingLens Leiden on %d nodes: NMI %.3f, adjusted Rand %.3f; communities %d (gds) vs %d (ringlens); modularity %.4f (gds) vs %.4f (ringlens); time %s (gds: projection, leiden, stream, drop) vs %s (ringlens)\n",
		cmp.Nodes, cmp.NMI, cmp.ARI, cmp.CommunitiesTheirs, cmp.CommunitiesOurs, cmp.ModularityTheirs, cmp.ModularityOurs, roundDur(gdsTook), roundDur(cmp.Ours))
	return nil
}

// openNeo4j validates the connection flags and connects. The password
// comes from NEO4J_PASSWORD only.
func openNeo4j(c *cli.Context) (*neo.Conn, error) {
	uri := c.String("uri")
	if err := checkNeo4jURI(uri); err != nil {
		return nil, err
	}
	if c.String("user") == "" {
		return nil, usagef("--user must not be empty")
	}
	password, ok := os.LookupEnv(neo4jPasswordEnv)
	if !ok {
		return nil, usagef("set the Neo4j password in the environment variable %s (there is no password flag)", neo4jPasswordEnv)
	}
	ctx, cancel := context.WithTimeout(c.Context, 30*time.Second)
	defer cancel()
	return neo.Open(ctx, uri, c.String("user"), password, c.String("database"))
}

// checkNeo4jURI accepts the schemes the driver knows.
func checkNeo4jURI(uri string) error {
	scheme, rest, ok := strings.Cut(uri, "://")
	if ok && rest != "" {
		switch scheme {
		case "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc":
			return nil
		}
	}
	return usagef("--uri: want bolt://HOST:7687 or neo4j://HOST (+s, +ssc), not %q", uri)
}

// neo4jModel ingests --in, detects, runs the rules for their hits and
// returns the model to write.
func neo4jModel(c *cli.Context, log zerolog.Logger, tty bool) (*neo.Model, error) {
	in := c.String("in")
	if in == "" {
		return nil, usagef("%s: --in is required", c.Command.Name)
	}
	if err := checkEncodingFlag(c.String("encoding")); err != nil {
		return nil, err
	}
	if c.String("run") == "" || strings.ContainsAny(c.String("run"), "/\n") {
		return nil, usagef("--run: want a non-empty id without '/', not %q", c.String("run"))
	}
	if err := applyMemoryLimit(c); err != nil {
		return nil, err
	}
	set, err := ruleSet(c)
	if err != nil {
		return nil, err
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	log.Info().Str("in", in).Msg("reading dataset")
	var rejected int64
	p, err := loadGraph(c, m, in, ingest.Options{Encoding: c.String("encoding")}, func(ingest.Reject) error {
		rejected++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rejected > 0 {
		log.Warn().Int64("rejected", rejected).Msg("rows rejected (run detect for rejects.csv)")
	}
	found, err := rings.Detect(c.Context, p.graph, rings.Options{
		Rules:    set,
		Seed:     c.Int64("seed"),
		Progress: func(stage string, done, total int64) { m.update("detect "+stage, "steps", done, total) },
	})
	m.finish()
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	log.Info().Int("rings", len(found.Rings)).Int("rule_hits", len(found.RuleHits)).Msg("detected")
	return neo.NewModel(neo.Input{
		Graph: p.graph, Findings: found, Hits: found.RuleHits, RunID: c.String("run"),
		IncludePII: c.Bool("include-pii"), Visits: c.Bool("visits"), TraceLines: c.Bool("trace-lines"),
	})
}

func runNeo4jPush(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	if c.Int("batch") <= 0 {
		return usagef("--batch: want a positive number of rows")
	}
	if err := checkNeo4jURI(c.String("uri")); err != nil {
		return err
	}
	if _, ok := os.LookupEnv(neo4jPasswordEnv); !ok {
		return usagef("set the Neo4j password in the environment variable %s (there is no password flag)", neo4jPasswordEnv)
	}
	model, err := neo4jModel(c, log, tty)
	if err != nil {
		return err
	}
	conn, err := openNeo4j(c)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(c.Context))
	m := newMeter(log, c.App.ErrWriter, tty)
	st, err := neo.Push(c.Context, conn, model, neo.PushOptions{
		Batch:    c.Int("batch"),
		Progress: func(stage string, done, total int64) { m.update("neo4j "+stage, "rows", done, total) },
	})
	m.finish()
	if st != nil {
		for _, ch := range st.Checks {
			ev := log.Debug()
			if ch.Got != ch.Want {
				ev = log.Warn()
			}
			ev.Str("set", ch.Set).Int64("written", ch.Want).Int64("in_database", ch.Got).Msg("count check")
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "pushed %d nodes and %d relationships in %d batches in %s: %s rows/s (%d retries, %d old run nodes replaced); count check passed\n",
		st.Nodes, st.Rels, st.Batches, roundDur(st.Elapsed), humanRate(st.RowsPerSecond()), st.Retries, st.Deleted)
	log.Info().Int64("nodes", st.Nodes).Int64("rels", st.Rels).Str("elapsed", roundDur(st.Elapsed)).
		Str("rate", humanRate(st.RowsPerSecond())+" rows/s").Msg("done")
	return nil
}

func runNeo4jExport(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out == "" {
		return usagef("export: --out is required")
	}
	model, err := neo4jModel(c, log, tty)
	if err != nil {
		return err
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	st, err := neo.Export(c.Context, neo.DirSink(out), model, c.String("database"),
		func(stage string, done, total int64) { m.update(stage, "rows", done, total) })
	m.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %d node and %d relationship rows in %d files to %s in %s\n",
		st.Nodes, st.Rels, len(st.Files), out, roundDur(st.Elapsed))
	fmt.Fprintf(c.App.Writer, "import (from %s, database stopped; see %s):\n%s\n", out,
		filepath.Join(out, "README.md"), neo.ImportCommand(st.Files, c.String("database")))
	return nil
}

func runNeo4jLeiden(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	conn, err := openNeo4j(c)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(c.Context))
	var g *graph.Graph
	if in := c.String("in"); in != "" {
		if err := checkEncodingFlag(c.String("encoding")); err != nil {
			return err
		}
		p, err := loadGraph(c, newMeter(log, c.App.ErrWriter, tty), in, ingest.Options{Encoding: c.String("encoding")},
			func(ingest.Reject) error { return nil })
		if err != nil {
			return err
		}
		g = p.graph
	} else {
		t, err := readNeo4jTables(c, log, tty, conn)
		if err != nil {
			return err
		}
		if g, err = graph.Build(c.Context, t, graph.BuildOptions{}); err != nil {
			return fmt.Errorf("build graph: %w", err)
		}
	}
	return compareGDS(c, conn, g)
}
