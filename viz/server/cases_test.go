package server

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

func caseRing(id string, amount float64, members ...string) findings.Ring {
	r := findings.Ring{ID: id, Typology: vocab.TypFabricatedOutpatient, AmountAtRisk: amount}
	for _, m := range members {
		k, i, _ := strings.Cut(m, ":")
		r.Members = append(r.Members, findings.Member{Kind: k, ID: i})
	}
	return r
}

// caseWorkspace opens a workspace in a fresh directory for the server and,
// while the server's handle stays open, writes through a second handle (as
// `ringlens case update` from another process would): CL-000001, a ring
// changed by a second run and assigned with a future due date; CL-000002,
// a national clue whose deadline has passed (overdue).
func caseWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }
	served, err := workspace.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { served.Close() })
	served.Now = now
	w, err := workspace.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Now = now
	if _, err := served.List(ctx, workspace.Filter{}); err != nil { // the server's handle has read
		t.Fatal(err)
	}
	runs := []*findings.Findings{
		{Rings: []findings.Ring{caseRing("R001", 100, "clinic:C1", "patient:P1", "patient:P2")}},
		{Rings: []findings.Ring{caseRing("R007", 150, "clinic:C1", "patient:P1", "patient:P3")}},
	}
	for _, f := range runs {
		if _, err := w.RecordFindings(ctx, f, workspace.RecordOptions{By: "detect"}); err != nil {
			t.Fatal(err)
		}
	}
	b := workspace.Batch{Batch: "B1", Issuer: "nhsa", Deadline: "2020-01-31",
		Clues: []workspace.BatchClue{{ID: "N1", Title: "pharmacy resale", Amount: 5000, Members: []string{"pharmacy:Y1"}}}}
	if _, err := w.Import(ctx, b, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.UpdateCase(ctx, workspace.Update{Case: "CL-000001", Status: vocab.StateAssigned, By: "alice",
		Note: "to team 2", Due: "2999-12-31"}); err != nil {
		t.Fatal(err)
	}
	return served
}

func TestCases(t *testing.T) {
	withWS := newTestServer(t, func(c *Config) { c.Workspace = caseWorkspace(t) })
	without := newTestServer(t, nil)
	// The workspace's clue fields, snake_case; the optional ones (rule,
	// typology, transfer_to, due, batch) only when set.
	clueKeys := map[string][]string{
		"CL-000001": {"amount", "created_at", "due", "id", "members", "overdue", "ref", "source", "status", "title", "typology", "updated_at"},
		"CL-000002": {"amount", "batch", "created_at", "due", "id", "members", "overdue", "ref", "source", "status", "title", "updated_at"},
	}
	tests := []struct {
		name   string
		srv    *testServer
		path   string
		code   int
		ids    []string // list: the case ids, in order
		errHas string
		check  func(t *testing.T, body []byte)
	}{
		{name: "all", srv: withWS, path: "/api/v1/cases", code: 200, ids: []string{"CL-000001", "CL-000002"}},
		{name: "status assigned", srv: withWS, path: "/api/v1/cases?status=assigned", code: 200, ids: []string{"CL-000001"}},
		{name: "status new", srv: withWS, path: "/api/v1/cases?status=new", code: 200, ids: []string{"CL-000002"}},
		{name: "status none", srv: withWS, path: "/api/v1/cases?status=transferred", code: 200, ids: []string{}},
		{name: "overdue", srv: withWS, path: "/api/v1/cases?overdue=1", code: 200, ids: []string{"CL-000002"}},
		{name: "overdue 0", srv: withWS, path: "/api/v1/cases?overdue=0", code: 200, ids: []string{"CL-000001", "CL-000002"}},
		{name: "status and overdue", srv: withWS, path: "/api/v1/cases?status=assigned&overdue=1", code: 200, ids: []string{}},
		{name: "unknown status", srv: withWS, path: "/api/v1/cases?status=closed", code: 400, errHas: "status"},
		{name: "empty status", srv: withWS, path: "/api/v1/cases?status=", code: 400, errHas: "status"},
		{name: "empty overdue", srv: withWS, path: "/api/v1/cases?overdue=", code: 400, errHas: "overdue"},
		{name: "bad overdue", srv: withWS, path: "/api/v1/cases?overdue=yes", code: 400, errHas: "overdue"},
		{name: "one case", srv: withWS, path: "/api/v1/cases/CL-000001", code: 200, check: func(t *testing.T, body []byte) {
			var c workspace.Case
			if err := json.Unmarshal(body, &c); err != nil {
				t.Fatal(err)
			}
			if c.ID != "CL-000001" || c.Source != workspace.SourceRing || c.Ref != "R007" || c.Status != vocab.StateAssigned || c.Due != "2999-12-31" || c.Overdue {
				t.Errorf("case = %+v", c.Clue)
			}
			wantEv := []workspace.Event{{At: "2026-06-01T09:00:00Z", By: "alice", From: vocab.StateNew, To: vocab.StateAssigned, Note: "to team 2", Due: "2999-12-31"}}
			if !reflect.DeepEqual(c.Events, wantEv) {
				t.Errorf("events = %+v, want %+v", c.Events, wantEv)
			}
			if len(c.Changes) != 1 || c.Changes[0].Ring != "R007" || !reflect.DeepEqual(c.Changes[0].MembersAdded, []string{"patient:P3"}) ||
				!reflect.DeepEqual(c.Changes[0].MembersRemoved, []string{"patient:P2"}) || c.Changes[0].AmountBefore != 100 || c.Changes[0].AmountAfter != 150 {
				t.Errorf("changes = %+v", c.Changes)
			}
		}},
		{name: "overdue case", srv: withWS, path: "/api/v1/cases/CL-000002", code: 200, check: func(t *testing.T, body []byte) {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			if m["overdue"] != true || m["source"] != "national" || m["batch"] != "B1" {
				t.Errorf("case = %v", m)
			}
			if ev, ok := m["events"].([]any); !ok || len(ev) != 0 {
				t.Errorf("events = %v, want []", m["events"])
			}
			if ch, ok := m["changes"].([]any); !ok || len(ch) != 0 {
				t.Errorf("changes = %v, want []", m["changes"])
			}
		}},
		{name: "unknown case", srv: withWS, path: "/api/v1/cases/CL-999999", code: 404, errHas: "no such case"},
		{name: "list without workspace", srv: without, path: "/api/v1/cases", code: 404, errHas: "without a workspace"},
		{name: "filtered without workspace", srv: without, path: "/api/v1/cases?status=new", code: 404, errHas: "without a workspace"},
		{name: "case without workspace", srv: without, path: "/api/v1/cases/CL-000001", code: 404, errHas: "without a workspace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, hdr, body := tc.srv.do(t, http.MethodGet, tc.path, "", nil)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, body)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.errHas != "" {
				var e map[string]any
				if err := json.Unmarshal(body, &e); err != nil {
					t.Fatal(err)
				}
				if msg, _ := e["error"].(string); len(e) != 1 || !strings.Contains(msg, tc.errHas) {
					t.Errorf("error body %s, want {\"error\": ...%s...}", body, tc.errHas)
				}
			}
			if tc.ids != nil {
				var l struct {
					Cases []map[string]any `json:"cases"`
					Total int              `json:"total"`
				}
				if err := json.Unmarshal(body, &l); err != nil {
					t.Fatal(err)
				}
				ids := []string{}
				for _, c := range l.Cases {
					ids = append(ids, c["id"].(string))
					var keys []string
					for k := range c {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					if want := clueKeys[c["id"].(string)]; !reflect.DeepEqual(keys, want) {
						t.Errorf("%s: keys %v, want %v", c["id"], keys, want)
					}
				}
				if !reflect.DeepEqual(ids, tc.ids) || l.Total != len(tc.ids) {
					t.Errorf("ids %v total %d, want %v", ids, l.Total, tc.ids)
				}
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
	// A known path with another method answers 405.
	if code, hdr, _ := withWS.do(t, http.MethodPost, "/api/v1/cases", "{}", nil); code != http.StatusMethodNotAllowed || hdr.Get("Allow") == "" {
		t.Errorf("POST /api/v1/cases: %d, Allow %q", code, hdr.Get("Allow"))
	}
}

// TestCaseNotesMasked writes a note naming a member of the case with ID
// and mobile number: the case as the API answers it (the update's reply,
// GET) shows them masked, while the workspace keeps the note as typed.
func TestCaseNotesMasked(t *testing.T) {
	s, ws := usersServer(t)
	patient := caseMember(t, ws, "CL-000001", "patient")
	g, _, _ := s.current()
	var who revealReply
	if !identity(g, "patient", patient, &who) || who.Name == "" || who.CertNo == "" {
		t.Fatal("fixture patient has no name or certificate number")
	}
	note := "约谈" + who.Name + "，证件" + who.CertNo + "，电话13812345678"
	ivan := login(t, s, "ivan")
	b, _ := json.Marshal(caseUpdate{Status: "assigned", Note: note})
	for _, tc := range []struct{ method, path, body string }{
		{"PATCH", "/api/v1/cases/CL-000001", string(b)},
		{"GET", "/api/v1/cases/CL-000001", ""},
	} {
		code, body := ivan.do(t, tc.method, tc.path, tc.body)
		if code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", tc.method, tc.path, code, body)
		}
		for _, clear := range []string{who.Name, who.CertNo, "13812345678"} {
			if strings.Contains(string(body), clear) {
				t.Errorf("%s %s: the reply holds personal data in clear", tc.method, tc.path)
			}
		}
		for _, masked := range []string{claims.MaskName(who.Name), claims.MaskCertNo(who.CertNo), "138******78"} {
			if !strings.Contains(string(body), masked) {
				t.Errorf("%s %s: no %q in %s", tc.method, tc.path, masked, body)
			}
		}
	}
	c, err := ws.Show(context.Background(), "CL-000001")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Events[len(c.Events)-1].Note; got != note {
		t.Errorf("the workspace holds %q, want the note as typed", got)
	}
}
