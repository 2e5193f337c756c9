package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Records iterates over the records of one statement's result. Records
// must be consumed inside the transaction function that produced them.
type Records interface {
	// Next advances to the next record, reporting whether there is one.
	Next(ctx context.Context) bool
	// Record returns the current record as column name -> value.
	Record() map[string]any
	// Err returns the error that ended the iteration, if any.
	Err() error
}

// Runner runs one Cypher statement inside a transaction.
type Runner interface {
	Run(ctx context.Context, cypher string, params map[string]any) (Records, error)
}

// Work is a transaction function. It may run more than once (on retry), so
// it must not have side effects outside the transaction other than
// idempotent ones.
type Work func(ctx context.Context, tx Runner) error

// Executor runs transaction functions: the driver adapter runs them as
// managed transactions (session.ExecuteWrite / ExecuteRead).
type Executor interface {
	ExecuteWrite(ctx context.Context, work Work) error
	ExecuteRead(ctx context.Context, work Work) error
}

// Retry is the retry policy applied around every transaction: errors for
// which neo4j.IsRetryable is true (transient errors, lost connections,
// cluster role changes) are retried with exponential backoff. The driver's
// managed transactions retry too; this outer loop makes the policy explicit
// and testable, and also covers executors without their own retries.
type Retry struct {
	Attempts int           // total attempts; <= 0 means 5
	Backoff  time.Duration // first wait; <= 0 means 200ms; doubled per attempt
	// Sleep waits d or until ctx is done; nil uses a timer. Tests set it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// IsTransient reports whether err is worth retrying.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return driver.IsRetryable(err)
}

// Do runs fn until it succeeds, fails with a non-transient error or the
// attempts are spent. It returns the number of retries made.
func (r Retry) Do(ctx context.Context, fn func(ctx context.Context) error) (retries int, err error) {
	attempts, wait := r.Attempts, r.Backoff
	if attempts <= 0 {
		attempts = 5
	}
	if wait <= 0 {
		wait = 200 * time.Millisecond
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	for a := 1; ; a++ {
		err = fn(ctx)
		if err == nil || !IsTransient(err) {
			return a - 1, err
		}
		if a >= attempts {
			return a - 1, fmt.Errorf("giving up after %d attempts: %w", a, err)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return a - 1, serr
		}
		wait *= 2
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// collect runs cypher and returns all its records (for small results).
func collect(ctx context.Context, tx Runner, cypher string, params map[string]any) ([]map[string]any, error) {
	recs, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for recs.Next(ctx) {
		out = append(out, recs.Record())
	}
	return out, recs.Err()
}

// drain consumes a result, returning its error.
func drain(ctx context.Context, tx Runner, cypher string, params map[string]any) error {
	recs, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	for recs.Next(ctx) {
	}
	return recs.Err()
}

// asInt64 converts a numeric record value.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}
