package neo4j

import (
	"strings"

	"github.com/ringlens/ringlens/graph/findings"
)

// cypherString quotes s as a Cypher string literal.
func cypherString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ringRef is the pattern matching ring ringID of run, literal inlined.
func ringRef(run, ringID string) string {
	return "(r:Ring {id: " + cypherString(RingKey(run, ringID)) + "})"
}

// lines joins the lines of a query.
func lines(ls ...string) string { return strings.Join(ls, "\n") }

// ShowRingQuery returns the Cypher the web view's "show in Neo4j" link
// runs in Neo4j Browser for ring ringID of run: the ring, its members, the
// aggregated relationships among the members and the rule hits cited as
// its evidence (literals inlined so the query can be pasted as is).
func ShowRingQuery(run, ringID string) string {
	return lines("MATCH "+ringRef(run, ringID)+"<-[m:MEMBER_OF]-(e)",
		"WITH r, collect(e) AS members, collect(m) AS ms",
		"UNWIND members AS a",
		"OPTIONAL MATCH (a)-[x:VISITED|TREATED_BY|BILLED_AT|REGISTERED_AT|FILLED_AT|PRESCRIBED_TO]->(b) WHERE b IN members",
		"WITH r, members, ms, collect(x) AS links",
		"OPTIONAL MATCH (h:RuleHit)-[ev:EVIDENCE_OF]->(r)",
		"RETURN r, members, ms, links, collect(h) AS hits, collect(ev) AS evidence")
}

// RingFeeLinesQuery returns the investigator's query listing a ring's
// visits (its patients' visits at its institutions) with their fee lines
// and catalogue items, price cap beside the price (docs/neo4j.md).
func RingFeeLinesQuery(run, ringID string) string {
	return lines("MATCH "+ringRef(run, ringID)+"<-[:MEMBER_OF]-(p:Patient)-[:HAD]->(v:Visit)-[:AT]->(i:Institution)-[:MEMBER_OF]->(r)",
		"OPTIONAL MATCH (v)-[:BILLED]->(f:FeeLine)",
		"OPTIONAL MATCH (it:Item {code: f.item})",
		"RETURN p.psn_no AS patient, i.name AS institution, v.mdtrt_id AS visit, v.begin AS visit_time, v.fund AS visit_fund,",
		"       f.sn AS sn, f.item AS item, it.name AS item_name, f.cnt AS cnt, f.pric AS price, it.price_cap AS price_cap,",
		"       f.amount AS amount, f.dr_code AS billing_doctor",
		"ORDER BY visit_time, visit, sn",
		"LIMIT 1000")
}

// RingHitsQuery returns the investigator's query listing the rule hits
// behind a ring (those its evidence cites, by rank) with the entities
// each concerns (docs/neo4j.md).
func RingHitsQuery(run, ringID string) string {
	return lines("MATCH (h:RuleHit)-[e:EVIDENCE_OF]->"+ringRef(run, ringID),
		"OPTIONAL MATCH (h)-[:CONCERNS]->(x)",
		"RETURN e.rank AS rank, h.rule AS rule, h.result AS result, h.amount AS amount, h.detail AS detail,",
		"       h.mdtrt_ids AS visits, collect(coalesce(x.psn_no, x.dr_code, x.code)) AS concerns, r.rule_hits AS ring_rule_hits",
		"ORDER BY rank")
}

// RingOverCapQuery returns the investigator's query listing fee lines
// priced above their catalogue cap at a ring's institutions, largest
// amount first (docs/neo4j.md).
func RingOverCapQuery(run, ringID string) string {
	return lines("MATCH "+ringRef(run, ringID)+"<-[:MEMBER_OF]-(i:Institution)<-[:AT]-(v:Visit)-[:BILLED]->(f:FeeLine)",
		"MATCH (it:Item {code: f.item})",
		"WHERE it.price_cap IS NOT NULL AND f.pric > it.price_cap",
		"RETURN i.name AS institution, v.mdtrt_id AS visit, f.item AS item, it.name AS item_name, f.pric AS price,",
		"       it.price_cap AS price_cap, f.cnt AS cnt, f.amount AS amount",
		"ORDER BY amount DESC",
		"LIMIT 100")
}

// ShowEntityQuery returns the Cypher showing one entity (kind as in
// findings.Member: patient, doctor, clinic, pharmacy) with its neighbours,
// rings and rule hits.
func ShowEntityQuery(kind, id string) string {
	e := memberEnd(kind)
	if kind != findings.KindPatient && kind != findings.KindDoctor && kind != findings.KindClinic && kind != findings.KindPharmacy {
		e = endInstitution()
	}
	return "MATCH (n:" + e.Space + " {" + e.Key + ": " + cypherString(id) + "})\n" +
		"OPTIONAL MATCH (n)-[x:VISITED|TREATED_BY|BILLED_AT|REGISTERED_AT|FILLED_AT|PRESCRIBED_TO|MEMBER_OF]-(o)\n" +
		"OPTIONAL MATCH (h:RuleHit)-[c:CONCERNS]->(n)\n" +
		"RETURN n, collect(DISTINCT x) AS rels, collect(DISTINCT o) AS neighbours, collect(DISTINCT h) AS hits"
}
