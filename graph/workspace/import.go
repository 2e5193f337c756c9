package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Batch is a national clue batch (docs/workflow.md, "Import format").
type Batch struct {
	Batch    string      `json:"batch"`    // batch id, unique per issuer
	Issuer   string      `json:"issuer"`   // who issued it
	Deadline string      `json:"deadline"` // YYYY-MM-DD, report back by then
	Clues    []BatchClue `json:"clues"`
}

// BatchClue is one clue of a batch.
type BatchClue struct {
	ID       string   `json:"id"` // unique within the batch
	Title    string   `json:"title"`
	Rule     string   `json:"rule,omitempty"`
	Typology string   `json:"typology,omitempty"`
	Amount   float64  `json:"amount"`             // fund yuan at stake
	Members  []string `json:"members,omitempty"`  // "kind:id" (patient, doctor, clinic, pharmacy)
	Deadline string   `json:"deadline,omitempty"` // YYYY-MM-DD, overrides the batch's
}

// ImportResult counts what Import did.
type ImportResult struct {
	Batch   string `json:"batch"`
	Added   int    `json:"added"`
	Present int    `json:"present"` // already imported before: left as they are
}

// ParseBatch reads and checks a batch.
func ParseBatch(r io.Reader) (Batch, error) {
	var b Batch
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, fmt.Errorf("clue batch: %w", err)
	}
	if strings.TrimSpace(b.Batch) == "" {
		return b, errors.New("clue batch: no batch id")
	}
	if err := checkDate(b.Deadline, true); err != nil {
		return b, fmt.Errorf("clue batch %s: deadline: %w", b.Batch, err)
	}
	seen := map[string]bool{}
	for i, c := range b.Clues {
		switch {
		case strings.TrimSpace(c.ID) == "":
			return b, fmt.Errorf("clue batch %s: clue %d has no id", b.Batch, i+1)
		case seen[c.ID]:
			return b, fmt.Errorf("clue batch %s: clue id %q twice", b.Batch, c.ID)
		}
		seen[c.ID] = true
		if err := checkDate(c.Deadline, false); err != nil {
			return b, fmt.Errorf("clue batch %s: clue %q: deadline: %w", b.Batch, c.ID, err)
		}
		for _, m := range c.Members {
			kind, id, ok := strings.Cut(m, ":")
			if !ok || id == "" || !slices.Contains([]string{"patient", "doctor", "clinic", "pharmacy"}, kind) {
				return b, fmt.Errorf("clue batch %s: clue %q: member %d is not kind:id", b.Batch, c.ID, slices.Index(c.Members, m)+1)
			}
		}
	}
	return b, nil
}

func checkDate(s string, required bool) error {
	if s == "" {
		if required {
			return errors.New("required (YYYY-MM-DD)")
		}
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%q is not YYYY-MM-DD", s)
	}
	return nil
}

// Import adds the clues of a batch in state new with their deadline as due
// date. A clue already imported (same batch and clue id) is left as it is,
// so importing a batch twice changes nothing but the audit trail.
func (w *Workspace) Import(ctx context.Context, b Batch, by string) (ImportResult, error) {
	res := ImportResult{Batch: b.Batch}
	if strings.TrimSpace(by) == "" {
		by = "import"
	}
	at := w.now()
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, c := range b.Clues {
			ref := b.Batch + "/" + c.ID
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM clues WHERE source=? AND ref=?`, SourceNational, ref).Scan(&id)
			if err == nil {
				res.Present++
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			due := c.Deadline
			if due == "" {
				due = b.Deadline
			}
			ms := slices.Clone(c.Members)
			if ms == nil {
				ms = []string{}
			}
			slices.Sort(ms)
			if _, err := insertClue(ctx, tx, Clue{Source: SourceNational, Ref: ref, Typology: c.Typology, Rule: c.Rule,
				Title: c.Title, Amount: c.Amount, Members: slices.Compact(ms), Due: due, Batch: b.Batch, CreatedAt: at}); err != nil {
				return err
			}
			res.Added++
		}
		return appendAudit(ctx, tx, at, by, ActImport, b.Batch, "national clue batch imported", map[string]any{
			"issuer": b.Issuer, "deadline": b.Deadline, "clues": len(b.Clues), "added": res.Added, "present": res.Present})
	})
	if err != nil {
		return res, fmt.Errorf("workspace: import %s: %w", b.Batch, err)
	}
	return res, nil
}
