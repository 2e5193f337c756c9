package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// testPassword is the password of every test user.
const testPassword = "correct horse battery"

// userClient is a browser of one user: its own cookie jar and the CSRF
// token of its session.
type userClient struct {
	s    *testServer
	c    *http.Client
	csrf string
}

// newClient returns a client without a session.
func newClient(t *testing.T, s *testServer) *userClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *s.ts.Client()
	c.Jar = jar
	return &userClient{s: s, c: &c}
}

// do sends a request (JSON body when body is not empty, the CSRF token when
// the client has one) and returns the status and body.
func (u *userClient) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u.s.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.csrf != "" {
		req.Header.Set(csrfHeader, u.csrf)
	}
	res, err := u.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// login logs name in and keeps the session's CSRF token.
func login(t *testing.T, s *testServer, name string) *userClient {
	t.Helper()
	u := newClient(t, s)
	code, body := u.do(t, "POST", "/api/v1/login", `{"name":"`+name+`","password":"`+testPassword+`"}`)
	if code != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, code, body)
	}
	var rep sessionReply
	if err := json.Unmarshal(body, &rep); err != nil || rep.CSRF == "" || rep.User == nil || rep.User.Name != name {
		t.Fatalf("login %s: %v %s", name, err, body)
	}
	u.csrf = rep.CSRF
	return u
}

// usersServer starts a server on the fixture with a workspace holding its
// ring as case CL-000001, a national clue CL-000002, and one user of each role: ada (admin), ivan (investigator
// on CL-000001), ines (investigator on no case), rita (reviewer), paul
// (police). CL-000002 is transferred to the police.
func usersServer(t *testing.T) (*testServer, *workspace.Workspace) {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s := startReady(t, func(c *Config) { c.Workspace = ws })
	_, snap, _ := s.current()
	if res, err := ws.RecordFindings(ctx, snap.findings, workspace.RecordOptions{MinAmount: 1e12}); err != nil || res.NewRings != 1 {
		t.Fatalf("record: %+v %v", res, err)
	}
	b := workspace.Batch{Batch: "B1", Deadline: "2026-04-30", Clues: []workspace.BatchClue{{ID: "1", Members: []string{"pharmacy:Y1"}}}}
	if _, err := ws.Import(ctx, b, "ada"); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]string{"ada": vocab.UserAdmin, "ivan": vocab.UserInvestigator, "ines": vocab.UserInvestigator,
		"rita": vocab.UserReviewer, "paul": vocab.UserPolice} {
		if err := ws.AddUser(ctx, name, role, testPassword, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Assign(ctx, "CL-000001", "ivan", "ada"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []workspace.Update{
		{Status: vocab.StateAssigned}, {Status: vocab.StateVerifying}, {Status: vocab.StateConfirmed},
		{Status: vocab.StateTransferred, TransferTo: vocab.TransferPolice},
	} {
		u.Case, u.By = "CL-000002", "ada"
		if _, err := ws.UpdateCase(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return s, ws
}

// auditActions returns the actions of the trail, oldest first, and checks
// that the chain verifies.
func auditActions(t *testing.T, ws *workspace.Workspace) []workspace.Entry {
	t.Helper()
	var buf bytes.Buffer
	if _, _, err := ws.ExportAudit(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if _, _, err := workspace.VerifyAudit(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	var out []workspace.Entry
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e workspace.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// lastEntry returns the newest entry of the trail.
func lastEntry(t *testing.T, ws *workspace.Workspace) workspace.Entry {
	t.Helper()
	es := auditActions(t, ws)
	return es[len(es)-1]
}

// caseMember returns the first member of kind of the case.
func caseMember(t *testing.T, ws *workspace.Workspace, id, kind string) string {
	t.Helper()
	c, err := ws.Show(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Members {
		if k, v, _ := strings.Cut(m, ":"); k == kind {
			return v
		}
	}
	t.Fatalf("case %s has no %s", id, kind)
	return ""
}

// codeCase is a request and the status it must answer.
type codeCase struct {
	method, path, body string
	code               int
}

// checkCodes sends each request as u and checks its status.
func checkCodes(t *testing.T, u *userClient, cases []codeCase) {
	t.Helper()
	for _, tc := range cases {
		if code, body := u.do(t, tc.method, tc.path, tc.body); code != tc.code {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, code, body, tc.code)
		}
	}
}

func TestLoginRequired(t *testing.T) {
	s, ws := usersServer(t)
	anon := newClient(t, s)
	checkCodes(t, anon, []codeCase{
		{"GET", "/api/v1/rings", "", http.StatusUnauthorized},
		{"GET", "/api/v1/cases", "", http.StatusUnauthorized},
		{"GET", "/api/v1/stream", "", http.StatusUnauthorized},
		{"GET", "/api/v1/vocab", "", http.StatusOK},
		{"GET", "/", "", http.StatusOK}, // the page, with its login form
		{"GET", "/api/v1/session", "", http.StatusOK},
		{"POST", "/api/v1/login", `{"name":"ada","password":"wrong password"}`, http.StatusUnauthorized},
		{"POST", "/api/v1/login", `{"name":"nobody","password":"wrong password"}`, http.StatusUnauthorized},
		{"POST", "/api/v1/login", `{"name":"ada"}x`, http.StatusBadRequest},
	})
	_, body := anon.do(t, "GET", "/api/v1/session", "")
	if !strings.Contains(string(body), `"login_required":true`) || strings.Contains(string(body), "csrf") {
		t.Errorf("session without login: %s", body)
	}
	es := auditActions(t, ws)
	if a, b := es[len(es)-2], es[len(es)-1]; a.Action != vocab.AuditLoginFailed || a.Who != "ada" || b.Action != vocab.AuditLoginFailed || b.Who != "-" {
		t.Errorf("failed logins audited as %+v, %+v", a, b)
	}

	ada := login(t, s, "ada")
	if e := lastEntry(t, ws); e.Action != vocab.AuditLogin || e.Who != "ada" {
		t.Errorf("login audited as %+v", e)
	}
	if code, body := ada.do(t, "GET", "/api/v1/rings", ""); code != http.StatusOK {
		t.Errorf("rings after login: %d %s", code, body)
	}
	// Logout needs the CSRF token; afterwards the cookie no longer works.
	csrf := ada.csrf
	ada.csrf = ""
	if code, _ := ada.do(t, "POST", "/api/v1/logout", ""); code != http.StatusForbidden {
		t.Errorf("logout without CSRF: %d", code)
	}
	ada.csrf = csrf
	if code, body := ada.do(t, "POST", "/api/v1/logout", ""); code != http.StatusOK {
		t.Errorf("logout: %d %s", code, body)
	}
	if code, _ := ada.do(t, "GET", "/api/v1/rings", ""); code != http.StatusUnauthorized {
		t.Errorf("rings after logout: %d", code)
	}
}

func TestRoles(t *testing.T) {
	s, ws := usersServer(t)
	paul, ivan, ada := login(t, s, "paul"), login(t, s, "ivan"), login(t, s, "ada")

	// The police see only the case transferred to them.
	code, body := paul.do(t, "GET", "/api/v1/cases", "")
	var list caseList
	if err := json.Unmarshal(body, &list); code != http.StatusOK || err != nil || list.Total != 1 || list.Cases[0].ID != "CL-000002" {
		t.Fatalf("police case list: %d %v %s", code, err, body)
	}
	if code, _ := paul.do(t, "GET", "/api/v1/cases/CL-000001", ""); code != http.StatusNotFound {
		t.Errorf("police reading an open case: %d, want 404", code)
	}
	if code, _ := paul.do(t, "GET", "/api/v1/cases/CL-000002", ""); code != http.StatusOK {
		t.Errorf("police reading a transferred case: %d", code)
	}
	for _, path := range []string{"/api/v1/rings", "/api/v1/rings/R001", "/api/v1/audit"} {
		if code, _ := paul.do(t, "GET", path, ""); code != http.StatusForbidden {
			t.Errorf("police GET %s: %d, want 403", path, code)
		}
	}
	if code, _ := paul.do(t, "PATCH", "/api/v1/cases/CL-000002", `{"status":"new"}`); code != http.StatusForbidden {
		t.Errorf("police update: %d, want 403", code)
	}
	if code, _ := ivan.do(t, "GET", "/api/v1/audit", ""); code != http.StatusForbidden {
		t.Errorf("investigator reading the audit: %d, want 403", code)
	}

	// A view of a ring, of a person and an export are audited.
	if code, body := ivan.do(t, "GET", "/api/v1/rings/R001", ""); code != http.StatusOK {
		t.Fatalf("ring: %d %s", code, body)
	}
	if e := lastEntry(t, ws); e.Action != vocab.AuditViewRing || e.Who != "ivan" || e.Subject != "ring R001" {
		t.Errorf("ring view audited as %+v", e)
	}
	p := caseMember(t, ws, "CL-000001", "patient")
	if code, body := ivan.do(t, "GET", "/api/v1/nodes/patient/"+p, ""); code != http.StatusOK {
		t.Fatalf("person: %d %s", code, body)
	}
	if e := lastEntry(t, ws); e.Action != vocab.AuditViewPerson || e.Subject != workspace.PersonRef("patient", p) || strings.Contains(string(e.Detail)+e.Subject, p) {
		t.Errorf("person view audited as %+v", e)
	}
	if code, _ := ivan.do(t, "GET", "/api/v1/rings/R001/visits?format=csv", ""); code != http.StatusOK {
		t.Fatalf("visits csv: %d", code)
	}
	if e := lastEntry(t, ws); e.Action != vocab.AuditExport || !strings.Contains(string(e.Detail), "visits_csv") {
		t.Errorf("export audited as %+v", e)
	}

	// The admin reads the trail, newest first.
	code, body = ada.do(t, "GET", "/api/v1/audit?limit=2", "")
	var page workspace.AuditPage
	if err := json.Unmarshal(body, &page); code != http.StatusOK || err != nil || len(page.Entries) != 2 || page.Entries[0].Action != vocab.AuditExport {
		t.Errorf("audit page: %d %v %s", code, err, body)
	}
}

func TestCaseUpdateAPI(t *testing.T) {
	s, _ := usersServer(t)
	ivan := login(t, s, "ivan")
	csrf := ivan.csrf
	ivan.csrf = ""
	if code, _ := ivan.do(t, "PATCH", "/api/v1/cases/CL-000001", `{"status":"assigned"}`); code != http.StatusForbidden {
		t.Errorf("update without CSRF: %d, want 403", code)
	}
	ivan.csrf = map[bool]string{true: "1", false: "0"}[csrf[0] == '0'] + csrf[1:] // one character off
	if code, _ := ivan.do(t, "PATCH", "/api/v1/cases/CL-000001", `{"status":"assigned"}`); code != http.StatusForbidden {
		t.Errorf("update with a wrong CSRF token: %d, want 403", code)
	}
	ivan.csrf = csrf
	for _, tc := range []struct {
		method, body string
		code         int
	}{
		{"PATCH", `{"status":"confirmed"}`, http.StatusConflict},
		{"PATCH", `{"status":"closed"}`, http.StatusBadRequest},
		{"PATCH", `{"status":"assigned","due":"1.5.2026"}`, http.StatusBadRequest},
		{"PATCH", `{"status":"assigned","by":"someone"}`, http.StatusBadRequest},
		{"PATCH", `{"assign":"rita"}`, http.StatusBadRequest}, // a reviewer is not put on a case
		{"PATCH", `{"colour":"red"}`, http.StatusBadRequest},
		{"PATCH", `{}`, http.StatusBadRequest},
		{"PATCH", `{"status":"assigned","note":"to team 2","due":"2026-05-01","assign":"ines"}`, http.StatusOK},
		{"POST", `{"status":"verifying","note":"flight check"}`, http.StatusOK},
	} {
		if code, body := ivan.do(t, tc.method, "/api/v1/cases/CL-000001", tc.body); code != tc.code {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.body, code, body, tc.code)
		}
	}
	if code, _ := ivan.do(t, "PATCH", "/api/v1/cases/CL-999999", `{"status":"assigned"}`); code != http.StatusNotFound {
		t.Errorf("unknown case: %d", code)
	}
	code, body := ivan.do(t, "GET", "/api/v1/cases/CL-000001", "")
	var c caseReply
	if err := json.Unmarshal(body, &c); code != http.StatusOK || err != nil {
		t.Fatalf("case: %d %v", code, err)
	}
	if c.Status != vocab.StateVerifying || c.Due != "2026-05-01" || len(c.Events) != 2 || c.Events[0].By != "ivan" ||
		c.Events[0].Note != "to team 2" || strings.Join(c.Investigators, ",") != "ines,ivan" {
		t.Errorf("case after updates: %+v", c)
	}
}

func TestReveal(t *testing.T) {
	s, ws := usersServer(t)
	patient := caseMember(t, ws, "CL-000001", "patient")
	reveal := func(u *userClient, kind, id, reason string) (int, revealReply) {
		t.Helper()
		b, _ := json.Marshal(revealRequest{Case: "CL-000001", Kind: kind, ID: id, Reason: reason})
		code, body := u.do(t, "POST", "/api/v1/reveal", string(b))
		var rep revealReply
		if code == http.StatusOK {
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatal(err)
			}
		}
		return code, rep
	}
	refusals := 0
	for _, tc := range []struct {
		user, kind, id, reason string
	}{
		{"ines", "patient", patient, "curious"},          // an investigator not on the case
		{"paul", "patient", patient, "police request"},   // the police
		{"ada", "patient", patient, "admin check"},       // an admin
		{"ivan", "patient", patient, "  "},               // no reason
		{"ivan", "patient", "NOT-A-MEMBER", "interview"}, // not a member of the case
		{"ivan", "clinic", patient, "interview"},         // not a person
	} {
		u := login(t, s, tc.user)
		before := len(auditActions(t, ws))
		if code, rep := reveal(u, tc.kind, tc.id, tc.reason); code != http.StatusForbidden || rep.Name != "" {
			t.Errorf("%s revealing %s: %d, want 403", tc.user, tc.kind, code)
		}
		es := auditActions(t, ws)
		if len(es) != before+1 || es[len(es)-1].Action != vocab.AuditRevealRefused || es[len(es)-1].Who != tc.user {
			t.Errorf("%s: refusal not audited: %+v", tc.user, es[len(es)-1])
		}
		refusals++
	}
	g, _, _ := s.current()
	var want revealReply
	if !identity(g, "patient", patient, &want) || want.Name == "" {
		t.Fatal("fixture patient has no name")
	}
	for _, name := range []string{"ivan", "rita"} {
		u := login(t, s, name)
		u.csrf = ""
		if code, _ := reveal(u, "patient", patient, "interview record"); code != http.StatusForbidden {
			t.Errorf("%s reveal without CSRF: %d, want 403", name, code)
		}
		u = login(t, s, name)
		code, rep := reveal(u, "patient", patient, "interview record")
		if code != http.StatusOK || rep.Name != want.Name || rep.CertNo != want.CertNo || rep.Name == claims.MaskName(want.Name) {
			t.Errorf("%s reveal: %d %+v", name, code, rep)
		}
		e := lastEntry(t, ws)
		if e.Action != vocab.AuditReveal || e.Who != name || e.Subject != "CL-000001" || e.Why != "interview record" || e.Seq != rep.AuditSeq {
			t.Errorf("reveal audited as %+v", e)
		}
		if b, _ := json.Marshal(e); bytes.Contains(b, []byte(want.Name)) || bytes.Contains(b, []byte(patient)) {
			t.Errorf("audit entry holds personal data: %s", b)
		}
	}
}

func TestNoUsersNoLogin(t *testing.T) {
	s := startReady(t, func(c *Config) { c.Workspace = caseWorkspace(t) })
	checkCodes(t, newClient(t, s), []codeCase{
		{"GET", "/api/v1/rings", "", http.StatusOK},
		{"GET", "/api/v1/session", "", http.StatusOK},
		{"POST", "/api/v1/login", `{"name":"a","password":"b"}`, http.StatusNotFound},
		{"GET", "/api/v1/audit", "", http.StatusNotFound},
		{"POST", "/api/v1/reveal", `{}`, http.StatusNotFound},
		{"PATCH", "/api/v1/cases/CL-000001", `{"status":"verifying"}`, http.StatusBadRequest}, // by missing
		{"PATCH", "/api/v1/cases/CL-000001", `{"status":"verifying","by":"li","note":"visit"}`, http.StatusOK},
	})
	if code, _, _ := s.do(t, "PATCH", "/api/v1/cases/CL-000001", `{"status":"confirmed","by":"li"}`, nil); code != http.StatusUnsupportedMediaType {
		t.Errorf("update without JSON content type: %d", code)
	}
}

// TestViewsAudited sends, as a logged-in investigator, every request that
// shows a ring, a case, a person, an institution or a node's neighbourhood
// and checks that each appends exactly its entry (who, what, why when
// given, never a person's id) and that the chain still verifies; requests
// that show none of these append nothing.
func TestViewsAudited(t *testing.T) {
	s, ws := usersServer(t)
	ivan := login(t, s, "ivan")
	patient := caseMember(t, ws, "CL-000001", "patient")
	doctor := caseMember(t, ws, "CL-000001", "doctor")
	var site string
	c, err := ws.Show(context.Background(), "CL-000001")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Members {
		if k, v, _ := strings.Cut(m, ":"); k != "patient" && k != "doctor" {
			site = k + ":" + v
			break
		}
	}
	siteKind, siteID, _ := strings.Cut(site, ":")
	if siteID == "" {
		t.Fatal("the fixture case has no institution or pharmacy")
	}
	for _, tc := range []struct {
		path            string
		action, subject string
		what, why       string
	}{
		{"/api/v1/nodes/patient/" + patient + "/neighbors", vocab.AuditViewPerson, workspace.PersonRef("patient", patient), "neighbors", ""},
		{"/api/v1/nodes/doctor/" + doctor + "/neighbors?limit=5&reason=interview+prep", vocab.AuditViewPerson, workspace.PersonRef("doctor", doctor), "neighbors", "interview prep"},
		{"/api/v1/nodes/doctor/" + doctor, vocab.AuditViewPerson, workspace.PersonRef("doctor", doctor), "", ""},
		{"/api/v1/nodes/" + siteKind + "/" + siteID, vocab.AuditViewNode, siteKind + " " + siteID, "", ""},
		{"/api/v1/nodes/" + siteKind + "/" + siteID + "/neighbors", vocab.AuditViewNode, siteKind + " " + siteID, "neighbors", ""},
		{"/api/v1/rings/R001/subgraph?hops=1&aggregate=1", vocab.AuditViewRing, "ring R001", "subgraph", ""},
		{"/api/v1/rings/R001/visits", vocab.AuditViewRing, "ring R001", "visits", ""},
		{"/api/v1/rings/R001/dossier", vocab.AuditExport, "ring R001", "dossier", ""},
		{"/api/v1/rings", vocab.AuditViewRing, "rings", "list", ""},
		{"/api/v1/cases", vocab.AuditViewCase, "cases", "list", ""},
		{"/api/v1/cases/CL-000001", vocab.AuditViewCase, "CL-000001", "", ""},
		{"/api/v1/rings/R001/cypher", "", "", "", ""},
		{"/api/v1/status", "", "", "", ""},
		{"/api/v1/session", "", "", "", ""},
	} {
		before := len(auditActions(t, ws))
		if code, body := ivan.do(t, "GET", tc.path, ""); code != http.StatusOK {
			t.Errorf("GET %s: %d %s", tc.path, code, body)
			continue
		}
		es := auditActions(t, ws) // verifies the chain
		if tc.action == "" {
			if len(es) != before {
				t.Errorf("GET %s appended %+v", tc.path, es[before:])
			}
			continue
		}
		if len(es) != before+1 {
			t.Errorf("GET %s appended %d entries, want 1", tc.path, len(es)-before)
			continue
		}
		e := es[len(es)-1]
		var detail map[string]any
		if err := json.Unmarshal(e.Detail, &detail); err != nil {
			t.Fatal(err)
		}
		if what, _ := detail["what"].(string); e.Action != tc.action || e.Who != "ivan" || e.Subject != tc.subject || what != tc.what || e.Why != tc.why || e.At == "" {
			t.Errorf("GET %s audited as %+v, want %s %s what %q why %q", tc.path, e, tc.action, tc.subject, tc.what, tc.why)
		}
		if b, _ := json.Marshal(e); bytes.Contains(b, []byte(patient)) || bytes.Contains(b, []byte(doctor)) {
			t.Errorf("GET %s: the entry names a person: %s", tc.path, b)
		}
	}
	// A reason too long to record shows nothing.
	long := strings.Repeat("x", workspace.MaxReasonLen+1)
	before := len(auditActions(t, ws))
	if code, _ := ivan.do(t, "GET", "/api/v1/nodes/patient/"+patient+"?reason="+long, ""); code != http.StatusBadRequest {
		t.Errorf("over-long reason: %d, want 400", code)
	}
	if n := len(auditActions(t, ws)); n != before {
		t.Errorf("over-long reason appended %d entries", n-before)
	}
}

// TestAccessOf checks which requests are audited as what, also those the
// HTTP test above does not send (the stream, other methods).
func TestAccessOf(t *testing.T) {
	for _, tc := range []struct {
		method, path    string
		action, subject string
	}{
		{"GET", "/api/v1/stream", vocab.AuditViewRing, "rings"},
		{"GET", "/api/v1/rings/R7", vocab.AuditViewRing, "ring R7"},
		{"GET", "/api/v1/rings/R7/visits?format=csv", vocab.AuditExport, "ring R7"},
		{"GET", "/api/v1/nodes/pharmacy/Y1/neighbors", vocab.AuditViewNode, "pharmacy Y1"},
		{"GET", "/api/v1/nodes/patient/P1/neighbors", vocab.AuditViewPerson, workspace.PersonRef("patient", "P1")},
		{"GET", "/api/v1/nodes/unknown/P1", "", ""},
		{"GET", "/api/v1/nodes/patient/P1/other", "", ""},
		{"GET", "/api/v1/rings/R7/cypher", "", ""},
		{"GET", "/api/v1/audit", "", ""},
		{"GET", "/api/v1/vocab", "", ""},
		{"HEAD", "/api/v1/rings/R7", "", ""},
		{"POST", "/api/v1/cases/CL-000001", "", ""},
	} {
		r, err := http.NewRequest(tc.method, "http://127.0.0.1"+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := accessOf(r)
		if ok != (tc.action != "") || a.action != tc.action || a.subject != tc.subject {
			t.Errorf("%s %s: %+v %v, want %q %q", tc.method, tc.path, a, ok, tc.action, tc.subject)
		}
	}
}

// TestDisabledUser disables a logged-in user: the session ends at once
// (401) and a new login with the right password is refused (403), audited.
func TestDisabledUser(t *testing.T) {
	s, ws := usersServer(t)
	ivan := login(t, s, "ivan")
	if code, _ := ivan.do(t, "GET", "/api/v1/rings", ""); code != http.StatusOK {
		t.Fatalf("rings before: %d", code)
	}
	if _, _, err := ws.SetDisabled(context.Background(), "ivan", true, "ada", "left"); err != nil {
		t.Fatal(err)
	}
	if code, _ := ivan.do(t, "GET", "/api/v1/rings", ""); code != http.StatusUnauthorized {
		t.Errorf("rings with the session of a disabled user: %d, want 401", code)
	}
	again := newClient(t, s)
	if code, body := again.do(t, "POST", "/api/v1/login", `{"name":"ivan","password":"`+testPassword+`"}`); code != http.StatusForbidden {
		t.Errorf("login of a disabled user: %d %s, want 403", code, body)
	}
	if e := lastEntry(t, ws); e.Action != vocab.AuditLoginFailed || e.Who != "ivan" || !strings.Contains(string(e.Detail), `"disabled":true`) {
		t.Errorf("refused login audited as %+v", e)
	}
	if _, _, err := ws.SetDisabled(context.Background(), "ivan", false, "ada", ""); err != nil {
		t.Fatal(err)
	}
	login(t, s, "ivan")
}
