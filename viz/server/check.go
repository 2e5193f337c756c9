package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
)

// maxCheckFees bounds the fee lines of one checked claim.
const maxCheckFees = 10000

// checkHandler serves POST /api/v1/check: one claim checked against the
// current graph and findings before or during settlement
// (algorithms/check). A check takes the data lock for reading only, like
// the other reads of the API, and only while it copies what it reads, so
// it never waits for a full run (which builds its own tables and takes the
// lock only to swap them in); it waits for an incremental update only
// while that appends rows and re-scores. It keeps
// the index of the current graph (the person's history, claims appended
// after the full run included) and rebuilds it when a full run swaps the
// graph. Checking changes nothing: the claim is neither stored nor
// scored; POST /api/v1/claims settles.
type checkHandler struct {
	s       *Server
	checker *check.Checker
	err     error // why checker is nil

	mu  sync.Mutex
	idx *check.Index // of the graph last checked against
}

// newCheckHandler returns the handler of POST /api/v1/check, checking
// with the server's rule library and decision policy (Config.CheckPolicy,
// the default when it has no rows).
func newCheckHandler(s *Server) *checkHandler {
	c, err := check.New(check.Options{Rules: s.cfg.Detect.Rules, Policy: s.cfg.CheckPolicy})
	return &checkHandler{s: s, checker: c, err: err}
}

// checkRequest is the body of POST /api/v1/check.
type checkRequest struct {
	Visit    json.RawMessage   `json:"visit"`
	FeeLines []json.RawMessage `json:"fee_lines"`
	// Stage is "before", "during" or "" (both).
	Stage string `json:"stage"`
}

// checkReply is the body of a successful check.
type checkReply struct {
	*check.Result
	DecisionZh string `json:"decision_zh"`
	DecisionEn string `json:"decision_en"`
	// Generation is the generation of the findings checked against.
	Generation int `json:"generation"`
}

// ServeHTTP checks the claim of the request.
func (h *checkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.checker == nil {
		writeError(w, http.StatusInternalServerError, "check unavailable: "+h.err.Error())
		return
	}
	data, ok := readBody(w, r, h.s.cfg.MaxBody)
	if !ok {
		return
	}
	req, stages, err := decodeCheck(data)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	reply, code, fail := h.check(r, req, stages)
	if fail != nil {
		writeJSON(w, code, fail)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// readBody reads r's body up to limit bytes, answering 413 or 400 itself
// when it cannot.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", limit))
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "reading body failed")
		return nil, false
	}
	return data, true
}

// decodeCheck decodes a check request and its stage.
func decodeCheck(data []byte) (*checkRequest, rules.Stages, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	req := new(checkRequest)
	if err := dec.Decode(req); err != nil {
		return nil, 0, errors.New(`body: want {"visit": {...}, "fee_lines": [{...}], "stage": "before|during"}`)
	}
	if dec.More() {
		return nil, 0, errors.New("body: one JSON object expected")
	}
	if len(bytes.TrimSpace(req.Visit)) == 0 || string(bytes.TrimSpace(req.Visit)) == "null" {
		return nil, 0, errors.New("visit: required")
	}
	if len(req.FeeLines) > maxCheckFees {
		return nil, 0, fmt.Errorf("fee_lines: more than %d", maxCheckFees)
	}
	var stages rules.Stages
	switch req.Stage {
	case "":
		stages = rules.AtBefore | rules.AtDuring
	case string(rules.Before):
		stages = rules.AtBefore
	case string(rules.During):
		stages = rules.AtDuring
	default:
		return nil, 0, errors.New(`stage: want "before", "during" or none`)
	}
	return req, stages, nil
}

// rowName names row n of a check (1 the visit, n+1 the n-th fee line).
func rowName(n int) string {
	if n <= 1 {
		return "visit"
	}
	return fmt.Sprintf("fee_lines[%d]", n-2)
}

// check parses and validates the claim of req (parseClaim) and checks it
// against the current graph and findings: the reads of the check
// (check.Checker.Prepare: the person's history copied into a small city of
// its own, the signals) under the data lock, the rules after it is
// released (check.Prepared.Run), so that a check holds the lock for tens
// of microseconds and an incremental update waits for none of its rules.
func (h *checkHandler) check(r *http.Request, req *checkRequest, stages rules.Stages) (*checkReply, int, *apiError) {
	prep, gen, code, fail := h.prepare(r.Context(), req, stages)
	if fail != nil {
		return nil, code, fail
	}
	res, err := prep.Run(r.Context())
	if err != nil {
		return nil, http.StatusInternalServerError, &apiError{Error: "check failed: " + strings.TrimPrefix(err.Error(), "check: ")}
	}
	return &checkReply{Result: res, Generation: gen,
		DecisionZh: vocab.Label(vocab.CheckDecisions, string(res.Decision), vocab.LangZh),
		DecisionEn: vocab.Label(vocab.CheckDecisions, string(res.Decision), vocab.LangEn)}, http.StatusOK, nil
}

// prepare validates the claim of req and prepares its check under the data
// lock; it returns the generation of the findings read.
func (h *checkHandler) prepare(ctx context.Context, req *checkRequest, stages rules.Stages) (*check.Prepared, int, int, *apiError) {
	s := h.s
	// The workspace's register of today's suspended and terminated staff
	// and its open cases, each read at most every wsRefresh, before the
	// data lock: an update never waits on a query of the workspace.
	var view check.View
	now := time.Now()
	if reg := s.wsReads.register(ctx, now.Format(time.DateOnly), now); reg != nil {
		view.Staff = reg
	}
	if oc := s.wsReads.openCases(ctx, now); oc != nil {
		view.Cases = oc
	}
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	s.mu.RLock()
	g, snap, gen := s.g, s.snap, s.status.Generation
	s.mu.RUnlock()
	if g == nil {
		return nil, 0, http.StatusServiceUnavailable, &apiError{Error: errNotReady.Error()}
	}
	b, fail := parseClaim(req, g.Tables())
	if fail != nil {
		return nil, 0, http.StatusBadRequest, fail
	}
	claim := &check.Claim{Visit: b.visits[0], Fees: b.fees, Stages: stages}
	s.mu.RLock()
	claim.Settled = s.visitIDs[claim.Visit.MdtrtID] // accepted, perhaps not applied yet
	s.mu.RUnlock()
	view.Index, view.Findings = h.index(g), snap.findings
	prep, err := h.checker.Prepare(view, claim)
	if err != nil {
		return nil, 0, http.StatusInternalServerError, &apiError{Error: "check failed: " + strings.TrimPrefix(err.Error(), "check: ")}
	}
	return prep, gen, http.StatusOK, nil
}

// parseClaim parses and validates the claim of req against t with the
// intake's row parser (rowParser: ingest.ParseVisit / ParseFee, unknown
// keys and refunds refused, references checked), except that the claim's
// ids may be settled already: a check of a settled claim says so. The
// visit is row 1, the n-th fee line row n+1.
func parseClaim(req *checkRequest, t *graph.Tables) (*batch, *apiError) {
	lk := lookups{
		person:      func(c string) bool { return t.Persons.IDs.Lookup(c) != graph.None },
		institution: func(c string) bool { return t.Institutions.IDs.Lookup(c) != graph.None },
		visit:       func(string) bool { return false },
		fee:         func(string, string) bool { return false },
	}
	b := &batch{fees: make([]claims.FeeLine, 0, len(req.FeeLines))}
	visits, fees := make(map[string]bool, 1), make(map[string]bool, len(req.FeeLines))
	for i, raw := range append([]json.RawMessage{req.Visit}, req.FeeLines...) {
		row := i + 1
		rec, field, err := decodeRow(bytes.TrimSpace(raw))
		if err != nil {
			return nil, rowFail(&RowError{Row: row, Field: field, Reason: err.Error()})
		}
		p := rowParser{rec: rec, row: row}
		if row == 1 {
			v, err := p.visit(lk, visits)
			if err != nil {
				return nil, rowFail(err)
			}
			b.visits = append(b.visits, v)
			continue
		}
		f, err := p.fee(lk, visits, fees)
		if err != nil {
			return nil, rowFail(err)
		}
		b.fees = append(b.fees, f)
	}
	return b, nil
}

// rowFail turns a row's problem into the reply, naming the part of the
// request ("visit", "fee_lines[2]") and never a value.
func rowFail(err error) *apiError {
	var re *RowError
	if !errors.As(err, &re) {
		return &apiError{Error: err.Error()}
	}
	msg := rowName(re.Row) + ": " + re.Reason
	if re.Field != "" {
		msg = rowName(re.Row) + ": field " + re.Field + ": " + re.Reason
	}
	return &apiError{Error: msg, Row: re.Row, Field: re.Field}
}

// index returns the index of g, with the rows appended to its tables so
// far; the data lock must be held (for reading).
func (h *checkHandler) index(g *graph.Graph) *check.Index {
	h.mu.Lock()
	if h.idx == nil || h.idx.Graph() != g {
		h.idx = check.NewIndex(g)
	}
	idx := h.idx
	h.mu.Unlock()
	idx.Sync()
	return idx
}
