package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// sanction is a confirmed points entry of a ledger import: points to staff
// on date (12 terminate, 9 suspend for months).
type sanction struct {
	staff  string
	points int
	months int
	date   string
}

// openWorkspace opens a workspace in a fresh directory, closed with the
// test.
func openWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// importSanctions imports the entries of ss into the points ledger of ws,
// as another region's ledger of origin.
func importSanctions(t *testing.T, ws *workspace.Workspace, origin string, ss ...sanction) {
	t.Helper()
	l := workspace.Ledger{Format: workspace.LedgerFormat, Origin: origin}
	for i, s := range ss {
		l.Entries = append(l.Entries, workspace.LedgerEntry{
			UID: fmt.Sprintf("%s/PT-%d", origin, i+1), Origin: origin, Staff: s.staff, Sanction: vocab.SanctionPenalty,
			Responsibility: vocab.RespMain, Kind: vocab.PointsScored, Points: s.points, SuspendMonths: s.months,
			EventDate: s.date, Revision: 1})
	}
	if _, err := ws.ImportLedger(context.Background(), l, "test"); err != nil {
		t.Fatal(err)
	}
}

// billedFee is a fee line of visit id billed by doctor at time at.
func billedFee(id, sn, doctor, at string) string {
	return `{"feedetl_sn":"` + sn + `","mdtrt_id":"` + id + `","med_list_codg":"001101000010000","list_type":201,"cnt":1,` +
		`"pric":"30.00","det_item_fee_sumamt":"30.00","fee_ocur_time":"` + at + `","bilg_dr_codg":"` + doctor + `"}`
}

// readAlerts reads stream messages until n alerts have come (or fails
// after d) and returns them.
func readAlerts(t *testing.T, c *websocket.Conn, n int, d time.Duration) []alertMsg {
	t.Helper()
	var out []alertMsg
	_ = c.SetReadDeadline(time.Now().Add(d))
	for len(out) < n {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("reading the stream after %d alerts: %v", len(out), err)
		}
		var a alertMsg
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("bad message %.200s: %v", b, err)
		}
		if a.Type == "alert" {
			out = append(out, a)
		}
	}
	return out
}

// TestStaffAlerts posts claims of doctors whom the workspace's points
// ledger suspended or terminated: each claim of a doctor not active on the
// claim's date (attending on the visit's day, billing on the fee line's
// day) is counted in the reply and the status and sent to the stream as an
// alert with the vocabulary's code and zh/en sentence, without personal
// data; claims on other days, or of active doctors, are not. A client that
// connects later receives the latest alerts.
func TestStaffAlerts(t *testing.T) {
	ws := openWorkspace(t)
	s := startReady(t, func(c *Config) { c.Workspace = ws; c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient), member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor)
	const billing = "D-BILLING-9"
	importSanctions(t, ws, "o1",
		sanction{staff: d.ID, points: 12, date: "2025-12-01"},              // terminated from 2025-12-01
		sanction{staff: billing, points: 9, months: 1, date: "2025-12-20"}, // suspended 2025-12-20 to 2026-01-20
		sanction{staff: "D-ACTIVE-1", points: 3, date: "2025-12-01"},       // points, still active
	)
	conn, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	visit := func(id, doctor, begin string) string {
		return strings.Replace(visitRow(id, p.ID, c, doctor), "2025-12-30 09:00:00", begin, 1)
	}
	tests := []struct {
		name  string
		rows  []string
		want  []alertMsg // code, visit, doctor, role, status, date of each alert, in order
		total int        // status staff_alerts after the batch
	}{
		{"terminated attending doctor", []string{visit("SA1", d.ID, "2025-12-30 09:00:00")},
			[]alertMsg{{MdtrtID: "SA1", Doctor: d.ID, Role: roleAttending, Status: vocab.StaffTerminated, Date: "2025-12-30"}}, 1},
		{"before the termination", []string{visit("SA2", d.ID, "2025-11-30 09:00:00")}, nil, 1},
		{"suspended billing doctor", []string{visit("SA3", "", "2025-12-30 09:00:00"),
			billedFee("SA3", "1", billing, "2025-12-30 09:05:00"), billedFee("SA3", "2", billing, "2025-12-30 09:06:00")},
			[]alertMsg{{MdtrtID: "SA3", Doctor: billing, Role: roleBilling, Status: vocab.StaffSuspended, Date: "2025-12-30"}}, 2},
		{"after the suspension", []string{visit("SA4", "", "2026-02-01 09:00:00"), billedFee("SA4", "1", billing, "2026-02-01 09:05:00")}, nil, 2},
		{"fee line of an earlier visit", []string{billedFee("SA2", "9", billing, "2026-01-02 10:00:00")},
			[]alertMsg{{MdtrtID: "SA2", Doctor: billing, Role: roleBilling, Status: vocab.StaffSuspended, Date: "2026-01-02"}}, 3},
		{"active doctor with points", []string{visit("SA5", "D-ACTIVE-1", "2025-12-30 09:00:00")}, nil, 3},
		{"both in one batch", []string{visit("SA6", d.ID, "2025-12-30 09:00:00"), billedFee("SA6", "1", billing, "2025-12-30 09:05:00")},
			[]alertMsg{{MdtrtID: "SA6", Doctor: d.ID, Role: roleAttending, Status: vocab.StaffTerminated, Date: "2025-12-30"},
				{MdtrtID: "SA6", Doctor: billing, Role: roleBilling, Status: vocab.StaffSuspended, Date: "2025-12-30"}}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Join(tc.rows, "\n"), nil)
			if code != http.StatusAccepted {
				t.Fatalf("POST: %d %s", code, body)
			}
			var rep claimsReply
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.StaffAlerts != len(tc.want) || len(rep.Alerts) != len(tc.want) {
				t.Fatalf("reply counts %d alerts, lists %d; want %d: %s", rep.StaffAlerts, len(rep.Alerts), len(tc.want), body)
			}
			var streamed []alertMsg
			if len(tc.want) > 0 {
				streamed = readAlerts(t, conn, len(tc.want), 10*time.Second)
			}
			for i, w := range tc.want {
				for _, a := range []alertMsg{rep.Alerts[i], streamed[i]} {
					if a.Type != "alert" || a.Code != vocab.CheckStaffSuspended || a.MdtrtID != w.MdtrtID || a.Doctor != w.Doctor ||
						a.Role != w.Role || a.Status != w.Status || a.Date != w.Date {
						t.Errorf("alert %+v, want %+v", a, w)
					}
					status := vocab.Label(vocab.StaffStatuses, w.Status, vocab.LangZh)
					if !strings.Contains(a.Zh, w.Doctor) || !strings.Contains(a.Zh, status) || !strings.Contains(a.En, "doctor "+w.Doctor+" is suspended or terminated ("+w.Status+")") {
						t.Errorf("sentences %q / %q", a.Zh, a.En)
					}
					if a.Params["doctor"] != w.Doctor || a.Params["status"] != w.Status || a.At == "" {
						t.Errorf("params %v at %q", a.Params, a.At)
					}
					if w.MdtrtID != "SA2" && (a.Institution != c || a.InstitutionName == "" || a.Fund != 800) {
						t.Errorf("site %q %q fund %v", a.Institution, a.InstitutionName, a.Fund)
					}
					if w.Doctor == d.ID && (a.DoctorLabel != d.Label || !strings.Contains(a.DoctorLabel, "*")) {
						t.Errorf("doctor label %q, want the masked %q", a.DoctorLabel, d.Label)
					}
					if raw, _ := json.Marshal(a); strings.Contains(string(raw), p.ID) {
						t.Errorf("alert names the person: %s", raw)
					}
				}
			}
			if _, _, st := s.current(); st.StaffAlerts != tc.total {
				t.Errorf("status staff_alerts %d, want %d", st.StaffAlerts, tc.total)
			}
		})
	}
	// A client connecting now is sent the latest alerts after the rings.
	late, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	got := readAlerts(t, late, 5, 10*time.Second)
	var ids []string
	for _, a := range got {
		ids = append(ids, a.MdtrtID)
	}
	if !slices.Equal(ids, []string{"SA1", "SA3", "SA2", "SA6", "SA6"}) {
		t.Errorf("alerts on connect for %v", ids)
	}
}

// TestStaffAlertsWithoutWorkspace: without a workspace nothing is flagged
// and the reply counts no alert.
func TestStaffAlertsWithoutWorkspace(t *testing.T) {
	s := startReady(t, func(c *Config) { c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	code, _, body := s.do(t, "POST", "/api/v1/claims", visitRow("NW1", p, c, d), nil)
	if code != http.StatusAccepted || !strings.Contains(string(body), `"staff_alerts":0`) || strings.Contains(string(body), `"alerts"`) {
		t.Errorf("%d %s", code, body)
	}
}

// TestWSCacheRefresh reads registers and open cases through the cache:
// a change of the workspace shows once wsRefresh has passed, not before;
// registers are kept per day, at most maxRegisterDays of them.
func TestWSCacheRefresh(t *testing.T) {
	ctx := context.Background()
	ws := openWorkspace(t)
	if _, err := ws.RecordFindings(ctx, &findings.Findings{Rings: []findings.Ring{
		caseRing("R001", 100, "clinic:C1", "patient:P1"),
		caseRing("R002", 100, "doctor:D9", "patient:P7"),
	}}, workspace.RecordOptions{By: "detect"}); err != nil {
		t.Fatal(err)
	}
	c := newWSCache(ws)
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	if id, ok := c.openCases(ctx, t0).OpenCase(vocab.KindPatient, "P1"); !ok || id != "CL-000001" {
		t.Fatalf("open case of P1: %q %v", id, ok)
	}
	if _, err := ws.UpdateCase(ctx, workspace.Update{Case: "CL-000001", Status: vocab.StateDismissed, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	importSanctions(t, ws, "o2", sanction{staff: "D9", points: 12, date: "2026-01-01"})
	for _, tc := range []struct {
		name       string
		at         time.Time
		day        string
		p1Open     bool // CL-000001 still seen open
		d9Inactive bool
	}{
		{"within the refresh, read before", t0.Add(wsRefresh / 2), "", true, false},
		{"register of a new day is read now", t0.Add(wsRefresh / 2), "2026-01-05", true, true},
		{"register of a day before the sanction", t0.Add(wsRefresh / 2), "2025-12-31", true, false},
		{"after the refresh", t0.Add(wsRefresh + time.Second), "2026-01-05", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, open := c.openCases(ctx, tc.at).OpenCase(vocab.KindPatient, "P1")
			if open != tc.p1Open {
				t.Errorf("P1 open %v, want %v", open, tc.p1Open)
			}
			if id, ok := c.openCases(ctx, tc.at).OpenCase(vocab.KindDoctor, "D9"); !ok || id != "CL-000002" {
				t.Errorf("D9: %q %v", id, ok)
			}
			if tc.day == "" {
				return
			}
			if bad, _ := c.register(ctx, tc.day, tc.at).StaffStatus("D9"); bad != tc.d9Inactive {
				t.Errorf("D9 inactive on %s: %v, want %v", tc.day, bad, tc.d9Inactive)
			}
		})
	}
	for i := range maxRegisterDays + 5 {
		c.register(ctx, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly), t0)
	}
	if n := len(c.regs); n != maxRegisterDays {
		t.Errorf("%d registers kept, want %d", n, maxRegisterDays)
	}
	var none *wsCache
	if none.register(ctx, "2026-01-05", t0) != nil || none.openCases(ctx, t0) != nil || newWSCache(nil).openCases(ctx, t0) != nil {
		t.Error("a cache without a workspace answers")
	}
}

// TestStaffAlertsFollow flags a claim of a terminated doctor that arrives
// in a followed file, as one posted.
func TestStaffAlertsFollow(t *testing.T) {
	dir := copyFixture(t)
	ws := openWorkspace(t)
	s := startReady(t, func(c *Config) {
		c.Load, c.FollowDir, c.Poll, c.Workspace, c.FullEvery = loaderOf(dir), dir, 20*time.Millisecond, ws, -1
	})
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	importSanctions(t, ws, "o1", sanction{staff: d, points: 12, date: "2025-12-01"})
	conn, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := os.WriteFile(filepath.Join(dir, "new-claims.jsonl"), []byte(visitRow("FOLLOWSA1", p, c, d)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := readAlerts(t, conn, 1, 10*time.Second)[0]
	if a.MdtrtID != "FOLLOWSA1" || a.Doctor != d || a.Status != vocab.StaffTerminated {
		t.Errorf("alert %+v", a)
	}
	if _, _, st := s.current(); st.StaffAlerts != 1 {
		t.Errorf("status staff_alerts %d, want 1", st.StaffAlerts)
	}
}
