package neo4j

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph"
)

// LeidenOptions configure the in-database community detection.
type LeidenOptions struct {
	GraphName string // GDS projection name; "" means "ringlens"
	Seed      int64  // randomSeed (runs with concurrency 1 for reproducibility)
	MaxLevels int    // maxLevels; <= 0 leaves the GDS default
}

// LeidenQueries returns the Cypher of an in-database Leiden run with the
// Graph Data Science plugin: project (patients, doctors and institutions
// with the aggregated relationships, undirected, weighted by visit count,
// registrations weighing 1), stream (one record per node: space, key,
// community) and drop. Each statement takes the parameter map returned
// alongside.
func LeidenQueries(opt LeidenOptions) (project, stream, drop string, params map[string]any) {
	name := opt.GraphName
	if name == "" {
		name = "ringlens"
	}
	rel := func(t string) string {
		return fmt.Sprintf("%s: {orientation: 'UNDIRECTED', properties: {visits: {property: 'visits', defaultValue: 1.0}}}", t)
	}
	project = "CALL gds.graph.project($graph, ['Patient', 'Doctor', 'Institution'], {" +
		rel(RelVisited) + ", " + rel(RelTreatedBy) + ", " + rel(RelBilledAt) + ", " + rel(RelFilledAt) + ", " +
		rel(RelPrescribedTo) + ", " + rel(RelRegisteredAt) + "}) YIELD nodeCount, relationshipCount " +
		"RETURN nodeCount, relationshipCount"
	cfg := "{relationshipWeightProperty: 'visits', randomSeed: $seed, concurrency: 1"
	if opt.MaxLevels > 0 {
		cfg += fmt.Sprintf(", maxLevels: %d", opt.MaxLevels)
	}
	cfg += "}"
	stream = "CALL gds.leiden.stream($graph, " + cfg + ") YIELD nodeId, communityId " +
		"WITH gds.util.asNode(nodeId) AS n, communityId " +
		"RETURN CASE WHEN n:Patient THEN 'Patient' WHEN n:Doctor THEN 'Doctor' ELSE 'Institution' END AS space, " +
		"coalesce(n.psn_no, n.dr_code, n.code) AS `key`, communityId AS community"
	drop = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
	return project, stream, drop, map[string]any{"graph": name, "seed": opt.Seed}
}

// GDSVersionQuery returns the GDS version; it fails when the plugin is
// absent.
const GDSVersionQuery = "RETURN gds.version() AS version"

// MemberKey names a node by id space and key.
type MemberKey struct {
	Space string // Patient, Doctor or Institution
	Key   string
}

// RunLeiden runs gds.leiden in the database and reads the membership back,
// streaming the records. The projection is dropped first (if left over)
// and afterwards.
func RunLeiden(ctx context.Context, ex Executor, retry Retry, opt LeidenOptions) (map[MemberKey]int64, error) {
	project, stream, drop, params := LeidenQueries(opt)
	if err := ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
		return drain(ctx, tx, GDSVersionQuery, nil)
	}); err != nil {
		return nil, fmt.Errorf("neo4j: Graph Data Science plugin not available: %w", err)
	}
	run := func(what, q string) error {
		_, err := retry.Do(ctx, func(ctx context.Context) error {
			return ex.ExecuteWrite(ctx, func(ctx context.Context, tx Runner) error { return drain(ctx, tx, q, params) })
		})
		if err != nil {
			return fmt.Errorf("neo4j: gds %s: %w", what, err)
		}
		return nil
	}
	if err := run("drop projection", drop); err != nil {
		return nil, err
	}
	if err := run("project", project); err != nil {
		return nil, err
	}
	var m map[MemberKey]int64
	_, err := retry.Do(ctx, func(ctx context.Context) error {
		return ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
			recs, err := tx.Run(ctx, stream, params)
			if err != nil {
				return err
			}
			m, err = ReadMembership(ctx, recs)
			return err
		})
	})
	if derr := run("drop projection", drop); err == nil {
		err = derr
	}
	if err != nil {
		return nil, fmt.Errorf("neo4j: gds leiden: %w", err)
	}
	return m, nil
}

// ReadMembership reads (space, key, community) records into a membership
// map.
func ReadMembership(ctx context.Context, recs Records) (map[MemberKey]int64, error) {
	m := make(map[MemberKey]int64)
	for recs.Next(ctx) {
		r := recs.Record()
		space, _ := r["space"].(string)
		key, _ := r["key"].(string)
		c, ok := asInt64(r["community"])
		if space == "" || key == "" || !ok {
			return nil, fmt.Errorf("neo4j: malformed membership record %v", r)
		}
		m[MemberKey{space, key}] = c
	}
	return m, recs.Err()
}

// SpaceOf returns the id space (node label) of a graph node kind in the
// database: Patient, Doctor or Institution.
func SpaceOf(k graph.Kind) string {
	switch k {
	case graph.KindPatient:
		return LabelPatient
	case graph.KindDoctor:
		return LabelDoctor
	}
	return LabelInstitution
}
