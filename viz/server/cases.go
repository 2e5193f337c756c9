package server

import (
	"errors"
	"net/http"

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
// workspace's cases in order of recording, read-only.
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
	writeJSON(w, http.StatusOK, caseList{Cases: cs, Total: len(cs)})
}

// handleCase serves GET /api/v1/cases/{id}: one case with its state changes
// (events) and what detection runs changed in it (changes).
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Workspace == nil {
		writeError(w, http.StatusNotFound, noWorkspace)
		return
	}
	c, err := s.cfg.Workspace.Show(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, workspace.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such case")
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	writeJSON(w, http.StatusOK, c)
}
