package ingest

import (
	"sort"
	"strings"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// Columns of mdtrt.
const (
	vID = iota
	vSetl
	vPsn
	vIns
	vMedType
	vBegin
	vEnd
	vDoctor
	vDise
	vDiseName
	vMedFee
	vFund
	vCert
	vRefund
)

var mdtrtCols = []column{
	{"mdtrt_id", true}, {"setl_id", false}, {"psn_no", true}, {"fixmedins_code", true},
	{"med_type", true}, {"begntime", true}, {"endtime", false}, {"atddr_no", false},
	{"dise_codg", false}, {"dise_name", false}, {"medfee_sumamt", true}, {"fund_pay_sumamt", true},
	{"mdtrt_cert_type", false}, {"refd_setl_flag", false},
}

// visitRow is a parsed visit with its person and institution rows, looked
// up by the parsing workers (those tables are complete and read-only while
// visits are read).
type visitRow struct {
	claims.Visit
	person, inst uint32
	idHash       uint64 // intern.PackedHash of MdtrtID, for prefetching
}

// mdtrtSpec returns the visit parser, which resolves persons and
// institutions in l.
func (l *loader) mdtrtSpec() *spec[visitRow] {
	persons, insts := l.t.Persons.IDs, l.t.Institutions.IDs
	ids := l.t.Visits.IDs
	return &spec[visitRow]{table: tableMdtrt, cols: mdtrtCols,
		parse: func(v []string, r *visitRow) (rowErr, bool) { return parseVisit(v, &r.Visit) },
		resolve: func(rows []visitRow, errs []rowErr, _ *refMemo) {
			for i := range rows {
				if errs[i].reason == "" {
					rows[i].person = persons.Lookup(rows[i].PsnNo)
				}
			}
			for i := range rows {
				if errs[i].reason == "" {
					rows[i].inst = insts.Lookup(rows[i].InstitutionCode)
					rows[i].idHash = intern.PackedHash(rows[i].MdtrtID)
				}
			}
		},
		// The visit ids are mostly new: each insert misses the cache.
		prefetch: func(rows []visitRow, errs []rowErr) uint32 {
			var sink uint32
			for i := range rows {
				if errs[i].reason == "" {
					sink += ids.Prefetch(rows[i].idHash)
				}
			}
			return sink
		}}
}

// parseVisit parses a visit row. The id and refund flag come first so that
// a rejected row can still be remembered by id.
func parseVisit(v []string, vi *claims.Visit) (rowErr, bool) {
	vi.MdtrtID = v[vID]
	switch v[vRefund] {
	case "", "0":
	case "1":
		vi.Refund = true
	default:
		return bad(vRefund, "invalid refd_setl_flag, want 0 or 1", v[vRefund]), false
	}
	if e, ok := required(v, vID, vPsn, vIns, vMedType, vBegin, vMedFee, vFund); !ok {
		return e, false
	}
	vi.SetlID, vi.PsnNo, vi.InstitutionCode = v[vSetl], v[vPsn], v[vIns]
	vi.DoctorCode, vi.DiseCode, vi.DiseName = v[vDoctor], v[vDise], v[vDiseName]
	mt, ok := parseInt(v[vMedType])
	if !ok || mt < 10 || mt > 99 {
		return bad(vMedType, "med_type not an integer code 10-99", v[vMedType]), false
	}
	vi.MedType = claims.MedType(mt)
	if vi.Begin, ok = parseTime(v[vBegin]); !ok {
		return bad(vBegin, reasonTime, v[vBegin]), false
	}
	vi.End = claims.NoTime
	if s := v[vEnd]; s != "" {
		if vi.End, ok = parseTime(s); !ok {
			return bad(vEnd, reasonTime, s), false
		}
		if vi.End < vi.Begin {
			return bad(vEnd, "endtime before begntime", s), false
		}
	} else if vi.MedType.Inpatient() && !vi.Refund {
		return bad(vEnd, "inpatient visit without endtime", ""), false
	}
	var reason string
	if vi.MedFee, reason, ok = parseMoney(v[vMedFee]); !ok {
		return bad(vMedFee, reason, v[vMedFee]), false
	}
	if vi.FundPay, reason, ok = parseMoney(v[vFund]); !ok {
		return bad(vFund, reason, v[vFund]), false
	}
	if vi.Refund {
		vi.MedFee, vi.FundPay = -abs(vi.MedFee), -abs(vi.FundPay)
	} else if vi.MedFee < 0 {
		return bad(vMedFee, "negative amount on a non-refund row", v[vMedFee]), false
	} else if vi.FundPay < 0 {
		return bad(vFund, "negative amount on a non-refund row", v[vFund]), false
	} else if vi.FundPay > vi.MedFee {
		return bad(vFund, "fund_pay_sumamt greater than medfee_sumamt", v[vFund]), false
	}
	switch v[vCert] {
	case "":
		vi.CertType = claims.CertNone
	case "01", "1":
		vi.CertType = claims.CertEVoucher
	case "02", "2":
		vi.CertType = claims.CertIDCard
	case "03", "3":
		vi.CertType = claims.CertSocialCard
	default:
		return bad(vCert, "invalid mdtrt_cert_type, want 01, 02 or 03", v[vCert]), false
	}
	return rowErr{}, true
}

func abs(m claims.Money) claims.Money {
	if m < 0 {
		return -m
	}
	return m
}

// visitRefund is a refund row waiting for the end of the visit file.
type visitRefund struct {
	id      string
	person  uint32
	inst    uint32
	begin   claims.Time
	medFee  claims.Money
	fundPay claims.Money
	line    int64
}

func (l *loader) applyVisit(r *visitRow, line int64) (rowErr, bool) {
	vi, person, inst := &r.Visit, r.person, r.inst
	if person == graph.None {
		l.rejectedVisit(r, line)
		return bad(vPsn, "unknown person", vi.PsnNo), false
	}
	if inst == graph.None {
		l.rejectedVisit(r, line)
		return bad(vIns, reasonUnknownIns, vi.InstitutionCode), false
	}
	if vi.Refund {
		l.refunds = append(l.refunds, visitRefund{id: strings.Clone(vi.MdtrtID), person: person, inst: inst,
			begin: vi.Begin, medFee: vi.MedFee, fundPay: vi.FundPay, line: line})
		return rowErr{}, false // deferred
	}
	row, added := l.t.AddVisit(vi, person, inst, uint32(line))
	if !added {
		return bad(vID, firstAt("mdtrt_id", l.t.Visits.Line.At(row)), vi.MdtrtID), false
	}
	return rowErr{}, true
}

// rejectedVisit remembers the id of a rejected non-refund visit row so that
// its fee lines can say why they are rejected.
func (l *loader) rejectedVisit(r *visitRow, line int64) {
	vi := &r.Visit
	if vi.Refund || vi.MdtrtID == "" {
		return
	}
	if _, seen := l.rejectedIDs[vi.MdtrtID]; !seen {
		l.rejectedIDs[strings.Clone(vi.MdtrtID)] = line
	}
}

// resolveVisitRefunds nets every deferred refund into the visit it
// reverses: the visit with the same mdtrt_id, else the latest visit of the
// same person at the same institution, not after the refund, whose net fund
// amount equals the refund's.
func (l *loader) resolveVisitRefunds() error {
	vt := &l.t.Visits
	target := make([]uint32, len(l.refunds))
	byPerson := map[uint32][]uint32{} // persons needing a search -> their visits
	for i := range l.refunds {
		target[i] = vt.IDs.Lookup(l.refunds[i].id)
		if target[i] == graph.None {
			byPerson[l.refunds[i].person] = nil
		}
	}
	if len(byPerson) > 0 {
		for row, p := range vt.Person {
			if list, ok := byPerson[p]; ok {
				byPerson[p] = append(list, uint32(row))
			}
		}
	}
	for i := range l.refunds {
		rf := &l.refunds[i]
		row := target[i]
		if row == graph.None {
			row = l.matchRefund(rf, byPerson[rf.person])
		}
		if row == graph.None {
			if err := l.reject(rf.line, "mdtrt_id", "refund reverses no visit", rf.id); err != nil {
				return err
			}
			continue
		}
		vt.MedFee.Set(row, vt.MedFee.At(row)+rf.medFee)
		vt.FundPay.Set(row, vt.FundPay.At(row)+rf.fundPay)
		vt.Flags[row] |= graph.VisitRefunded
		if vt.FundPay.At(row) <= 0 {
			vt.Flags[row] |= graph.VisitReversed
		}
		l.rep.Accepted++
		l.rep.RefundsNetted++
	}
	l.refunds = nil
	return nil
}

// matchRefund finds the visit among rows that rf reverses when its id is
// unknown.
func (l *loader) matchRefund(rf *visitRefund, rows []uint32) uint32 {
	vt := &l.t.Visits
	best := uint32(graph.None)
	for _, r := range rows {
		if vt.Institution[r] != rf.inst || vt.Begin.At(r) > rf.begin || vt.FundPay.At(r) != -rf.fundPay {
			continue
		}
		if best == graph.None || vt.Begin.At(r) >= vt.Begin.At(best) {
			best = r
		}
	}
	return best
}

// sortRejects orders post-pass rejects by line.
func sortRejects(rs []pendingReject) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].line < rs[j].line })
}

// pendingReject is a rejection found after a file was read.
type pendingReject struct {
	line        int64
	col, reason string
	value       string
}
