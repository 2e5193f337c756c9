package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
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
// user's role must allow the endpoint (403). Views of rings, cases,
// people and institutions and exports (accessOf) are recorded in the audit
// trail before they are served (500, nothing served, when that fails; 400
// for a reason longer than workspace.MaxReasonLen). Without users it passes every
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
			if errors.Is(err, workspace.ErrInvalid) {
				writeError(w, http.StatusBadRequest, "reason: at most "+strconv.Itoa(workspace.MaxReasonLen)+" characters")
				return
			}
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

// accessEntry is the audit entry of a request that shows a ring, a case, a
// person or an institution.
type accessEntry struct {
	action, subject string
	detail          map[string]any
}

// recordAccess appends the audit entry of a request that shows a ring, a
// case, a person or an institution, or exports (accessOf), with the reason
// of the query parameter reason when one is given; other requests record
// nothing. Every entry goes through Workspace.RecordAccess.
func (s *Server) recordAccess(r *http.Request, who string) error {
	a, ok := accessOf(r)
	if !ok {
		return nil
	}
	return s.cfg.Workspace.RecordAccess(r.Context(), who, a.action, a.subject, r.URL.Query().Get("reason"), a.detail)
}

// accessOf returns the audit entry of a GET that shows data of
// rings, cases or people:
//
//   - the ring list and the stream (every ring with its members):
//     view_ring of "rings";
//   - a ring (GET /api/v1/rings/{id}), its subgraph and its visits as
//     JSON: view_ring of "ring ID"; its visits as CSV and its dossier:
//     export;
//   - a patient or doctor node, or its neighbours: view_person of the
//     person's PersonRef (never the id itself);
//   - an institution or pharmacy node (clinic, institution, pharmacy), or
//     its neighbours (its patients and doctors): view_node of "KIND ID";
//   - the case list and a case: view_case.
//
// The Cypher query of a ring (only its id) and requests that show nothing
// of these record nothing (false).
func accessOf(r *http.Request) (accessEntry, bool) {
	if r.Method != http.MethodGet {
		return accessEntry{}, false
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	what := func(w string) map[string]any { return map[string]any{"what": w} }
	switch {
	case len(parts) == 1 && (parts[0] == "rings" || parts[0] == "stream"):
		w := "list"
		if parts[0] == "stream" {
			w = "stream"
		}
		return accessEntry{vocab.AuditViewRing, "rings", what(w)}, true
	case len(parts) == 1 && parts[0] == "cases":
		return accessEntry{vocab.AuditViewCase, "cases", what("list")}, true
	case len(parts) == 2 && parts[0] == "cases" && parts[1] != "":
		return accessEntry{vocab.AuditViewCase, parts[1], nil}, true
	case len(parts) == 2 && parts[0] == "rings" && parts[1] != "":
		return accessEntry{vocab.AuditViewRing, "ring " + parts[1], nil}, true
	case len(parts) == 3 && parts[0] == "rings" && parts[1] != "":
		switch parts[2] {
		case "subgraph":
			d := what("subgraph")
			if h, err := strconv.Atoi(r.URL.Query().Get("hops")); err == nil {
				d["hops"] = h // as asked; the handler caps it
			}
			return accessEntry{vocab.AuditViewRing, "ring " + parts[1], d}, true
		case "visits":
			if wantsCSV(r) {
				return accessEntry{vocab.AuditExport, "ring " + parts[1], what("visits_csv")}, true
			}
			return accessEntry{vocab.AuditViewRing, "ring " + parts[1], what("visits")}, true
		case "dossier":
			return accessEntry{vocab.AuditExport, "ring " + parts[1], what("dossier")}, true
		}
	case (len(parts) == 3 || len(parts) == 4 && parts[3] == "neighbors") && parts[0] == "nodes" && parts[2] != "":
		var d map[string]any
		if len(parts) == 4 {
			d = what("neighbors")
		}
		switch parts[1] {
		case "patient", "doctor":
			return accessEntry{vocab.AuditViewPerson, workspace.PersonRef(parts[1], parts[2]), d}, true
		case "clinic", "institution", "pharmacy":
			return accessEntry{vocab.AuditViewNode, parts[1] + " " + parts[2], d}, true
		}
	}
	return accessEntry{}, false
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
