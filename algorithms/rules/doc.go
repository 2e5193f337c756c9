// Package rules is RingLens' monitoring rule library (规则库): the
// rule families of docs/rules.md that the data contract supports,
// each with an id, a version, tunable parameters, its stage (before, during
// or after settlement), its result type (definite or suspicious) and the
// article of the 医疗保障基金使用监督管理条例 it falls under.
//
// Defaults returns the rules in force out of the box; LoadFile overrides
// their parameters (and the built-in diagnosis tables) from a JSON rules
// file. Run screens a built graph.Graph and returns the hits, each citing
// the visit (mdtrt_id) and fee (feedetl_sn) rows it rests on, the exact
// parameters used and the fund amount involved, net of refunds, together
// with data-quality findings (placeholder doctor codes) that ring formation
// must leave out.
//
// Amounts. Visit-level rules count the visit's fund_pay_sumamt as netted by
// ingest. The contract carries no fund share per fee line, so fee-level
// rules count a line's fund share: det_item_fee_sumamt scaled by the
// visit's fund_pay_sumamt / medfee_sumamt. Rows are never counted twice in
// one hit. Fully reversed visits (graph.VisitReversed) and fee lines netted
// to zero or less never produce hits.
//
// Output is bounded: each rule aggregates its findings (one hit per person
// and drug, per doctor, per institution and item, ...), each hit lists at
// most Set.MaxRowsPerHit visit and fee rows while its counts and amount stay
// complete, and each rule keeps at most Set.MaxHitsPerRule hits (the largest
// amounts first; RuleStat records how many were dropped).
//
// Declaring a rule. A rule is declared once, in registry.go: id, version,
// names, family, stage, result type, article, parameters, the function
// that runs it, and its incremental Context (context.go): which rows beyond
// the new ones it needs to judge rows appended after a full run (a
// person's history, a doctor's day, a hospital's census, a trace code's
// other sales, a drug's purchases at a pharmacy) or that it needs the whole
// city and runs in full runs only. Incremental scoring (algorithms/rings'
// Live) gathers exactly the declared context; it holds no rule logic of
// its own. RULES.md is generated from the declarations (go test -update).
//
// Stages. A rule's Stage is its main stage; AlsoAt, declared beside it,
// adds the other stages it serves (stage.go). A rule whose Context is the
// person's history alone can judge one claim with that history
// (Rule.OnOneClaim); Set.ForCheck selects the rules a check before or
// during settlement runs (algorithms/check), and RULES.md marks them.
//
// Data quality. The DQ-PLACEHOLDER-DOCTOR check runs first and marks
// placeholder doctor codes (Result.Placeholder, or FindPlaceholders alone);
// the doctor-based rules (R-DOCTOR-CAPACITY, R-DOCTOR-DISTANT) skip them,
// and ring formation should leave them out.
//
// Performance. Rules read the graph's time indexes (VisitsOf, FeesOf) and
// otherwise scan the Tables columns in row order, grouping candidates with
// counting sorts; a one-byte status per visit replaces most random column
// reads. Rules run concurrently on GOMAXPROCS goroutines. On a synthetic
// city (BenchmarkRun) the whole library costs about 2.1 CPU-seconds per
// million visits (three fee lines each) and 28 CPU-seconds at 10 million.
package rules
