package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
)

// RowError rejects one row of a claims batch.
type RowError struct {
	Row    int    // 1-based line of the batch
	Field  string // contract column; "" for whole-row problems
	Reason string
}

// Error formats e as "row 3: field begntime: unparseable time".
func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d: field %s: %s", e.Row, e.Field, e.Reason)
}

// batch is a parsed, validated claims batch.
type batch struct {
	visits []claims.Visit
	fees   []claims.FeeLine
}

// knownVisitColumns and knownFeeColumns are the contract columns of the two
// row kinds; other keys are rejected so that typos do not pass silently.
var (
	knownVisitColumns = set(ingest.VisitColumns()...)
	knownFeeColumns   = set(ingest.FeeColumns()...)
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// lookups tells the validator which entities and visits exist.
type lookups struct {
	person, institution func(code string) bool
	visit               func(mdtrtID string) bool // already stored (base data or accepted)
	fee                 func(mdtrtID, sn string) bool
}

// parseBatch parses JSON Lines rows of visits (rows with psn_no or
// begntime) and fee lines (rows with feedetl_sn) and validates them against
// lk. Blank lines are skipped but counted. The first problem is returned as
// a *RowError; nothing of a batch with a problem is kept.
func parseBatch(r io.Reader, lk lookups) (*batch, error) {
	b := &batch{}
	newVisits := make(map[string]bool)
	newFees := make(map[string]bool)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	row := 0
	for sc.Scan() {
		row++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, field, err := decodeRow(line)
		if err != nil {
			return nil, &RowError{Row: row, Field: field, Reason: err.Error()}
		}
		p := rowParser{rec: recordOf(rec), row: row}
		switch {
		case p.rec.has("feedetl_sn"):
			f, err := p.fee(lk, newVisits, newFees)
			if err != nil {
				return nil, err
			}
			b.fees = append(b.fees, f)
		case p.rec.has("psn_no") || p.rec.has("begntime"):
			v, err := p.visit(lk, newVisits)
			if err != nil {
				return nil, err
			}
			b.visits = append(b.visits, v)
		default:
			return nil, &RowError{Row: row, Reason: "neither a visit (psn_no, begntime) nor a fee line (feedetl_sn)"}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &RowError{Row: row + 1, Reason: "line longer than 1 MiB"}
		}
		return nil, fmt.Errorf("read claims: %w", err)
	}
	return b, nil
}

// decodeRow decodes one JSON object of scalar values; numbers keep their
// text, null and "" mean absent (the key is still recorded). On error it
// names the offending key, if any.
func decodeRow(line []byte) (map[string]string, string, error) {
	if !utf8.Valid(line) {
		return nil, "", errors.New("not valid UTF-8")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, "", errors.New("not a JSON object")
	}
	rec := make(map[string]string, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
			rec[k] = ""
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, k, errors.New("invalid string")
			}
			rec[k] = strings.TrimSpace(s)
		case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
			rec[k] = string(v)
		default:
			return nil, k, errors.New("want a string or a number")
		}
	}
	return rec, "", nil
}

// rowParser checks one row of a batch. Values are parsed by ingest's
// one parser of claims rows (ingest.ParseVisit, ingest.ParseFee: the rules
// of the batch reader); live intake adds what only it needs: keys that are
// not contract columns are refused, refund rows are refused, ids must be
// new and references must exist.
type rowParser struct {
	rec *record
	row int
	err error
}

// failf records a problem of field unless one is recorded already.
func (p *rowParser) failf(field, format string, args ...any) {
	if p.err == nil {
		p.err = &RowError{Row: p.row, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

// get returns the value of column c ("" when absent).
func (p *rowParser) get(c string) string { return p.rec.get(c) }

// unknownKeys rejects keys that are not columns of the row kind, naming
// the least (record.firstUnknown) so that the same row always names the
// same key.
func (p *rowParser) unknownKeys(known map[string]bool) {
	if k, ok := p.rec.firstUnknown(known); ok {
		p.failf(k, "unknown column")
	}
}

// fieldErr turns a parse problem into p's error.
func (p *rowParser) fieldErr(e *ingest.FieldError) {
	if e != nil {
		p.failf(e.Column, "%s", e.Reason)
	}
}

// visit parses and validates a visit row; seen holds the visit ids of the
// batch so far.
func (p *rowParser) visit(lk lookups, seen map[string]bool) (claims.Visit, error) {
	p.unknownKeys(knownVisitColumns)
	if p.err != nil {
		return claims.Visit{}, p.err
	}
	v, fe := ingest.ParseVisit(p.get)
	p.fieldErr(fe)
	switch {
	case p.err != nil:
	case v.Refund:
		p.failf("refd_setl_flag", "refund rows are not accepted by the API")
	case seen[v.MdtrtID] || lk.visit(v.MdtrtID):
		p.failf("mdtrt_id", "duplicate visit id")
	case !lk.person(v.PsnNo):
		p.failf("psn_no", "unknown person")
	case !lk.institution(v.InstitutionCode):
		p.failf("fixmedins_code", "unknown institution")
	}
	if p.err != nil {
		return claims.Visit{}, p.err
	}
	seen[v.MdtrtID] = true
	return v, nil
}

// fee parses and validates a fee line; visits holds the visit ids of the
// batch so far, seen its fee keys.
func (p *rowParser) fee(lk lookups, visits, seen map[string]bool) (claims.FeeLine, error) {
	p.unknownKeys(knownFeeColumns)
	if p.err != nil {
		return claims.FeeLine{}, p.err
	}
	f, fe := ingest.ParseFee(p.get)
	p.fieldErr(fe)
	key := f.MdtrtID + "\x00" + f.FeedetlSn
	switch {
	case p.err != nil:
	case f.Count <= 0 || f.Amount < 0:
		p.failf("cnt", "refund lines are not accepted by the API")
	case !visits[f.MdtrtID] && !lk.visit(f.MdtrtID):
		p.failf("mdtrt_id", "unknown visit")
	case seen[key] || lk.fee(f.MdtrtID, f.FeedetlSn):
		p.failf("feedetl_sn", "duplicate fee line of this visit")
	}
	if p.err != nil {
		return claims.FeeLine{}, p.err
	}
	seen[key] = true
	return f, nil
}

// applyClaims adds accepted visits and fee lines to freshly loaded tables.
// Rows whose references are missing (the base data changed) are skipped.
func applyClaims(t *graph.Tables, visits []claims.Visit, fees []claims.FeeLine) {
	for i := range visits {
		v := &visits[i]
		person := t.Persons.IDs.Lookup(v.PsnNo)
		inst := t.Institutions.IDs.Lookup(v.InstitutionCode)
		if person == graph.None || inst == graph.None {
			continue
		}
		t.AddVisit(v, person, inst, 0)
	}
	for i := range fees {
		f := &fees[i]
		if row := t.Visits.IDs.Lookup(f.MdtrtID); row != graph.None {
			t.AddFee(f, row, 0)
		}
	}
}

// accept validates a claims batch from r against the current data and, when
// every row is valid, logs it durably (when a state directory is set),
// records it and wakes incremental scoring. mark, for rows of a followed
// file, is logged with them. Batches are accepted one at a time (intakeMu),
// so that two cannot both claim the same new visit id and the log holds
// them in the order they are applied; the data locks are held only to
// validate and to record, never across the fsync.
//
// Once the batch is accepted, its claims whose attending or billing doctor
// is suspended or terminated on the claim's date (the workspace's points
// ledger) are flagged: counted in the status and sent to the stream as
// alerts (staffAlerts, publishAlerts), after intake is released.
func (s *Server) accept(ctx context.Context, r io.Reader, mark *followMark) (intakeResult, error) {
	b, err := s.acceptBatch(r, mark)
	if err != nil || b == nil {
		return intakeResult{}, err
	}
	res := intakeResult{visits: len(b.visits), fees: len(b.fees)}
	res.alerts = s.staffAlerts(ctx, b, time.Now())
	if len(res.alerts) > 0 {
		s.logf("intake: %d claims of suspended or terminated doctors flagged", len(res.alerts))
	}
	s.publishAlerts(res.alerts)
	return res, nil
}

// intakeResult is what accept did with a batch: the rows accepted and
// the staff alerts of its claims.
type intakeResult struct {
	visits, fees int
	alerts       []alertMsg
}

// acceptBatch is accept without the staff alerts: it returns the batch
// accepted (nil when empty).
func (s *Server) acceptBatch(r io.Reader, mark *followMark) (*batch, error) {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if s.handedOver {
		return nil, errHandedOver
	}
	b, err := s.validate(r)
	if err != nil {
		return nil, err
	}
	if len(b.visits)+len(b.fees) == 0 {
		return nil, nil
	}
	if s.wal != nil {
		if err := s.wal.append(newWALRecord(b, mark)); err != nil {
			s.logf("claims not stored: %v", err)
			return nil, fmt.Errorf("%w: %v", errNotStored, err)
		}
	}
	s.mu.Lock()
	s.record(b)
	if s.wal != nil {
		s.loggedAt = s.wal.size
	}
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return b, nil
}

// validate parses r against the current tables and the accepted claims.
// The tables are read under dataMu, taken first (see Server).
func (s *Server) validate(r io.Reader) (*batch, error) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.g == nil {
		return nil, errNotReady
	}
	t := s.g.Tables()
	lk := lookups{
		person:      func(c string) bool { return t.Persons.IDs.Lookup(c) != graph.None },
		institution: func(c string) bool { return t.Institutions.IDs.Lookup(c) != graph.None },
		visit:       func(id string) bool { return s.visitIDs[id] || t.Visits.IDs.Lookup(id) != graph.None },
		fee:         func(id, sn string) bool { return s.feeKeys[id+"\x00"+sn] },
	}
	return parseBatch(r, lk)
}

// record adds an accepted (or replayed) batch to the accepted claims;
// s.mu must be held for writing.
func (s *Server) record(b *batch) {
	for _, v := range b.visits {
		s.visitIDs[v.MdtrtID] = true
	}
	for _, f := range b.fees {
		s.feeKeys[f.MdtrtID+"\x00"+f.FeedetlSn] = true
	}
	s.visits = append(s.visits, b.visits...)
	s.fees = append(s.fees, b.fees...)
}

// errNotReady rejects claims before the first detection.
var errNotReady = errors.New("the dataset is still loading; retry when the stats message says ready")

// errNotStored rejects claims that could not be written to the claims log.
var errNotStored = errors.New("claims not stored")

// claimsReply is the body of a successful POST /api/v1/claims.
type claimsReply struct {
	Visits   int    `json:"visits"`
	FeeLines int    `json:"fee_lines"`
	Status   string `json:"status"`
	// StaffAlerts counts the batch's claims (visit and doctor) whose
	// attending or billing doctor is suspended or terminated on the
	// claim's date; Alerts lists the first maxBatchAlerts of them
	// (omitted when none).
	StaffAlerts int        `json:"staff_alerts"`
	Alerts      []alertMsg `json:"alerts,omitempty"`
}

func (s *Server) handleClaims(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	data, err := io.ReadAll(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.cfg.MaxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "reading body failed")
		return
	}
	res, err := s.accept(r.Context(), bytes.NewReader(data), nil)
	var re *RowError
	switch {
	case errors.As(err, &re):
		writeJSON(w, http.StatusBadRequest, apiError{Error: re.Error(), Row: re.Row, Field: re.Field})
		return
	case errors.Is(err, errNotReady), errors.Is(err, errHandedOver):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	case errors.Is(err, errNotStored):
		writeError(w, http.StatusServiceUnavailable, "claims could not be stored durably; nothing was accepted")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	status := s.ackStatus()
	if res.visits+res.fees == 0 {
		status = "no rows"
	}
	writeJSON(w, http.StatusAccepted, claimsReply{Visits: res.visits, FeeLines: res.fees, Status: status,
		StaffAlerts: len(res.alerts), Alerts: res.alerts[:min(len(res.alerts), maxBatchAlerts)]})
}

// ackStatus is the status text of an accepted batch.
func (s *Server) ackStatus() string {
	if s.wal != nil {
		return "stored; queued for incremental scoring"
	}
	return "queued for incremental scoring"
}
