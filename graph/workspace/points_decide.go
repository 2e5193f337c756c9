package workspace

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ringlens/ringlens/graph/vocab"
)

// Confirmation is an investigator's decision about a proposal: confirm it
// as proposed, or changed (kind, responsibility, points) with a reason, or
// reject it with a reason.
type Confirmation struct {
	UID    string
	By     string
	Reason string // required when anything is changed, and to reject
	Reject bool
	// Changes; zero values keep the proposal's.
	Kind           string // points, warning or institutional
	Responsibility string
	Points         *int // 0..12; nil keeps the proposal's (or 0 for a kind without points)
	// SuspendMonths is the suspension (1..6) should this entry bring the
	// year's total to SuspendPoints (DefaultSuspendMonths when 0).
	SuspendMonths int
	Date          string // YYYY-MM-DD the sanction was decided; "" keeps the proposal's
}

// Check reports what is malformed in c before anything is read.
func (c Confirmation) Check() error {
	if err := checkText("who confirms (by)", c.By, true); err != nil {
		return err
	}
	if err := checkText("reason", c.Reason, c.Reject); err != nil {
		return err
	}
	if c.Kind != "" {
		if err := checkCode("kind", kindCodes(), c.Kind); err != nil {
			return err
		}
	}
	if c.Responsibility != "" {
		if err := checkCode("responsibility", responsibilityCodes(), c.Responsibility); err != nil {
			return err
		}
	}
	if c.Points != nil && (*c.Points < 0 || *c.Points > TerminatePoints) {
		return invalid("points %d: want 0 to %d", *c.Points, TerminatePoints)
	}
	if c.SuspendMonths != 0 && (c.SuspendMonths < MinSuspendMonths || c.SuspendMonths > MaxSuspendMonths) {
		return invalid("suspension of %d months: want %d to %d", c.SuspendMonths, MinSuspendMonths, MaxSuspendMonths)
	}
	if err := checkDate(c.Date, false); err != nil {
		return invalid("date: %v", err)
	}
	return nil
}

// apply changes the proposal e as c decides and reports whether anything
// differs from the proposal.
func (c Confirmation) apply(e *PointsEntry) (changed bool) {
	if c.Reject {
		e.Status = vocab.PointsRejected
		e.Points = 0
		return true
	}
	e.Status = vocab.PointsConfirmed
	if c.Kind != "" && c.Kind != e.Kind {
		e.Kind, changed = c.Kind, true
	}
	if c.Responsibility != "" && c.Responsibility != e.Responsibility {
		e.Responsibility, changed = c.Responsibility, true
	}
	if c.Points != nil && *c.Points != e.Points {
		e.Points, changed = *c.Points, true
	}
	if e.Kind != vocab.PointsScored && e.Points != 0 {
		e.Points, changed = 0, true
	}
	if e.Kind == vocab.PointsScored {
		e.Band = BandOf(e.Points).String()
	} else {
		e.Band = ""
	}
	if c.Date != "" && c.Date != e.EventDate {
		e.EventDate, changed = c.Date, true
	}
	e.SuspendMonths = c.SuspendMonths
	if e.SuspendMonths == 0 {
		e.SuspendMonths = DefaultSuspendMonths
	}
	return changed
}

// ConfirmPoints confirms, changes or rejects a proposal. A change (kind,
// responsibility, points or date other than proposed) needs a reason; the
// decision is kept with its audit entry in one transaction.
func (w *Workspace) ConfirmPoints(ctx context.Context, c Confirmation) (PointsEntry, error) {
	if err := c.Check(); err != nil {
		return PointsEntry{}, err
	}
	action := vocab.AuditPointsConfirm
	if c.Reject {
		action = vocab.AuditPointsReject
	}
	return w.changeEntry(ctx, c.UID, PointsAction{By: c.By, Action: action, Reason: c.Reason}, func(e *PointsEntry) error {
		if e.Status != vocab.PointsProposed {
			return fmt.Errorf("%w: %s is %s, only a proposal is confirmed", ErrEntryState, e.UID, e.Status)
		}
		if c.apply(e) && !c.Reject && c.Reason == "" {
			return invalid("a change to the proposal needs a reason")
		}
		if e.Kind == vocab.PointsScored && e.Points == 0 && !c.Reject {
			return invalid("an entry of kind points needs at least 1 point")
		}
		return nil
	})
}

// Repair is a reduction after the person corrected their conduct and took
// part in the institution's insurance management (修复): fewer points,
// or a shorter suspension, or both.
type Repair struct {
	UID           string
	By            string
	Reason        string // required
	Points        *int   // the points after repair (at most those in force); nil keeps them
	SuspendMonths *int   // the suspension after repair (0..those in force); nil keeps it
}

// RepairPoints reduces a confirmed entry's points or suspension.
func (w *Workspace) RepairPoints(ctx context.Context, r Repair) (PointsEntry, error) {
	if err := checkText("who repairs (by)", r.By, true); err != nil {
		return PointsEntry{}, err
	}
	if err := checkText("reason", r.Reason, true); err != nil {
		return PointsEntry{}, err
	}
	if r.Points == nil && r.SuspendMonths == nil {
		return PointsEntry{}, invalid("a repair reduces the points or the suspension")
	}
	return w.changeEntry(ctx, r.UID, PointsAction{By: r.By, Action: vocab.AuditPointsRepair, Reason: r.Reason}, func(e *PointsEntry) error {
		if e.Status != vocab.PointsConfirmed {
			return fmt.Errorf("%w: %s is %s, only a confirmed entry is repaired", ErrEntryState, e.UID, e.Status)
		}
		if r.Points != nil {
			if *r.Points < 0 || *r.Points > e.Points {
				return invalid("repair to %d points: want 0 to the %d in force", *r.Points, e.Points)
			}
			e.Points = *r.Points
		}
		if r.SuspendMonths != nil {
			if *r.SuspendMonths < 0 || *r.SuspendMonths > e.SuspendMonths {
				return invalid("repair to a suspension of %d months: want 0 to the %d in force", *r.SuspendMonths, e.SuspendMonths)
			}
			e.SuspendMonths = *r.SuspendMonths
		}
		return nil
	})
}

// Appeal is the bureau's answer to a staff member's appeal against an
// entry: upheld (unchanged), reduced (to Points) or annulled (0 points).
type Appeal struct {
	UID     string
	By      string
	Reason  string // the answer's grounds (required)
	Outcome string // upheld, reduced or annulled
	Points  int    // with reduced: the points after the appeal, below those in force
}

// DecideAppeal records an appeal's outcome on a confirmed entry.
func (w *Workspace) DecideAppeal(ctx context.Context, a Appeal) (PointsEntry, error) {
	if err := checkText("who decides (by)", a.By, true); err != nil {
		return PointsEntry{}, err
	}
	if err := checkText("reason", a.Reason, true); err != nil {
		return PointsEntry{}, err
	}
	if err := checkCode("outcome", outcomeCodes(), a.Outcome); err != nil {
		return PointsEntry{}, err
	}
	act := PointsAction{By: a.By, Action: vocab.AuditPointsAppeal, Reason: a.Reason, Outcome: a.Outcome}
	return w.changeEntry(ctx, a.UID, act, func(e *PointsEntry) error {
		if e.Status != vocab.PointsConfirmed {
			return fmt.Errorf("%w: %s is %s, only a confirmed entry is appealed", ErrEntryState, e.UID, e.Status)
		}
		switch a.Outcome {
		case vocab.AppealReduced:
			if a.Points < 0 || a.Points >= e.Points {
				return invalid("appeal reduced to %d points: want 0 to %d", a.Points, e.Points-1)
			}
			e.Points = a.Points
		case vocab.AppealAnnulled:
			e.Points, e.SuspendMonths = 0, 0
		}
		return nil
	})
}

// changeEntry reads entry uid, lets change modify it, stores it with its
// revision counted up, and records the action (points and months before
// and after filled in) with its audit entry, in one transaction.
func (w *Workspace) changeEntry(ctx context.Context, uid string, a PointsAction, change func(*PointsEntry) error) (PointsEntry, error) {
	at := w.now()
	var out PointsEntry
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		e, err := getEntry(ctx, tx, uid)
		if err != nil {
			return err
		}
		a.PointsBefore, a.MonthsBefore = e.Points, e.SuspendMonths
		if err := change(&e); err != nil {
			return err
		}
		a.PointsAfter, a.MonthsAfter = e.Points, e.SuspendMonths
		e.Revision++
		e.UpdatedAt = at
		if err := updateEntry(ctx, tx, e); err != nil {
			return err
		}
		out = e
		return recordAction(ctx, tx, at, a, e)
	})
	if err != nil {
		return PointsEntry{}, fmt.Errorf("workspace: %s %s: %w", a.Action, uid, err)
	}
	return out, nil
}

// updateEntry writes the changeable fields of e.
func updateEntry(ctx context.Context, tx *sql.Tx, e PointsEntry) error {
	_, err := tx.ExecContext(ctx, `UPDATE points_entries SET institution=?, dept=?, region=?, rule=?, typology=?, article=?,
		sanction=?, responsibility=?, kind=?, band=?, points=?, suspend_months=?, status=?, event_date=?, revision=?, updated_at=?
		WHERE uid=?`, e.Institution, e.Dept, e.Region, e.Rule, e.Typology, e.Article, e.Sanction, e.Responsibility, e.Kind,
		e.Band, e.Points, e.SuspendMonths, e.Status, e.EventDate, e.Revision, e.UpdatedAt, e.UID)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	return nil
}
