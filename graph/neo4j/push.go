package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PushOptions configure Push.
type PushOptions struct {
	// Batch is the number of rows per UNWIND statement and transaction;
	// <= 0 means 5000.
	Batch int
	// Retry is the retry policy around every transaction.
	Retry Retry
	// Progress, when not nil, is called after every batch with the set
	// being written ("nodes Patient", "rels VISITED", ...), rows done and
	// rows in the set.
	Progress func(stage string, done, total int64)
}

// PushStats reports a push.
type PushStats struct {
	Nodes, Rels int64 // rows written
	Batches     int
	Retries     int           // transactions retried after transient errors
	Deleted     int64         // Ring and RuleHit nodes of the run replaced
	Elapsed     time.Duration // whole push, count check included
	Checks      []CountCheck
}

// RowsPerSecond returns the write throughput.
func (s *PushStats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Nodes+s.Rels) / s.Elapsed.Seconds()
}

// CountCheck compares the rows of a set with what the database holds.
type CountCheck struct {
	Set  string // "node patient", "rel visited", ...
	Want int64  // rows written
	Got  int64  // counted in the database
}

// ErrCountMismatch is returned (wrapped) by Push when the database holds
// fewer nodes or relationships of a set than were written.
var ErrCountMismatch = errors.New("neo4j: count check failed")

// Push writes m through ex: constraints and indexes first, then the run's
// old Ring and RuleHit nodes are deleted, then nodes and relationships in
// batches of UNWIND ... MERGE, each batch in its own managed write
// transaction, and finally every set is counted. Pushing the same model
// twice leaves the same graph. A count below what was written is an error
// (ErrCountMismatch); a count above it means the database also holds
// other data, and is only reported in the checks.
func Push(ctx context.Context, ex Executor, m *Model, opt PushOptions) (*PushStats, error) {
	start := time.Now()
	st := &PushStats{}
	if opt.Batch <= 0 {
		opt.Batch = 5000
	}
	write := func(what string, work Work) error {
		n, err := opt.Retry.Do(ctx, func(ctx context.Context) error { return ex.ExecuteWrite(ctx, work) })
		st.Retries += n
		if err != nil {
			return fmt.Errorf("neo4j: %s: %w", what, err)
		}
		return nil
	}
	for _, q := range ConstraintQueries() {
		if err := write("create constraints", func(ctx context.Context, tx Runner) error {
			return drain(ctx, tx, q, nil)
		}); err != nil {
			return st, err
		}
	}
	for _, q := range ClearRunQueries() {
		for {
			var deleted int64
			if err := write("delete previous run", func(ctx context.Context, tx Runner) error {
				recs, err := collect(ctx, tx, q, map[string]any{"run": m.RunID, "limit": int64(opt.Batch)})
				if err != nil {
					return err
				}
				deleted = 0
				if len(recs) > 0 {
					deleted, _ = asInt64(recs[0]["deleted"])
				}
				return nil
			}); err != nil {
				return st, err
			}
			st.Deleted += deleted
			if deleted < int64(opt.Batch) {
				break
			}
		}
	}
	for i := range m.Nodes {
		s := &m.Nodes[i]
		q := NodeQuery(s)
		for lo := 0; lo < s.Len; lo += opt.Batch {
			hi := min(lo+opt.Batch, s.Len)
			params := NodeBatch(s, lo, hi)
			if err := write("write "+s.Name+" nodes", func(ctx context.Context, tx Runner) error {
				return drain(ctx, tx, q, params)
			}); err != nil {
				return st, err
			}
			st.Nodes += int64(hi - lo)
			st.Batches++
			progress(opt.Progress, "nodes "+s.Name, hi, s.Len)
		}
	}
	for i := range m.Rels {
		s := &m.Rels[i]
		q := RelQuery(s)
		for lo := 0; lo < s.Len; lo += opt.Batch {
			hi := min(lo+opt.Batch, s.Len)
			params, n := RelBatch(s, lo, hi)
			if n > 0 {
				if err := write("write "+s.Name+" relationships", func(ctx context.Context, tx Runner) error {
					return drain(ctx, tx, q, params)
				}); err != nil {
					return st, err
				}
				st.Batches++
			}
			st.Rels += int64(n)
			progress(opt.Progress, "rels "+s.Name, hi, s.Len)
		}
	}
	checks, err := Count(ctx, ex, m, opt.Retry)
	st.Checks = checks
	st.Elapsed = time.Since(start)
	if err != nil {
		return st, err
	}
	for _, c := range checks {
		if c.Got < c.Want {
			return st, fmt.Errorf("%w: %s: %d in the database, %d written", ErrCountMismatch, c.Set, c.Got, c.Want)
		}
	}
	return st, nil
}

// Count counts every set of m in the database. Want is the number of rows
// the set produces (relationship rows skipped by the model excluded).
func Count(ctx context.Context, ex Executor, m *Model, retry Retry) ([]CountCheck, error) {
	var checks []CountCheck
	count := func(q string) (int64, error) {
		var n int64
		_, err := retry.Do(ctx, func(ctx context.Context) error {
			return ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
				recs, err := collect(ctx, tx, q, map[string]any{"run": m.RunID})
				if err != nil {
					return err
				}
				if len(recs) != 1 {
					return fmt.Errorf("count returned %d records", len(recs))
				}
				n, _ = asInt64(recs[0]["n"])
				return nil
			})
		})
		return n, err
	}
	for i := range m.Nodes {
		s := &m.Nodes[i]
		got, err := count(NodeCountQuery(s))
		if err != nil {
			return checks, fmt.Errorf("neo4j: count %s nodes: %w", s.Name, err)
		}
		checks = append(checks, CountCheck{Set: "node " + s.Name, Want: int64(s.Len), Got: got})
	}
	for i := range m.Rels {
		s := &m.Rels[i]
		got, err := count(RelCountQuery(s))
		if err != nil {
			return checks, fmt.Errorf("neo4j: count %s relationships: %w", s.Name, err)
		}
		checks = append(checks, CountCheck{Set: "rel " + s.Name, Want: relRows(s), Got: got})
	}
	return checks, nil
}

// relRows counts the rows s produces.
func relRows(s *RelSet) int64 {
	var n int64
	vals := make([]any, len(s.Props))
	for i := 0; i < s.Len; i++ {
		if _, _, ok := s.Row(i, vals); ok {
			n++
		}
	}
	return n
}

func progress(f func(string, int64, int64), stage string, done, total int) {
	if f != nil {
		f(stage, int64(done), int64(total))
	}
}
