// Package graph holds the claims data of a city as columnar Tables and
// turns them into a compact, typed property graph for detection and the web
// view.
//
// Tables class each medical institution as a hospital, clinic or station
// from every signal (ClassifyInstitution: admissions, beds, the name, then
// hosp_lv in the national, bare-grade or text codings); AddVisit classes an
// institution again on its first admission, and Summarize counts classes by
// evidence and warns when they look implausible.
//
// Build makes a Graph from Tables: dense NodeIDs over patients, doctors,
// medical institutions and pharmacies (in that order); typed edges
// aggregated from visits and fee lines (visit count, net fund and medical
// fee, first and last visit); a CSR adjacency; and time indexes over the
// visits (VisitsByTime, VisitsOf, FeesOf). Aggregation sorts packed uint64
// keys with a radix sort instead of using maps, and runs its independent
// stages on two goroutines. A Rebuilder runs the same stages on the
// calling goroutine, in the memory of the graph it built before: for many
// small graphs, such as the one a check builds per claim.
//
// On top of a Graph: CoVisits projects patients onto a weighted co-visit
// graph (Newman's collaboration weighting), Neighbourhood extracts capped
// subgraphs for display and Summarize describes the graph. Weighted is a
// generic CSR weighted graph (community detection's input); ReadEdgeList
// reads one from a text edge list.
//
// Batch commands, which only write ids and names back out at the end, move
// those columns out of the heap once the tables are read (Tables.Spill, into
// a file of package spill mapped read-only), so that the memory limit is left
// to what detection works on.
//
// Personal data never leaves the package unmasked: labels pass names through
// claims.MaskName.
package graph
