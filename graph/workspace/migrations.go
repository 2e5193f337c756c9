package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// migrations are the schema steps in order: migrations[i] brings a
// workspace from version i to version i+1. Never edit a step once released;
// add a new one.
var migrations = []string{
	// 1: clues, their state changes, detection runs and the audit trail.
	`CREATE TABLE clues (
		seq         INTEGER PRIMARY KEY AUTOINCREMENT,
		id          TEXT NOT NULL UNIQUE,
		source      TEXT NOT NULL,  -- ring, rule or national
		ref         TEXT NOT NULL,  -- ring id of the last run, rule hit key, or batch/clue id
		typology    TEXT NOT NULL DEFAULT '',
		rule        TEXT NOT NULL DEFAULT '',
		title       TEXT NOT NULL DEFAULT '',
		amount      REAL NOT NULL DEFAULT 0,
		members     TEXT NOT NULL DEFAULT '[]', -- JSON array of "kind:id", sorted
		status      TEXT NOT NULL,
		transfer_to TEXT NOT NULL DEFAULT '',
		due         TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD or ''
		batch       TEXT NOT NULL DEFAULT '',
		created_at  TEXT NOT NULL,
		updated_at  TEXT NOT NULL
	);
	CREATE UNIQUE INDEX clues_source_ref ON clues(source, ref) WHERE source <> 'ring';
	CREATE TABLE clue_events (
		seq         INTEGER PRIMARY KEY AUTOINCREMENT,
		clue_id     TEXT NOT NULL REFERENCES clues(id),
		at          TEXT NOT NULL,
		by          TEXT NOT NULL,
		from_status TEXT NOT NULL,
		to_status   TEXT NOT NULL,
		note        TEXT NOT NULL DEFAULT '',
		due         TEXT NOT NULL DEFAULT '',
		transfer_to TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE runs (
		seq         INTEGER PRIMARY KEY AUTOINCREMENT,
		at          TEXT NOT NULL,
		by          TEXT NOT NULL,
		rings       INTEGER NOT NULL,
		rule_clues  INTEGER NOT NULL
	);
	CREATE TABLE audit (
		seq     INTEGER PRIMARY KEY,
		at      TEXT NOT NULL,
		who     TEXT NOT NULL,
		action  TEXT NOT NULL,
		subject TEXT NOT NULL,
		why     TEXT NOT NULL,
		detail  TEXT NOT NULL,
		prev    TEXT NOT NULL,
		hash    TEXT NOT NULL
	);`,
	// 2: what changed in a ring clue from one detection run to the next.
	`CREATE TABLE clue_changes (
		seq             INTEGER PRIMARY KEY AUTOINCREMENT,
		clue_id         TEXT NOT NULL REFERENCES clues(id),
		run             INTEGER NOT NULL REFERENCES runs(seq),
		at              TEXT NOT NULL,
		ring            TEXT NOT NULL,
		members_added   TEXT NOT NULL,
		members_removed TEXT NOT NULL,
		amount_before   REAL NOT NULL,
		amount_after    REAL NOT NULL
	);
	CREATE INDEX clue_changes_clue ON clue_changes(clue_id);
	CREATE INDEX clue_events_clue ON clue_events(clue_id);`,
	// 3: users, their sessions and who works which case (users.go).
	migrationUsers,
	// 4: the points ledger of responsible staff (points.go).
	migrationPoints,
	// 5: users can be disabled (users_disable.go).
	migrationUserDisabled,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }

// ErrNewerSchema is returned by Open for a workspace written by a newer
// RingLens than this one.
var ErrNewerSchema = errors.New("workspace was written by a newer version of ringlens")

// migrate brings db to version target (at most SchemaVersion), applying
// each missing step and its row in schema_migrations in one transaction.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("workspace: create migrations table: %w", err)
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("workspace: read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("%w (schema %d, this build knows up to %d): upgrade ringlens", ErrNewerSchema, have, len(migrations))
	}
	for v := have + 1; v <= target; v++ {
		err := inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`,
				v, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("workspace: migrate to schema %d: %w", v, err)
		}
	}
	return nil
}

// inTx runs f in one transaction, committed if f returns nil.
func inTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
