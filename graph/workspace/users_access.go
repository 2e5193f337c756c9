package workspace

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
)

// MaxReasonLen is the longest reason of a reveal, in characters.
const MaxReasonLen = 500

// PersonRef is how the audit trail names a person: the member kind and the
// first 16 hex digits of the SHA-256 of "kind:id". The trail never holds a
// member id; whoever holds the claims can still find whom an entry
// concerns by hashing the id.
func PersonRef(kind, id string) string {
	s := sha256.Sum256([]byte(kind + ":" + id))
	return kind + ":" + hex.EncodeToString(s[:8])
}

// RevealRequest asks to see one person's unmasked identity in the course
// of a case.
type RevealRequest struct {
	User   string // the logged-in user asking
	Case   string // the case the person belongs to
	Kind   string // patient or doctor
	ID     string // the person's contract code (psn_no or dr_code)
	Reason string // why, as stated by the user (required)
}

// RefusalError is a reveal refused, and audited as refused.
type RefusalError struct {
	Reason string // why it was refused (never personal data)
}

// Error says why the reveal was refused.
func (e *RefusalError) Error() string { return "reveal refused: " + e.Reason }

// Unwrap makes a refusal an ErrForbidden.
func (e *RefusalError) Unwrap() error { return ErrForbidden }

// Reveal decides whether r.User may see the identity of the person r.Kind
// and r.ID of case r.Case, and records the decision with its audit entry in
// one transaction: allowed are reviewers and the investigators put on the
// case, for a person who is a member of the case, with a stated reason.
// Anything else is refused with a *RefusalError, and the refusal is
// audited too. It returns the audit entry's seq of an allowed reveal; the
// caller shows the identity only then.
func (w *Workspace) Reveal(ctx context.Context, r RevealRequest) (int64, error) {
	at := w.now()
	var seq int64
	var refusal string
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		refusal = ""
		var err error
		if refusal, err = revealRefusal(ctx, tx, r); err != nil {
			return err
		}
		allowed := 0
		action := vocab.AuditRevealRefused
		if refusal == "" {
			allowed, action = 1, vocab.AuditReveal
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reveals(at, user, clue_id, member, reason, allowed) VALUES (?,?,?,?,?,?)`,
			at, r.User, r.Case, r.Kind+":"+r.ID, r.Reason, allowed); err != nil {
			return err
		}
		detail := map[string]any{"person": PersonRef(r.Kind, r.ID)}
		if refusal != "" {
			detail["refused"] = refusal
		}
		if err := appendAudit(ctx, tx, at, r.User, action, r.Case, r.Reason, detail); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit`).Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("workspace: reveal: %w", err)
	}
	if refusal != "" {
		return 0, &RefusalError{Reason: refusal}
	}
	return seq, nil
}

// revealRefusal returns why r is refused ("" when allowed).
func revealRefusal(ctx context.Context, tx *sql.Tx, r RevealRequest) (string, error) {
	reason := strings.TrimSpace(r.Reason)
	switch {
	case reason == "":
		return "no reason stated", nil
	case len([]rune(r.Reason)) > MaxReasonLen:
		return fmt.Sprintf("reason longer than %d characters", MaxReasonLen), nil
	case r.Kind != "patient" && r.Kind != "doctor":
		return "only a patient's or doctor's identity is revealed", nil
	case r.ID == "":
		return "no person named", nil
	}
	u, err := getUser(ctx, tx, r.User)
	if errors.Is(err, ErrUnknownUser) {
		return "unknown user", nil
	}
	if err != nil {
		return "", err
	}
	c, err := getClue(ctx, tx, r.Case)
	if errors.Is(err, ErrNotFound) {
		return "no such case", nil
	}
	if err != nil {
		return "", err
	}
	switch u.Role {
	case vocab.UserReviewer:
	case vocab.UserInvestigator:
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_investigators WHERE clue_id=? AND user=?`, c.ID, u.Name).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "the investigator is not on this case", nil
		}
	default:
		return "role " + u.Role + " may not reveal identities", nil
	}
	if !slices.Contains(c.Members, r.Kind+":"+r.ID) {
		return "the person is not a member of this case", nil
	}
	return "", nil
}

// RecordAccess appends an audit entry for something seen or taken out of
// the workspace's view without changing it: the ring list or a ring viewed
// (vocab.AuditViewRing), a patient or doctor (AuditViewPerson), an
// institution or pharmacy (AuditViewNode), the case list or a case
// (AuditViewCase), or an export (AuditExport). subject names it (a ring id,
// a PersonRef, a case id); why is the reason the user gave ("" when none,
// at most MaxReasonLen characters); detail says more. The caller shows or
// sends the data only when this succeeded.
func (w *Workspace) RecordAccess(ctx context.Context, who, action, subject, why string, detail map[string]any) error {
	switch action {
	case vocab.AuditViewRing, vocab.AuditViewPerson, vocab.AuditViewNode, vocab.AuditViewCase, vocab.AuditExport:
	default:
		return fmt.Errorf("workspace: %q is not an access action", action)
	}
	if len([]rune(why)) > MaxReasonLen {
		return invalid("reason longer than %d characters", MaxReasonLen)
	}
	if detail == nil {
		detail = map[string]any{}
	}
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		return appendAudit(ctx, tx, w.now(), who, action, subject, why, detail)
	})
	if err != nil {
		return fmt.Errorf("workspace: record %s: %w", action, err)
	}
	return nil
}

// AuditPage is a part of the audit trail.
type AuditPage struct {
	Entries []Entry `json:"entries"`
	Total   int64   `json:"total"` // entries in the trail
	Head    string  `json:"head"`  // hash of the last entry ("" when none)
}

// MaxAuditPage caps the entries of one AuditEntries call.
const MaxAuditPage = 500

// AuditEntries returns up to limit entries (at most MaxAuditPage), newest
// first, of seq below before (every entry when before <= 0), with the
// trail's size and head.
func (w *Workspace) AuditEntries(ctx context.Context, before int64, limit int) (AuditPage, error) {
	p := AuditPage{Entries: []Entry{}}
	if limit <= 0 || limit > MaxAuditPage {
		limit = MaxAuditPage
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	err := w.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit`).Scan(&p.Total, &p.Head)
	if err != nil {
		return p, fmt.Errorf("workspace: read audit: %w", err)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT seq, at, who, action, subject, why, detail, prev, hash FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before, limit)
	if err != nil {
		return p, fmt.Errorf("workspace: read audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var det string
		if err := rows.Scan(&e.Seq, &e.At, &e.Who, &e.Action, &e.Subject, &e.Why, &det, &e.Prev, &e.Hash); err != nil {
			return p, fmt.Errorf("workspace: read audit: %w", err)
		}
		e.Detail = json.RawMessage(det)
		p.Entries = append(p.Entries, e)
	}
	return p, rows.Err()
}
