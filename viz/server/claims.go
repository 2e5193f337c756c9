package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
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

// maxIDLen bounds identifiers (mdtrt_id is C30 in the contract; other codes
// are shorter, but allow some slack).
const maxIDLen = 64

// knownVisitColumns and knownFeeColumns are the contract columns of the two
// row kinds; other keys are rejected so that typos do not pass silently.
var (
	knownVisitColumns = set("mdtrt_id", "setl_id", "psn_no", "fixmedins_code", "med_type", "begntime", "endtime",
		"atddr_no", "dise_codg", "dise_name", "medfee_sumamt", "fund_pay_sumamt", "mdtrt_cert_type", "refd_setl_flag")
	knownFeeColumns = set("feedetl_sn", "mdtrt_id", "med_list_codg", "med_list_name", "list_type", "cnt", "pric",
		"det_item_fee_sumamt", "fee_ocur_time", "bilg_dr_codg", "prd_days", "drug_trac_codg")
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
		p := rowParser{rec: rec, row: row}
		switch {
		case has(rec, "feedetl_sn"):
			f, err := p.fee(lk, newVisits, newFees)
			if err != nil {
				return nil, err
			}
			b.fees = append(b.fees, f)
		case has(rec, "psn_no") || has(rec, "begntime"):
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

// has reports whether rec has key.
func has(rec map[string]string, key string) bool { _, ok := rec[key]; return ok }

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

// rowParser reads the fields of one row. It keeps the first problem in
// err; once it is set, every further read returns a zero value, so that a
// row is read top to bottom and the first problem is the one reported.
type rowParser struct {
	rec map[string]string
	row int
	err error
}

// failf records a problem of field unless one is recorded already.
func (p *rowParser) failf(field, format string, args ...any) {
	if p.err == nil {
		p.err = &RowError{Row: p.row, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

// str returns a text field; required fields must not be empty.
func (p *rowParser) str(field string, required bool) string {
	v := p.rec[field]
	switch {
	case p.err != nil:
		return ""
	case v == "" && required:
		p.failf(field, "required")
	case utf8.RuneCountInString(v) > maxIDLen*4:
		p.failf(field, "too long")
	default:
		return v
	}
	return ""
}

// code returns an identifier field: no spaces, at most maxIDLen bytes.
func (p *rowParser) code(field string, required bool) string {
	v := p.str(field, required)
	if len(v) > maxIDLen || strings.ContainsAny(v, " \t\r\n") {
		p.failf(field, "not a valid code")
		return ""
	}
	return v
}

// Time layouts accepted for times (Asia/Shanghai).
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02", "20060102150405"}

// time returns a time field, claims.NoTime when absent.
func (p *rowParser) time(field string, required bool) claims.Time {
	v := p.str(field, required)
	if v == "" {
		return claims.NoTime
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, v, claims.Shanghai()); err == nil {
			if t.Year() < 1990 || t.Year() > 2100 {
				p.failf(field, "time out of range")
				return claims.NoTime
			}
			return claims.TimeOf(t)
		}
	}
	p.failf(field, "unparseable time, want YYYY-MM-DD HH:MM:SS")
	return claims.NoTime
}

// decimal parses a non-negative decimal with at most places decimals into
// an integer scaled by 10^places.
func (p *rowParser) decimal(field string, required bool, places int) int64 {
	v := p.str(field, required)
	if v == "" {
		return 0
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(whole) > 12 || len(frac) > places || strings.Trim(whole+frac, "0123456789") != "" {
		p.failf(field, "want a non-negative amount with at most %d decimals", places)
		return 0
	}
	// At most 12 + places digits: no overflow for places <= 6.
	n, _ := strconv.ParseInt(whole+frac+strings.Repeat("0", places-len(frac)), 10, 64)
	return n
}

// integer parses an integer field in [lo, hi].
func (p *rowParser) integer(field string, required bool, lo, hi int64) int64 {
	v := p.str(field, required)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		p.failf(field, "want an integer from %d to %d", lo, hi)
		return 0
	}
	return n
}

// unknownKeys rejects keys that are not columns of the row kind.
func (p *rowParser) unknownKeys(known map[string]bool) {
	for k := range p.rec {
		if !known[k] {
			p.failf(k, "unknown column")
		}
	}
}

// visit parses and validates a visit row; seen holds the visit ids of the
// batch so far.
func (p *rowParser) visit(lk lookups, seen map[string]bool) (claims.Visit, error) {
	p.unknownKeys(knownVisitColumns)
	v := claims.Visit{MdtrtID: p.code("mdtrt_id", true)}
	if p.err == nil && (seen[v.MdtrtID] || lk.visit(v.MdtrtID)) {
		p.failf("mdtrt_id", "duplicate visit id")
	}
	v.SetlID = p.code("setl_id", false)
	if v.PsnNo = p.code("psn_no", true); p.err == nil && !lk.person(v.PsnNo) {
		p.failf("psn_no", "unknown person")
	}
	if v.InstitutionCode = p.code("fixmedins_code", true); p.err == nil && !lk.institution(v.InstitutionCode) {
		p.failf("fixmedins_code", "unknown institution")
	}
	v.MedType = claims.MedType(p.integer("med_type", true, 0, 99))
	if !v.MedType.Outpatient() && !v.MedType.Inpatient() && !v.MedType.Pharmacy() {
		p.failf("med_type", "unknown medical type")
	}
	v.Begin = p.time("begntime", true)
	if v.End = p.time("endtime", v.MedType.Inpatient()); v.End != claims.NoTime && v.End < v.Begin {
		p.failf("endtime", "before begntime")
	}
	v.DoctorCode = p.code("atddr_no", false)
	v.DiseCode = p.code("dise_codg", false)
	v.DiseName = p.str("dise_name", false)
	v.MedFee = claims.Money(p.decimal("medfee_sumamt", true, 2))
	if v.FundPay = claims.Money(p.decimal("fund_pay_sumamt", true, 2)); v.FundPay > v.MedFee {
		p.failf("fund_pay_sumamt", "greater than medfee_sumamt")
	}
	v.CertType = claims.CertType(p.integer("mdtrt_cert_type", false, 0, 3))
	if p.integer("refd_setl_flag", false, 0, 1) == 1 {
		p.failf("refd_setl_flag", "refund rows are not accepted by the API")
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
	f := claims.FeeLine{FeedetlSn: p.code("feedetl_sn", true), MdtrtID: p.code("mdtrt_id", true)}
	if p.err == nil && !visits[f.MdtrtID] && !lk.visit(f.MdtrtID) {
		p.failf("mdtrt_id", "unknown visit")
	}
	key := f.MdtrtID + "\x00" + f.FeedetlSn
	if p.err == nil && (seen[key] || lk.fee(f.MdtrtID, f.FeedetlSn)) {
		p.failf("feedetl_sn", "duplicate fee line of this visit")
	}
	f.ItemCode = p.code("med_list_codg", true)
	f.ItemName = p.str("med_list_name", false)
	switch lt := p.integer("list_type", false, 0, 999); lt {
	case 0, 101, 102, 201, 301:
		f.ListType = uint16(lt)
	default:
		p.failf("list_type", "want 101, 102, 201 or 301")
	}
	if cnt := p.str("cnt", true); p.err == nil {
		var err error
		if f.Count, err = strconv.ParseFloat(cnt, 64); err != nil || !(f.Count > 0 && f.Count <= 1e9) {
			p.failf("cnt", "want a positive quantity")
		}
	}
	f.Price = claims.Price(p.decimal("pric", true, 6))
	f.Amount = claims.Money(p.decimal("det_item_fee_sumamt", true, 2))
	f.Time = p.time("fee_ocur_time", true)
	f.DoctorCode = p.code("bilg_dr_codg", false)
	f.SupplyDays = int32(p.integer("prd_days", false, 0, 3650))
	f.TraceCode = p.code("drug_trac_codg", false)
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
func (s *Server) accept(r io.Reader, mark *followMark) (visits, fees int, err error) {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	b, err := s.validate(r)
	if err != nil {
		return 0, 0, err
	}
	if len(b.visits)+len(b.fees) == 0 {
		return 0, 0, nil
	}
	if s.wal != nil {
		if err := s.wal.append(newWALRecord(b, mark)); err != nil {
			s.logf("claims not stored: %v", err)
			return 0, 0, fmt.Errorf("%w: %v", errNotStored, err)
		}
	}
	s.mu.Lock()
	s.record(b)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return len(b.visits), len(b.fees), nil
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
	nv, nf, err := s.accept(bytes.NewReader(data), nil)
	var re *RowError
	switch {
	case errors.As(err, &re):
		writeJSON(w, http.StatusBadRequest, apiError{Error: re.Error(), Row: re.Row, Field: re.Field})
		return
	case errors.Is(err, errNotReady):
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
	if nv+nf == 0 {
		status = "no rows"
	}
	writeJSON(w, http.StatusAccepted, claimsReply{Visits: nv, FeeLines: nf, Status: status})
}

// ackStatus is the status text of an accepted batch.
func (s *Server) ackStatus() string {
	if s.wal != nil {
		return "stored; queued for incremental scoring"
	}
	return "queued for incremental scoring"
}
