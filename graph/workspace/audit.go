package workspace

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Audit actions.
const (
	ActDetect = "detect" // a detection run recorded into the workspace
	ActImport = "import" // a national clue batch imported
	ActUpdate = "update" // a clue's state changed
)

// Entry is one audit entry. Its canonical JSON is the JSON of the entry
// without Hash, fields in this order, detail with sorted keys and no
// spaces; Hash is the SHA-256 (hex) of it, and Prev the Hash of the entry
// before ("" for the first).
type Entry struct {
	Seq     int64           `json:"seq"`
	At      string          `json:"at"`      // RFC 3339 UTC
	Who     string          `json:"who"`     // user or program
	Action  string          `json:"action"`  // detect, import, update
	Subject string          `json:"subject"` // clue id, batch or run
	Why     string          `json:"why"`     // the note given
	Detail  json.RawMessage `json:"detail"`  // what changed
	Prev    string          `json:"prev"`
	Hash    string          `json:"hash,omitempty"`
}

// canonicalHash is the SHA-256 of e's canonical JSON.
func canonicalHash(e Entry) (string, error) {
	e.Hash = ""
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	}
	var d any
	if err := json.Unmarshal(e.Detail, &d); err != nil {
		return "", fmt.Errorf("detail: %w", err)
	}
	det, err := json.Marshal(d) // maps marshal with sorted keys
	if err != nil {
		return "", err
	}
	e.Detail = det
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// appendAudit appends an entry to the chain inside tx.
func appendAudit(ctx context.Context, tx *sql.Tx, at, who, action, subject, why string, detail any) error {
	det, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	e := Entry{At: at, Who: who, Action: action, Subject: subject, Why: why, Detail: det}
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.Prev)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit: read last entry: %w", err)
	}
	e.Seq++
	if e.Hash, err = canonicalHash(e); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit(seq, at, who, action, subject, why, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?,?)`,
		e.Seq, e.At, e.Who, e.Action, e.Subject, e.Why, string(e.Detail), e.Prev, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// ExportAudit writes the audit trail to out as JSON Lines, one Entry a
// line in order, and returns the number of entries and the hash of the last
// (the head, to be kept apart: it shows whether later lines were cut).
func (w *Workspace) ExportAudit(ctx context.Context, out io.Writer) (n int, head string, err error) {
	rows, err := w.db.QueryContext(ctx, `SELECT seq, at, who, action, subject, why, detail, prev, hash FROM audit ORDER BY seq`)
	if err != nil {
		return 0, "", fmt.Errorf("audit: read: %w", err)
	}
	defer rows.Close()
	bw := bufio.NewWriter(out)
	for rows.Next() {
		var e Entry
		var det string
		if err := rows.Scan(&e.Seq, &e.At, &e.Who, &e.Action, &e.Subject, &e.Why, &det, &e.Prev, &e.Hash); err != nil {
			return n, "", fmt.Errorf("audit: read: %w", err)
		}
		e.Detail = json.RawMessage(det)
		b, err := json.Marshal(e)
		if err != nil {
			return n, "", err
		}
		bw.Write(b)
		bw.WriteByte('\n')
		n++
		head = e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, "", fmt.Errorf("audit: read: %w", err)
	}
	return n, head, bw.Flush()
}

// ChainError names the first line of an exported trail that does not fit
// the chain.
type ChainError struct {
	Line   int    // 1-based line of the file
	Seq    int64  // the entry's seq as written (0 if unreadable)
	Reason string // what does not fit
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at line %d (seq %d): %s", e.Line, e.Seq, e.Reason)
}

// VerifyAudit reads an exported trail and checks the chain: seq counts up
// from 1, every entry's hash is the hash of its canonical JSON, and every
// prev the hash of the entry before. It returns the number of entries and
// the head hash, or a *ChainError for the first entry that does not fit.
func VerifyAudit(r io.Reader) (n int, head string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			return n, head, &ChainError{Line: line, Reason: "empty line"}
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return n, head, &ChainError{Line: line, Reason: "not an audit entry: " + err.Error()}
		}
		want, err := canonicalHash(e)
		switch {
		case err != nil:
			return n, head, &ChainError{Line: line, Seq: e.Seq, Reason: err.Error()}
		case e.Seq != int64(n+1):
			return n, head, &ChainError{Line: line, Seq: e.Seq, Reason: fmt.Sprintf("seq %d where %d was due (a line was removed or moved)", e.Seq, n+1)}
		case e.Prev != head:
			return n, head, &ChainError{Line: line, Seq: e.Seq, Reason: "prev is not the hash of the entry before"}
		case e.Hash != want:
			return n, head, &ChainError{Line: line, Seq: e.Seq, Reason: "content does not match its hash (edited)"}
		}
		n++
		head = e.Hash
	}
	if err := sc.Err(); err != nil {
		return n, head, err
	}
	return n, head, nil
}
