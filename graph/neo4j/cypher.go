package neo4j

import (
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
	"github.com/ringlens/ringlens/graph/claims"
)

// ConstraintQueries returns the statements creating one uniqueness
// constraint per id space (on its key), an index on each class label's
// key, on FeeLine.item and on the run of Ring and RuleHit, all IF NOT
// EXISTS so that they can run on every push.
func ConstraintQueries() []string {
	var qs []string
	for _, e := range []End{endPatient(), endDoctor(), endInstitution(), endVisit(), endFeeLine(), endItem(), endRing(), endRuleHit()} {
		qs = append(qs, fmt.Sprintf("CREATE CONSTRAINT ringlens_%s_%s IF NOT EXISTS FOR (n:%s) REQUIRE n.%s IS UNIQUE",
			lower(e.Space), e.Key, e.Space, e.Key))
	}
	for _, l := range []string{LabelClinic, LabelHospital, LabelPharmacy} {
		qs = append(qs, fmt.Sprintf("CREATE INDEX ringlens_%s_code IF NOT EXISTS FOR (n:%s) ON (n.code)", lower(l), l))
	}
	qs = append(qs, "CREATE INDEX ringlens_feeline_item IF NOT EXISTS FOR (n:FeeLine) ON (n.item)",
		"CREATE INDEX ringlens_ring_run IF NOT EXISTS FOR (n:Ring) ON (n.run)",
		"CREATE INDEX ringlens_rulehit_run IF NOT EXISTS FOR (n:RuleHit) ON (n.run)")
	return qs
}

// ClearRunQueries returns the statements deleting the Ring and RuleHit
// nodes (and their relationships) of a run, with parameter $run, in
// batches. Push runs them before writing the run's findings so that a
// re-push replaces rather than accumulates.
func ClearRunQueries() []string {
	return []string{
		"MATCH (n:Ring {run: $run}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
		"MATCH (n:RuleHit {run: $run}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
	}
}

// NodeQuery returns the UNWIND ... MERGE statement writing a batch of s's
// nodes: parameter $rows is a list of {key, props} maps.
func NodeQuery(s *NodeSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "UNWIND $rows AS row MERGE (n:%s {%s: row.key})", s.Space, s.Key)
	for _, l := range s.Labels {
		if l != s.Space {
			fmt.Fprintf(&b, " SET n:%s", l)
		}
	}
	b.WriteString(" SET n += row.props")
	return b.String()
}

// RelQuery returns the UNWIND ... MERGE statement writing a batch of s's
// relationships: $rows is a list of {from, to, props} maps. Rows whose
// ends do not exist are skipped by the MATCH; the count check reveals them.
func RelQuery(s *RelSet) string {
	q := fmt.Sprintf("UNWIND $rows AS row MATCH (a:%s {%s: row.from}) MATCH (b:%s {%s: row.to}) MERGE (a)-[r:%s]->(b)",
		s.From.Space, s.From.Key, s.To.Space, s.To.Key, s.Type)
	if len(s.Props) > 0 {
		q += " SET r += row.props"
	}
	return q
}

// NodeCountQuery counts the nodes of s (by all its labels; for Ring and
// RuleHit only those of $run).
func NodeCountQuery(s *NodeSet) string {
	if s.Space == LabelRing || s.Space == LabelRuleHit {
		return fmt.Sprintf("MATCH (n:%s {run: $run}) RETURN count(n) AS n", s.Space)
	}
	return fmt.Sprintf("MATCH (n:%s) RETURN count(n) AS n", strings.Join(s.Labels, ":"))
}

// RelCountQuery counts the relationships of s's type between its id spaces
// (for findings relationships only those of $run).
func RelCountQuery(s *RelSet) string {
	q := fmt.Sprintf("MATCH (a:%s)-[r:%s]->(b:%s)", s.From.Space, s.Type, s.To.Space)
	switch {
	case s.To.Space == LabelRing:
		q += " WHERE b.run = $run"
	case s.From.Space == LabelRuleHit:
		q += " WHERE a.run = $run"
	}
	return q + " RETURN count(r) AS n"
}

// NodeBatch fills the parameters of rows [lo, hi) of s: the map to pass to
// NodeQuery's statement.
func NodeBatch(s *NodeSet, lo, hi int) map[string]any {
	rows := make([]any, 0, hi-lo)
	vals := make([]any, len(s.Props))
	zone := offsetZone()
	for i := lo; i < hi; i++ {
		clear(vals)
		key := s.Row(i, vals)
		rows = append(rows, map[string]any{"key": key, "props": propMap(s.Props, vals, zone)})
	}
	return map[string]any{"rows": rows}
}

// RelBatch fills the parameters of rows [lo, hi) of s and returns them with
// the number of rows included (skipped rows are left out).
func RelBatch(s *RelSet, lo, hi int) (map[string]any, int) {
	rows := make([]any, 0, hi-lo)
	vals := make([]any, len(s.Props))
	zone := offsetZone()
	for i := lo; i < hi; i++ {
		clear(vals)
		from, to, ok := s.Row(i, vals)
		if !ok {
			continue
		}
		row := map[string]any{"from": from, "to": to}
		if len(s.Props) > 0 {
			row["props"] = propMap(s.Props, vals, zone)
		}
		rows = append(rows, row)
	}
	return map[string]any{"rows": rows}, len(rows)
}

// propMap turns values into a Cypher parameter map; nil values are kept as
// nil so that SET += removes stale properties.
func propMap(props []Prop, vals []any, zone *time.Location) map[string]any {
	m := make(map[string]any, len(props))
	for i, p := range props {
		m[p.Name] = paramValue(vals[i], zone)
	}
	return m
}

// offsetZone returns UTC+8 under the zone name "Offset", which makes the
// driver send a datetime with a fixed offset rather than a zone id (the
// zone name "CST" of claims.Shanghai would reach the server as a zone id,
// and Java reads CST as America/Chicago).
func offsetZone() *time.Location { return time.FixedZone("Offset", 8*3600) }

// paramValue converts a row value to a driver parameter value; datetimes
// are put in zone (see offsetZone).
func paramValue(v any, zone *time.Location) any {
	switch x := v.(type) {
	case Day:
		y, mo, d := claims.Date(x).Civil()
		return dbtype.Date(time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC))
	case Stamp:
		return claims.Time(x).Std().In(zone)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}
