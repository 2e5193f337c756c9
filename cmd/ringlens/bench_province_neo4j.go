package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	neo "github.com/ringlens/ringlens/graph/neo4j"
	"github.com/urfave/cli/v2"
)

// provinceNeo4jFlags are the flags of `bench province --neo4j`: the
// exchange through a real database.
func provinceNeo4jFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "neo4j", Usage: "also exchange the keys through Neo4j: push every partition's keys (no visits; trace-coded fee lines) to an empty database (--uri, --user, --database; password from " + neo4jPasswordEnv + ") and count the crossing keys there with Cypher"},
	}, neo4jConnFlags()...)
}

// provinceNeo4j is the exchange through Neo4j: what every partition
// pushed, the crossing queries' counts and times, and whether they agree
// with the keys read from the partitions' files (provinceCross).
type provinceNeo4j struct {
	URI string `json:"uri"`
	// Pushes are the partitions' pushes, in partition order.
	Pushes []provincePush `json:"pushes"`
	// PushSeconds sums the pushes; MaxPushSeconds is the slowest.
	PushSeconds    float64             `json:"push_seconds"`
	MaxPushSeconds float64             `json:"max_push_seconds"`
	Crossing       []neo.CrossingCount `json:"crossing"`
	QuerySeconds   float64             `json:"query_seconds"`
	// Agrees reports whether every crossing count equals the one read from
	// the partitions' files.
	Agrees bool `json:"agrees"`
}

// provincePush is one partition's push.
type provincePush struct {
	Region  string  `json:"region"`
	Nodes   int64   `json:"nodes"`
	Rels    int64   `json:"rels"`
	Seconds float64 `json:"seconds"`
}

// provinceExchange pushes partitions to Neo4j (when --neo4j is set).
type provinceExchange struct {
	conn *neo.Conn
	res  provinceNeo4j
}

// checkProvinceNeo4j checks the flags of --neo4j before any work.
func checkProvinceNeo4j(c *cli.Context) error {
	if !c.Bool("neo4j") {
		return nil
	}
	if err := checkNeo4jURI(c.String("uri")); err != nil {
		return err
	}
	if _, ok := os.LookupEnv(neo4jPasswordEnv); !ok {
		return usagef("bench province --neo4j: set the Neo4j password in the environment variable %s", neo4jPasswordEnv)
	}
	return nil
}

// openProvinceExchange connects to the database of --neo4j and checks that
// it is empty: the crossing queries count everything the database holds.
// It returns nil without --neo4j.
func openProvinceExchange(c *cli.Context) (*provinceExchange, error) {
	if !c.Bool("neo4j") {
		return nil, nil
	}
	conn, err := openNeo4j(c)
	if err != nil {
		return nil, err
	}
	var nodes int64
	err = conn.ExecuteRead(c.Context, func(ctx context.Context, tx neo.Runner) error {
		recs, err := tx.Run(ctx, "MATCH (n) RETURN count(n) AS n", nil)
		if err != nil {
			return err
		}
		for recs.Next(ctx) {
			nodes, _ = recs.Record()["n"].(int64)
		}
		return recs.Err()
	})
	if err == nil && nodes > 0 {
		err = usagef("bench province --neo4j: the database holds %d nodes; want an empty one (the crossing queries count everything in it)", nodes)
	}
	if err != nil {
		conn.Close(context.WithoutCancel(c.Context))
		return nil, err
	}
	return &provinceExchange{conn: conn, res: provinceNeo4j{URI: c.String("uri")}}, nil
}

// push writes partition reg's keys: its patients, doctors and institutions
// with their scores, the aggregated relationships, registrations, the
// trace-coded fee lines with their visits, and its rings and rule hits
// under run reg.
func (x *provinceExchange) push(ctx context.Context, reg string, g *graph.Graph, found *findings.Findings) error {
	m, err := neo.NewModel(neo.Input{Graph: g, Findings: found, Hits: found.RuleHits, RunID: reg, TraceLines: true})
	if err != nil {
		return err
	}
	st, err := neo.Push(ctx, x.conn, m, neo.PushOptions{})
	if err != nil {
		return fmt.Errorf("push partition %s: %w", reg, err)
	}
	p := provincePush{Region: reg, Nodes: st.Nodes, Rels: st.Rels, Seconds: st.Elapsed.Seconds()}
	x.res.Pushes = append(x.res.Pushes, p)
	x.res.PushSeconds += p.Seconds
	x.res.MaxPushSeconds = max(x.res.MaxPushSeconds, p.Seconds)
	return nil
}

// count runs the crossing queries with partitions cut at level and
// compares them with the keys read from the files.
func (x *provinceExchange) count(ctx context.Context, level string, cr *provinceCross) error {
	cut := 6
	if level == "city" {
		cut = 4
	}
	start := time.Now()
	counts, err := neo.CountCrossing(ctx, x.conn, cut)
	x.res.QuerySeconds = time.Since(start).Seconds()
	if err != nil {
		return err
	}
	x.res.Crossing = counts
	want := cr.counts()
	x.res.Agrees = true
	for _, c := range counts {
		x.res.Agrees = x.res.Agrees && c.Count == int64(want[c.Name])
	}
	return nil
}

// counts returns the crossing keys read from the partitions' files by the
// names of neo.CrossingQueries.
func (cr *provinceCross) counts() map[string]int {
	return map[string]int{"people": cr.People, "insured_elsewhere": cr.PeopleInsuredElsewhere,
		"doctors": cr.Doctors, "trace_codes": cr.TraceCodes}
}

// close ends the connection.
func (x *provinceExchange) close(ctx context.Context) {
	if x != nil {
		x.conn.Close(context.WithoutCancel(ctx))
	}
}

// writeText prints the exchange.
func (n *provinceNeo4j) writeText(w io.Writer, cr *provinceCross) {
	var nodes, rels int64
	for _, p := range n.Pushes {
		nodes, rels = nodes+p.Nodes, rels+p.Rels
	}
	fmt.Fprintf(w, "\nexchange through Neo4j (%s): %d partitions pushed %s nodes and %s relationships in %.2f s (slowest %.2f s)\n",
		n.URI, len(n.Pushes), humanCount(nodes), humanCount(rels), n.PushSeconds, n.MaxPushSeconds)
	want := cr.counts()
	for _, c := range n.Crossing {
		fmt.Fprintf(w, "  %-18s %10s in %.2f s (files: %s)\n", c.Name, humanCount(c.Count), c.Seconds, humanCount(int64(want[c.Name])))
	}
	verdict := "agree with the files"
	if !n.Agrees {
		verdict = "DIFFER from the files"
	}
	fmt.Fprintf(w, "  crossing queries: %.2f s; the counts %s\n", n.QuerySeconds, verdict)
}
