// Package server serves the live web view of RingLens: the embedded web
// app, a JSON API over the current findings and graph, a websocket stream
// of progress, rings and ring changes, and the intake of new claims, which
// are scored incrementally. docs/api.md documents the API.
//
// A Server holds one snapshot of findings at a time, guarded by a
// read-write mutex. Every websocket client has a bounded queue: publishing
// never blocks, and a client whose queue overflows has its queue emptied
// and is sent a resync message, after which it refetches /api/v1/rings.
//
// New claims (debounced) are appended to the current tables and scored
// with rings.Live: only the candidate rings they touch are re-scored, and
// the changed rings are published as ring_update (ring, ring_removed when
// a ring crosses the report threshold). Every Config.FullEvery, while some
// claims were scored only incrementally, a full run (rebuild, detect over
// the whole city) runs in the background on a snapshot of the current
// tables (graph.Tables.Snapshot; with Config.FullRunReload on the dataset
// loaded again) and replaces the incremental findings, ring ids kept by
// member overlap.
//
// With Config.StateDir, every accepted batch is written and fsynced to a
// checksummed claims log before it is acknowledged and replayed by New;
// followed files are read by complete lines from positions kept in the log
// and in follow.json. Handler refuses Host names the server does not listen
// on, foreign Origins and, with a token, requests without it, and sets a
// Content-Security-Policy and related headers on every reply; API replies
// are built under the data lock and written after it.
package server
