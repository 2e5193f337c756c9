package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
)

// LedgerFormat names the ledger exchange format (docs/points.md).
const LedgerFormat = "ringlens-points/1"

// Ledger is a set of confirmed entries exchanged between workspaces, so
// that a suspension or termination in one region applies everywhere.
type Ledger struct {
	Format     string        `json:"format"`      // LedgerFormat
	Origin     string        `json:"origin"`      // the exporting workspace
	ExportedAt string        `json:"exported_at"` // RFC 3339 UTC
	Entries    []LedgerEntry `json:"entries"`
}

// LedgerEntry is one confirmed entry as exchanged: what another region
// needs to count it, without the local case or its evidence.
type LedgerEntry struct {
	UID            string `json:"uid"`    // origin/PT-000001
	Origin         string `json:"origin"` // the workspace that issued it
	Staff          string `json:"staff"`  // staff code
	Institution    string `json:"institution,omitempty"`
	Dept           string `json:"dept,omitempty"`
	Region         string `json:"region,omitempty"`
	Rule           string `json:"rule,omitempty"`
	Typology       string `json:"typology,omitempty"`
	Article        int    `json:"article,omitempty"`
	Sanction       string `json:"sanction"`
	Responsibility string `json:"responsibility"`
	Kind           string `json:"kind"`
	Points         int    `json:"points"`
	SuspendMonths  int    `json:"suspend_months"`
	EventDate      string `json:"event_date"`
	Revision       int    `json:"revision"`
}

// ExportLedger writes every confirmed entry (local and imported; of one
// staff member when staff is not "") as a Ledger in JSON and records the
// export in the audit trail. It returns the number of entries written.
func (w *Workspace) ExportLedger(ctx context.Context, out io.Writer, staff, by string) (int, error) {
	if err := checkText("who exports (by)", by, true); err != nil {
		return 0, err
	}
	org, err := w.Origin(ctx)
	if err != nil {
		return 0, err
	}
	es, err := w.Entries(ctx, EntryFilter{Staff: staff, Status: vocab.PointsConfirmed})
	if err != nil {
		return 0, err
	}
	l := Ledger{Format: LedgerFormat, Origin: org, ExportedAt: w.now(), Entries: make([]LedgerEntry, 0, len(es))}
	for _, e := range es {
		l.Entries = append(l.Entries, e.LedgerEntry)
	}
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		detail := map[string]any{"entries": len(l.Entries)}
		if staff != "" {
			detail["staff"] = PersonRef(vocab.KindDoctor, staff)
		}
		return appendAudit(ctx, tx, l.ExportedAt, by, vocab.AuditPointsExport, "ledger", "", detail)
	})
	if err != nil {
		return 0, fmt.Errorf("workspace: export ledger: %w", err)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return 0, fmt.Errorf("workspace: export ledger: %w", err)
	}
	return len(l.Entries), nil
}

// uidPattern is the shape of an entry id: origin/PT-digits.
var uidPattern = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,64}/PT-[0-9]{1,12}$`)

// ParseLedger reads and checks a ledger: the format, every entry's id
// (which must start with its origin), staff code, codes of the
// vocabulary, points (0..12), suspension months (0..6), event date and
// revision. Unknown fields, or an id given twice, refuse the whole file.
func ParseLedger(r io.Reader) (Ledger, error) {
	var l Ledger
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return l, invalid("ledger: %v", err)
	}
	if l.Format != LedgerFormat {
		return l, invalid("ledger: format %q, want %q", l.Format, LedgerFormat)
	}
	seen := map[string]bool{}
	for i, e := range l.Entries {
		if err := e.check(); err != nil {
			return l, fmt.Errorf("ledger entry %d: %w", i+1, err)
		}
		if seen[e.UID] {
			return l, invalid("ledger entry %d: uid %s twice", i+1, e.UID)
		}
		seen[e.UID] = true
	}
	return l, nil
}

// check reports what is malformed in e.
func (e LedgerEntry) check() error {
	switch {
	case !uidPattern.MatchString(e.UID) || !strings.HasPrefix(e.UID, e.Origin+"/"):
		return invalid("uid %q is not origin/PT-number of its origin", e.UID)
	case strings.TrimSpace(e.Staff) == "":
		return invalid("%s: no staff code", e.UID)
	case e.Points < 0 || e.Points > TerminatePoints:
		return invalid("%s: points %d, want 0 to %d", e.UID, e.Points, TerminatePoints)
	case e.SuspendMonths < 0 || e.SuspendMonths > MaxSuspendMonths:
		return invalid("%s: suspend_months %d, want 0 to %d", e.UID, e.SuspendMonths, MaxSuspendMonths)
	case e.Revision < 1:
		return invalid("%s: revision %d, want at least 1", e.UID, e.Revision)
	case e.Kind != vocab.PointsScored && e.Points != 0:
		return invalid("%s: an entry of kind %s has no points", e.UID, e.Kind)
	}
	if err := checkDate(e.EventDate, true); err != nil {
		return invalid("%s: event_date: %v", e.UID, err)
	}
	for _, c := range []struct {
		what  string
		codes []string
		v     string
	}{{"sanction", sanctionCodes(), e.Sanction}, {"responsibility", responsibilityCodes(), e.Responsibility}, {"kind", kindCodes(), e.Kind}} {
		if err := checkCode(c.what, c.codes, c.v); err != nil {
			return fmt.Errorf("%s: %w", e.UID, err)
		}
	}
	return nil
}

// Conflict is an imported entry that was not applied: the workspace holds
// the same uid at the same or a later revision with other content.
type Conflict struct {
	UID    string `json:"uid"`
	Reason string `json:"reason"`
}

// LedgerImport counts what ImportLedger did.
type LedgerImport struct {
	Origin    string     `json:"origin"`
	Added     int        `json:"added"`
	Updated   int        `json:"updated"` // a later revision of an entry held (a repair, an appeal)
	Present   int        `json:"present"` // held at the same revision with the same content
	Conflicts []Conflict `json:"conflicts"`
}

// ImportLedger adds the entries of a ledger from another workspace as
// confirmed entries: a new uid is added, a later revision of a held entry
// replaces it, the same revision with the same content changes nothing; an
// earlier revision, or the same revision with other content, is a
// conflict, reported and not applied. Importing a file twice therefore
// changes nothing the second time. One transaction with its audit entry.
func (w *Workspace) ImportLedger(ctx context.Context, l Ledger, by string) (LedgerImport, error) {
	res := LedgerImport{Origin: l.Origin, Conflicts: []Conflict{}}
	if err := checkText("who imports (by)", by, true); err != nil {
		return res, err
	}
	at := w.now()
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, in := range l.Entries {
			if err := importEntry(ctx, tx, at, by, in, &res); err != nil {
				return fmt.Errorf("entry %s: %w", in.UID, err)
			}
		}
		return appendAudit(ctx, tx, at, by, vocab.AuditPointsImport, "ledger "+l.Origin, "ledger imported", map[string]any{
			"entries": len(l.Entries), "added": res.Added, "updated": res.Updated, "present": res.Present, "conflicts": len(res.Conflicts)})
	})
	if err != nil {
		return LedgerImport{}, fmt.Errorf("workspace: import ledger: %w", err)
	}
	return res, nil
}

// importEntry applies one imported entry and counts it in res.
func importEntry(ctx context.Context, tx *sql.Tx, at, by string, in LedgerEntry, res *LedgerImport) error {
	held, err := getEntry(ctx, tx, in.UID)
	switch {
	case errors.Is(err, ErrNoEntry):
		e := PointsEntry{LedgerEntry: in, Band: BandOf(in.Points).String(), Proposed: in.Points, Status: vocab.PointsConfirmed,
			Basis: Basis{Reasons: []string{"imported from " + in.Origin}}, CreatedAt: at, UpdatedAt: at}
		if _, err := tx.ExecContext(ctx, `INSERT INTO points_entries(uid, origin, staff, institution, dept, region, clue_id, rule, typology,
			article, sanction, responsibility, kind, band, proposed, points, suspend_months, status, event_date, basis, revision, created_at, updated_at)
			VALUES (?,?,?,?,?,?,'',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			e.UID, e.Origin, e.Staff, e.Institution, e.Dept, e.Region, e.Rule, e.Typology, e.Article, e.Sanction,
			e.Responsibility, e.Kind, e.Band, e.Proposed, e.Points, e.SuspendMonths, e.Status, e.EventDate,
			jsonText(e.Basis), e.Revision, at, at); err != nil {
			return err
		}
		res.Added++
		return recordAction(ctx, tx, at, PointsAction{By: by, Action: vocab.AuditPointsImport, Reason: "imported",
			PointsAfter: e.Points, MonthsAfter: e.SuspendMonths}, e)
	case err != nil:
		return err
	}
	switch {
	case held.Status != vocab.PointsConfirmed:
		res.Conflicts = append(res.Conflicts, Conflict{UID: in.UID, Reason: "held here as " + held.Status})
	case in == held.LedgerEntry:
		res.Present++
	case in.Revision <= held.Revision:
		res.Conflicts = append(res.Conflicts, Conflict{UID: in.UID, Reason: fmt.Sprintf(
			"revision %d differs from the revision %d held here", in.Revision, held.Revision)})
	case in.Staff != held.Staff:
		res.Conflicts = append(res.Conflicts, Conflict{UID: in.UID, Reason: "names another staff member than the entry held here"})
	default:
		a := PointsAction{By: by, Action: vocab.AuditPointsImport, Reason: fmt.Sprintf("revision %d imported", in.Revision),
			PointsBefore: held.Points, PointsAfter: in.Points, MonthsBefore: held.SuspendMonths, MonthsAfter: in.SuspendMonths}
		e := held
		e.LedgerEntry, e.Band, e.UpdatedAt = in, BandOf(in.Points).String(), at
		if err := updateEntry(ctx, tx, e); err != nil {
			return err
		}
		res.Updated++
		return recordAction(ctx, tx, at, a, e)
	}
	return nil
}
