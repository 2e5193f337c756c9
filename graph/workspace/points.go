package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
)

// migrationPoints is schema step 4: the points ledger of responsible staff
// (docs/points.md). points_meta holds the workspace's origin, a random id
// that makes entry ids unique across workspaces (regions); points_entries
// one row per proposal or entry, local or imported; points_actions every
// decision about an entry (proposal, confirmation, change, repair, appeal,
// import).
const migrationPoints = `CREATE TABLE points_meta (
	origin TEXT NOT NULL
);
INSERT INTO points_meta(origin) VALUES (lower(hex(randomblob(8))));
CREATE TABLE points_entries (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	uid            TEXT NOT NULL UNIQUE,         -- origin/PT-000001: the entry's id in every workspace
	origin         TEXT NOT NULL,                -- the workspace that issued it
	staff          TEXT NOT NULL,                -- staff code (dr_code): the lifetime file's key
	institution    TEXT NOT NULL DEFAULT '',     -- fixmedins_code at the time
	dept           TEXT NOT NULL DEFAULT '',
	region         TEXT NOT NULL DEFAULT '',     -- admdvs at the time
	clue_id        TEXT NOT NULL DEFAULT '',     -- the local case, '' for imported entries
	rule           TEXT NOT NULL DEFAULT '',
	typology       TEXT NOT NULL DEFAULT '',
	article        INTEGER NOT NULL DEFAULT 0,   -- article of the regulation (38, 39, 40, 41; 0 unknown)
	sanction       TEXT NOT NULL,                -- vocab sanction
	responsibility TEXT NOT NULL,                -- vocab responsibility
	kind           TEXT NOT NULL,                -- vocab points_kind
	band           TEXT NOT NULL DEFAULT '',     -- 1-3, 4-6, 7-9, 10-12 ('' without points)
	proposed       INTEGER NOT NULL,             -- points the tool proposed
	points         INTEGER NOT NULL,             -- points in force
	suspend_months INTEGER NOT NULL DEFAULT 0,   -- suspension decided should this entry reach the threshold
	status         TEXT NOT NULL,                -- vocab points_state
	event_date     TEXT NOT NULL,                -- YYYY-MM-DD the sanction was decided: its year is the year counted
	basis          TEXT NOT NULL DEFAULT '{}',   -- JSON Basis: why this band, kind and attribution
	revision       INTEGER NOT NULL DEFAULT 1,   -- counts the entry's changes; import keeps the highest
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
);
CREATE INDEX points_entries_staff ON points_entries(staff);
CREATE UNIQUE INDEX points_entries_case_staff ON points_entries(clue_id, staff) WHERE clue_id <> '' AND status <> 'rejected';
CREATE TABLE points_actions (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	uid            TEXT NOT NULL REFERENCES points_entries(uid),
	at             TEXT NOT NULL,
	by             TEXT NOT NULL,
	action         TEXT NOT NULL,                -- vocab points_action
	reason         TEXT NOT NULL DEFAULT '',
	outcome        TEXT NOT NULL DEFAULT '',     -- appeal outcome
	points_before  INTEGER NOT NULL,
	points_after   INTEGER NOT NULL,
	months_before  INTEGER NOT NULL,
	months_after   INTEGER NOT NULL
);
CREATE INDEX points_actions_uid ON points_actions(uid);`

// Thresholds of the national guidance (医保发〔2024〕23号, docs/points.md).
const (
	// SuspendPoints is the year's total at which payment eligibility is
	// suspended.
	SuspendPoints = 9
	// TerminatePoints is the year's total at which it is terminated.
	TerminatePoints = 12
	// MinSuspendMonths and MaxSuspendMonths bound a suspension.
	MinSuspendMonths = 1
	// MaxSuspendMonths is the longest suspension.
	MaxSuspendMonths = 6
	// DefaultSuspendMonths is the suspension recorded when the
	// investigator does not choose one at confirmation.
	DefaultSuspendMonths = 1
	// BarYearsAccumulated is the re-registration bar after a termination
	// by points accumulated over several events.
	BarYearsAccumulated = 1
	// BarYearsSingleEvent is the bar when one event gave 12 points.
	BarYearsSingleEvent = 3
	// MaxReasonChars is the longest reason or note accepted, in characters.
	MaxReasonChars = 500
)

// Errors of the points ledger.
var (
	// ErrNoEntry is returned for an entry id the ledger does not hold.
	ErrNoEntry = errors.New("no such ledger entry")
	// ErrEntryState is returned for a decision the entry's state does not
	// allow (confirming an entry already decided, repairing a proposal).
	ErrEntryState = errors.New("not allowed in the entry's state")
)

// PointsEntry is one entry of a staff member's lifetime file (or a
// proposal not yet decided): what is exchanged with other regions
// (LedgerEntry) and what stays local.
type PointsEntry struct {
	LedgerEntry
	Case      string `json:"case,omitempty"` // the local case, "" for imported entries
	Band      string `json:"band,omitempty"` // 1-3, 4-6, 7-9, 10-12; "" without points
	Proposed  int    `json:"proposed"`       // points the tool proposed
	Status    string `json:"status"`         // proposed, confirmed or rejected
	Basis     Basis  `json:"basis"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// PointsAction is one decision about an entry.
type PointsAction struct {
	At           string `json:"at"`
	By           string `json:"by"`
	Action       string `json:"action"`
	Reason       string `json:"reason,omitempty"`
	Outcome      string `json:"outcome,omitempty"`
	PointsBefore int    `json:"points_before"`
	PointsAfter  int    `json:"points_after"`
	MonthsBefore int    `json:"months_before"`
	MonthsAfter  int    `json:"months_after"`
}

const entryCols = `uid, origin, staff, institution, dept, region, clue_id, rule, typology, article, sanction, responsibility,
	kind, band, proposed, points, suspend_months, status, event_date, basis, revision, created_at, updated_at`

func scanEntry(s scanner) (PointsEntry, error) {
	var e PointsEntry
	var basis string
	err := s.Scan(&e.UID, &e.Origin, &e.Staff, &e.Institution, &e.Dept, &e.Region, &e.Case, &e.Rule, &e.Typology,
		&e.Article, &e.Sanction, &e.Responsibility, &e.Kind, &e.Band, &e.Proposed, &e.Points, &e.SuspendMonths,
		&e.Status, &e.EventDate, &basis, &e.Revision, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(basis), &e.Basis); err != nil {
		return e, fmt.Errorf("entry %s: basis: %w", e.UID, err)
	}
	return e, nil
}

// queryEntries returns the entries of a query selecting entryCols.
func queryEntries(ctx context.Context, q querier, where string, args ...any) ([]PointsEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+` FROM points_entries `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PointsEntry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func getEntry(ctx context.Context, q querier, uid string) (PointsEntry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryCols+` FROM points_entries WHERE uid=?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: %q", ErrNoEntry, uid)
	}
	return e, err
}

// origin returns the workspace's origin id.
func origin(ctx context.Context, q querier) (string, error) {
	var o string
	if err := q.QueryRowContext(ctx, `SELECT origin FROM points_meta LIMIT 1`).Scan(&o); err != nil {
		return "", fmt.Errorf("read origin: %w", err)
	}
	return o, nil
}

// Origin returns the id this workspace gives the ledger entries it issues
// (random, made when the ledger was created).
func (w *Workspace) Origin(ctx context.Context) (string, error) {
	o, err := origin(ctx, w.db)
	if err != nil {
		return "", fmt.Errorf("workspace: %w", err)
	}
	return o, nil
}

// recordAction stores one decision about an entry and its audit entry.
func recordAction(ctx context.Context, tx *sql.Tx, at string, a PointsAction, e PointsEntry) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO points_actions(uid, at, by, action, reason, outcome, points_before, points_after, months_before, months_after)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, e.UID, at, a.By, a.Action, a.Reason, a.Outcome, a.PointsBefore, a.PointsAfter, a.MonthsBefore, a.MonthsAfter); err != nil {
		return fmt.Errorf("record action: %w", err)
	}
	detail := map[string]any{"staff": PersonRef(vocab.KindDoctor, e.Staff), "kind": e.Kind,
		"points_before": a.PointsBefore, "points_after": a.PointsAfter, "revision": e.Revision}
	if a.Outcome != "" {
		detail["outcome"] = a.Outcome
	}
	if a.MonthsBefore != a.MonthsAfter {
		detail["months_before"], detail["months_after"] = a.MonthsBefore, a.MonthsAfter
	}
	if e.Case != "" {
		detail["case"] = e.Case
	}
	return appendAudit(ctx, tx, at, a.By, a.Action, e.UID, a.Reason, detail)
}

// Actions returns the decisions about an entry, in order.
func (w *Workspace) Actions(ctx context.Context, uid string) ([]PointsAction, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT at, by, action, reason, outcome, points_before, points_after, months_before, months_after
		FROM points_actions WHERE uid=? ORDER BY seq`, uid)
	if err != nil {
		return nil, fmt.Errorf("workspace: read actions of %s: %w", uid, err)
	}
	defer rows.Close()
	out := []PointsAction{}
	for rows.Next() {
		var a PointsAction
		if err := rows.Scan(&a.At, &a.By, &a.Action, &a.Reason, &a.Outcome, &a.PointsBefore, &a.PointsAfter, &a.MonthsBefore, &a.MonthsAfter); err != nil {
			return nil, fmt.Errorf("workspace: read actions of %s: %w", uid, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// checkText refuses a reason that is required and blank, or too long.
func checkText(what, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return invalid("%s is required", what)
	case len([]rune(s)) > MaxReasonChars:
		return invalid("%s longer than %d characters", what, MaxReasonChars)
	}
	return nil
}

// checkCode refuses a code not in vocabulary category c.
func checkCode(what string, c []string, code string) error {
	for _, x := range c {
		if x == code {
			return nil
		}
	}
	return invalid("%s %q (want %s)", what, code, strings.Join(c, ", "))
}

// responsibilityCodes are the responsibility levels, strongest first.
func responsibilityCodes() []string {
	return []string{vocab.RespMain, vocab.RespImportant, vocab.RespGeneral}
}

// kindCodes are the kinds of ledger entries.
func kindCodes() []string {
	return []string{vocab.PointsScored, vocab.PointsWarning, vocab.PointsInstitutional}
}

// sanctionCodes are the institution's sanctions that open scoring.
func sanctionCodes() []string {
	return []string{vocab.SanctionPenalty, vocab.SanctionAgreement, vocab.SanctionDamages}
}

// outcomeCodes are the appeal outcomes.
func outcomeCodes() []string {
	return []string{vocab.AppealUpheld, vocab.AppealReduced, vocab.AppealAnnulled}
}
