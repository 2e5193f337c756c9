package server

import (
	"context"
	"math"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// Bounds of staff alerts: the alerts of one batch sent on the stream and
// listed in the intake's reply (all are counted), and the latest alerts
// a client receives on connect.
const (
	maxBatchAlerts  = 50
	maxRecentAlerts = 50
)

// Doctor roles of a staff alert.
const (
	roleAttending = "attending" // the visit's attending doctor (atddr_no)
	roleBilling   = "billing"   // a fee line's billing doctor (bilg_dr_codg)
)

// alertMsg is an alert of the stream and of the intake's reply: a claim
// arrived (POST /api/v1/claims or --follow) whose attending or billing
// doctor is suspended or terminated on the claim's date by the
// workspace's points ledger (issue 14, item 5). Code and Params are the
// vocabulary's check signal (graph/vocab CheckStaffSuspended), rendered
// in Zh and En. Personal data is masked: the doctor is named by staff code
// and masked name, the person not at all.
type alertMsg struct {
	Type   string            `json:"type"` // alert
	Code   string            `json:"code"` // vocab.CheckStaffSuspended
	Params map[string]string `json:"params"`
	Zh     string            `json:"text_zh"`
	En     string            `json:"text_en"`
	// MdtrtID is the visit of the claim; Institution its fixmedins_code
	// and InstitutionName the institution's name ("" when the visit came
	// in an earlier batch).
	MdtrtID         string `json:"mdtrt_id"`
	Institution     string `json:"fixmedins_code,omitempty"`
	InstitutionName string `json:"institution_name,omitempty"`
	// Doctor is the staff code, DoctorLabel the masked name ("" when the
	// staff table does not know the code), Role attending or billing.
	Doctor      string `json:"doctor"`
	DoctorLabel string `json:"doctor_label,omitempty"`
	Role        string `json:"doctor_role"`
	// Status is the staff standing on Date, the claim's date:
	// suspended or terminated (vocabulary category staff_status).
	Status string `json:"status"`
	Date   string `json:"date"`
	// Fund is the visit's fund payment in yuan (0 for fee lines of a visit
	// of an earlier batch).
	Fund float64 `json:"fund"`
	// At is when the claim was accepted (RFC 3339, UTC).
	At string `json:"at"`
}

// staffAlerts returns the alerts of an accepted batch: one per visit and
// suspended or terminated doctor (the visit's attending doctor on the
// visit's day, each fee line's billing doctor on the line's day), from
// the workspace's registers (wsCache). It reads the current graph under
// the data lock only for the labels; without a workspace it returns nil.
func (s *Server) staffAlerts(ctx context.Context, b *batch, now time.Time) []alertMsg {
	if s.wsReads == nil || s.cfg.Workspace == nil || b == nil {
		return nil
	}
	today := now.In(claims.Shanghai()).Format(time.DateOnly)
	type key struct{ visit, doctor string }
	seen := make(map[key]bool)
	visitOf := make(map[string]*claims.Visit, len(b.visits))
	// The registers of the batch's days, each asked of the cache once: a
	// batch of many days (a backfill) reads each day at most once.
	regs := make(map[string]*workspace.StaffRegister)
	var out []alertMsg
	flag := func(v *claims.Visit, mdtrt, doctor, role, day string) {
		k := key{mdtrt, doctor}
		if doctor == "" || seen[k] {
			return
		}
		reg, ok := regs[day]
		if !ok {
			reg = s.wsReads.register(ctx, day, now)
			regs[day] = reg
		}
		if reg == nil {
			return
		}
		bad, status := reg.StaffStatus(doctor)
		if !bad {
			return
		}
		seen[k] = true
		a := alertMsg{Type: "alert", Code: vocab.CheckStaffSuspended, MdtrtID: mdtrt, Doctor: doctor, Role: role,
			Status: status, Date: day, At: now.UTC().Format(time.RFC3339)}
		if v != nil {
			a.Institution, a.Fund = v.InstitutionCode, math.Round(float64(v.FundPay))/100
		}
		out = append(out, a)
	}
	for i := range b.visits {
		v := &b.visits[i]
		visitOf[v.MdtrtID] = v
		flag(v, v.MdtrtID, v.DoctorCode, roleAttending, dayOf(v.Begin, today))
	}
	for i := range b.fees {
		f := &b.fees[i]
		v := visitOf[f.MdtrtID]
		day := today
		switch {
		case f.Time != claims.NoTime:
			day = f.Time.Day().String()
		case v != nil:
			day = dayOf(v.Begin, today)
		}
		flag(v, f.MdtrtID, f.DoctorCode, roleBilling, day)
	}
	if len(out) == 0 {
		return nil
	}
	s.labelAlerts(out)
	for i := range out {
		a := &out[i]
		a.Params = map[string]string{"doctor": a.Doctor, "status": a.Status}
		a.Zh = renderStaffAlert(a, vocab.LangZh)
		a.En = renderStaffAlert(a, vocab.LangEn)
	}
	return out
}

// dayOf is the date of t, or def when t is absent.
func dayOf(t claims.Time, def string) string {
	if t == claims.NoTime {
		return def
	}
	return t.Day().String()
}

// renderStaffAlert renders a staff alert's sentence in lang: the
// vocabulary's template with the standing given by its label in lang.
func renderStaffAlert(a *alertMsg, lang string) string {
	return vocab.RenderIn(vocab.CheckSignals, a.Code,
		map[string]string{"doctor": a.Doctor, "status": vocab.Label(vocab.StaffStatuses, a.Status, lang)}, lang)
}

// labelAlerts fills the doctors' masked names and the institutions' names
// of alerts from the current graph, under the data lock for reading.
func (s *Server) labelAlerts(alerts []alertMsg) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	s.mu.RLock()
	g := s.g
	s.mu.RUnlock()
	if g == nil {
		return
	}
	t := g.Tables()
	for i := range alerts {
		a := &alerts[i]
		if d := t.Doctors.IDs.Lookup(a.Doctor); d != graph.None {
			if n := g.DoctorNode(d); n != graph.NoNode {
				if l := g.Label(n); l != a.Doctor {
					a.DoctorLabel = l // masked by Label
				}
			}
		}
		if a.Institution == "" {
			continue
		}
		if r := t.Institutions.IDs.Lookup(a.Institution); r != graph.None {
			if n := g.InstitutionNode(r); n != graph.NoNode {
				if l := g.Label(n); l != a.Institution {
					a.InstitutionName = l
				}
			}
		}
	}
}

// publishAlerts counts the alerts of a batch in the status, keeps the
// latest for clients that connect later and sends the first
// maxBatchAlerts of them, then the status, to every client.
func (s *Server) publishAlerts(alerts []alertMsg) {
	if len(alerts) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.StaffAlerts += len(alerts)
	for _, a := range alerts[:min(len(alerts), maxBatchAlerts)] {
		s.broadcastLocked(mustJSON(a))
	}
	s.recentAlerts = append(s.recentAlerts, alerts...)
	if n := len(s.recentAlerts); n > maxRecentAlerts {
		s.recentAlerts = append([]alertMsg(nil), s.recentAlerts[n-maxRecentAlerts:]...)
	}
	s.broadcastLocked(mustJSON(s.statusLocked()))
}
