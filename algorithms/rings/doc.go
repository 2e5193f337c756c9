// Package rings turns the evidence of the detectors (rule hits, Leiden
// communities of the claims graph, lockstep blocks) into ranked fraud rings
// and per-entity scores: who is in each ring and in what role, what
// typology it looks like, how much of the fund is at risk, and the rows that
// prove it.
//
// The types in this file are the contract between ring formation, the
// outputs (rings.json, entities.csv, report.html), the evaluation against a
// synthetic city's truth and the web view. rings.json follows the data
// contract's "Outputs" section: each ring has id, rank, score, typology,
// members ({kind, id}), amount_at_risk and evidence citing mdtrt_id /
// feedetl_sn rows.
package rings

// # Method
//
// Detect runs the rule library (rules.Run) and computes peer statistics:
// each visit's fund amount as a robust z-score against its peers (scenario,
// institution class and diagnosis category, falling back to coarser groups
// when fewer than ten institutions vote), where every institution has one
// vote on the centre and the scale is the ordinary spread within one site,
// so that a ring cannot set its own baseline.
//
// Candidate rings come from generators, one per signature of
// shared/domain/typologies.md:
//
//   - repeat patients of medical institutions (grouped when they share
//     doctors) billed far above their peers, or registered again and again
//     with a social-security card while insured elsewhere, kept when such
//     patients make up a share of the institutions' regulars several times
//     that of institutions of the same class (fabricated outpatient care,
//     lockstep swiping, card collection);
//   - same-day admission cohorts of repeat inpatients, pairs counted
//     against the coincidences expected by chance (fake hospitalisation);
//   - lockstep blocks (algorithms/lockstep, placeholder doctors left out);
//   - hospitals where early same-diagnosis readmissions (R-SPLIT-ADMIT)
//     concentrate several times beyond the rest of the city's rate;
//   - customers buying a cheap drug in round quantities at a pharmacy
//     (R-ROUND-QTY);
//   - pharmacies between which trace codes are sold again (R-TRACE-DUP),
//     with the people filling far more than other pharmacy customers across
//     them (drug reselling);
//   - doctor codes billing at distant sites at overlapping times
//     (R-DOCTOR-DISTANT), weighed by clashes and by distance beyond the
//     rule's (borrowed qualifications).
//
// Candidates spanning several institutions are split by Leiden (modularity,
// seeded) on their own patient–doctor–institution graph, communities that
// share doctors staying together; overlapping candidates are merged. Each
// ring is scored from the generator's evidence strength, distance from
// peers, lockstep density against the baseline of its institutions,
// rule-hit concentration, card-based share, size and fund at risk; rings
// scoring at least 0.5 are reported (at most 100), ranked, with typology,
// roles, evidence citing rows, a daily timeline and the amount at risk (net
// fund of the ring's visits, each counted once). Every entity is scored:
// ring members at 0.5 and above, the others below 0.5 from their own peer
// distance, rule hits and membership of unreported candidates.
//
// # Incremental scoring
//
// DetectLive keeps the state of a run so that visits appended to the tables
// later are scored incrementally (Live.Add): against the same peer
// statistics, joining the candidates whose institution and patients (or
// doctors) they concern, recruiting patients who now meet a repeat-patient
// ring's signature, re-scoring only the candidates touched; changed rings
// cite the new rows as a G-NEW-ROWS graph fact. See Live for what only a
// full run does.
