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
