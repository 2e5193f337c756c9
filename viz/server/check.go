package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/ingest"
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

	bufs sync.Pool // *checkBuffer, for request bodies and replies

	// columns maps each column name of the contract to itself, so that
	// decoding a row does not allocate its keys (read only).
	columns map[string]string
}

// checkBuffer is a buffer that a check reuses for its request body or
// its reply, with a JSON encoder writing to it, and the record its rows
// are decoded into (with the body).
type checkBuffer struct {
	bytes.Buffer
	enc *json.Encoder
	rec record
}

// maxPooledBuffer is the largest buffer kept for reuse: a rare large body
// is left to the collector rather than held.
const maxPooledBuffer = 64 << 10

// buffer returns an empty buffer, reused when the pool has one.
func (h *checkHandler) buffer() *checkBuffer {
	if b, ok := h.bufs.Get().(*checkBuffer); ok {
		return b
	}
	b := new(checkBuffer)
	b.enc = json.NewEncoder(&b.Buffer)
	return b
}

// release empties b and leaves it for reuse; nothing may use b, or bytes
// it returned, afterwards.
func (h *checkHandler) release(b *checkBuffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	h.bufs.Put(b)
}

// newCheckHandler returns the handler of POST /api/v1/check, checking
// with the server's rule library and decision policy (Config.CheckPolicy,
// the default when it has no rows).
func newCheckHandler(s *Server) *checkHandler {
	c, err := check.New(check.Options{Rules: s.cfg.Detect.Rules, Policy: s.cfg.CheckPolicy})
	columns := make(map[string]string)
	for _, cols := range [][]string{ingest.VisitColumns(), ingest.FeeColumns()} {
		for _, k := range cols {
			columns[k] = k
		}
	}
	return &checkHandler{s: s, checker: c, err: err, columns: columns}
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
	body := h.buffer()
	defer h.release(body) // after the check: the request's rows are slices of the body
	data, ok := readBody(w, r, h.s.cfg.MaxBody, &body.Buffer)
	if !ok {
		return
	}
	req, stages, err := decodeCheck(data)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	reply, code, fail := h.check(r, req, stages, &body.rec)
	if fail != nil {
		writeJSON(w, code, fail)
		return
	}
	h.writeReply(w, reply)
}

// writeReply writes reply with status 200, as writeJSON does, encoded in
// a reused buffer.
func (h *checkHandler) writeReply(w http.ResponseWriter, reply *checkReply) {
	b := h.buffer()
	defer h.release(b)
	if err := b.enc.Encode(reply); err != nil { // json.Marshal's bytes and a newline
		writeError(w, http.StatusInternalServerError, "encoding failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// readBody reads r's body up to limit bytes into buf and returns its
// bytes (valid while buf is), answering 413 or 400 itself when it cannot.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, buf *bytes.Buffer) ([]byte, bool) {
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	data := buf.Bytes()
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

// decodeCheck decodes a check request and its stage. The request's rows
// are slices of data (valid while data is). A valid JSON body is split by
// hand, without copying its rows (what a check allocates makes the
// collector run beside the checks); any other body goes through
// decodeCheckStd, whose errors it gives.
func decodeCheck(data []byte) (*checkRequest, rules.Stages, error) {
	if !json.Valid(data) {
		return decodeCheckStd(data)
	}
	req := new(checkRequest)
	sc := jsonScan{b: data}
	sc.space()
	switch sc.peek() {
	case 'n': // null, as decoding into the struct: no field set
	case '{':
		sc.i++
		for {
			sc.space()
			if sc.peek() == '}' {
				break
			}
			key := sc.value()
			sc.space()
			sc.i++ // ':'
			sc.space()
			val := sc.value()
			switch {
			case jsonKeyIs(key, "visit"):
				req.Visit = val
			case jsonKeyIs(key, "fee_lines"):
				rows, ok := jsonArray(val, req.FeeLines[:0])
				if !ok {
					return nil, 0, errCheckBody
				}
				req.FeeLines = rows
			case jsonKeyIs(key, "stage"):
				if val[0] == 'n' {
					break // null leaves it unset
				}
				st, err := jsonString(val)
				if err != nil {
					return nil, 0, errCheckBody
				}
				req.Stage = st
			default:
				return nil, 0, errCheckBody // unknown field
			}
			sc.space()
			if sc.peek() == ',' {
				sc.i++
			}
		}
	default:
		return nil, 0, errCheckBody
	}
	return checkStages(req)
}

// errCheckBody refuses a body that is not a check request.
var errCheckBody = errors.New(`body: want {"visit": {...}, "fee_lines": [{...}], "stage": "before|during"}`)

// decodeCheckStd is decodeCheck by encoding/json: the reference decodeCheck
// keeps to, and the errors of a body that is not valid JSON.
func decodeCheckStd(data []byte) (*checkRequest, rules.Stages, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	req := new(checkRequest)
	if err := dec.Decode(req); err != nil {
		return nil, 0, errCheckBody
	}
	if dec.More() {
		return nil, 0, errors.New("body: one JSON object expected")
	}
	return checkStages(req)
}

// checkStages checks a decoded request and returns its stages.
func checkStages(req *checkRequest) (*checkRequest, rules.Stages, error) {
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

// jsonKeyIs reports whether the JSON string literal key names field as
// encoding/json matches keys to a struct's fields (case folded).
func jsonKeyIs(key []byte, field string) bool {
	if bytes.IndexByte(key, '\\') >= 0 {
		k, err := jsonString(key)
		return err == nil && strings.EqualFold(k, field)
	}
	return bytes.EqualFold(key[1:len(key)-1], []byte(field))
}

// jsonArray appends to dst the elements of the valid JSON value v, which
// must be an array or null (nil), as slices of v.
func jsonArray(v []byte, dst []json.RawMessage) ([]json.RawMessage, bool) {
	switch v[0] {
	case 'n':
		return nil, true
	case '[':
	default:
		return nil, false
	}
	sc := jsonScan{b: v, i: 1}
	for {
		sc.space()
		if sc.peek() == ']' {
			break
		}
		dst = append(dst, sc.value())
		sc.space()
		if sc.peek() == ',' {
			sc.i++
		}
	}
	if dst == nil {
		dst = []json.RawMessage{} // an empty array, not null
	}
	return dst, true
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
// The rows are decoded into rec, scratch the check reuses.
func (h *checkHandler) check(r *http.Request, req *checkRequest, stages rules.Stages, rec *record) (*checkReply, int, *apiError) {
	prep, gen, code, fail := h.prepare(r.Context(), req, stages, rec)
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

// prepare validates the claim of req (its rows decoded into rec) and
// prepares its check under the data lock; it returns the generation of the
// findings read.
func (h *checkHandler) prepare(ctx context.Context, req *checkRequest, stages rules.Stages, rec *record) (*check.Prepared, int, int, *apiError) {
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
	b, fail := parseClaimWith(req, g.Tables(), h.columns, rec)
	if fail != nil {
		return nil, 0, http.StatusBadRequest, fail
	}
	claim := &check.Claim{Visit: b.visits[0], Fees: b.fees, Stages: stages}
	s.mu.RLock()
	claim.Settled = s.visitIDs[claim.Visit.MdtrtID] // accepted, perhaps not applied yet
	s.mu.RUnlock()
	view.Index, view.Findings, view.Rings = h.index(g), snap.findings, snap.rings
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
	return parseClaimWith(req, t, nil, &record{})
}

// parseClaimWith is parseClaim with the column names of the contract
// (see decodeCheckRow), decoding each row into rec (reused scratch).
func parseClaimWith(req *checkRequest, t *graph.Tables, columns map[string]string, rec *record) (*batch, *apiError) {
	lk := lookups{
		person:      func(c string) bool { return t.Persons.IDs.Lookup(c) != graph.None },
		institution: func(c string) bool { return t.Institutions.IDs.Lookup(c) != graph.None },
		visit:       func(string) bool { return false },
		fee:         func(string, string) bool { return false },
	}
	b := &batch{fees: make([]claims.FeeLine, 0, len(req.FeeLines))}
	visits, fees := make(map[string]bool, 1), make(map[string]bool, len(req.FeeLines))
	for i := range 1 + len(req.FeeLines) {
		row, raw := i+1, req.Visit
		if i > 0 {
			raw = req.FeeLines[i-1]
		}
		// The rows of a decoded request are valid JSON (decodeCheck).
		field, err := decodeCheckRow(bytes.TrimSpace(raw), columns, true, rec)
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

// decodeCheckRow is decodeRow for a row of a check, decoded into rec
// (reset first; after an error its contents are not the row's): the same record and the same errors (where several keys
// are wrong, decodeRow names any one of them, and decodeCheckRow the
// first), with about one allocation per value and none per key or row: a
// check must allocate little (see docs/api.md). valid says that line is
// known to be valid JSON (a row of a request decodeCheck decoded), which
// spares it a second validation. Once line is known to be valid JSON, it
// scans the object itself and leaves only strings with escapes to
// encoding/json. Keys found in columns (a name to itself) take its
// string.
func decodeCheckRow(line []byte, columns map[string]string, valid bool, rec *record) (string, error) {
	rec.reset()
	if !utf8.Valid(line) {
		return "", errors.New("not valid UTF-8")
	}
	if !valid && !json.Valid(line) {
		return "", errors.New("not a JSON object")
	}
	sc := jsonScan{b: line}
	sc.space()
	if sc.peek() == 'n' { // null: no keys, as decodeRow
		return "", nil
	}
	if sc.peek() != '{' {
		return "", errors.New("not a JSON object")
	}
	sc.i++
	type entry struct {
		key string
		val []byte
	}
	var room [32]entry
	entries := room[:0]
	for {
		sc.space()
		if sc.peek() == '}' {
			break
		}
		raw := sc.value()
		key, known := columns[string(raw[1:len(raw)-1])] // a column name needs no unescaping
		if !known {
			var err error
			if key, err = jsonString(raw); err != nil {
				return "", errors.New("not a JSON object")
			}
		}
		sc.space()
		sc.i++ // ':'
		sc.space()
		entries = append(entries, entry{key, sc.value()})
		sc.space()
		if sc.peek() == ',' {
			sc.i++
		}
	}
	for j, e := range entries {
		if slices.ContainsFunc(entries[j+1:], func(later entry) bool { return later.key == e.key }) {
			continue // the last of equal keys counts, as in a map
		}
		v := e.val
		switch {
		case string(v) == "null":
			rec.add(e.key, "")
		case v[0] == '"':
			s, err := jsonString(v)
			if err != nil {
				return e.key, errors.New("invalid string")
			}
			rec.add(e.key, strings.TrimSpace(s))
		case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
			rec.add(e.key, string(v))
		default:
			return e.key, errors.New("want a string or a number")
		}
	}
	return "", nil
}

// jsonString decodes the JSON string literal v.
func jsonString(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' {
		return "", errors.New("not a string")
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil // valid JSON: no escape, no control character
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// jsonScan walks valid JSON.
type jsonScan struct {
	b []byte
	i int
}

// peek returns the byte at the position, 0 at the end.
func (sc *jsonScan) peek() byte {
	if sc.i < len(sc.b) {
		return sc.b[sc.i]
	}
	return 0
}

// space skips white space.
func (sc *jsonScan) space() {
	for sc.i < len(sc.b) && isJSONSpace(sc.b[sc.i]) {
		sc.i++
	}
}

// isJSONSpace reports whether c is JSON white space.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// value skips the value at the position and returns its bytes.
func (sc *jsonScan) value() []byte {
	start := sc.i
	switch sc.peek() {
	case '"':
		sc.str()
	case '{', '[':
		for depth := 0; sc.i < len(sc.b); {
			switch sc.b[sc.i] {
			case '"':
				sc.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			sc.i++
			if depth == 0 {
				break
			}
		}
	default: // a number, true, false or null
		for sc.i < len(sc.b) && !isJSONSpace(sc.b[sc.i]) && sc.b[sc.i] != ',' && sc.b[sc.i] != '}' && sc.b[sc.i] != ']' {
			sc.i++
		}
	}
	return sc.b[start:sc.i]
}

// str skips the string at the position.
func (sc *jsonScan) str() {
	sc.i++
	for sc.i < len(sc.b) && sc.b[sc.i] != '"' {
		if sc.b[sc.i] == '\\' {
			sc.i++
		}
		sc.i++
	}
	sc.i++
}
