// Package report writes what detection found (findings.Findings) for the
// people and tools that use it, and reads it back:
//
//   - rings.json: the ranked rings with members, amount at risk, evidence
//     citing mdtrt_id / feedetl_sn rows, timeline and features, plus the
//     single rule hits and data-quality findings (WriteRingsJSON);
//   - entities.csv: kind,id,score,ring_id,reasons for every scored entity,
//     each reason its English sentence (WriteEntitiesCSV);
//   - report.html: one self-contained, printable page for investigators, in
//     Chinese or English (WriteHTML), sealed with the SHA-256 of rings.json
//     and entities.csv (Seal);
//   - a ranked table for the terminal (WriteTable).
//
// Codes (member kinds, typologies, roles, evidence kinds, results) are
// labelled by the vocabulary (graph/vocab); the report's own string table
// (ui) holds only its headings, column names and sentences.
//
// ReadFindings reads rings.json and entities.csv back, each reason from its
// sentence into its code and parameters. The same findings
// always give the same bytes: nothing here reads the clock or iterates a map
// in random order.
package report
