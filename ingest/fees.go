package ingest

import (
	"strconv"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// Columns of fee_list.
const (
	fSn = iota
	fVisit
	fItem
	fItemName
	fListType
	fCnt
	fPrice
	fAmount
	fTime
	fDoctor
	fDays
	fTrace
)

var feeCols = []column{
	{"feedetl_sn", true}, {"mdtrt_id", true}, {"med_list_codg", true}, {"med_list_name", false},
	{"list_type", false}, {"cnt", true}, {"pric", true}, {"det_item_fee_sumamt", true},
	{"fee_ocur_time", true}, {"bilg_dr_codg", false}, {"prd_days", false}, {"drug_trac_codg", false},
}

// feeRow is a parsed fee line with its visit row, looked up by the parsing
// workers (the visit table is complete and read-only while fees are read).
type feeRow struct {
	claims.FeeLine
	visit             uint32
	snHash, traceHash uint64 // intern.Hash of FeedetlSn, intern.PackedHash of TraceCode, for prefetching
}

// feeSpec returns the fee parser, which resolves visits in l.
func (l *loader) feeSpec() *spec[feeRow] {
	ids, strs, traces := l.t.Visits.IDs, l.t.Strings, l.t.Fees.Traces
	return &spec[feeRow]{table: tableFee, cols: feeCols,
		parse: func(v []string, r *feeRow) (rowErr, bool) { return parseFee(v, &r.FeeLine) },
		resolve: func(rows []feeRow, errs []rowErr, memo *refMemo) {
			for i := range rows {
				if errs[i].reason == "" {
					rows[i].visit = memo.lookup(rows[i].MdtrtID, ids)
					rows[i].snHash = intern.Hash(rows[i].FeedetlSn)
					if rows[i].TraceCode != "" {
						rows[i].traceHash = intern.PackedHash(rows[i].TraceCode)
					}
				}
			}
		},
		// feedetl_sn is often unique, and drug trace codes mostly are:
		// their inserts miss the cache.
		prefetch: func(rows []feeRow, errs []rowErr) uint32 {
			var sink uint32
			for i := range rows {
				if errs[i].reason != "" || rows[i].visit == graph.None {
					continue
				}
				sink += strs.Prefetch(rows[i].snHash)
				if rows[i].TraceCode != "" {
					sink += traces.Prefetch(rows[i].traceHash)
				}
			}
			return sink
		},
		first: l.reserveFeeSerials}
}

func parseFee(v []string, f *claims.FeeLine) (rowErr, bool) {
	if e, ok := required(v, fSn, fVisit, fItem, fCnt, fPrice, fAmount, fTime); !ok {
		return e, false
	}
	f.FeedetlSn, f.MdtrtID, f.ItemCode, f.ItemName = v[fSn], v[fVisit], v[fItem], v[fItemName]
	f.DoctorCode, f.TraceCode = v[fDoctor], v[fTrace]
	var e rowErr
	var ok bool
	if f.ListType, e, ok = parseListType(v, fListType); !ok {
		return e, false
	}
	if f.Count, ok = parseFloat(v[fCnt]); !ok {
		return bad(fCnt, reasonFloat, v[fCnt]), false
	}
	var reason string
	if f.Price, reason, ok = parsePrice(v[fPrice]); !ok {
		return bad(fPrice, reason, v[fPrice]), false
	}
	if f.Amount, reason, ok = parseMoney(v[fAmount]); !ok {
		return bad(fAmount, reason, v[fAmount]), false
	}
	if f.Time, ok = parseTime(v[fTime]); !ok {
		return bad(fTime, reasonTime, v[fTime]), false
	}
	f.SupplyDays = 0
	if d := v[fDays]; d != "" {
		n, ok := parseInt(d)
		if !ok || n < 0 || n > 1<<30 {
			return bad(fDays, "prd_days not a non-negative integer", d), false
		}
		f.SupplyDays = int32(n)
	}
	return rowErr{}, true
}

func (l *loader) applyFee(f *feeRow, line int64) (rowErr, bool) {
	visit := f.visit
	if visit == graph.None {
		if at, ok := l.rejectedIDs[f.MdtrtID]; ok {
			return bad(fVisit, "visit rejected at "+l.mdtrtFile+" line "+strconv.FormatInt(at, 10), f.MdtrtID), false
		}
		return bad(fVisit, "unknown visit", f.MdtrtID), false
	}
	l.t.AddFee(&f.FeeLine, visit, uint32(line))
	return rowErr{}, true
}

// isRefundLine reports whether fee row i reverses an earlier charge.
func isRefundLine(ft *graph.FeeTable, i uint32) bool {
	return ft.AmountAt(i) < 0 || ft.AmountAt(i) == 0 && ft.Count.At(i) < 0
}

// resolveFees finds duplicate lines and nets refund lines, visit by visit,
// after the whole fee file is read; rejected and netted rows are then
// removed from the fee table.
func (l *loader) resolveFees() error {
	ft := &l.t.Fees
	n := ft.Len()
	if n == 0 {
		return nil
	}
	drop := make([]uint64, (n+63)/64)
	var rejects []pendingReject
	r := feeResolver{l: l, ft: ft, drop: drop}
	if groups, ok := contiguousGroups(&ft.Visit, l.t.Visits.Len()); ok {
		start := 0
		for _, end := range groups {
			r.group(identityRows(&r.rows, start, int(end)))
			start = int(end)
		}
	} else {
		order, starts := groupByVisit(&ft.Visit, l.t.Visits.Len())
		for v := 0; v+1 < len(starts); v++ {
			if starts[v+1]-starts[v] > 0 {
				r.group(order[starts[v]:starts[v+1]])
			}
		}
	}
	rejects = r.rejects
	sortRejects(rejects)
	for _, rj := range rejects {
		l.rep.Accepted--
		if err := l.reject(rj.line, rj.col, rj.reason, rj.value); err != nil {
			return err
		}
	}
	if r.dropped > 0 {
		ft.Keep(func(i int) bool { return drop[i>>6]&(1<<(i&63)) == 0 })
	}
	return nil
}

// identityRows fills *buf with start..end-1.
func identityRows(buf *[]uint32, start, end int) []uint32 {
	b := (*buf)[:0]
	for i := start; i < end; i++ {
		b = append(b, uint32(i))
	}
	*buf = b
	return b
}

// contiguousGroups reports whether the rows of each visit are contiguous in
// visits (the usual export order) and, if so, returns the end of each run.
func contiguousGroups(visits *graph.Owners, nVisits int) ([]uint32, bool) {
	closed := make([]uint64, (nVisits+63)/64)
	ends := make([]uint32, 0, nVisits)
	// endRun ends the run of visit v before row end; false when v had a
	// run before.
	endRun := func(v, end uint32) bool {
		if closed[v>>6]&(1<<(v&63)) != 0 {
			return false
		}
		closed[v>>6] |= 1 << (v & 63)
		ends = append(ends, end)
		return true
	}
	prev := uint32(0)
	for i, v := range visits.All() {
		if i > 0 && v != prev && !endRun(prev, i) {
			return nil, false
		}
		prev = v
	}
	if n := visits.Len(); n > 0 && !endRun(prev, uint32(n)) {
		return nil, false
	}
	return ends, true
}

// groupByVisit orders fee rows by visit with a stable counting sort: the
// rows of visit v are order[starts[v]:starts[v+1]], in file order.
func groupByVisit(visits *graph.Owners, nVisits int) (order []uint32, starts []uint32) {
	starts = make([]uint32, nVisits+1)
	for _, v := range visits.All() {
		starts[v+1]++
	}
	for v := 1; v <= nVisits; v++ {
		starts[v] += starts[v-1]
	}
	order = make([]uint32, visits.Len())
	next := make([]uint32, nVisits)
	copy(next, starts[:nVisits])
	for i, v := range visits.All() {
		order[next[v]] = i
		next[v]++
	}
	return order, starts
}

// feeResolver applies duplicate and refund rules to groups of fee rows.
type feeResolver struct {
	l       *loader
	ft      *graph.FeeTable
	drop    []uint64
	dropped int
	rows    []uint32
	rejects []pendingReject
	// firstBySn maps feedetl_sn to the first charge line of a large group.
	firstBySn map[uint32]uint32
}

func (r *feeResolver) isDropped(i uint32) bool { return r.drop[i>>6]&(1<<(i&63)) != 0 }

func (r *feeResolver) setDrop(i uint32) {
	r.drop[i>>6] |= 1 << (i & 63)
	r.dropped++
}

func (r *feeResolver) rejectRow(i uint32, col int, reason string) {
	ft := r.ft
	value := ""
	if col == fSn {
		value = r.l.t.FeeSerial(i)
	}
	r.rejects = append(r.rejects, pendingReject{line: int64(ft.Line.At(i)), col: feeCols[col].name, reason: reason, value: value})
	r.setDrop(i)
}

// smallGroup is the group size up to which duplicates are found by
// comparing pairs; larger groups use a map.
const smallGroup = 32

// group resolves the rows of one visit, given in file order.
func (r *feeResolver) group(rows []uint32) {
	ft := r.ft
	hasRefund := false
	// Duplicates among charge lines: the first charge line of each
	// feedetl_sn stays, later ones are rejected.
	if len(rows) > smallGroup {
		if r.firstBySn == nil {
			r.firstBySn = make(map[uint32]uint32)
		}
		clear(r.firstBySn)
	}
	for k, i := range rows {
		if isRefundLine(ft, i) {
			hasRefund = true
			continue
		}
		if len(rows) > smallGroup {
			if j, dup := r.firstBySn[ft.Sn.At(i)]; dup {
				r.rejectRow(i, fSn, firstAt("feedetl_sn in visit", ft.Line.At(j)))
			} else {
				r.firstBySn[ft.Sn.At(i)] = i
			}
			continue
		}
		for _, j := range rows[:k] {
			if ft.Sn.At(j) == ft.Sn.At(i) && !isRefundLine(ft, j) && !r.isDropped(j) {
				r.rejectRow(i, fSn, firstAt("feedetl_sn in visit", ft.Line.At(j)))
				break
			}
		}
	}
	if !hasRefund {
		return
	}
	for _, i := range rows {
		if !isRefundLine(ft, i) {
			continue
		}
		target := r.refundTarget(rows, i)
		if target == graph.None {
			r.rejectRow(i, fSn, "refund line reverses nothing")
			continue
		}
		cnt := ft.Count.At(i)
		if cnt > 0 {
			cnt = -cnt
		}
		ft.SetAmountCount(target, ft.AmountAt(target)+ft.AmountAt(i), ft.Count.At(target)+cnt)
		r.setDrop(i)
		r.l.rep.RefundsNetted++
	}
}

// refundTarget returns the charge line that refund line i reverses: the
// one with the same feedetl_sn, else the first with the same item that
// still has a positive net amount; graph.None if there is none.
func (r *feeResolver) refundTarget(rows []uint32, i uint32) uint32 {
	ft := r.ft
	if len(rows) > smallGroup {
		if j, ok := r.firstBySn[ft.Sn.At(i)]; ok {
			return j
		}
	} else {
		for _, j := range rows {
			if ft.Sn.At(j) == ft.Sn.At(i) && !isRefundLine(ft, j) && !r.isDropped(j) {
				return j
			}
		}
	}
	for _, j := range rows {
		if ft.Item.At(j) == ft.Item.At(i) && !isRefundLine(ft, j) && !r.isDropped(j) && ft.AmountAt(j) > 0 {
			return j
		}
	}
	return graph.None
}
