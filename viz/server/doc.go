// Package server serves the live web view of RingLens: the embedded web
// app, a JSON API over the current findings and graph, a websocket stream
// of progress, rings and ring changes, and the intake of new claims, which
// are re-scored in the background. docs/api.md documents the API.
//
// A Server holds one snapshot of findings at a time, guarded by a
// read-write mutex. Every websocket client has a bounded queue: publishing
// never blocks, and a client whose queue overflows has its queue emptied
// and is sent a resync message, after which it refetches /api/v1/rings.
//
// New claims are not scored incrementally: each batch (debounced) triggers
// a full reload of the base dataset, a rebuild of the graph and a re-run of
// detection, and the new ring set is diffed against the old one.
package server
