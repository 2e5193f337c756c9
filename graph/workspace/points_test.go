package workspace

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/vocab"
)

func TestDecide(t *testing.T) {
	shared := SitePattern{Institution: "H1", Dept: "A02", Rule: "R-X", Doctors: 5, WithHit: 4}
	alone := SitePattern{Institution: "H1", Rule: "R-X", Doctors: 5, WithHit: 1}
	small := SitePattern{Institution: "H1", Rule: "R-X", Doctors: 2, WithHit: 2}
	tests := []struct {
		name       string
		cand       StaffCandidate
		sanction   string
		article    int
		hist       History
		wantKind   string
		wantBand   string
		wantPoints int
		wantReason string
	}{
		{"fraud, main", StaffCandidate{Responsibility: vocab.RespMain}, vocab.SanctionPenalty, 40, History{}, vocab.PointsScored, "10-12", 12, "Art. 40"},
		{"fraud, important", StaffCandidate{Responsibility: vocab.RespImportant}, vocab.SanctionPenalty, 40, History{}, vocab.PointsScored, "10-12", 11, "important"},
		{"fraud, general", StaffCandidate{Responsibility: vocab.RespGeneral}, vocab.SanctionPenalty, 40, History{}, vocab.PointsScored, "10-12", 10, "general"},
		{"art 38 penalty, main", StaffCandidate{Responsibility: vocab.RespMain}, vocab.SanctionPenalty, 38, History{}, vocab.PointsScored, "4-6", 6, "Art. 38"},
		{"agreement sanction, general", StaffCandidate{Responsibility: vocab.RespGeneral}, vocab.SanctionAgreement, 38, History{}, vocab.PointsScored, "4-6", 4, "band 4-6"},
		{"damages, main", StaffCandidate{Responsibility: vocab.RespMain}, vocab.SanctionDamages, 40, History{}, vocab.PointsScored, "1-3", 3, "liquidated damages"},
		{"repeat within the year", StaffCandidate{Responsibility: vocab.RespGeneral}, vocab.SanctionPenalty, 38, History{Prior: 1, SameRuleInYear: 1}, vocab.PointsScored, "7-9", 7, "repeated"},
		{"repeat does not lower fraud", StaffCandidate{Responsibility: vocab.RespMain}, vocab.SanctionPenalty, 40, History{Prior: 1, SameRuleInYear: 1}, vocab.PointsScored, "10-12", 12, "Art. 40"},
		{"scope unaware, first offence", StaffCandidate{Responsibility: vocab.RespMain, ScopeUnaware: true}, vocab.SanctionPenalty, 38, History{}, vocab.PointsWarning, "", 0, "warning"},
		{"scope unaware, not first", StaffCandidate{Responsibility: vocab.RespMain, ScopeUnaware: true}, vocab.SanctionPenalty, 38, History{Prior: 1}, vocab.PointsScored, "4-6", 6, "Art. 38"},
		{"shared by the department", StaffCandidate{Responsibility: vocab.RespMain, Patterns: []SitePattern{alone, shared}}, vocab.SanctionPenalty, 38, History{}, vocab.PointsInstitutional, "", 0, "4 of 5 doctors of site H1 department A02"},
		{"not shared", StaffCandidate{Responsibility: vocab.RespMain, Patterns: []SitePattern{alone}}, vocab.SanctionPenalty, 38, History{}, vocab.PointsScored, "4-6", 6, "1 of 5 doctors of site H1 have hits of R-X (20%; at least 60% of at least 3 doctors is the institution's pattern): the individual's conduct"},
		{"too few doctors to tell", StaffCandidate{Responsibility: vocab.RespMain, Patterns: []SitePattern{small}}, vocab.SanctionPenalty, 38, History{}, vocab.PointsScored, "4-6", 6, "too few doctors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.cand, tc.sanction, tc.article, tc.hist, DefaultInstitutionShare, DefaultInstitutionMinDoctors)
			if d.Kind != tc.wantKind || d.Band.String() != tc.wantBand || d.Points != tc.wantPoints {
				t.Errorf("got %s %q %d, want %s %q %d", d.Kind, d.Band, d.Points, tc.wantKind, tc.wantBand, tc.wantPoints)
			}
			if why := strings.Join(d.Basis.Reasons, "; "); !strings.Contains(why, tc.wantReason) {
				t.Errorf("reasons %q lack %q", why, tc.wantReason)
			}
			if len(d.Basis.Patterns) != len(tc.cand.Patterns) {
				t.Errorf("patterns kept %d, given %d", len(d.Basis.Patterns), len(tc.cand.Patterns))
			}
		})
	}
}

func TestArticleOf(t *testing.T) {
	tests := []struct {
		article  int
		typology string
		want     int
	}{{38, "", 38}, {0, vocab.TypSplitHospitalisation, 38}, {0, vocab.TypFabricatedOutpatient, 40}, {0, "", 0}, {41, vocab.TypCardCollection, 41}}
	for _, tc := range tests {
		if got := ArticleOf(tc.article, tc.typology); got != tc.want {
			t.Errorf("ArticleOf(%d, %q) = %d, want %d", tc.article, tc.typology, got, tc.want)
		}
	}
}

// scored is a confirmed scored entry for the sanction tests.
func scored(uid, date string, points, months int) PointsEntry {
	return PointsEntry{Status: vocab.PointsConfirmed, LedgerEntry: LedgerEntry{UID: uid, Staff: "D1", Kind: vocab.PointsScored,
		EventDate: date, Points: points, SuspendMonths: months}}
}

func TestStandingOn(t *testing.T) {
	tests := []struct {
		name       string
		entries    []PointsEntry
		day        string
		wantStatus string
		wantYear   int
		wantUntil  string
	}{
		{"nothing", nil, "2026-05-01", vocab.StaffActive, 0, ""},
		{"below 9", []PointsEntry{scored("o/PT-1", "2026-02-01", 6, 1)}, "2026-05-01", vocab.StaffActive, 6, ""},
		{"9 reached: suspended", []PointsEntry{scored("o/PT-1", "2026-02-01", 6, 1), scored("o/PT-2", "2026-04-10", 3, 3)}, "2026-05-01", vocab.StaffSuspended, 9, "2026-07-10"},
		{"suspension over", []PointsEntry{scored("o/PT-1", "2026-02-01", 6, 1), scored("o/PT-2", "2026-04-10", 3, 3)}, "2026-07-10", vocab.StaffActive, 9, ""},
		{"before the suspension", []PointsEntry{scored("o/PT-1", "2026-02-01", 6, 1), scored("o/PT-2", "2026-04-10", 3, 3)}, "2026-04-09", vocab.StaffActive, 6, ""},
		{"points reset each year", []PointsEntry{scored("o/PT-1", "2025-12-01", 6, 1), scored("o/PT-2", "2026-01-10", 3, 3)}, "2026-02-01", vocab.StaffActive, 3, ""},
		{"12 accumulated: terminated, 1-year bar", []PointsEntry{scored("o/PT-1", "2026-02-01", 6, 1), scored("o/PT-2", "2026-03-01", 6, 2)}, "2027-06-01", vocab.StaffTerminated, 0, "2027-03-01"},
		{"12 in one event: 3-year bar", []PointsEntry{scored("o/PT-1", "2026-03-01", 12, 2)}, "2026-03-01", vocab.StaffTerminated, 12, "2029-03-01"},
		{"proposal does not count", []PointsEntry{{Status: vocab.PointsProposed, LedgerEntry: LedgerEntry{UID: "o/PT-1", Kind: vocab.PointsScored, EventDate: "2026-03-01", Points: 12}}}, "2026-04-01", vocab.StaffActive, 0, ""},
		{"repaired to no suspension", []PointsEntry{scored("o/PT-1", "2026-02-01", 9, 0)}, "2026-02-02", vocab.StaffActive, 9, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := StandingOn("D1", tc.entries, tc.day)
			if s.Status != tc.wantStatus || s.YearPoints != tc.wantYear {
				t.Errorf("got %s %d points, want %s %d", s.Status, s.YearPoints, tc.wantStatus, tc.wantYear)
			}
			until := ""
			if s.Current != nil {
				until = s.Current.Until
			}
			if until != tc.wantUntil {
				t.Errorf("until %q, want %q", until, tc.wantUntil)
			}
		})
	}
}

// confirmedCase imports a one-clue batch naming doctors and works it to
// confirmed; it returns the case id.
func confirmedCase(t *testing.T, w *Workspace, batch string, members ...string) string {
	t.Helper()
	if _, err := w.Import(ctx, Batch{Batch: batch, Deadline: "2026-12-31", Clues: []BatchClue{{ID: "1", Rule: "R-X", Members: members}}}, "li"); err != nil {
		t.Fatal(err)
	}
	cs, err := w.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	id := cs[len(cs)-1].ID
	for _, s := range []string{vocab.StateAssigned, vocab.StateVerifying, vocab.StateConfirmed} {
		if _, err := w.UpdateCase(ctx, Update{Case: id, Status: s, By: "li"}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func intp(n int) *int { return &n }

func TestPointsFlow(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	if _, err := w.Import(ctx, Batch{Batch: "B0", Deadline: "2026-12-31", Clues: []BatchClue{{ID: "1"}}}, "li"); err != nil {
		t.Fatal(err)
	}
	open := "CL-000001"
	id := confirmedCase(t, w, "B1", "doctor:D1", "doctor:D2")
	req := ProposeRequest{Case: id, By: "li", Sanction: vocab.SanctionPenalty, Article: 38, Date: "2026-03-01", Staff: []StaffCandidate{
		{Code: "D1", Institution: "H1", Responsibility: vocab.RespMain},
		{Code: "D2", Institution: "H1", Responsibility: vocab.RespGeneral, Patterns: []SitePattern{{Institution: "H1", Rule: "R-X", Doctors: 4, WithHit: 3}}},
	}}
	bad := req
	bad.Case = open
	if _, err := w.ProposePoints(ctx, bad); !errors.Is(err, ErrEntryState) {
		t.Errorf("proposal on an open case: %v", err)
	}
	res, err := w.ProposePoints(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proposed) != 2 || res.Proposed[0].Points != 6 || res.Proposed[1].Kind != vocab.PointsInstitutional {
		t.Fatalf("proposed %+v", res.Proposed)
	}
	if again, err := w.ProposePoints(ctx, req); err != nil || len(again.Skipped) != 2 || len(again.Proposed) != 0 {
		t.Errorf("proposing again: %+v %v", again, err)
	}
	uid := res.Proposed[0].UID
	if _, err := w.ConfirmPoints(ctx, Confirmation{UID: uid, By: "wang", Points: intp(9)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("change without reason: %v", err)
	}
	e, err := w.ConfirmPoints(ctx, Confirmation{UID: uid, By: "wang", Points: intp(9), Reason: "repeat of 2025 case", SuspendMonths: 2})
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != vocab.PointsConfirmed || e.Points != 9 || e.Band != "7-9" || e.Revision != 2 {
		t.Errorf("confirmed %+v", e)
	}
	if _, err := w.ConfirmPoints(ctx, Confirmation{UID: uid, By: "wang"}); !errors.Is(err, ErrEntryState) {
		t.Errorf("confirming twice: %v", err)
	}
	s, err := w.StaffStanding(ctx, "D1", "2026-04-01")
	if err != nil || s.Status != vocab.StaffSuspended || s.Current.Until != "2026-05-01" {
		t.Fatalf("standing %+v %v", s, err)
	}
	reg, err := w.Register(ctx, "2026-04-01")
	if err != nil {
		t.Fatal(err)
	}
	if bad, st := reg.StaffStatus("D1"); !bad || st != vocab.StaffSuspended {
		t.Errorf("register D1: %v %s", bad, st)
	}
	if bad, _ := reg.StaffStatus("D2"); bad {
		t.Error("register D2 suspended")
	}
	if _, err := w.RepairPoints(ctx, Repair{UID: uid, By: "wang", Reason: "training done", SuspendMonths: intp(1)}); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.StaffStanding(ctx, "D1", "2026-04-15"); s.Status != vocab.StaffActive {
		t.Errorf("after repair to 1 month: %s", s.Status)
	}
	if _, err := w.RepairPoints(ctx, Repair{UID: uid, By: "wang", Reason: "x", Points: intp(10)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("repair upwards: %v", err)
	}
	if _, err := w.DecideAppeal(ctx, Appeal{UID: uid, By: "zhao", Reason: "expert review", Outcome: vocab.AppealReduced, Points: 4}); err != nil {
		t.Fatal(err)
	}
	f, err := w.File(ctx, "D1", "2026-03-02")
	if err != nil || f.Status != vocab.StaffActive || f.YearPoints != 4 || f.Years["2026"] != 4 {
		t.Errorf("file after appeal %+v %v", f.Standing, err)
	}
	acts, err := w.Actions(ctx, uid)
	if err != nil || len(acts) != 4 || acts[3].Outcome != vocab.AppealReduced {
		t.Errorf("actions %+v %v", acts, err)
	}
	var trail bytes.Buffer
	if _, _, err := w.ExportAudit(ctx, &trail); err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyAudit(&trail); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"D1", "D2", "H1"} {
		if strings.Contains(trail.String(), id) {
			t.Errorf("the audit trail names member %s", id)
		}
	}
}

func TestConfirmationCheck(t *testing.T) {
	tests := []struct {
		name string
		c    Confirmation
		ok   bool
	}{
		{"plain", Confirmation{UID: "x", By: "li"}, true},
		{"no by", Confirmation{UID: "x"}, false},
		{"reject without reason", Confirmation{UID: "x", By: "li", Reject: true}, false},
		{"points above 12", Confirmation{UID: "x", By: "li", Points: intp(13), Reason: "r"}, false},
		{"months 7", Confirmation{UID: "x", By: "li", SuspendMonths: 7}, false},
		{"bad kind", Confirmation{UID: "x", By: "li", Kind: "fine"}, false},
		{"bad date", Confirmation{UID: "x", By: "li", Date: "2026-13-01"}, false},
	}
	for _, tc := range tests {
		if err := tc.c.Check(); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// exportTo exports w's ledger and parses it back.
func exportTo(t *testing.T, w *Workspace) (Ledger, []byte) {
	t.Helper()
	var b bytes.Buffer
	if _, err := w.ExportLedger(ctx, &b, "", "li"); err != nil {
		t.Fatal(err)
	}
	l, err := ParseLedger(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return l, b.Bytes()
}

func TestLedgerExchange(t *testing.T) {
	a := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	b := openAt(t, t.TempDir(), "2026-03-02T08:00:00Z")
	id := confirmedCase(t, a, "B1", "doctor:D1")
	res, err := a.ProposePoints(ctx, ProposeRequest{Case: id, By: "li", Sanction: vocab.SanctionPenalty, Article: 40, Date: "2026-03-01",
		Staff: []StaffCandidate{{Code: "D1", Responsibility: vocab.RespMain}}})
	if err != nil {
		t.Fatal(err)
	}
	uid := res.Proposed[0].UID
	if _, err := a.ConfirmPoints(ctx, Confirmation{UID: uid, By: "li"}); err != nil {
		t.Fatal(err)
	}
	l, raw := exportTo(t, a)
	if len(l.Entries) != 1 || l.Entries[0].Points != 12 {
		t.Fatalf("export %s", raw)
	}
	for i, want := range []LedgerImport{{Added: 1}, {Present: 1}} {
		got, err := b.ImportLedger(ctx, l, "wu")
		if err != nil || got.Added != want.Added || got.Present != want.Present || len(got.Conflicts) != 0 {
			t.Errorf("import %d: %+v %v", i+1, got, err)
		}
	}
	if s, _ := b.StaffStanding(ctx, "D1", "2026-06-01"); s.Status != vocab.StaffTerminated || s.Current.Until != "2029-03-01" {
		t.Errorf("standing in region b: %+v", s)
	}
	if _, err := a.DecideAppeal(ctx, Appeal{UID: uid, By: "zhao", Reason: "peer review", Outcome: vocab.AppealAnnulled}); err != nil {
		t.Fatal(err)
	}
	l2, _ := exportTo(t, a)
	if got, err := b.ImportLedger(ctx, l2, "wu"); err != nil || got.Updated != 1 {
		t.Errorf("import of the appeal: %+v %v", got, err)
	}
	if s, _ := b.StaffStanding(ctx, "D1", "2026-06-01"); s.Status != vocab.StaffActive {
		t.Errorf("after the annulment imported: %s", s.Status)
	}
	stale := l
	if got, err := b.ImportLedger(ctx, stale, "wu"); err != nil || len(got.Conflicts) != 1 {
		t.Errorf("stale revision: %+v %v", got, err)
	}
	forged := l2
	forged.Entries = []LedgerEntry{l2.Entries[0]}
	forged.Entries[0].Points = 3
	forged.Entries[0].Kind = vocab.PointsScored
	if got, err := b.ImportLedger(ctx, forged, "wu"); err != nil || len(got.Conflicts) != 1 {
		t.Errorf("same revision, other content: %+v %v", got, err)
	}
}

func TestParseLedger(t *testing.T) {
	entry := `{"uid":"ab12/PT-000001","origin":"ab12","staff":"D1","sanction":"penalty","responsibility":"main","kind":"points","points":6,"suspend_months":1,"event_date":"2026-03-01","revision":1}`
	tests := []struct {
		name, text, wantErr string
	}{
		{"ok", `{"format":"ringlens-points/1","origin":"ab12","entries":[` + entry + `]}`, ""},
		{"wrong format", `{"format":"x","origin":"ab12","entries":[]}`, "format"},
		{"unknown field", `{"format":"ringlens-points/1","origin":"ab12","entries":[],"extra":1}`, "extra"},
		{"twice", `{"format":"ringlens-points/1","origin":"ab12","entries":[` + entry + `,` + entry + `]}`, "twice"},
		{"uid of another origin", `{"format":"ringlens-points/1","entries":[` + strings.Replace(entry, `"origin":"ab12"`, `"origin":"zz"`, 1) + `]}`, "uid"},
		{"13 points", `{"format":"ringlens-points/1","entries":[` + strings.Replace(entry, `"points":6`, `"points":13`, 1) + `]}`, "points"},
		{"bad date", `{"format":"ringlens-points/1","entries":[` + strings.Replace(entry, `2026-03-01`, `2026-3-1`, 1) + `]}`, "event_date"},
		{"warning with points", `{"format":"ringlens-points/1","entries":[` + strings.Replace(entry, `"kind":"points"`, `"kind":"warning"`, 1) + `]}`, "no points"},
		{"bad responsibility", `{"format":"ringlens-points/1","entries":[` + strings.Replace(entry, `"main"`, `"chief"`, 1) + `]}`, "responsibility"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseLedger(strings.NewReader(tc.text))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestRegister(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	entry := func(n, staff, date string, points, months int) LedgerEntry {
		return LedgerEntry{UID: "o1/PT-" + n, Origin: "o1", Staff: staff, Sanction: vocab.SanctionPenalty, Responsibility: vocab.RespMain,
			Kind: vocab.PointsScored, Points: points, SuspendMonths: months, EventDate: date, Revision: 1}
	}
	l := Ledger{Format: LedgerFormat, Origin: "o1", Entries: []LedgerEntry{
		entry("1", "D3", "2026-01-05", 4, 1),
		entry("2", "D1", "2026-02-01", 12, 1),
		entry("3", "D2", "2026-02-01", 6, 1),
		entry("4", "D2", "2026-02-20", 3, 2),
		entry("5", "D4", "2025-02-20", 9, 2),
	}}
	if _, err := w.ImportLedger(ctx, l, "wu"); err != nil {
		t.Fatal(err)
	}
	reg, err := w.Register(ctx, "2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		staff, want string
	}{{"D1", vocab.StaffTerminated}, {"D2", vocab.StaffSuspended}, {"D3", vocab.StaffActive}, {"D4", vocab.StaffActive}, {"D9", vocab.StaffActive}}
	for _, tc := range tests {
		bad, got := reg.StaffStatus(tc.staff)
		if got != tc.want || bad != (tc.want != vocab.StaffActive) {
			t.Errorf("%s: %v %s, want %s", tc.staff, bad, got, tc.want)
		}
		if s := reg.Standing(tc.staff); s.Status != tc.want {
			t.Errorf("%s: standing %s", tc.staff, s.Status)
		}
	}
	if reg.Inactive() != 2 || reg.Day() != "2026-03-01" {
		t.Errorf("register of %s: %d inactive", reg.Day(), reg.Inactive())
	}
	if _, err := w.Register(ctx, "March"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad day: %v", err)
	}
}
