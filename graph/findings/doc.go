// Package findings is the findings contract: the types detection reports
// and everything downstream reads, with their JSON shape.
//
// What the contract holds:
//
//   - rings.json: Findings with its ranked Rings (members by Kind and role,
//     each with its part in the ring: visits, fund, rule hits, first and
//     last visit; typology, amount at risk, features, a daily Timeline, the
//     Evidence each ring rests on, citing mdtrt_id / feedetl_sn rows as
//     FeeRef, each saying how many rows it shows of how many, and
//     EvidenceTotal, the items before the cap), the SingleHits (rule hits in
//     no reported ring, as Evidence, with SingleHitsTotal before the cap)
//     and the DataQuality findings (problems of the data, never fraud);
//   - the visits behind each ring's amount at risk (Ring.VisitRows, as
//     RingVisit), not in rings.json: the API's visits endpoint and
//     ring_visits.csv write them;
//   - what incremental scoring changed in a ring since the last full run
//     (Ring.Changed, as Change), for the live API only;
//   - entities.csv: one EntityScore per patient, doctor, institution and
//     pharmacy (kind,id,score,ring_id,reasons), its reasons as Reason
//     (a vocabulary code and its parameters; the file writes the English
//     sentence), kept in an Entities table whose columns hold no pointer
//     (a city has millions of entities, and a server's garbage collector
//     would otherwise follow each of their strings in every cycle);
//   - the rule hits behind them (Findings.RuleHits, as RuleHit: the table
//     rows each hit concerns and cites), for exporters that link hits to
//     entities; they are not written to rings.json.
//
// Member kinds (Kind*) and typology ids (Typ*, docs/typologies.md) are the
// strings written to both files; they are the codes of graph/vocab, which
// declares each string once and labels it in Chinese and English. The JSON
// tags are the file format: the data contract's "Outputs" section
// describes rings.json.
//
// Who writes it: algorithms/rings (Detect, DetectLive and Live.Add),
// converting the rule library's hits with algorithms/rules
// (rules.Hit.Finding). Who reads it: viz/report (writes and reads
// rings.json, entities.csv and report.html), viz/server (the API, the
// stream and a node's rule hits), algorithms/eval (findings against a
// generated city's truth), graph/neo4j (Ring and RuleHit nodes, entity
// scores, EVIDENCE_OF) and cmd/ringlens, which wires them.
//
// Cite and RuleEvidence are the one way a rule hit's rows are cited by
// their natural keys and the one shape of a rule hit in rings.json.
//
// The contract sits in the bottom floor, beside the claims graph: it may
// import only the standard library, graph, graph/claims and graph/vocab, so that
// exporters under graph/ (Neo4j) read findings without depending on the
// algorithms that produce them. No package under graph/ imports
// algorithms/, viz/ or cmd/ (TestGraphImportsNothingAbove).
package findings
