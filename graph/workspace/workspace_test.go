package workspace

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

var ctx = context.Background()

// openAt opens a workspace in dir with a fixed clock.
func openAt(t *testing.T, dir string, now string) *Workspace {
	t.Helper()
	w, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	tm, err := time.Parse(time.RFC3339, now)
	if err != nil {
		t.Fatal(err)
	}
	w.Now = func() time.Time { return tm }
	return w
}

func schemaVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrations(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) // leaves a workspace in dir
		wantErr error
	}{
		{"fresh", func(t *testing.T, dir string) {}, nil},
		{"older schema migrated, rows kept", func(t *testing.T, dir string) {
			w, err := open(ctx, dir, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := w.db.Exec(`INSERT INTO clues(id, source, ref, status, created_at, updated_at) VALUES ('CL-000001','ring','R1','new','2026-01-01T00:00:00Z','2026-01-01T00:00:00Z')`); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"newer schema refused", func(t *testing.T, dir string) {
			w, err := Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := w.db.Exec(`INSERT INTO schema_migrations(version, applied_at) VALUES (?, 'x')`, SchemaVersion()+1); err != nil {
				t.Fatal(err)
			}
		}, ErrNewerSchema},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.prepare(t, dir)
			w, err := Open(ctx, dir)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open: %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if v := schemaVersion(t, w.db); v != SchemaVersion() {
				t.Errorf("schema %d, want %d", v, SchemaVersion())
			}
			var mode, sync string
			w.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
			w.db.QueryRow(`PRAGMA synchronous`).Scan(&sync)
			if mode != "wal" || sync != "2" {
				t.Errorf("journal_mode %s synchronous %s, want wal and 2 (FULL)", mode, sync)
			}
			if strings.HasPrefix(tc.name, "older") {
				cs, err := w.List(ctx, Filter{})
				if err != nil || len(cs) != 1 || cs[0].ID != "CL-000001" {
					t.Fatalf("after migration: %v %v", cs, err)
				}
				if _, err := w.Show(ctx, "CL-000001"); err != nil {
					t.Fatalf("show after migration (needs schema 2): %v", err)
				}
			}
		})
	}
}

func ring(id string, amount float64, members ...string) findings.Ring {
	r := findings.Ring{ID: id, Typology: vocab.TypFabricatedOutpatient, AmountAtRisk: amount}
	for _, m := range members {
		k, i, _ := strings.Cut(m, ":")
		r.Members = append(r.Members, findings.Member{Kind: k, ID: i})
	}
	return r
}

// TestStableClueIDs: two runs, a ring changed in part keeps its clue and
// the change is recorded; a new ring and a rule hit above the minimum
// become clues; a hit below it does not.
func TestStableClueIDs(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	hit := func(rule string, amount float64, rows ...string) findings.Evidence {
		return findings.Evidence{Kind: "rule", Rule: rule, Amount: amount, MdtrtIDs: rows, Detail: "hit"}
	}
	run1 := &findings.Findings{
		Rings: []findings.Ring{
			ring("R1", 1000, "clinic:C1", "doctor:D1", "patient:P1", "patient:P2"),
			ring("R2", 500, "pharmacy:F1", "patient:P9", "patient:P8"),
		},
		SingleHits: []findings.Evidence{hit("R-01", 20000, "M1", "M2"), hit("R-02", 10, "M3")},
	}
	res, err := w.RecordFindings(ctx, run1, RecordOptions{MinAmount: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewRings != 2 || res.NewRules != 1 {
		t.Fatalf("run 1: %+v", res)
	}
	before, _ := w.List(ctx, Filter{})
	ids := map[string]string{} // ref → id
	for _, c := range before {
		ids[c.Ref] = c.ID
	}
	// Run 2: R1 is now "R7" with P2 gone and P3, P4 in (J = 3/6 = 0.5);
	// R2 shares only P9 with a new ring (J < 0.5): a new clue.
	run2 := &findings.Findings{
		Rings: []findings.Ring{
			ring("R7", 1500, "clinic:C1", "doctor:D1", "patient:P1", "patient:P3", "patient:P4"),
			ring("R8", 700, "pharmacy:F2", "patient:P9", "patient:P7"),
		},
		SingleHits: []findings.Evidence{hit("R-01", 21000, "M2", "M1")},
	}
	w.Now = func() time.Time { return time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) }
	res, err = w.RecordFindings(ctx, run2, RecordOptions{MinAmount: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeptRings != 1 || res.NewRings != 1 || res.Changed != 1 || res.KeptRules != 1 || res.NewRules != 0 {
		t.Fatalf("run 2: %+v", res)
	}
	after, _ := w.List(ctx, Filter{})
	if len(after) != 4 {
		t.Fatalf("%d clues after run 2, want 4", len(after))
	}
	kept := ids["R1"]
	c, err := w.Show(ctx, kept)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ref != "R7" || c.Amount != 1500 || len(c.Changes) != 1 {
		t.Fatalf("kept clue %+v", c)
	}
	ch := c.Changes[0]
	if strings.Join(ch.MembersAdded, ",") != "patient:P3,patient:P4" || strings.Join(ch.MembersRemoved, ",") != "patient:P2" ||
		ch.AmountBefore != 1000 || ch.AmountAfter != 1500 {
		t.Errorf("change %+v", ch)
	}
}

func TestJaccard(t *testing.T) {
	tests := []struct {
		a, b []string
		want float64
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, 1},
		{[]string{"a", "b"}, []string{"c"}, 0},
		{[]string{"a", "b", "c"}, []string{"b", "c", "d"}, 0.5},
		{nil, nil, 1},
	}
	for _, tc := range tests {
		if got := jaccard(tc.a, tc.b); got != tc.want {
			t.Errorf("jaccard(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTransitions(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	if _, err := w.RecordFindings(ctx, &findings.Findings{Rings: []findings.Ring{ring("R1", 10, "clinic:C1")}}, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	const id = "CL-000001"
	steps := []struct {
		u       Update
		wantErr bool
	}{
		{Update{Status: vocab.StateConfirmed, By: "li"}, true}, // new → confirmed skips verification
		{Update{Status: vocab.StateAssigned}, true},            // no by
		{Update{Status: "closed", By: "li"}, true},             // unknown state
		{Update{Status: vocab.StateAssigned, By: "li", Due: "2026-03-15"}, false},
		{Update{Status: vocab.StateVerifying, By: "wang", Note: "flight check"}, false},
		{Update{Status: vocab.StateConfirmed, By: "wang"}, false},
		{Update{Status: vocab.StateTransferred, By: "zhao"}, true},                     // no target
		{Update{Status: vocab.StatePenalised, By: "zhao", TransferTo: "police"}, true}, // target without transfer
		{Update{Status: vocab.StatePenalised, By: "zhao"}, false},
		{Update{Status: vocab.StateTransferred, By: "zhao", TransferTo: "court"}, true},
		{Update{Status: vocab.StateTransferred, By: "zhao", TransferTo: vocab.TransferPolice}, false},
		{Update{Status: vocab.StateVerifying, By: "zhao"}, true}, // transferred is final
		{Update{Case: "CL-999999", Status: vocab.StateAssigned, By: "li"}, true},
	}
	for i, s := range steps {
		if s.u.Case == "" {
			s.u.Case = id
		}
		_, err := w.UpdateCase(ctx, s.u)
		if (err != nil) != s.wantErr {
			t.Fatalf("step %d %+v: err %v, want error %v", i, s.u, err, s.wantErr)
		}
	}
	c, err := w.Show(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != vocab.StateTransferred || c.TransferTo != vocab.TransferPolice || len(c.Events) != 5 || c.Due != "2026-03-15" {
		t.Errorf("case %+v", c)
	}
	for from, tos := range transitions {
		for _, to := range tos {
			if !known(vocab.CaseStates, from) || !known(vocab.CaseStates, to) {
				t.Errorf("transition %s → %s names a state outside the vocabulary", from, to)
			}
		}
	}
}

func TestOverdue(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	f := &findings.Findings{Rings: []findings.Ring{ring("R1", 10, "clinic:C1"), ring("R2", 10, "clinic:C2"), ring("R3", 10, "clinic:C3")}}
	if _, err := w.RecordFindings(ctx, f, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []Update{
		{Case: "CL-000001", Status: vocab.StateAssigned, By: "li", Due: "2026-03-10"},
		{Case: "CL-000002", Status: vocab.StateAssigned, By: "li", Due: "2026-03-20"},
		{Case: "CL-000003", Status: vocab.StateDismissed, By: "li", Due: "2026-03-05"},
	} {
		if _, err := w.UpdateCase(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		today string
		want  string
	}{
		{"2026-03-10T23:00:00Z", ""},
		{"2026-03-11T00:00:00Z", "CL-000001"},
		{"2026-03-21T00:00:00Z", "CL-000001,CL-000002"}, // CL-000003 is closed
	}
	for _, tc := range tests {
		tm, _ := time.Parse(time.RFC3339, tc.today)
		w.Now = func() time.Time { return tm }
		cs, err := w.List(ctx, Filter{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.ID)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: overdue %v, want %s", tc.today, got, tc.want)
		}
	}
}

const batchJSON = `{"batch": "NHSA-2026-07", "issuer": "national", "deadline": "2026-04-30",
 "clues": [
  {"id": "1", "title": "clinic bills outpatient care never given", "amount": 120000, "members": ["clinic:H001"]},
  {"id": "2", "title": "pharmacy cash-out", "amount": 5000, "deadline": "2026-04-15"}
 ]}`

func TestImportIdempotent(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	for i, want := range []ImportResult{{Batch: "NHSA-2026-07", Added: 2}, {Batch: "NHSA-2026-07", Present: 2}} {
		b, err := ParseBatch(strings.NewReader(batchJSON))
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.Import(ctx, b, "li")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("import %d: %+v, want %+v", i+1, got, want)
		}
	}
	cs, _ := w.List(ctx, Filter{})
	if len(cs) != 2 || cs[0].Due != "2026-04-30" || cs[1].Due != "2026-04-15" || cs[0].Source != SourceNational {
		t.Errorf("clues %+v", cs)
	}
	for _, bad := range []string{
		`{"batch": "", "deadline": "2026-04-30", "clues": []}`,
		`{"batch": "B", "deadline": "30.4.2026", "clues": []}`,
		`{"batch": "B", "deadline": "2026-04-30", "clues": [{"id": "1"}, {"id": "1"}]}`,
		`{"batch": "B", "deadline": "2026-04-30", "clues": [{"id": "1", "members": ["P1"]}]}`,
		`{"batch": "B", "deadline": "2026-04-30", "extra": 1}`,
	} {
		if _, err := ParseBatch(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseBatch(%s) accepted", bad)
		}
	}
}

// TestAuditChain: an exported trail verifies; an edited, deleted or
// reordered line is named.
func TestAuditChain(t *testing.T) {
	dir := t.TempDir()
	w := openAt(t, dir, "2026-03-01T08:00:00Z")
	if _, err := w.RecordFindings(ctx, &findings.Findings{Rings: []findings.Ring{ring("R1", 10, "clinic:C1")}}, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{vocab.StateAssigned, vocab.StateVerifying, vocab.StateConfirmed} {
		if _, err := w.UpdateCase(ctx, Update{Case: "CL-000001", Status: s, By: "li", Note: "step " + s}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	n, head, err := w.ExportAudit(ctx, &buf)
	if err != nil || n != 4 {
		t.Fatalf("export: %d entries, %v", n, err)
	}
	if vn, vhead, err := VerifyAudit(bytes.NewReader(buf.Bytes())); err != nil || vn != 4 || vhead != head {
		t.Fatalf("verify clean trail: %d %s %v", vn, vhead, err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
	join := func(ls ...string) string {
		s := strings.Join(ls, "")
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return s
	}
	tests := []struct {
		name     string
		trail    string
		wantLine int
	}{
		{"edited note", join(lines[0], lines[1], strings.Replace(lines[2], "step verifying", "step skipped", 1), lines[3]), 3},
		{"edited last line", join(lines[0], lines[1], lines[2], strings.Replace(lines[3], `"who":"li"`, `"who":"lu"`, 1)), 4},
		{"deleted line", join(lines[0], lines[2], lines[3]), 2},
		{"reordered", join(lines[0], lines[2], lines[1], lines[3]), 2},
		{"first removed", join(lines[1], lines[2], lines[3]), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := VerifyAudit(strings.NewReader(tc.trail))
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v, want a ChainError", err)
			}
			if ce.Line != tc.wantLine {
				t.Errorf("line %d (%s), want %d", ce.Line, ce.Reason, tc.wantLine)
			}
		})
	}
	// The trail also survives reopening the workspace.
	w.Close()
	w2 := openAt(t, dir, "2026-03-02T08:00:00Z")
	if _, err := w2.UpdateCase(ctx, Update{Case: "CL-000001", Status: vocab.StatePenalised, By: "li"}); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "audit.jsonl")
	out, _ := os.Create(f)
	if n, _, err := w2.ExportAudit(ctx, out); err != nil || n != 5 {
		t.Fatalf("export after reopen: %d %v", n, err)
	}
	out.Close()
	in, _ := os.Open(f)
	defer in.Close()
	if _, _, err := VerifyAudit(in); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentWriters: two handles on one workspace (as two processes
// would) writing at once keep every change and one unbroken chain.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	a := openAt(t, dir, "2026-03-01T08:00:00Z")
	b := openAt(t, dir, "2026-03-01T08:00:00Z")
	const n = 20
	var rings []findings.Ring
	for i := range n {
		rings = append(rings, ring("R"+string(rune('A'+i)), 1, "clinic:C"+string(rune('A'+i))))
	}
	if _, err := a.RecordFindings(ctx, &findings.Findings{Rings: rings}, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for i := range n {
		w := a
		if i%2 == 1 {
			w = b
		}
		go func() {
			_, err := w.UpdateCase(ctx, Update{Case: fmt.Sprintf("CL-%06d", i+1), Status: vocab.StateAssigned, By: "li"})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, _, err := a.ExportAudit(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if got, _, err := VerifyAudit(&buf); err != nil || got != n+1 {
		t.Fatalf("chain: %d entries, %v", got, err)
	}
	if cs, _ := b.List(ctx, Filter{Status: vocab.StateAssigned}); len(cs) != n {
		t.Errorf("%d assigned, want %d", len(cs), n)
	}
}
