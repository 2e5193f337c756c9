package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/workspace"
)

// maxFormBody bounds the JSON bodies of the login, reveal and case updates.
const maxFormBody = 64 << 10

// noUsers is the 404 message of the login, reveal and audit endpoints when
// the server runs without a workspace or its workspace has no users.
const noUsers = "no users: this server runs without login (add users with ringlens user add)"

// sessionReply is the body of GET /api/v1/session and of the login: whether
// the server has a workspace (cases), whether a login is required and, when
// logged in, the user, the CSRF token every write carries and when the
// session ends.
type sessionReply struct {
	Workspace     bool            `json:"workspace"`
	LoginRequired bool            `json:"login_required"`
	User          *workspace.User `json:"user,omitempty"`
	CSRF          string          `json:"csrf,omitempty"`
	ExpiresAt     string          `json:"expires_at,omitempty"`
}

// readJSON decodes the JSON object of r's body into v, refusing another
// content type (415), a body over maxFormBody (413) and unknown fields or
// malformed JSON (400). It reports whether v was filled.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "want Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("one JSON object expected")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "body too large")
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "body: want a JSON object of the documented fields")
		return false
	}
	return true
}

// handleSession serves GET /api/v1/session.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	on, err := s.loginMode(r)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	rep := sessionReply{Workspace: s.cfg.Workspace != nil, LoginRequired: on}
	if sess, ok := sessionOf(r); ok {
		rep.User, rep.CSRF, rep.ExpiresAt = &sess.User, sess.CSRF, sess.ExpiresAt
	}
	writeJSON(w, http.StatusOK, rep)
}

// loginRequest is the body of POST /api/v1/login.
type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// handleLogin serves POST /api/v1/login: a right name and password get the
// session cookie (HttpOnly, SameSite=Strict) and the session; a wrong one
// 401, a user locked out after failed logins 429, a disabled user 403. All
// are audited by the workspace.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if on, err := s.loginMode(r); err != nil || !on {
		writeError(w, http.StatusNotFound, noUsers)
		return
	}
	var req loginRequest
	if !readJSON(w, r, &req) {
		return
	}
	sess, err := s.cfg.Workspace.Login(r.Context(), req.Name, req.Password)
	switch {
	case errors.Is(err, workspace.ErrBadLogin):
		writeError(w, http.StatusUnauthorized, "wrong name or password")
		return
	case errors.Is(err, workspace.ErrLocked):
		writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
		return
	case errors.Is(err, workspace.ErrDisabled):
		writeError(w, http.StatusForbidden, "this user is disabled")
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "login failed")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(workspace.SessionTTL / time.Second)})
	writeJSON(w, http.StatusOK, sessionReply{Workspace: true, LoginRequired: true, User: &sess.User, CSRF: sess.CSRF, ExpiresAt: sess.ExpiresAt})
}

// handleLogout serves POST /api/v1/logout: the session ends and its cookie
// is cleared.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if _, ok := sessionOf(r); !ok {
		writeError(w, http.StatusNotFound, noUsers)
		return
	}
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		err = s.cfg.Workspace.Logout(r.Context(), c.Value)
	}
	if err != nil && !errors.Is(err, workspace.ErrNoSession) {
		writeError(w, http.StatusInternalServerError, "logout failed")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	writeJSON(w, http.StatusOK, sessionReply{Workspace: true, LoginRequired: true})
}

// handleAudit serves GET /api/v1/audit[?before=SEQ][&limit=N] to admins:
// the trail newest first, with its size and head.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if _, ok := sessionOf(r); !ok {
		writeError(w, http.StatusNotFound, noUsers)
		return
	}
	limit, err := intParam(r, "limit", 100, workspace.MaxAuditPage)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			writeError(w, http.StatusBadRequest, "before: want a positive integer (a seq)")
			return
		}
	}
	p, err := s.cfg.Workspace.AuditEntries(r.Context(), before, max(limit, 1))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "workspace read failed")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// revealRequest is the body of POST /api/v1/reveal.
type revealRequest struct {
	Case   string `json:"case"`
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// revealReply is the identity of one person, shown after an audited reveal.
type revealReply struct {
	Case     string `json:"case"`
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	CertNo   string `json:"certno"`
	AuditSeq int64  `json:"audit_seq"`
}

// handleReveal serves POST /api/v1/reveal: one person's unmasked name and
// certificate number, for a logged-in reviewer or an investigator on the
// case, with a stated reason. The workspace decides and audits the request
// (a refusal too, 403) before anything is read; the identity never goes to
// a log or an error.
func (s *Server) handleReveal(w http.ResponseWriter, r *http.Request) {
	sess, ok := sessionOf(r)
	if !ok {
		writeError(w, http.StatusNotFound, noUsers)
		return
	}
	var req revealRequest
	if !readJSON(w, r, &req) {
		return
	}
	seq, err := s.cfg.Workspace.Reveal(r.Context(), workspace.RevealRequest{
		User: sess.User.Name, Case: req.Case, Kind: req.Kind, ID: req.ID, Reason: req.Reason})
	var refused *workspace.RefusalError
	switch {
	case errors.As(err, &refused):
		writeError(w, http.StatusForbidden, refused.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "reveal failed: nothing shown")
		return
	}
	rep := revealReply{Case: req.Case, Kind: req.Kind, ID: req.ID, AuditSeq: seq}
	s.dataMu.RLock()
	g, _, _ := s.current()
	found := g != nil && identity(g, req.Kind, req.ID, &rep)
	s.dataMu.RUnlock()
	if !found {
		writeError(w, http.StatusNotFound, "no such person in the current data")
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// identity fills rep with the unmasked name and certificate number of the
// patient or doctor id of g; false when g does not hold it. The caller
// holds dataMu.
func identity(g *graph.Graph, kind, id string, rep *revealReply) bool {
	k, ok := memberKinds[kind]
	if !ok || (k != graph.KindPatient && k != graph.KindDoctor) {
		return false
	}
	n, ok := g.Lookup(k, id)
	if !ok {
		return false
	}
	rep.Name, rep.CertNo = g.Identity(n)
	return true
}
