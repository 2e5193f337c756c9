package workspace

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// FileName is the workspace database inside the state directory.
const FileName = "workspace.db"

// Workspace is an open workspace. Its methods may be called from several
// goroutines; writes are serialised.
type Workspace struct {
	db *sql.DB
	// Now is the clock stamped on changes (UTC); tests replace it.
	Now func() time.Time

	users  usersSeen // HasUsers' memory
	opened time.Time // the origin of clock, with its monotonic reading
}

// clock returns the nanoseconds since the workspace was opened, on the
// monotonic clock (unlike Now, which tests set), at least 1.
func (w *Workspace) clock() int64 { return max(int64(time.Since(w.opened)), 1) }

// Open opens (creating it if need be) the workspace in the state directory
// dir, migrating an older schema forward. A workspace of a newer schema is
// refused with ErrNewerSchema.
func Open(ctx context.Context, dir string) (*Workspace, error) {
	return open(ctx, dir, len(migrations))
}

func open(ctx context.Context, dir string, target int) (*Workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("workspace: create state directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + filepath.ToSlash(filepath.Join(dir, FileName)) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("workspace: open: %w", err)
	}
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("workspace: open %s: %w", filepath.Join(dir, FileName), err)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("workspace: journal mode is %q, not wal", mode)
	}
	if err := migrate(ctx, db, target); err != nil {
		db.Close()
		return nil, err
	}
	return &Workspace{db: db, Now: func() time.Time { return time.Now().UTC() }, opened: time.Now()}, nil
}

// Close closes the database.
func (w *Workspace) Close() error { return w.db.Close() }

// now is the workspace clock as RFC 3339 UTC.
func (w *Workspace) now() string { return w.Now().UTC().Format(time.RFC3339) }
