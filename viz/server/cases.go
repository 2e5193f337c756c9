package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// noWorkspace is the 404 message of the case endpoints when the server was
// started without a workspace (serve without --state).
const noWorkspace = "no workspace: the server runs without a workspace (start serve with --state DIR)"

// caseList is the reply of GET /api/v1/cases.
type caseList struct {
	Cases []workspace.Clue `json:"cases"`
	Total int              `json:"total"`
}

// handleCases serves GET /api/v1/cases[?status=S][&overdue=0|1]: the
// workspace's cases in order of recording, read-only, titles masked
// (memberMasker).
func (s *Server) handleCases(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Workspace == nil {
		writeError(w, http.StatusNotFound, noWorkspace)
		return
	}
	q := r.URL.Query()
	f := workspace.Filter{Status: q.Get("status")}
	if q.Has("status") { // given, it must name a state (an empty one too)
		if _, ok := vocab.Lookup(vocab.CaseStates, f.Status); !ok {
			writeError(w, http.StatusBadRequest, "status: want a case state (see GET /api/v1/vocab, case_state)")
			return
		}
	}
	if q.Has("overdue") {
		switch q.Get("overdue") {
		case "0":
		case "1":
			f.Overdue = true
		default:
			writeError(w, http.StatusBadRequest, "overdue: want 0 or 1")
			return
		}
	}
	cs, err := s.cfg.Workspace.List(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	if sess, ok := sessionOf(r); ok {
		cs = slices.DeleteFunc(cs, func(c workspace.Clue) bool { return !workspace.VisibleTo(sess.User.Role, c) })
	}
	for i := range cs {
		if cs[i].Title != "" {
			cs[i] = cs[i].Masked(s.memberMasker(cs[i].Members))
		}
	}
	writeJSON(w, http.StatusOK, caseList{Cases: cs, Total: len(cs)})
}

// handleCase serves GET /api/v1/cases/{id}: one case with its state changes
// (events) and what detection runs changed in it (changes).
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Workspace == nil {
		writeError(w, http.StatusNotFound, noWorkspace)
		return
	}
	s.writeCase(w, r, r.PathValue("id"))
}

// writeCase answers the case id with its history and investigators, its
// title and notes masked (memberMasker), or
// 404 when it is unknown or not visible to the logged-in user's role (the
// police see only cases transferred to them, and do not learn that others
// exist).
func (s *Server) writeCase(w http.ResponseWriter, r *http.Request, id string) {
	c, err := s.cfg.Workspace.Show(r.Context(), id)
	switch {
	case errors.Is(err, workspace.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such case")
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	if sess, ok := sessionOf(r); ok && !workspace.VisibleTo(sess.User.Role, c.Clue) {
		writeError(w, http.StatusNotFound, "no such case")
		return
	}
	inv, err := s.cfg.Workspace.Investigators(r.Context(), c.ID)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	writeJSON(w, http.StatusOK, caseReply{Case: c.Masked(s.memberMasker(c.Members)), Investigators: inv})
}

// memberMasker returns the masker of the free text of a case with members
// (kind:id): the names and certificate numbers of its patients and doctors
// in the current data (graph.Identity), and anything shaped like an ID or
// mobile number.
func (s *Server) memberMasker(members []string) *claims.TextMasker {
	var names, certNos []string
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	g, _, _ := s.current()
	if g == nil {
		return nil
	}
	for _, m := range members {
		kind, id, _ := strings.Cut(m, ":")
		var rep revealReply
		if identity(g, kind, id, &rep) {
			names, certNos = append(names, rep.Name), append(certNos, rep.CertNo)
		}
	}
	return claims.NewTextMasker(names, certNos)
}

// caseReply is a case with its history and the investigators on it.
type caseReply struct {
	workspace.Case
	Investigators []string `json:"investigators"`
}

// caseUpdate is the body of PATCH and POST /api/v1/cases/{id}: a state
// change (status, with note, due and transfer_to), an investigator put on
// the case (assign), or both. By names who changes it when the server runs
// without login; with a login it is the logged-in user.
type caseUpdate struct {
	Status     string `json:"status"`
	Note       string `json:"note"`
	Due        string `json:"due"`
	TransferTo string `json:"transfer_to"`
	Assign     string `json:"assign"`
	By         string `json:"by"`
}

// maxNoteLen bounds a note, in characters.
const maxNoteLen = 2000

// handleCaseUpdate serves PATCH and POST /api/v1/cases/{id}: the change is
// made (state change and investigator each in one transaction with its
// audit entry) and the case is answered as GET does. A state change the
// workflow does not allow answers 409, a malformed one 400.
func (s *Server) handleCaseUpdate(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Workspace == nil {
		writeError(w, http.StatusNotFound, noWorkspace)
		return
	}
	var u caseUpdate
	if !readJSON(w, r, &u) {
		return
	}
	if sess, ok := sessionOf(r); ok {
		if u.By != "" && u.By != sess.User.Name {
			writeError(w, http.StatusBadRequest, "by: with a login the change is the logged-in user's (leave by out)")
			return
		}
		u.By = sess.User.Name
	}
	switch {
	case u.Status == "" && u.Assign == "":
		writeError(w, http.StatusBadRequest, "want status or assign")
		return
	case workspace.CheckUserName(u.By) != nil:
		writeError(w, http.StatusBadRequest, "by: who changes the case (a user name) is required")
		return
	case len([]rune(u.Note)) > maxNoteLen:
		writeError(w, http.StatusBadRequest, "note: too long")
		return
	case u.Status == "" && (u.Note != "" || u.Due != "" || u.TransferTo != ""):
		writeError(w, http.StatusBadRequest, "note, due and transfer_to go with a status")
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	if _, err := s.cfg.Workspace.Show(ctx, id); errors.Is(err, workspace.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such case")
		return
	}
	if u.Assign != "" {
		err := s.cfg.Workspace.Assign(ctx, id, u.Assign, u.By)
		if !s.caseWriteOK(w, err, "assign") {
			return
		}
	}
	if u.Status != "" {
		_, err := s.cfg.Workspace.UpdateCase(ctx, workspace.Update{Case: id, Status: u.Status, By: u.By,
			Note: u.Note, Due: u.Due, TransferTo: u.TransferTo})
		if !s.caseWriteOK(w, err, "status") {
			return
		}
	}
	s.writeCase(w, r, id)
}

// caseWriteOK answers the error of a case write, if any, and reports
// whether there was none.
func (s *Server) caseWriteOK(w http.ResponseWriter, err error, field string) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, workspace.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such case")
	case errors.Is(err, workspace.ErrTransition):
		writeError(w, http.StatusConflict, "status: the workflow does not allow this change (docs/workflow.md)")
	case errors.Is(err, workspace.ErrUnknownUser), errors.Is(err, workspace.ErrForbidden):
		writeError(w, http.StatusBadRequest, field+": want the name of an investigator user")
	case errors.Is(err, workspace.ErrInvalid):
		// Validation errors of the workspace name no personal data.
		writeError(w, http.StatusBadRequest, field+": "+strings.TrimPrefix(err.Error(), "workspace: "))
	default:
		writeError(w, http.StatusInternalServerError, "workspace write failed")
	}
	return false
}
