// Package ingest reads a claims dataset directory as the data contract
// (docs/data-contract.md) defines it and fills the columnar tables of package
// graph.
//
// A dataset holds psn, fixmedins, staff, catalog (optional), mdtrt and
// fee_list files, each CSV or JSON Lines (.csv, .jsonl, .ndjson), optionally
// gzip-compressed (.gz), in UTF-8 (with or without BOM) or GB18030/GBK,
// detected per file. Load opens every file and checks its header before
// reading any row, then reads the files in reference order.
//
// Each file is read in large chunks cut at record boundaries (quote-aware
// for CSV); chunks are split and parsed in parallel by worker goroutines and
// applied to the tables in order by the calling goroutine, so the tables,
// line numbers and rejects are exactly those of a sequential read whatever
// the number of workers.
//
// Rows that break the contract are rejected and reported through a
// RejectSink (RejectWriter writes them as rejects.csv). Rejects come in file
// order, except that those found once a whole file has been read (visit
// refunds that reverse nothing; duplicate fee lines and fee refund lines
// that reverse nothing) follow the other rejects of their file, in line
// order among themselves.
//
// Refund rows are netted into what they reverse: visit refunds
// (refd_setl_flag 1) into the visit with the same mdtrt_id, else the latest
// earlier visit of the same person at the same institution with the same net
// fund amount; fee refund lines (negative amount) into the line of the same
// visit with the same feedetl_sn, else one with the same item and a positive
// net amount. Netted refund rows count as accepted and in RefundsNetted but
// add no rows to the tables.
//
// Personal data (psn_name, certno, dr_name) is masked in Reject.Value and
// never appears in errors. The package never logs.
package ingest
