package workspace

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

const pw = "correct horse battery"

// withUsers is a workspace with clue CL-000001 (clinic C1, patients P1 and
// P2, doctor D1) and one user of each role: ada (admin), ivan
// (investigator on CL-000001), ines (investigator), rita (reviewer), paul
// (police).
func withUsers(t *testing.T) *Workspace {
	t.Helper()
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	f := &findings.Findings{Rings: []findings.Ring{ring("R1", 10, "clinic:C1", "patient:P1", "patient:P2", "doctor:D1")}}
	if _, err := w.RecordFindings(ctx, f, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]string{"ada": vocab.UserAdmin, "ivan": vocab.UserInvestigator, "ines": vocab.UserInvestigator,
		"rita": vocab.UserReviewer, "paul": vocab.UserPolice} {
		if err := w.AddUser(ctx, name, role, pw, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Assign(ctx, "CL-000001", "ivan", "ada"); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, pw) {
		t.Errorf("hash %s", h)
	}
	h2, _ := hashPassword(pw)
	if h == h2 {
		t.Error("two hashes of one password are equal (no salt)")
	}
	for _, tc := range []struct {
		hash, password string
		want           bool
		err            bool
	}{
		{h, pw, true, false},
		{h, pw + "x", false, false},
		{h, "", false, false},
		{dummyHash, pw, false, false},
		{"$2a$10$bcrypt", pw, false, true},
		{"$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA", pw, false, true},
		{"$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA", pw, false, true},
		{"", pw, false, true},
	} {
		got, err := checkPassword(tc.hash, tc.password)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("checkPassword(%.30q, %q) = %v, %v", tc.hash, tc.password, got, err)
		}
	}
}

// TestHasUsersRemembers: HasUsers reads the table once a user is seen no
// more; a read that found none is trusted for UsersRecheck, so a user added
// by another handle of the same workspace (another process: `ringlens user
// add` beside a running server) counts once that has passed, and one added
// through this handle at once.
func TestHasUsersRemembers(t *testing.T) {
	dir := t.TempDir()
	server := openAt(t, dir, "2026-03-01T08:00:00Z")
	cli := openAt(t, dir, "2026-03-01T08:00:00Z")
	if ok, err := server.HasUsers(ctx); ok || err != nil {
		t.Fatalf("fresh workspace: %v %v", ok, err)
	}
	if err := cli.AddUser(ctx, "ada", vocab.UserAdmin, pw, "t"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := cli.HasUsers(ctx); !ok {
		t.Fatal("a user added through this handle does not count at once")
	}
	if ok, _ := server.HasUsers(ctx); ok {
		t.Fatal("the read that found none was not trusted within UsersRecheck")
	}
	server.users.noneAt.Store(server.clock() - int64(UsersRecheck)) // UsersRecheck has passed
	if ok, err := server.HasUsers(ctx); !ok || err != nil {
		t.Fatalf("after UsersRecheck: %v %v, want the user added by the other handle", ok, err)
	}
	if _, err := server.db.ExecContext(ctx, `DELETE FROM users`); err != nil { // never done by the workspace
		t.Fatal(err)
	}
	if ok, _ := server.HasUsers(ctx); !ok {
		t.Fatal("a user once seen is read again")
	}
}

func TestAddUser(t *testing.T) {
	w := openAt(t, t.TempDir(), "2026-03-01T08:00:00Z")
	if ok, err := w.HasUsers(ctx); ok || err != nil {
		t.Fatalf("fresh workspace has users: %v %v", ok, err)
	}
	for _, tc := range []struct{ name, role, password string }{
		{"", vocab.UserAdmin, pw},
		{"a b", vocab.UserAdmin, pw},
		{strings.Repeat("a", MaxNameLen+1), vocab.UserAdmin, pw},
		{"ada", "root", pw},
		{"ada", vocab.UserAdmin, "short"},
	} {
		if err := w.AddUser(ctx, tc.name, tc.role, tc.password, "t"); err == nil {
			t.Errorf("AddUser(%q, %q) accepted", tc.name, tc.role)
		}
	}
	if err := w.AddUser(ctx, "王伟", vocab.UserInvestigator, pw, "t"); err != nil {
		t.Fatal(err)
	}
	s, err := w.Login(ctx, "王伟", pw)
	if err != nil {
		t.Fatal(err)
	}
	// A new role and password end the sessions.
	if err := w.AddUser(ctx, "王伟", vocab.UserReviewer, pw+"2", "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after password change: %v", err)
	}
	us, err := w.Users(ctx)
	if err != nil || len(us) != 1 || us[0].Role != vocab.UserReviewer {
		t.Errorf("users %+v %v", us, err)
	}
	var hash string
	if err := w.db.QueryRow(`SELECT password_hash FROM users`).Scan(&hash); err != nil || strings.Contains(hash, pw) {
		t.Errorf("stored hash %q %v", hash, err)
	}
}

func TestLoginSessions(t *testing.T) {
	w := withUsers(t)
	if _, err := w.Login(ctx, "ada", "wrong password"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := w.Login(ctx, "nobody", pw); !errors.Is(err, ErrBadLogin) {
		t.Errorf("unknown user: %v", err)
	}
	s, err := w.Login(ctx, "ada", pw)
	if err != nil || s.Token == "" || s.CSRF == "" || s.Token == s.CSRF || s.User.Role != vocab.UserAdmin {
		t.Fatalf("login %+v %v", s, err)
	}
	var stored int
	w.db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = ? OR token_hash = ?`, s.Token, tokenHash(s.Token)).Scan(&stored)
	if stored != 1 {
		t.Fatal("session not stored by its hash")
	}
	if got, err := w.Session(ctx, s.Token); err != nil || got.User.Name != "ada" || got.CSRF != s.CSRF || got.Token != "" {
		t.Errorf("session %+v %v", got, err)
	}
	for _, bad := range []string{"", "x", s.CSRF} {
		if _, err := w.Session(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("Session(%q): %v", bad, err)
		}
	}
	// Expiry.
	w.Now = func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(SessionTTL) }
	if _, err := w.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
	s2, err := w.Login(ctx, "ada", pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Logout(ctx, s2.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Session(ctx, s2.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after logout: %v", err)
	}
	var actions []string
	for _, e := range exportEntries(t, w) {
		if strings.HasPrefix(e.Action, "log") {
			actions = append(actions, e.Action+":"+e.Who)
		}
	}
	if got := strings.Join(actions, ","); got != "login_failed:ada,login_failed:-,login:ada,login:ada,logout:ada" {
		t.Errorf("login entries %s", got)
	}
}

// exportEntries exports and verifies the trail and returns its entries.
func exportEntries(t *testing.T, w *Workspace) []Entry {
	t.Helper()
	var buf bytes.Buffer
	if _, _, err := w.ExportAudit(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyAudit(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	p, err := w.AuditEntries(ctx, 0, MaxAuditPage)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Entry, len(p.Entries))
	for i, e := range p.Entries {
		out[len(out)-1-i] = e
	}
	return out
}

func TestReveal(t *testing.T) {
	w := withUsers(t)
	tests := []struct {
		name    string
		r       RevealRequest
		refused string // "" when allowed
	}{
		{"investigator on the case", RevealRequest{User: "ivan", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: "interview"}, ""},
		{"reviewer", RevealRequest{User: "rita", Case: "CL-000001", Kind: "doctor", ID: "D1", Reason: "legal review"}, ""},
		{"investigator not on the case", RevealRequest{User: "ines", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: "x"}, "not on this case"},
		{"police", RevealRequest{User: "paul", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: "x"}, "may not reveal"},
		{"admin", RevealRequest{User: "ada", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: "x"}, "may not reveal"},
		{"no reason", RevealRequest{User: "ivan", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: " "}, "no reason"},
		{"long reason", RevealRequest{User: "ivan", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: strings.Repeat("x", MaxReasonLen+1)}, "longer"},
		{"not a member", RevealRequest{User: "ivan", Case: "CL-000001", Kind: "patient", ID: "P9", Reason: "x"}, "not a member"},
		{"not a person", RevealRequest{User: "ivan", Case: "CL-000001", Kind: "clinic", ID: "C1", Reason: "x"}, "patient's or doctor's"},
		{"unknown case", RevealRequest{User: "rita", Case: "CL-999999", Kind: "patient", ID: "P1", Reason: "x"}, "no such case"},
		{"unknown user", RevealRequest{User: "eve", Case: "CL-000001", Kind: "patient", ID: "P1", Reason: "x"}, "unknown user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, err := w.Reveal(ctx, tc.r)
			es := exportEntries(t, w)
			last := es[len(es)-1]
			if last.Who != tc.r.User || last.Subject != tc.r.Case || last.Why != tc.r.Reason ||
				!strings.Contains(string(last.Detail), PersonRef(tc.r.Kind, tc.r.ID)) || strings.Contains(string(last.Detail), ":"+tc.r.ID+`"`) {
				t.Errorf("entry %+v", last)
			}
			if tc.refused == "" {
				if err != nil || seq != last.Seq || last.Action != vocab.AuditReveal {
					t.Errorf("allowed reveal: seq %d err %v entry %+v", seq, err, last)
				}
				return
			}
			var re *RefusalError
			if !errors.As(err, &re) || !errors.Is(err, ErrForbidden) || !strings.Contains(re.Reason, tc.refused) {
				t.Errorf("err %v, want a refusal %q", err, tc.refused)
			}
			if last.Action != vocab.AuditRevealRefused || !strings.Contains(string(last.Detail), tc.refused) {
				t.Errorf("refusal entry %+v", last)
			}
		})
	}
	var n, allowed int
	w.db.QueryRow(`SELECT COUNT(*), SUM(allowed) FROM reveals`).Scan(&n, &allowed)
	if n != len(tests) || allowed != 2 {
		t.Errorf("reveals table: %d rows, %d allowed", n, allowed)
	}
}

func TestAssign(t *testing.T) {
	w := withUsers(t)
	for _, tc := range []struct {
		caseID, user string
		want         error
	}{
		{"CL-000001", "rita", ErrForbidden},
		{"CL-000001", "eve", ErrUnknownUser},
		{"CL-999999", "ines", ErrNotFound},
		{"CL-000001", "ines", nil},
		{"CL-000001", "ines", nil}, // again: no change, no entry
	} {
		if err := w.Assign(ctx, tc.caseID, tc.user, "ada"); !errors.Is(err, tc.want) {
			t.Errorf("Assign(%s, %s): %v, want %v", tc.caseID, tc.user, err, tc.want)
		}
	}
	if err := w.Assign(ctx, "CL-000001", "ines", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("assign without by: %v", err)
	}
	inv, err := w.Investigators(ctx, "CL-000001")
	if err != nil || strings.Join(inv, ",") != "ines,ivan" {
		t.Errorf("investigators %v %v", inv, err)
	}
	n := 0
	for _, e := range exportEntries(t, w) {
		if e.Action == vocab.AuditAssign {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d assign entries, want 2", n)
	}
}

func TestRecordAccessAndPages(t *testing.T) {
	w := withUsers(t)
	if err := w.RecordAccess(ctx, "ivan", vocab.AuditViewRing, "ring R1", "", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordAccess(ctx, "ivan", vocab.AuditExport, "ring R1", "", map[string]any{"what": "dossier"}); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordAccess(ctx, "ivan", vocab.AuditUpdate, "CL-000001", "", nil); err == nil {
		t.Error("RecordAccess wrote a state change")
	}
	all, err := w.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	page, err := w.AuditEntries(ctx, all.Entries[1].Seq, 2)
	if err != nil || len(page.Entries) != 2 || page.Entries[0].Seq != all.Entries[2].Seq || page.Total != all.Total || page.Head != all.Entries[0].Hash {
		t.Errorf("page %+v %v", page, err)
	}
	if all.Entries[0].Action != vocab.AuditExport || all.Entries[1].Action != vocab.AuditViewRing {
		t.Errorf("newest entries %+v", all.Entries[:2])
	}
}

func TestVisibleTo(t *testing.T) {
	open := Clue{Status: vocab.StateVerifying}
	toPolice := Clue{Status: vocab.StateTransferred, TransferTo: vocab.TransferPolice}
	toHealth := Clue{Status: vocab.StateTransferred, TransferTo: vocab.TransferHealth}
	for _, tc := range []struct {
		role string
		c    Clue
		want bool
	}{
		{vocab.UserPolice, open, false},
		{vocab.UserPolice, toHealth, false},
		{vocab.UserPolice, toPolice, true},
		{vocab.UserInvestigator, open, true},
		{vocab.UserAdmin, toHealth, true},
	} {
		if got := VisibleTo(tc.role, tc.c); got != tc.want {
			t.Errorf("VisibleTo(%s, %s/%s) = %v", tc.role, tc.c.Status, tc.c.TransferTo, got)
		}
	}
}

// TestUsersMigration: a workspace of schema 2 (before users) is migrated
// with its clues kept, and takes users.
func TestUsersMigration(t *testing.T) {
	dir := t.TempDir()
	old, err := open(ctx, dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.RecordFindings(ctx, &findings.Findings{Rings: []findings.Ring{ring("R1", 10, "clinic:C1")}}, RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	w := openAt(t, dir, "2026-03-01T08:00:00Z")
	if err := w.AddUser(ctx, "ada", vocab.UserAdmin, pw, "t"); err != nil {
		t.Fatal(err)
	}
	if err := w.Assign(ctx, "CL-000001", "ada", "t"); !errors.Is(err, ErrForbidden) {
		t.Errorf("admin put on a case: %v", err)
	}
	if cs, err := w.List(ctx, Filter{}); err != nil || len(cs) != 1 {
		t.Errorf("clues after migration: %v %v", cs, err)
	}
}

// TestLockout: after MaxFailedLogins failures within LockoutWindow even
// the right password is refused, until the window has passed.
func TestLockout(t *testing.T) {
	w := withUsers(t)
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range MaxFailedLogins {
		w.Now = func() time.Time { return start.Add(time.Duration(i) * time.Minute) }
		if _, err := w.Login(ctx, "rita", "wrong password"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	w.Now = func() time.Time { return start.Add(10 * time.Minute) }
	if _, err := w.Login(ctx, "rita", pw); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked user with the right password: %v", err)
	}
	if _, err := w.Login(ctx, "ada", pw); err != nil { // others are not locked
		t.Fatal(err)
	}
	w.Now = func() time.Time { return start.Add(10*time.Minute + LockoutWindow) }
	if _, err := w.Login(ctx, "rita", pw); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	es := exportEntries(t, w)
	if e := es[len(es)-3]; e.Action != vocab.AuditLoginFailed || !strings.Contains(string(e.Detail), `"locked":true`) {
		t.Errorf("locked attempt audited as %+v", e)
	}
}

// TestSetDisabled disables and enables a user: a disabled user's sessions
// end, its logins (right password) are refused with ErrDisabled and
// audited, it may not be put on a case, and each change is one audit entry.
func TestSetDisabled(t *testing.T) {
	w := withUsers(t)
	s1, err := w.Login(ctx, "ines", pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Login(ctx, "ines", pw); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, user  string
		disabled    bool
		by          string
		wantErr     error
		wantChanged bool
		wantEnded   int64
		loginErr    error // of ines afterwards
	}{
		{"no by", "ines", true, " ", ErrInvalid, false, 0, nil},
		{"unknown user", "nobody", true, "ada", ErrUnknownUser, false, 0, nil},
		{"disable", "ines", true, "ada", nil, true, 2, ErrDisabled},
		{"disable again", "ines", true, "ada", nil, false, 0, ErrDisabled},
		{"enable", "ines", false, "ada", nil, true, 0, nil},
		{"enable again", "ines", false, "ada", nil, false, 0, nil},
	}
	for _, st := range steps {
		before, _ := w.AuditEntries(ctx, 0, 1)
		ended, changed, err := w.SetDisabled(ctx, st.user, st.disabled, st.by, "left the team")
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) || changed != st.wantChanged || ended != st.wantEnded {
			t.Errorf("%s: ended %d changed %v err %v, want %d %v %v", st.name, ended, changed, err, st.wantEnded, st.wantChanged, st.wantErr)
			continue
		}
		after, _ := w.AuditEntries(ctx, 0, 1)
		if grew := after.Total > before.Total; grew != changed {
			t.Errorf("%s: audit grew %v, changed %v", st.name, grew, changed)
		}
		if changed {
			e := after.Entries[0]
			want := vocab.AuditUserEnable
			if st.disabled {
				want = vocab.AuditUserDisable
			}
			if e.Action != want || e.Who != "ada" || e.Subject != "ines" || e.Why != "left the team" {
				t.Errorf("%s: audited as %+v", st.name, e)
			}
		}
		if st.wantErr != nil {
			continue
		}
		s, err := w.Login(ctx, "ines", pw)
		if !errors.Is(err, st.loginErr) || (st.loginErr == nil && err != nil) {
			t.Errorf("%s: login: %v, want %v", st.name, err, st.loginErr)
		}
		if err == nil {
			if err := w.Logout(ctx, s.Token); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.Session(ctx, s1.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a user disabled since: %v", err)
	}
	if _, _, err := w.SetDisabled(ctx, "ines", true, "ada", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.Assign(ctx, "CL-000001", "ines", "ada"); !errors.Is(err, ErrForbidden) {
		t.Errorf("assign a disabled user: %v", err)
	}
	if _, err := w.Login(ctx, "ines", "wrong password"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("disabled user, wrong password: %v, want ErrBadLogin", err)
	}
	us, err := w.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Disabled() != (u.Name == "ines") {
			t.Errorf("user %s disabled %v", u.Name, u.Disabled())
		}
	}
	// A disabled user's failed logins are audited as such, never as a login.
	e, _ := w.AuditEntries(ctx, 0, 3)
	for _, x := range e.Entries {
		if x.Action == vocab.AuditLogin && x.Who == "ines" {
			t.Errorf("disabled user logged in: %+v", x)
		}
	}
	var buf bytes.Buffer
	if _, _, err := w.ExportAudit(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyAudit(&buf); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}
