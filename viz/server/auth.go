package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// Names of the login session's cookie and of the header carrying its CSRF
// token on every write.
const (
	sessionCookie = "ringlens_session"
	csrfHeader    = "X-CSRF-Token"
)

// principalKey is the request context key of the logged-in session.
type principalKey struct{}

// sessionOf returns the session of a request that passed authorize with a
// login (false when the workspace has no users).
func sessionOf(r *http.Request) (workspace.Session, bool) {
	s, ok := r.Context().Value(principalKey{}).(workspace.Session)
	return s, ok
}

// loginMode reports whether requests need a login: the server has a
// workspace and it has users.
func (s *Server) loginMode(r *http.Request) (bool, error) {
	if s.cfg.Workspace == nil {
		return false, nil
	}
	return s.cfg.Workspace.HasUsers(r.Context())
}

// apiRule is what authorize requires of an API request.
type apiRule struct {
	public bool     // served without a login (the login itself, the session, the vocabulary)
	roles  []string // roles allowed; nil: every role but the police
	anyone bool     // every logged-in role (the handler decides further)
}

// Role sets of apiRule.
var (
	writers   = []string{vocab.UserAdmin, vocab.UserInvestigator, vocab.UserReviewer}
	admins    = []string{vocab.UserAdmin}
	intake    = []string{vocab.UserAdmin, vocab.UserInvestigator}
	readCases = []string{vocab.UserAdmin, vocab.UserInvestigator, vocab.UserReviewer, vocab.UserPolice}
)

// ruleFor returns the rule of an API request (method and path).
func ruleFor(method, path string) apiRule {
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case path == "/api/v1/login" || path == "/api/v1/vocab" || path == "/api/v1/status" || (path == "/api/v1/session" && read):
		return apiRule{public: true} // the status holds counts only: a health check needs no login
	case path == "/api/v1/logout" || path == "/api/v1/reveal":
		return apiRule{anyone: true}
	case path == "/api/v1/audit":
		return apiRule{roles: admins}
	case path == "/api/v1/claims":
		return apiRule{roles: intake}
	case path == "/api/v1/cases" || strings.HasPrefix(path, "/api/v1/cases/"):
		if read {
			return apiRule{roles: readCases} // the handlers show the police only their cases
		}
		return apiRule{roles: writers}
	}
	return apiRule{roles: writers} // the graph: rings, nodes, the stream
}

// allows reports whether role passes the rule.
func (a apiRule) allows(role string) bool {
	if a.public || a.anyone {
		return true
	}
	for _, r := range a.roles {
		if r == role {
			return true
		}
	}
	return false
}

// authorize enforces the login when the workspace has users: every API
// request but the login, the session, the status and the vocabulary needs the session
// cookie (401), every write its CSRF token in X-CSRF-Token (403), and the
// user's role must allow the endpoint (403). Views of a ring or a person
// and exports are recorded in the audit trail before they are served
// (500, nothing served, when that fails). Without users it passes every
// request, as before logins existed. Static files are always served: the
// page shows the login form.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		on, err := s.loginMode(r)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "workspace read failed")
			return
		}
		if !on {
			next.ServeHTTP(w, r)
			return
		}
		rule := ruleFor(r.Method, r.URL.Path)
		var sess workspace.Session
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess, err = s.cfg.Workspace.Session(r.Context(), c.Value)
			if err != nil && !errors.Is(err, workspace.ErrNoSession) {
				writeError(w, http.StatusInternalServerError, "workspace read failed")
				return
			}
		}
		if sess.User.Name == "" {
			if rule.public {
				next.ServeHTTP(w, r)
				return
			}
			writeError(w, http.StatusUnauthorized, "login required")
			return
		}
		if !isRead(r.Method) && r.URL.Path != "/api/v1/login" &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(sess.CSRF)) != 1 {
			writeError(w, http.StatusForbidden, "missing or wrong CSRF token ("+csrfHeader+")")
			return
		}
		if !rule.allows(sess.User.Role) {
			writeError(w, http.StatusForbidden, "not allowed for role "+sess.User.Role)
			return
		}
		if err := s.recordAccess(r, sess.User.Name); err != nil {
			writeError(w, http.StatusInternalServerError, "audit trail write failed: nothing shown")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, sess)))
	})
}

// isRead reports whether method only reads.
func isRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// recordAccess appends the audit entry of a view of a ring
// (GET /api/v1/rings/{id}), of a patient or doctor
// (GET /api/v1/nodes/{patient|doctor}/{id}) or of an export (the ring's
// visits as CSV, its dossier); other requests record nothing.
func (s *Server) recordAccess(r *http.Request, who string) error {
	if r.Method != http.MethodGet {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	ws := s.cfg.Workspace
	switch {
	case len(parts) == 2 && parts[0] == "rings" && parts[1] != "":
		return ws.RecordAccess(r.Context(), who, vocab.AuditViewRing, "ring "+parts[1], nil)
	case len(parts) == 3 && parts[0] == "nodes" && (parts[1] == "patient" || parts[1] == "doctor") && parts[2] != "":
		return ws.RecordAccess(r.Context(), who, vocab.AuditViewPerson, workspace.PersonRef(parts[1], parts[2]), nil)
	case len(parts) == 3 && parts[0] == "rings" && parts[2] == "dossier":
		return ws.RecordAccess(r.Context(), who, vocab.AuditExport, "ring "+parts[1], map[string]any{"what": "dossier"})
	case len(parts) == 3 && parts[0] == "rings" && parts[2] == "visits" && wantsCSV(r):
		return ws.RecordAccess(r.Context(), who, vocab.AuditExport, "ring "+parts[1], map[string]any{"what": "visits_csv"})
	}
	return nil
}

// wantsCSV reports whether a visits request asks for CSV (as
// handleRingVisits decides).
func wantsCSV(r *http.Request) bool {
	q := r.URL.Query()
	f := q.Get("format")
	return f == "csv" || (f == "" && strings.Contains(r.Header.Get("Accept"), "text/csv"))
}

// userRoutes registers the endpoints of logins, reveals, the audit trail
// and case updates.
func (s *Server) userRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/session", s.handleSession)
	m.HandleFunc("POST /api/v1/login", s.handleLogin)
	m.HandleFunc("POST /api/v1/logout", s.handleLogout)
	m.HandleFunc("POST /api/v1/reveal", s.handleReveal)
	m.HandleFunc("GET /api/v1/audit", s.handleAudit)
	m.HandleFunc("PATCH /api/v1/cases/{id}", s.handleCaseUpdate)
	m.HandleFunc("POST /api/v1/cases/{id}", s.handleCaseUpdate)
}
