// Package workspace is the investigator's durable workspace: the clues that
// detection and national batches give, the cases they become as they are
// worked (states, transfers, due dates) and the audit trail of every change,
// kept in one SQLite database (workspace.db) in the state directory.
//
// The database is modernc.org/sqlite (pure Go, no cgo: one static binary),
// opened in WAL mode with synchronous=FULL, so that every committed write
// survives a crash; every write runs in one transaction together with its
// audit entry. The schema is versioned (migrations.go): a workspace written
// by an older RingLens is migrated forward in place, one written by a newer
// one is refused.
//
// The audit trail (audit.go) is a hash chain: every entry carries the
// SHA-256 of the previous entry's canonical JSON, so an exported trail that
// was edited, cut or reordered shows where (Verify).
//
// docs/workflow.md describes the workspace, the states, the commands and the
// import format, users, roles and reveals. This package may import graph,
// graph/findings, graph/vocab and golang.org/x/crypto/argon2 (password
// hashes, users_password.go) only.
package workspace
