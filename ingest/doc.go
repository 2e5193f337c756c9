// Package ingest reads a claims dataset directory as the data contract
// (docs/data-contract.md) defines it and fills the columnar tables of package
// graph.
//
// A dataset holds psn, fixmedins, staff, catalog (optional), mdtrt and
// fee_list files, each CSV or JSON Lines, optionally gzip-compressed, in
// UTF-8 (with or without BOM) or GB18030. Load checks every file's header
// before reading any row, then reads the files in reference order. Each file
// is read in large chunks cut at record boundaries; chunks are parsed in
// parallel and applied to the tables in order by a single goroutine, so the
// result, line numbers and rejects are those of a sequential read.
//
// Rows that break the contract are rejected and reported through a
// RejectSink (RejectWriter writes them as rejects.csv); refund rows are
// netted into what they reverse. The package never logs.
package ingest
