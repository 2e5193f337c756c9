package neo4j

import (
	"strings"

	"github.com/ringlens/ringlens/algorithms/rings"
)

// cypherString quotes s as a Cypher string literal.
func cypherString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ShowRingQuery returns the Cypher the web view's "show in Neo4j" link
// runs in Neo4j Browser for ring ringID of run: the ring, its members and
// the aggregated relationships among the members (literals inlined so the
// query can be pasted as is).
func ShowRingQuery(run, ringID string) string {
	return "MATCH (r:Ring {id: " + cypherString(RingKey(run, ringID)) + "})<-[m:MEMBER_OF]-(e)\n" +
		"WITH r, collect(e) AS members, collect(m) AS ms\n" +
		"UNWIND members AS a\n" +
		"OPTIONAL MATCH (a)-[x:VISITED|TREATED_BY|BILLED_AT|REGISTERED_AT|FILLED_AT|PRESCRIBED_TO]->(b) WHERE b IN members\n" +
		"RETURN r, members, ms, collect(x) AS links"
}

// ShowEntityQuery returns the Cypher showing one entity (kind as in
// rings.Member: patient, doctor, clinic, pharmacy) with its neighbours,
// rings and rule hits.
func ShowEntityQuery(kind, id string) string {
	e := memberEnd(kind)
	if kind != rings.KindPatient && kind != rings.KindDoctor && kind != rings.KindClinic && kind != rings.KindPharmacy {
		e = endInstitution()
	}
	return "MATCH (n:" + e.Space + " {" + e.Key + ": " + cypherString(id) + "})\n" +
		"OPTIONAL MATCH (n)-[x:VISITED|TREATED_BY|BILLED_AT|REGISTERED_AT|FILLED_AT|PRESCRIBED_TO|MEMBER_OF]-(o)\n" +
		"OPTIONAL MATCH (h:RuleHit)-[c:CONCERNS]->(n)\n" +
		"RETURN n, collect(DISTINCT x) AS rels, collect(DISTINCT o) AS neighbours, collect(DISTINCT h) AS hits"
}
