package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/neo4j"
	"github.com/ringlens/ringlens/viz/report"
)

// Neighbour limits of GET /api/v1/nodes/{kind}/{id}/neighbors.
const (
	defaultNeighbors = 50
	maxNeighbors     = 1000
	// maxSubgraph caps the nodes of a ring subgraph: a ring of 10,000
	// members, and some of its neighbours, fits; the page stays interactive
	// at that size (viz/web's TestPageLargeRing).
	maxSubgraph = 20000
)

// tokenCookie carries the token after a request authenticated by ?token=.
const tokenCookie = "ringlens_token"

// routes registers every endpoint.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/stream", s.handleStream)
	m.HandleFunc("GET /api/v1/status", s.handleStatus)
	m.HandleFunc("GET /api/v1/vocab", s.handleVocab)
	m.HandleFunc("GET /api/v1/rings", s.handleRings)
	m.HandleFunc("GET /api/v1/rings/{id}", s.handleRing)
	m.HandleFunc("GET /api/v1/rings/{id}/subgraph", s.handleSubgraph)
	m.HandleFunc("GET /api/v1/rings/{id}/cypher", s.handleRingCypher)
	m.HandleFunc("GET /api/v1/rings/{id}/visits", s.handleRingVisits)
	m.HandleFunc("GET /api/v1/rings/{id}/dossier", s.handleRingDossier)
	m.HandleFunc("GET /api/v1/nodes/{kind}/{id}", s.handleNode)
	m.HandleFunc("GET /api/v1/nodes/{kind}/{id}/neighbors", s.handleNeighbors)
	m.HandleFunc("POST /api/v1/claims", s.handleClaims)
	m.Handle("POST /api/v1/check", newCheckHandler(s))
	m.HandleFunc("GET /api/v1/cases", s.handleCases)
	m.HandleFunc("GET /api/v1/cases/{id}", s.handleCase)
	s.userRoutes(m)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(m, r); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method not allowed: "+r.Method+" "+r.URL.Path+" (allowed: "+allow+")")
			return
		}
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	static := s.cfg.Static
	if static == nil {
		static = placeholderFS()
	}
	files := http.FileServerFS(static)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
			return
		}
		files.ServeHTTP(w, r)
	})
	s.mux = m
}

// allowedMethods returns the methods m serves r's path with ("" when
// none: the path is unknown).
func allowedMethods(m *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, pattern := m.Handler(probe); pattern != "" && pattern != "/api/" {
			allow = append(allow, method)
			if method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return strings.Join(allow, ", ")
}

// guard sets the security headers of every reply, refuses a Host that is
// not the server's (421: DNS rebinding), an Origin that is not allowed
// (403) and, when a token is set, a request without it (401). A request
// that carries the token in its query gets it back as an HttpOnly,
// SameSite=Strict cookie, so that the page can drop it from its address.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.access.hostOK(r.Host) {
			h.Set("Content-Security-Policy", contentSecurityPolicy(""))
			writeError(w, http.StatusMisdirectedRequest, "unknown host: this server answers only to its own address (see --allowed-host)")
			return
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy(r.Host))
		if !s.originOK(r) {
			writeError(w, http.StatusForbidden, "origin not allowed")
			return
		}
		if s.cfg.Token != "" {
			tok, fromQuery := requestToken(r)
			if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) != 1 {
				h.Set("WWW-Authenticate", `Bearer realm="ringlens"`)
				writeError(w, http.StatusUnauthorized, "missing or wrong token")
				return
			}
			if fromQuery {
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: tok, Path: "/",
					HttpOnly: true, SameSite: http.SameSiteStrictMode})
			}
		}
		next.ServeHTTP(w, r)
	})
}

// requestToken returns the token of r from the Authorization header, the
// query or the cookie, and whether it came from the query.
func requestToken(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if t := r.URL.Query().Get("token"); t != "" {
		return t, true
	}
	if c, err := r.Cookie(tokenCookie); err == nil {
		return c.Value, false
	}
	return "", false
}

// originOK allows requests without an Origin header (tools) and those
// whose Origin matches, in scheme, host and port, one of the server's own
// origins or a configured one.
func (s *Server) originOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || s.access.originOK(origin, r.Host)
}

// writeJSON writes v as JSON with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding failed")
		return
	}
	writeRaw(w, code, b)
}

// writeRaw writes encoded JSON with status code.
func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

// apiError is the body of every error reply.
type apiError struct {
	Error string `json:"error"`
	Row   int    `json:"row,omitempty"`   // 1-based row of a rejected claim
	Field string `json:"field,omitempty"` // contract column of a rejected claim
}

// writeError writes {"error": msg}.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

// current returns the current graph and snapshot.
func (s *Server) current() (*graph.Graph, *snapshot, Status) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.g, s.snap, s.statusLocked()
}

// Status returns the server's status, as GET /api/v1/status answers it.
func (s *Server) Status() Status {
	_, _, st := s.current()
	return st
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	_, _, st := s.current()
	writeJSON(w, http.StatusOK, st)
}

// ringsReply is the body of GET /api/v1/rings.
type ringsReply struct {
	Ready      bool              `json:"ready"`
	Generation int               `json:"generation"`
	Rings      []json.RawMessage `json:"rings"`
	// NotReported counts the rings beyond max_rings, absent when none.
	NotReported int `json:"rings_not_reported,omitempty"`
}

func (s *Server) handleRings(w http.ResponseWriter, r *http.Request) {
	_, snap, st := s.current()
	rep := ringsReply{Ready: st.Ready, Generation: st.Generation, Rings: make([]json.RawMessage, 0, len(snap.order)),
		NotReported: st.RingsNotReported}
	for _, id := range snap.order {
		rep.Rings = append(rep.Rings, snap.summary[id])
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) handleRing(w http.ResponseWriter, r *http.Request) {
	snap, ring, ok := s.lookupRing(w, r)
	if !ok {
		return
	}
	writeRaw(w, http.StatusOK, snap.full[ring.ID])
}

// handleRingCypher answers {"run", "cypher"}: the query that shows the ring
// in Neo4j Browser after `ringlens neo4j push` (run "latest", the push
// default). The query comes from the neo4j package, so it always matches
// the data model push writes.
func (s *Server) handleRingCypher(w http.ResponseWriter, r *http.Request) {
	_, ring, ok := s.lookupRing(w, r)
	if !ok {
		return
	}
	const run = "latest"
	writeJSON(w, http.StatusOK, map[string]string{"run": run, "cypher": neo4j.ShowRingQuery(run, ring.ID)})
}

// lookupRing resolves the {id} path of r to a ring of the current
// snapshot, replying 404 when unknown.
func (s *Server) lookupRing(w http.ResponseWriter, r *http.Request) (*snapshot, *findings.Ring, bool) {
	_, snap, _ := s.current()
	ring, ok := snap.ring[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "no such ring")
		return nil, nil, false
	}
	return snap, ring, true
}

// writeBody writes a reply that is not JSON: b as contentType.
func writeBody(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// handleRingVisits answers every visit behind the ring's amount at risk
// (report.VisitsOf), optionally those whose begin day lies in
// [from, to], as JSON or, with format=csv or Accept: text/csv, as CSV
// (report.WriteRingVisitsCSV).
func (s *Server) handleRingVisits(w http.ResponseWriter, r *http.Request) {
	_, ring, ok := s.lookupRing(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	for _, d := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if !q.Has(d.name) {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			writeError(w, http.StatusBadRequest, d.name+": want a date YYYY-MM-DD")
			return
		}
	}
	format := q.Get("format")
	switch {
	case !q.Has("format"), format == "json", format == "csv":
	default:
		writeError(w, http.StatusBadRequest, "format: want json or csv")
		return
	}
	vs := report.VisitsOf(ring, from, to)
	if format == "csv" || (format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv")) {
		var buf bytes.Buffer
		if err := report.WriteRingVisitsCSV(&buf, vs); err != nil {
			writeError(w, http.StatusInternalServerError, "encoding failed")
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+ring.ID+`_visits.csv"`)
		writeBody(w, "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	writeJSON(w, http.StatusOK, vs)
}

// handleRingDossier answers the ring's dossier (report.WriteDossier, the
// document `ringlens dossier` writes) in lang (zh, the default, or en).
func (s *Server) handleRingDossier(w http.ResponseWriter, r *http.Request) {
	snap, ring, ok := s.lookupRing(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	lang := q.Get("lang")
	switch {
	case !q.Has("lang"), lang == "zh", lang == "en":
	default:
		writeError(w, http.StatusBadRequest, "lang: want zh or en")
		return
	}
	var buf bytes.Buffer
	if err := report.WriteDossier(&buf, snap.findings, ring.ID, "", lang); err != nil {
		writeError(w, http.StatusInternalServerError, "dossier failed")
		return
	}
	writeBody(w, "text/html; charset=utf-8", buf.Bytes())
}

// memberKind maps ring member kinds and graph kind names to graph kinds.
var memberKinds = map[string]graph.Kind{
	findings.KindPatient: graph.KindPatient, findings.KindDoctor: graph.KindDoctor,
	findings.KindClinic: graph.KindInstitution, "institution": graph.KindInstitution,
	findings.KindPharmacy: graph.KindPharmacy,
}

// viewNode is a subgraph node with its score and ring role.
type viewNode struct {
	graph.SubNode
	Score   float64           `json:"score"`             // entity score in [0, 1]
	RingID  string            `json:"ring_id,omitempty"` // the entity's ring, if any
	Role    string            `json:"role,omitempty"`    // role in the ring asked about
	Reasons []findings.Reason `json:"reasons,omitempty"` // codes of the vocabulary's reasons with their parameters
	// Count and Of describe a group node of an aggregated neighbourhood
	// (kind vocab.NodeGroup): the people it stands for and the index in
	// Nodes of the institution, pharmacy or doctor they use.
	Count int  `json:"count,omitempty"`
	Of    *int `json:"of,omitempty"`
}

// viewGraph is a subgraph with scored nodes.
type viewGraph struct {
	RingID    string          `json:"ring_id,omitempty"`
	Nodes     []viewNode      `json:"nodes"`
	Edges     []graph.SubEdge `json:"edges"`
	Truncated bool            `json:"truncated"`
	// TotalNodes counts the nodes within reach before the cap (len(Nodes)
	// when not truncated).
	TotalNodes int `json:"total_nodes"`
}

// view decorates sub with scores and the roles in roles (keyed by entityKey).
func view(snap *snapshot, sub *graph.Subgraph, roles map[string]string) viewGraph {
	v := viewGraph{Nodes: make([]viewNode, len(sub.Nodes)), Edges: sub.Edges, Truncated: sub.Truncated, TotalNodes: len(sub.Nodes)}
	for i, n := range sub.Nodes {
		v.Nodes[i] = decorate(snap, n, roles)
	}
	return v
}

// decorate adds the entity score, ring and role to n.
func decorate(snap *snapshot, n graph.SubNode, roles map[string]string) viewNode {
	snap.totals.apply(&n)
	vn := viewNode{SubNode: n}
	kind := rings.MemberKind(kindOfName(n.Kind))
	key := entityKey(kind, n.Key)
	if e, ok := snap.entity(n.ID, kind, n.Key); ok {
		vn.Score, vn.RingID, vn.Reasons = e.Score, e.RingID, e.Reasons
	}
	vn.Role = roles[key]
	return vn
}

// kindOfName maps a graph kind name back to the kind.
func kindOfName(name string) graph.Kind {
	if k, ok := memberKinds[name]; ok {
		return k
	}
	return graph.KindInstitution
}

// intParam parses an optional non-negative integer query parameter,
// capped at max (also when it is too large for an int).
func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	v = strings.TrimPrefix(v, "+")
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, errors.New(name + ": want a non-negative integer")
	}
	n, err := strconv.Atoi(v)
	if err != nil { // all digits: out of range
		return max, nil
	}
	return min(n, max), nil
}

func (s *Server) handleSubgraph(w http.ResponseWriter, r *http.Request) {
	g, snap, _ := s.current()
	ring, ok := snap.ring[r.PathValue("id")]
	if !ok || g == nil {
		writeError(w, http.StatusNotFound, "no such ring")
		return
	}
	hops, err := intParam(r, "hops", 0, 2)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	agg := r.URL.Query().Get("aggregate") == "1"
	if a := r.URL.Query().Get("aggregate"); r.URL.Query().Has("aggregate") && a != "0" && a != "1" {
		writeError(w, http.StatusBadRequest, "aggregate: want 0 or 1")
		return
	}
	def := maxSubgraph
	if agg {
		def = defaultAggregated
	}
	limit, err := intParam(r, "limit", def, maxSubgraph)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	seeds := make([]graph.NodeID, 0, len(ring.Members))
	roles := make(map[string]string, len(ring.Members))
	for _, m := range ring.Members {
		roles[entityKey(m.Kind, m.ID)] = m.Role
		if k, ok := memberKinds[m.Kind]; ok {
			if n, ok := g.Lookup(k, m.ID); ok {
				seeds = append(seeds, n)
			}
		}
	}
	if agg {
		v := aggregated(g, snap, seeds, hops, max(limit, 1), roles)
		v.RingID = ring.ID
		writeJSON(w, http.StatusOK, v)
		return
	}
	v := view(snap, g.Neighbourhood(seeds, hops, max(limit, 1)), roles)
	v.RingID = ring.ID
	if v.Truncated {
		v.TotalNodes = reach(g, seeds, hops)
	}
	writeJSON(w, http.StatusOK, v)
}

// lookupNode resolves the {kind}/{id} path of r, replying 404 when unknown.
func (s *Server) lookupNode(w http.ResponseWriter, r *http.Request) (*graph.Graph, *snapshot, graph.NodeID, bool) {
	g, snap, _ := s.current()
	k, ok := memberKinds[r.PathValue("kind")]
	if !ok {
		writeError(w, http.StatusNotFound, "unknown node kind: want patient, doctor, clinic, institution or pharmacy")
		return nil, nil, 0, false
	}
	if g == nil {
		writeError(w, http.StatusNotFound, "no such node (data still loading)")
		return nil, nil, 0, false
	}
	n, ok := g.Lookup(k, r.PathValue("id"))
	if !ok && k == graph.KindInstitution {
		n, ok = g.Lookup(graph.KindPharmacy, r.PathValue("id"))
	}
	if !ok {
		writeError(w, http.StatusNotFound, "no such node")
		return nil, nil, 0, false
	}
	return g, snap, n, true
}

func (s *Server) handleNode(w http.ResponseWriter, r *http.Request) {
	g, snap, n, ok := s.lookupNode(w, r)
	if !ok {
		return
	}
	sub := g.Neighbourhood([]graph.NodeID{n}, 0, 1)
	if len(sub.Nodes) != 1 {
		writeError(w, http.StatusNotFound, "no such node")
		return
	}
	vn := decorate(snap, sub.Nodes[0], nil)
	if rg, ok := snap.ring[vn.RingID]; ok {
		for _, m := range rg.Members {
			if entityKey(m.Kind, m.ID) == entityKey(rings.MemberKind(g.Kind(n)), vn.Key) {
				vn.Role = m.Role
			}
		}
	}
	vn.Hop = 0
	hits, total := nodeRuleHits(g, snap.findings, n, maxNodeHits)
	writeJSON(w, http.StatusOK, struct {
		viewNode
		Degree        int                 `json:"degree"`
		RuleHits      []findings.Evidence `json:"rule_hits"`       // largest amount first, at most maxNodeHits
		RuleHitsTotal int                 `json:"rule_hits_total"` // hits concerning the node in all
	}{vn, g.Degree(n), hits, total})
}

// reach counts the distinct nodes within hops hops of seeds (seeds
// included), without a cap: the total behind a truncated subgraph.
func reach(g *graph.Graph, seeds []graph.NodeID, hops int) int {
	seen := make(map[graph.NodeID]bool, len(seeds))
	frontier := make([]graph.NodeID, 0, len(seeds))
	for _, n := range seeds {
		if !seen[n] {
			seen[n] = true
			frontier = append(frontier, n)
		}
	}
	for h := 0; h < hops && len(frontier) > 0; h++ {
		var next []graph.NodeID
		for _, f := range frontier {
			nbr, _ := g.Neighbors(f)
			for _, m := range nbr {
				if !seen[m] {
					seen[m] = true
					next = append(next, m)
				}
			}
		}
		frontier = next
	}
	return len(seen)
}

func (s *Server) handleNeighbors(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit", defaultNeighbors, maxNeighbors)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g, snap, n, ok := s.lookupNode(w, r)
	if !ok {
		return
	}
	v := view(snap, g.Neighbourhood([]graph.NodeID{n}, 1, limit+1), nil)
	if v.Truncated {
		v.TotalNodes = reach(g, []graph.NodeID{n}, 1)
	}
	writeJSON(w, http.StatusOK, v)
}

// placeholderFS is the page served until the web app is embedded.
func placeholderFS() fs.FS {
	sub, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		return placeholder
	}
	return sub
}
