package neo4j

import (
	"context"
	"fmt"
	"time"
)

// A province larger than one machine runs as partitions, one per region,
// each pushing its keys into one database: its Patient, Doctor and
// Institution nodes, the aggregated relationships and its trace-coded fee
// lines (Input.TraceLines), merged on their keys, so that a person or a
// doctor two partitions push is one node (docs/scale.md, "Beyond one
// machine"). The queries below find what crosses the partitions there.

// Crossing is one query of the keys that cross partitions.
type Crossing struct {
	// Name says what is counted: people, insured_elsewhere, doctors or
	// trace_codes.
	Name string
	// Cypher counts them; its parameter $cut is how many leading digits of
	// a region code (admdvs) name a partition: 6 for a district, 4 for a
	// prefecture city.
	Cypher string
}

// partitionExpr is the Cypher expression of the partition of institution node i:
// the first $cut digits of its admdvs, else of the region digits of its
// code (the platform's institution codes carry them: H350203…).
const partitionExpr = "substring(coalesce(i.admdvs, substring(i.code, 1, 6)), 0, $cut)"

// CrossingQueries returns the queries of the keys that cross partitions:
//   - people treated in two or more partitions (VISITED, FILLED_AT);
//   - people treated in a partition other than their place insured
//     (Patient.insuplc_admdvs);
//   - doctors registered at a site (REGISTERED_AT) and registered, billing
//     or prescribing in two or more partitions; a code no partition
//     registers (a placeholder such as 009999) is not a doctor any
//     partition knows and is left out;
//   - drug trace codes sold in two or more partitions (FeeLine.trace of
//     the trace-coded lines, AT their visit's site).
func CrossingQueries() []Crossing {
	return []Crossing{
		{"people", "MATCH (p:Patient)-[:VISITED|FILLED_AT]->(i:Institution) WITH p, count(DISTINCT " + partitionExpr + ") AS parts " +
			"WHERE parts >= 2 RETURN count(p) AS n"},
		{"insured_elsewhere", "MATCH (p:Patient)-[:VISITED|FILLED_AT]->(i:Institution) WHERE p.insuplc_admdvs IS NOT NULL " +
			"AND substring(p.insuplc_admdvs, 0, $cut) <> " + partitionExpr + " RETURN count(DISTINCT p) AS n"},
		{"doctors", "MATCH (d:Doctor)-[:REGISTERED_AT|BILLED_AT|PRESCRIBED_TO]->(i:Institution) WHERE EXISTS { (d)-[:REGISTERED_AT]->() } " +
			"WITH d, count(DISTINCT " + partitionExpr + ") AS parts WHERE parts >= 2 RETURN count(d) AS n"},
		{"trace_codes", "MATCH (v:Visit)-[:BILLED]->(f:FeeLine) WHERE f.trace IS NOT NULL MATCH (v)-[:AT]->(i:Institution) " +
			"WITH f.trace AS trace, count(DISTINCT " + partitionExpr + ") AS parts WHERE parts >= 2 RETURN count(trace) AS n"},
	}
}

// CrossingCount is the result of one crossing query.
type CrossingCount struct {
	Name    string  `json:"name"`
	Count   int64   `json:"count"`
	Seconds float64 `json:"seconds"`
}

// CountCrossing runs the crossing queries in read transactions with
// partitions named by the first cut digits of the region codes, and
// returns each count with its time.
func CountCrossing(ctx context.Context, ex Executor, cut int) ([]CrossingCount, error) {
	if cut < 1 || cut > 6 {
		return nil, fmt.Errorf("neo4j: crossing: cut %d: want 1–6 digits of admdvs", cut)
	}
	var out []CrossingCount
	for _, q := range CrossingQueries() {
		start := time.Now()
		var n int64
		err := ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
			recs, err := tx.Run(ctx, q.Cypher, map[string]any{"cut": int64(cut)})
			if err != nil {
				return err
			}
			for recs.Next(ctx) {
				v, ok := recs.Record()["n"].(int64)
				if !ok {
					return fmt.Errorf("result %v: want an integer n", recs.Record())
				}
				n = v
			}
			return recs.Err()
		})
		if err != nil {
			return out, fmt.Errorf("neo4j: crossing %s: %w", q.Name, err)
		}
		out = append(out, CrossingCount{Name: q.Name, Count: n, Seconds: time.Since(start).Seconds()})
	}
	return out, nil
}
