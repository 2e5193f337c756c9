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
// the number of workers. With one worker, parsing and applying take turns,
// so that the load keeps to about one core.
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
// Nothing is lost silently. Every file is read to its end: a compressed
// stream that is truncated or corrupt, or a record longer than 256 MiB,
// ends Load with a *ReadError naming the file and the line where the damage
// starts, and FileReport.BytesRead equals FileReport.Size. A quoted CSV
// field must close within 1 MiB of its opening quote; a quote that does
// not (or that closes lines later in a row of the wrong number of fields,
// a stray quote closed by an unrelated one) costs its row only: the row is
// rejected at its line, cut at the end of that line, and reading resumes
// on the next line. Line breaks inside properly quoted fields are kept.
//
// Input that lies is refused: a column named twice in a header is a
// *SchemaError; a JSON object giving a key twice is rejected; C0 and C1
// control characters and DEL (but tab and line breaks in free text), and
// in ids and codes also bidi embeddings, overrides, isolates and marks and
// zero-width characters, reject their row with a reason naming the
// character (U+XXXX); invalid UTF-8, and byte sequences GB18030 does not
// define, reject their row naming its line and column (an undecodable
// sample is a *SchemaError giving the line and column of the first bad
// byte). Files whose lines end in a lone CR are read as if they ended in
// LF (FileReport.CROnly).
//
// Personal data never appears in rejects or errors: every value of psn and
// staff, every free-text value, and any value holding a run of 15 or more
// digits (an ID-card number) or, where a code, number or date is expected,
// a Han character (a name), is given by its shape, such as
// "<18 chars: 17 digits + X>" or "<3 CJK chars>" (see Reject.Value). The
// package never logs.
package ingest
