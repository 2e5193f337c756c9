// Package report writes what detection found (findings.Findings) for the
// people and tools that use it, and reads it back:
//
//   - rings.json: the ranked rings with members, amount at risk, evidence
//     citing mdtrt_id / feedetl_sn rows, timeline and features, plus the
//     single rule hits and data-quality findings (WriteRingsJSON);
//   - entities.csv: kind,id,score,ring_id,reasons for every scored entity,
//     each reason its English sentence (WriteEntitiesCSV);
//   - report.html: one self-contained, printable page for investigators, in
//     Chinese or English (WriteHTML): each ring with why it is a ring (its
//     signals, strongest first), its member table (role, code, masked
//     label, ring visits, fund, rule hits, first and last visit, score),
//     timeline and evidence; the single rule hits summarised by rule; sealed
//     with the SHA-256 of rings.json and entities.csv (Seal). It prints on
//     A4, each ring from a new page, with the first evidence items and rows
//     of each ring (all of them are on screen and in rings.json);
//   - single_hits.csv: report.html's appendix, every single rule hit that
//     rings.json lists, each with its own amount and cited rows
//     (WriteSingleHitsCSV);
//   - ring_visits.csv: every visit behind each ring's amount at risk
//     (VisitsOf, WriteRingVisitsCSV; the API's visits endpoint writes the
//     same rows, the dossier reads them back with ReadRingVisits);
//   - a ranked table for the terminal (WriteTable).
//
// Codes (member kinds, typologies, roles, evidence kinds, results) are
// labelled by the vocabulary (graph/vocab); the report's own string table
// (ui) holds only its headings, column names and sentences.
//
// Nothing English is on the Chinese report and nothing Chinese on the
// English one but the data's own names and codes (TestReportScript).
//
// ReadFindings reads rings.json and entities.csv back, each reason from its
// sentence into its code and parameters. The same findings
// always give the same bytes: nothing here reads the clock or iterates a map
// in random order.
package report
