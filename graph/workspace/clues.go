package workspace

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// Clue sources.
const (
	SourceRing     = "ring"     // a reported ring
	SourceRule     = "rule"     // a single rule hit above the minimum amount
	SourceNational = "national" // a national clue batch (Import)
)

// DefaultJaccard is the least Jaccard similarity of members at which a ring
// of a new run is the same clue as a ring clue recorded before.
const DefaultJaccard = 0.5

// Clue is one clue (a case once worked) as the workspace holds it.
type Clue struct {
	ID         string   `json:"id"`
	Source     string   `json:"source"`
	Ref        string   `json:"ref"` // ring id of the last run, rule hit key, or batch/clue id
	Typology   string   `json:"typology,omitempty"`
	Rule       string   `json:"rule,omitempty"`
	Title      string   `json:"title,omitempty"`
	Amount     float64  `json:"amount"` // fund yuan at stake
	Members    []string `json:"members"`
	Status     string   `json:"status"`
	TransferTo string   `json:"transfer_to,omitempty"`
	Due        string   `json:"due,omitempty"` // YYYY-MM-DD
	Batch      string   `json:"batch,omitempty"`
	CreatedAt  string   `json:"created_at"`
	UpdatedAt  string   `json:"updated_at"`
	Overdue    bool     `json:"overdue"`
}

// Event is one state change of a clue.
type Event struct {
	At         string `json:"at"`
	By         string `json:"by"`
	From       string `json:"from"`
	To         string `json:"to"`
	Note       string `json:"note,omitempty"`
	Due        string `json:"due,omitempty"`
	TransferTo string `json:"transfer_to,omitempty"`
}

// Change is what a detection run changed in a ring clue.
type Change struct {
	Run            int64    `json:"run"`
	At             string   `json:"at"`
	Ring           string   `json:"ring"`
	MembersAdded   []string `json:"members_added"`
	MembersRemoved []string `json:"members_removed"`
	AmountBefore   float64  `json:"amount_before"`
	AmountAfter    float64  `json:"amount_after"`
}

// Case is a clue with its history.
type Case struct {
	Clue
	Events  []Event  `json:"events"`
	Changes []Change `json:"changes"`
}

// ErrNotFound is returned for a clue id the workspace does not hold.
var ErrNotFound = errors.New("no such case")

// ErrTransition is returned for a state change the workflow does not allow.
var ErrTransition = errors.New("state change not allowed")

// transitions are the allowed state changes (docs/workflow.md).
var transitions = map[string][]string{
	vocab.StateNew:       {vocab.StateAssigned, vocab.StateDismissed},
	vocab.StateAssigned:  {vocab.StateVerifying, vocab.StateNew},
	vocab.StateVerifying: {vocab.StateConfirmed, vocab.StateDismissed},
	vocab.StateConfirmed: {vocab.StatePenalised, vocab.StateTransferred},
	vocab.StatePenalised: {vocab.StateTransferred},
}

// closed are the states after which a due date no longer runs.
var closed = map[string]bool{vocab.StateDismissed: true, vocab.StatePenalised: true, vocab.StateTransferred: true}

// Allowed reports whether a clue may go from state from to state to.
func Allowed(from, to string) bool { return slices.Contains(transitions[from], to) }

// RecordOptions are the parameters of RecordFindings.
type RecordOptions struct {
	By        string  // who recorded (a user or "detect")
	MinAmount float64 // single rule hits of at least this fund yuan become clues
	Jaccard   float64 // least member similarity for a ring to keep its clue (DefaultJaccard if 0)
}

// RecordResult counts what RecordFindings did.
type RecordResult struct {
	Run        int64 `json:"run"`
	NewRings   int   `json:"new_rings"`
	KeptRings  int   `json:"kept_rings"`
	Changed    int   `json:"changed_rings"`
	NewRules   int   `json:"new_rule_clues"`
	KeptRules  int   `json:"kept_rule_clues"`
	RingsSeen  int   `json:"rings"`
	RulesAbove int   `json:"rule_hits_above_min"`
}

type ringClue struct {
	id      string
	members []string
	amount  float64
}

// RecordFindings records a detection run: every ring becomes a clue, or
// keeps the clue of the recorded ring whose members it shares most
// (Jaccard ≥ opts.Jaccard, each recorded ring matched once), the change in
// members and amount recorded; every single rule hit of at least
// opts.MinAmount becomes a clue keyed by its rule and rows. One
// transaction, one audit entry.
func (w *Workspace) RecordFindings(ctx context.Context, f *findings.Findings, opts RecordOptions) (RecordResult, error) {
	if opts.Jaccard <= 0 {
		opts.Jaccard = DefaultJaccard
	}
	if opts.By == "" {
		opts.By = "detect"
	}
	at := w.now()
	var res RecordResult
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO runs(at, by, rings, rule_clues) VALUES (?,?,0,0)`, at, opts.By)
		if err != nil {
			return err
		}
		if res.Run, err = r.LastInsertId(); err != nil {
			return err
		}
		old, err := ringClues(ctx, tx)
		if err != nil {
			return err
		}
		match := matchRings(f.Rings, old, opts.Jaccard)
		for i, ring := range f.Rings {
			res.RingsSeen++
			ms := memberKeys(ring.Members)
			title := fmt.Sprintf("%s, %d members", vocab.Label(vocab.Typologies, ring.Typology, vocab.LangEn), len(ms))
			j, ok := match[i]
			if !ok {
				_, err := insertClue(ctx, tx, Clue{Source: SourceRing, Ref: ring.ID, Typology: ring.Typology,
					Title: title, Amount: ring.AmountAtRisk, Members: ms, CreatedAt: at})
				if err != nil {
					return err
				}
				res.NewRings++
				continue
			}
			res.KeptRings++
			o := old[j]
			added, removed := diff(o.members, ms)
			if len(added) > 0 || len(removed) > 0 || math.Abs(o.amount-ring.AmountAtRisk) >= 0.005 {
				res.Changed++
				if _, err := tx.ExecContext(ctx, `INSERT INTO clue_changes(clue_id, run, at, ring, members_added, members_removed, amount_before, amount_after) VALUES (?,?,?,?,?,?,?,?)`,
					o.id, res.Run, at, ring.ID, jsonText(added), jsonText(removed), o.amount, ring.AmountAtRisk); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE clues SET ref=?, typology=?, title=?, amount=?, members=?, updated_at=? WHERE id=?`,
				ring.ID, ring.Typology, title, ring.AmountAtRisk, jsonText(ms), at, o.id); err != nil {
				return err
			}
		}
		for _, h := range f.SingleHits {
			if h.Kind != "rule" || h.Amount < opts.MinAmount {
				continue
			}
			res.RulesAbove++
			key := ruleKey(h)
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM clues WHERE source=? AND ref=?`, SourceRule, key).Scan(&id)
			switch {
			case err == nil:
				res.KeptRules++
				if _, err := tx.ExecContext(ctx, `UPDATE clues SET amount=?, updated_at=? WHERE id=?`, h.Amount, at, id); err != nil {
					return err
				}
			case errors.Is(err, sql.ErrNoRows):
				if _, err := insertClue(ctx, tx, Clue{Source: SourceRule, Ref: key, Rule: h.Rule,
					Title: h.Detail, Amount: h.Amount, Members: []string{}, CreatedAt: at}); err != nil {
					return err
				}
				res.NewRules++
			default:
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET rings=?, rule_clues=? WHERE seq=?`, res.RingsSeen, res.RulesAbove, res.Run); err != nil {
			return err
		}
		return appendAudit(ctx, tx, at, opts.By, ActDetect, fmt.Sprintf("run %d", res.Run), "detection recorded", map[string]any{
			"result": res, "min_amount": opts.MinAmount, "jaccard": opts.Jaccard})
	})
	if err != nil {
		return res, fmt.Errorf("workspace: record findings: %w", err)
	}
	return res, nil
}

// matchRings pairs rings of the run with recorded ring clues: all pairs of
// Jaccard ≥ min, the most similar first, each side used once. It returns
// ring index → clue index.
func matchRings(rings []findings.Ring, old []ringClue, min float64) map[int]int {
	type pair struct {
		r, c int
		j    float64
	}
	var ps []pair
	for i, r := range rings {
		ms := memberKeys(r.Members)
		for k, o := range old {
			if j := jaccard(ms, o.members); j >= min {
				ps = append(ps, pair{i, k, j})
			}
		}
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].j > ps[b].j })
	out := map[int]int{}
	used := map[int]bool{}
	for _, p := range ps {
		if _, ok := out[p.r]; ok || used[p.c] {
			continue
		}
		out[p.r] = p.c
		used[p.c] = true
	}
	return out
}

// jaccard is |a∩b| / |a∪b| of two sorted, distinct key lists.
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	added, removed := diff(a, b)
	union := len(a) + len(added)
	inter := len(a) - len(removed)
	return float64(inter) / float64(union)
}

// diff returns the keys of b not in a and of a not in b (both sorted).
func diff(a, b []string) (added, removed []string) {
	added, removed = []string{}, []string{}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			removed = append(removed, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			added = append(added, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

// memberKeys are a ring's members as sorted, distinct "kind:id".
func memberKeys(ms []findings.Member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Kind+":"+m.ID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ruleKey identifies a single rule hit across runs: its rule and the
// SHA-256 of its cited rows.
func ruleKey(h findings.Evidence) string {
	rows := slices.Clone(h.MdtrtIDs)
	for _, f := range h.Fees {
		rows = append(rows, f.MdtrtID+"/"+f.FeedetlSn)
	}
	slices.Sort(rows)
	s := sha256.Sum256([]byte(strings.Join(rows, "\n")))
	return h.Rule + ":" + hex.EncodeToString(s[:8])
}

func ringClues(ctx context.Context, tx *sql.Tx) ([]ringClue, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, members, amount FROM clues WHERE source=? ORDER BY seq`, SourceRing)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ringClue
	for rows.Next() {
		var c ringClue
		var ms string
		if err := rows.Scan(&c.id, &ms, &c.amount); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ms), &c.members); err != nil {
			return nil, fmt.Errorf("clue %s: members: %w", c.id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// insertClue adds a clue in state new and returns its id (CL-000001, by
// order of recording).
func insertClue(ctx context.Context, tx *sql.Tx, c Clue) (string, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO clues(id, source, ref, typology, rule, title, amount, members, status, due, batch, created_at, updated_at)
		VALUES ('', ?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.Source, c.Ref, c.Typology, c.Rule, c.Title, c.Amount, jsonText(c.Members), vocab.StateNew, c.Due, c.Batch, c.CreatedAt, c.CreatedAt)
	if err != nil {
		return "", err
	}
	seq, err := r.LastInsertId()
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("CL-%06d", seq)
	_, err = tx.ExecContext(ctx, `UPDATE clues SET id=? WHERE seq=?`, id, seq)
	return id, err
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Update is a state change asked for.
type Update struct {
	Case       string
	Status     string
	By         string
	Note       string
	Due        string // YYYY-MM-DD, optional
	TransferTo string // required for transferred
}

// UpdateCase changes a clue's state, if the workflow allows it, and
// records the event and its audit entry in one transaction.
func (w *Workspace) UpdateCase(ctx context.Context, u Update) (Clue, error) {
	if err := u.Check(); err != nil {
		return Clue{}, err
	}
	at := w.now()
	var out Clue
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		c, err := getClue(ctx, tx, u.Case)
		if err != nil {
			return err
		}
		if !Allowed(c.Status, u.Status) {
			return fmt.Errorf("%w: %s → %s (from %s: %s)", ErrTransition, c.Status, u.Status, c.Status, strings.Join(transitions[c.Status], ", "))
		}
		due := c.Due
		if u.Due != "" {
			due = u.Due
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clues SET status=?, transfer_to=?, due=?, updated_at=? WHERE id=?`,
			u.Status, u.TransferTo, due, at, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO clue_events(clue_id, at, by, from_status, to_status, note, due, transfer_to) VALUES (?,?,?,?,?,?,?,?)`,
			c.ID, at, u.By, c.Status, u.Status, u.Note, u.Due, u.TransferTo); err != nil {
			return err
		}
		detail := map[string]any{"from": c.Status, "to": u.Status}
		if u.Due != "" {
			detail["due"] = u.Due
		}
		if u.TransferTo != "" {
			detail["transfer_to"] = u.TransferTo
		}
		if err := appendAudit(ctx, tx, at, u.By, ActUpdate, c.ID, u.Note, detail); err != nil {
			return err
		}
		out, err = getClue(ctx, tx, c.ID)
		return err
	})
	if err != nil {
		return Clue{}, fmt.Errorf("workspace: update %s: %w", u.Case, err)
	}
	out.Overdue = overdue(out, w.Now())
	return out, nil
}

const clueCols = `id, source, ref, typology, rule, title, amount, members, status, transfer_to, due, batch, created_at, updated_at`

type scanner interface{ Scan(...any) error }

func scanClue(s scanner) (Clue, error) {
	var c Clue
	var ms string
	if err := s.Scan(&c.ID, &c.Source, &c.Ref, &c.Typology, &c.Rule, &c.Title, &c.Amount, &ms, &c.Status,
		&c.TransferTo, &c.Due, &c.Batch, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(ms), &c.Members); err != nil {
		return c, fmt.Errorf("clue %s: members: %w", c.ID, err)
	}
	return c, nil
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func getClue(ctx context.Context, q querier, id string) (Clue, error) {
	c, err := scanClue(q.QueryRowContext(ctx, `SELECT `+clueCols+` FROM clues WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return c, err
}

// overdue: a due date before today's (UTC) and the case not closed.
func overdue(c Clue, now time.Time) bool {
	return c.Due != "" && !closed[c.Status] && c.Due < now.UTC().Format(time.DateOnly)
}

// Filter selects cases for List.
type Filter struct {
	Status  string // "" for any
	Overdue bool   // only overdue cases
}

// List returns the cases that pass f, in order of recording.
func (w *Workspace) List(ctx context.Context, f Filter) ([]Clue, error) {
	if f.Status != "" && !known(vocab.CaseStates, f.Status) {
		return nil, fmt.Errorf("workspace: unknown state %q", f.Status)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT `+clueCols+` FROM clues WHERE (?1 = '' OR status = ?1) ORDER BY seq`, f.Status)
	if err != nil {
		return nil, fmt.Errorf("workspace: list: %w", err)
	}
	defer rows.Close()
	now := w.Now()
	out := []Clue{}
	for rows.Next() {
		c, err := scanClue(rows)
		if err != nil {
			return nil, fmt.Errorf("workspace: list: %w", err)
		}
		c.Overdue = overdue(c, now)
		if f.Overdue && !c.Overdue {
			continue
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Show returns a case with its state changes and run changes.
func (w *Workspace) Show(ctx context.Context, id string) (Case, error) {
	c, err := getClue(ctx, w.db, id)
	if err != nil {
		return Case{}, fmt.Errorf("workspace: show: %w", err)
	}
	c.Overdue = overdue(c, w.Now())
	out := Case{Clue: c, Events: []Event{}, Changes: []Change{}}
	rows, err := w.db.QueryContext(ctx, `SELECT at, by, from_status, to_status, note, due, transfer_to FROM clue_events WHERE clue_id=? ORDER BY seq`, id)
	if err != nil {
		return out, fmt.Errorf("workspace: show: %w", err)
	}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.By, &e.From, &e.To, &e.Note, &e.Due, &e.TransferTo); err != nil {
			rows.Close()
			return out, err
		}
		out.Events = append(out.Events, e)
	}
	rows.Close()
	rows, err = w.db.QueryContext(ctx, `SELECT run, at, ring, members_added, members_removed, amount_before, amount_after FROM clue_changes WHERE clue_id=? ORDER BY seq`, id)
	if err != nil {
		return out, fmt.Errorf("workspace: show: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch Change
		var a, r string
		if err := rows.Scan(&ch.Run, &ch.At, &ch.Ring, &a, &r, &ch.AmountBefore, &ch.AmountAfter); err != nil {
			return out, err
		}
		if err := json.Unmarshal([]byte(a), &ch.MembersAdded); err != nil {
			return out, err
		}
		if err := json.Unmarshal([]byte(r), &ch.MembersRemoved); err != nil {
			return out, err
		}
		out.Changes = append(out.Changes, ch)
	}
	return out, rows.Err()
}

// known reports whether code is an entry of category c.
func known(c vocab.Category, code string) bool {
	_, ok := vocab.Lookup(c, code)
	return ok
}
