package neo4j

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
)

// Source is a database to read a pushed graph back from.
type Source struct {
	Exec  Executor
	Page  int   // records per page (one read transaction each); <= 0 means 10000
	Retry Retry // retry policy per page
}

// LoadStats reports what LoadTables read and skipped.
type LoadStats struct {
	Persons, Institutions, Doctors, Registrations, Visits int64
	Items, Fees                                           int64 // Item and FeeLine nodes read
	// SkippedVisits are Visit nodes whose patient or institution is
	// missing.
	SkippedVisits int64
	// SkippedFees are FeeLine nodes whose visit is missing (or whose id
	// does not end with "/" and their sn).
	SkippedFees int64
	// RejectedVisits and RejectedFees are Visit and FeeLine nodes whose
	// values, written as the contract's mdtrt and fee_list columns, the
	// one parser of claims rows (ingest.ParseVisit, ingest.ParseFee)
	// refuses: the rules every reader applies (docs/data-contract.md).
	RejectedVisits, RejectedFees int64
	// Rejects are the reasons of those refusals, the first MaxLoadRejects
	// distinct ones, each with the number of records refused for it:
	// table, column and reason only, never a value (values may be
	// personal data).
	Rejects []LoadReject
}

// LoadReject is a reason the read-back refused records for.
type LoadReject struct {
	Table  string // "mdtrt" (Visit nodes) or "fee_list" (FeeLine nodes)
	Column string // contract column; "" for the whole row
	Reason string // as ingest gives it
	Count  int64  // records refused for it
}

// Page queries: each returns at most $page records with key > $after, in
// key order, so that reading is a cursor over the unique key's index and
// never one giant result.
const (
	institutionPageQuery = "MATCH (n:Institution) WHERE n.code > $after " +
		"RETURN n.code AS `key`, n.name AS name, n.type AS type, n.level AS level, n.admdvs AS admdvs, " +
		"n.beds AS beds, n.lat AS lat, n.lon AS lon ORDER BY `key` LIMIT $page"
	personPageQuery = "MATCH (n:Patient) WHERE n.psn_no > $after " +
		"RETURN n.psn_no AS `key`, n.sex AS sex, n.birth AS birth, n.insu_type AS insu_type, n.name AS name, " +
		"n.cert_no AS cert_no, n.insuplc_admdvs AS insuplc_admdvs, n.die_date AS die_date ORDER BY `key` LIMIT $page"
	doctorPageQuery = "MATCH (n:Doctor) WHERE n.dr_code > $after WITH n ORDER BY n.dr_code LIMIT $page " +
		"OPTIONAL MATCH (n)-[:REGISTERED_AT]->(i:Institution) " +
		"WITH n, i ORDER BY i.code " +
		"RETURN n.dr_code AS `key`, n.name AS name, n.dept AS dept, n.prof AS prof, n.registered AS registered, " +
		"collect(i.code) AS sites ORDER BY `key`"
	visitPageQuery = "MATCH (n:Visit) WHERE n.mdtrt_id > $after " +
		"RETURN n.mdtrt_id AS `key`, n.setl_id AS setl_id, n.psn_no AS psn_no, n.code AS code, n.dr_code AS dr_code, " +
		"n.med_type AS med_type, n.begin AS begin, n.`end` AS `end`, n.dise_codg AS dise_codg, n.dise_name AS dise_name, " +
		"n.med_fee AS med_fee, n.fund AS fund, n.cert_type AS cert_type, n.flags AS flags ORDER BY `key` LIMIT $page"
	itemPageQuery = "MATCH (n:Item) WHERE n.code > $after " +
		"RETURN n.code AS `key`, n.name AS name, n.list_type AS list_type, n.known AS known, n.lmt_gend AS lmt_gend, " +
		"n.age_min AS age_min, n.age_max AS age_max, n.max_days AS max_days, n.price_cap AS price_cap ORDER BY `key` LIMIT $page"
	feePageQuery = "MATCH (n:FeeLine) WHERE n.id > $after " +
		"RETURN n.id AS `key`, n.sn AS sn, n.item AS item, n.cnt AS cnt, n.pric AS pric, n.amount AS amount, " +
		"n.`time` AS `time`, n.dr_code AS dr_code, n.prd_days AS prd_days, n.trace AS trace ORDER BY `key` LIMIT $page"
)

// LoadTables rebuilds graph.Tables from a database written by Push with
// Visit nodes: institutions, patients, doctors with their registrations,
// catalogue items, visits and fee lines, each streamed in pages by key,
// and filled with the same Tables methods ingest uses (AddCatalogItem,
// AddVisit, AddFee). Visits and fee lines were pushed net of refunds, with
// the visit refund flags, so no netting is redone. Rows come back in key
// order rather than file order. Names and certificate numbers are whatever
// was pushed (masked unless --include-pii). progress, when not nil, is
// called after every page.
func LoadTables(ctx context.Context, src Source, progress func(stage string, done int64)) (*graph.Tables, error) {
	t, _, err := LoadTablesStats(ctx, src, progress)
	return t, err
}

// LoadTablesStats is LoadTables also returning what was read and skipped.
func LoadTablesStats(ctx context.Context, src Source, progress func(stage string, done int64)) (*graph.Tables, *LoadStats, error) {
	if src.Exec == nil {
		return nil, nil, fmt.Errorf("neo4j: no executor")
	}
	l := &tableLoader{src: src, t: graph.NewTables(0, 0), st: &LoadStats{}, progress: progress, unknown: map[string]feeItem{}}
	for _, step := range []struct {
		what string
		read func(context.Context) error
	}{
		{"institutions", l.readInstitutions}, {"patients", l.readPersons}, {"doctors", l.readDoctors},
		{"items", l.readItems}, {"visits", l.readVisits}, {"fee lines", l.readFees},
	} {
		if err := step.read(ctx); err != nil {
			return nil, l.st, fmt.Errorf("neo4j: read %s: %w", step.what, err)
		}
	}
	return l.t, l.st, nil
}

// tableLoader reads the tables back page by page (LoadTablesStats).
type tableLoader struct {
	src      Source
	t        *graph.Tables
	st       *LoadStats
	progress func(stage string, done int64)
	// unknown are the catalogue codes only seen on fee lines, with the
	// name and list type the fee lines carry.
	unknown map[string]feeItem
}

// feeItem is what a fee line says of an item not in the catalogue.
type feeItem struct {
	name     string
	listType uint16
}

// report calls the progress callback, if any.
func (l *tableLoader) report(stage string, n int64) {
	if l.progress != nil {
		l.progress(stage, n)
	}
}

// readInstitutions reads the Institution nodes.
func (l *tableLoader) readInstitutions(ctx context.Context) error {
	return scan(ctx, l.src, institutionPageQuery, func(r map[string]any) error {
		in := claims.Institution{
			Code: str(r["key"]), Name: str(r["name"]), Type: claims.InstitutionType(i64(r["type"], 1)),
			Level: str(r["level"]), Admdvs: str(r["admdvs"]), Beds: int32(i64(r["beds"], -1)),
		}
		if lat, ok := r["lat"].(float64); ok {
			if lon, ok := r["lon"].(float64); ok {
				in.Lat, in.Lon, in.HasLocation = lat, lon, true
			}
		}
		l.t.AddInstitution(&in)
		l.st.Institutions++
		return nil
	}, func(n int64) { l.report("institutions", n) })
}

// readPersons reads the Patient nodes.
func (l *tableLoader) readPersons(ctx context.Context) error {
	return scan(ctx, l.src, personPageQuery, func(r map[string]any) error {
		l.t.AddPerson(&claims.Person{
			PsnNo: str(r["key"]), Sex: claims.Sex(i64(r["sex"], 0)), Birth: dateOf(r["birth"]),
			InsuType: str(r["insu_type"]), Name: str(r["name"]), CertNo: str(r["cert_no"]),
			InsuplcAdmdvs: str(r["insuplc_admdvs"]), DieDate: dateOf(r["die_date"]),
		})
		l.st.Persons++
		return nil
	}, func(n int64) { l.report("patients", n) })
}

// readDoctors reads the Doctor nodes and their registrations.
func (l *tableLoader) readDoctors(ctx context.Context) error {
	return scan(ctx, l.src, doctorPageQuery, func(r map[string]any) error {
		code := str(r["key"])
		sites, _ := r["sites"].([]any)
		registered := false
		for _, s := range sites {
			inst := l.t.Institutions.IDs.Lookup(str(s))
			if inst == graph.None {
				continue
			}
			l.t.AddStaff(&claims.Staff{DrCode: code, InstitutionCode: str(s), Name: str(r["name"]),
				Dept: str(r["dept"]), Prof: str(r["prof"])}, inst)
			registered = true
			l.st.Registrations++
		}
		if !registered {
			l.t.DoctorRef(code)
		}
		l.st.Doctors++
		return nil
	}, func(n int64) { l.report("doctors", n) })
}

// readItems reads the catalogue items (Item nodes).
func (l *tableLoader) readItems(ctx context.Context) error {
	// Catalogue items: those of catalog.csv are added as ingest adds them;
	// codes only seen on fee lines are created by AddFee, as in ingest,
	// from the name and list type kept here (one that no fee line uses is
	// not read back: it carries nothing).
	return scan(ctx, l.src, itemPageQuery, func(r map[string]any) error {
		code := str(r["key"])
		lt := uint16(i64(r["list_type"], 0))
		if known, _ := r["known"].(bool); !known {
			l.unknown[code] = feeItem{str(r["name"]), lt}
			l.st.Items++
			return nil
		}
		l.t.AddCatalogItem(&claims.CatalogItem{Code: code, Name: str(r["name"]), ListType: lt,
			LimitSex: claims.Sex(i64(r["lmt_gend"], int64(claims.SexUnknown))), AgeMin: int16(i64(r["age_min"], -1)),
			AgeMax: int16(i64(r["age_max"], -1)), MaxDays: int32(i64(r["max_days"], 0)), PriceCap: price(r["price_cap"])})
		l.st.Items++
		return nil
	}, func(n int64) { l.report("items", n) })
}

// readVisits reads the Visit nodes. Each record is rendered as the
// contract's mdtrt columns and parsed by ingest.ParseVisit, the one parser
// of visit rows, so a value the batch reader would refuse is refused here
// too (RejectedVisits); then, as in ingest, its person and institution are
// resolved (SkippedVisits when one is missing).
func (l *tableLoader) readVisits(ctx context.Context) error {
	rv := newVisitRenderer()
	return scan(ctx, l.src, visitPageQuery, func(r map[string]any) error {
		v, flags, fe := rv.visit(r)
		if fe != nil {
			l.st.RejectedVisits++
			l.st.reject("mdtrt", fe)
			return nil
		}
		person := l.t.Persons.IDs.Lookup(v.PsnNo)
		inst := l.t.Institutions.IDs.Lookup(v.InstitutionCode)
		if person == graph.None || inst == graph.None {
			l.st.SkippedVisits++
			return nil
		}
		row, added := l.t.AddVisit(&v, person, inst, 0)
		if added {
			l.t.Visits.Flags[row] = flags
			l.st.Visits++
		}
		return nil
	}, func(n int64) { l.report("visits", n) })
}

// readFees reads the FeeLine nodes. Each record is rendered as the
// contract's fee_list columns and parsed by ingest.ParseFee
// (RejectedFees); then its visit is resolved (SkippedFees when missing).
func (l *tableLoader) readFees(ctx context.Context) error {
	rf := newFeeRenderer()
	return scan(ctx, l.src, feePageQuery, func(r map[string]any) error {
		key, sn := str(r["key"]), str(r["sn"])
		mdtrt, ok := strings.CutSuffix(key, "/"+sn)
		if !ok {
			l.st.SkippedFees++
			return nil
		}
		f, fe := rf.fee(r, mdtrt, l.unknown)
		if fe != nil {
			l.st.RejectedFees++
			l.st.reject("fee_list", fe)
			return nil
		}
		visit := l.t.Visits.IDs.Lookup(f.MdtrtID)
		if visit == graph.None {
			l.st.SkippedFees++
			return nil
		}
		l.t.AddFee(&f, visit, 0)
		l.st.Fees++
		return nil
	}, func(n int64) { l.report("fee lines", n) })
}

// MaxLoadRejects is the number of distinct reasons LoadStats.Rejects keeps.
const MaxLoadRejects = 5

// reject counts a record refused by the parser under its reason, keeping
// at most MaxLoadRejects distinct reasons.
func (s *LoadStats) reject(table string, fe *ingest.FieldError) {
	for i := range s.Rejects {
		if r := &s.Rejects[i]; r.Table == table && r.Column == fe.Column && r.Reason == fe.Reason {
			r.Count++
			return
		}
	}
	if len(s.Rejects) < MaxLoadRejects {
		s.Rejects = append(s.Rejects, LoadReject{Table: table, Column: fe.Column, Reason: fe.Reason, Count: 1})
	}
}

// contractRow holds the values of one record by contract column, in the
// order of ingest's columns, for ingest.ParseVisit and ParseFee. Rendered
// numbers and times of a record share one string.
type contractRow struct {
	cols []string       // ingest.VisitColumns() or FeeColumns()
	idx  map[string]int // column -> index in cols
	vals []string       // by column; one more, for columns ingest lacks
	next int            // the column get expects next (ingest asks in order)
	buf  []byte         // rendered values of the record
	ends []span         // where each rendered value is in buf
	get  func(col string) string
}

// span is a rendered value: buf[start:end] is the value of column col.
type span struct{ col, start, end int }

func newContractRow(cols []string) *contractRow {
	r := &contractRow{cols: cols, idx: make(map[string]int, len(cols)), vals: make([]string, len(cols)+1)}
	for i, c := range cols {
		r.idx[c] = i
	}
	r.get = func(col string) string {
		// ingest asks for the columns in their order: a comparison of
		// the same string header, rarely a map lookup.
		if i := r.next; i < len(r.cols) && r.cols[i] == col {
			r.next++
			return r.vals[i]
		}
		if i, ok := r.idx[col]; ok {
			return r.vals[i]
		}
		return ""
	}
	return r
}

// col returns the index of contract column name; a column ingest does not
// have gets the spare slot, which nothing reads.
func (r *contractRow) col(name string) int {
	if i, ok := r.idx[name]; ok {
		return i
	}
	return len(r.cols)
}

// reset starts a record.
func (r *contractRow) reset() {
	clear(r.vals)
	r.buf, r.ends, r.next = r.buf[:0], r.ends[:0], 0
}

// text sets a column from a value that is text already: a string as it
// is, anything else rendered.
func (r *contractRow) text(col int, v any) {
	if s, ok := v.(string); ok {
		r.vals[col] = s
		return
	}
	r.render(col, v, plainNumber)
}

// render sets a column from v: nil is empty, a string is itself, numbers
// and times are written as the contract writes them (num says how a float
// is written), anything else as Go prints it, for the parser to refuse.
func (r *contractRow) render(col int, v any, num numberKind) {
	start := len(r.buf)
	switch x := v.(type) {
	case nil:
		return
	case string:
		r.vals[col] = x
		return
	case int64:
		if num == certCode && x == int64(claims.CertNone) {
			return // no certificate: empty in the contract
		}
		if num == certCode && x > 0 && x < 10 {
			r.buf = append(r.buf, '0')
		}
		r.buf = strconv.AppendInt(r.buf, x, 10)
	case float64:
		switch num {
		case moneyYuan:
			r.buf = appendDecimal(r.buf, x, 100, 2, false)
		case priceYuan:
			r.buf = appendDecimal(r.buf, x, 1e6, 6, true)
		default:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				r.buf = strconv.AppendInt(r.buf, int64(x), 10)
			} else {
				r.buf = strconv.AppendFloat(r.buf, x, 'f', -1, 64)
			}
		}
	case time.Time:
		r.buf = appendTime(r.buf, claims.TimeOf(x), x.Nanosecond())
	case dbtype.LocalDateTime:
		t := x.Time()
		wall := claims.DateOf(t.Year(), int(t.Month()), t.Day()).Time() + claims.Time(t.Hour()*3600+t.Minute()*60+t.Second())
		r.buf = appendTime(r.buf, wall, t.Nanosecond())
	case dbtype.Date:
		t := x.Time()
		r.buf = appendYMD(r.buf, t.Year(), int(t.Month()), t.Day())
	default:
		r.buf = fmt.Append(r.buf, v)
	}
	r.ends = append(r.ends, span{col, start, len(r.buf)})
}

// done gives the rendered columns their values, all in one string.
func (r *contractRow) done() {
	if len(r.ends) == 0 {
		return
	}
	s := string(r.buf)
	for _, e := range r.ends {
		r.vals[e.col] = s[e.start:e.end]
	}
}

// numberKind says how render writes a float.
type numberKind uint8

const (
	plainNumber numberKind = iota // shortest decimal that reads back the same
	moneyYuan                     // yuan with two decimals
	priceYuan                     // yuan with up to six decimals
	certCode                      // 0 (CertNone) empty, 1-9 zero-padded: 01, 02, 03
)

// appendDecimal writes x (yuan) with digits decimals when x is a whole
// number of 1/scale yuan, as RingLens writes amounts (Money.Yuan,
// Price.Yuan), trailing zeros trimmed if trim; any other value as its
// shortest decimal, which has more decimals than the contract allows (or
// is not a number) and is refused as a CSV value would be.
func appendDecimal(b []byte, x, scale float64, digits int, trim bool) []byte {
	n := math.Round(x * scale)
	if math.Abs(n) >= 1<<53 || n/scale != x {
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	u := int64(n)
	if u < 0 {
		b = append(b, '-')
		u = -u
	}
	unit := int64(1)
	for range digits {
		unit *= 10
	}
	b = strconv.AppendInt(b, u/unit, 10)
	frac := u % unit
	if trim && frac == 0 {
		return b
	}
	b = append(b, '.')
	for unit /= 10; unit > 0; unit /= 10 {
		b = append(b, byte('0'+frac/unit%10))
		if trim && frac%unit == 0 {
			break
		}
	}
	return b
}

// appendTime writes t as "YYYY-MM-DD HH:MM:SS", with the fraction of a
// second when nanos is not zero (which the contract does not allow).
func appendTime(b []byte, t claims.Time, nanos int) []byte {
	day := t.Day()
	y, m, d := day.Civil()
	b = appendYMD(b, y, m, d)
	s := int(t - day.Time())
	b = append(b, ' ')
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	b = append2(b, s%60)
	if nanos != 0 {
		b = append(b, '.')
		b = append(b, strconv.Itoa(nanos + 1e9)[1:]...)
	}
	return b
}

// appendYMD writes "YYYY-MM-DD" (years outside 0-9999 as they are).
func appendYMD(b []byte, y, m, d int) []byte {
	if y >= 0 && y < 10000 {
		b = append2(b, y/100)
		b = append2(b, y%100)
	} else {
		b = strconv.AppendInt(b, int64(y), 10)
	}
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// append2 writes 0 <= v < 100 as two digits.
func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

// visitRenderer renders Visit records as mdtrt rows and parses them.
type visitRenderer struct {
	row *contractRow
	// column indexes
	id, setl, psn, ins, medType, begin, end, doctor, dise, diseName, medFee, fund, cert, refund int
}

func newVisitRenderer() *visitRenderer {
	r := newContractRow(ingest.VisitColumns())
	return &visitRenderer{row: r,
		id: r.col("mdtrt_id"), setl: r.col("setl_id"), psn: r.col("psn_no"), ins: r.col("fixmedins_code"),
		medType: r.col("med_type"), begin: r.col("begntime"), end: r.col("endtime"), doctor: r.col("atddr_no"),
		dise: r.col("dise_codg"), diseName: r.col("dise_name"), medFee: r.col("medfee_sumamt"),
		fund: r.col("fund_pay_sumamt"), cert: r.col("mdtrt_cert_type"), refund: r.col("refd_setl_flag")}
}

// visit renders a Visit record and parses it with ingest.ParseVisit; flags
// are the visit's refund flags, as pushed.
//
// A visit is pushed net of the refunds ingest netted into it, which no
// longer is a row of the file: its amounts are the sum of rows each of
// which passed, and may be negative or have the fund above the fee. Such a
// visit (flag VisitRefunded) is parsed as a refund row, which applies
// every rule but those on the signs of the amounts and the inpatient end
// time, and keeps its net amounts.
func (rv *visitRenderer) visit(r map[string]any) (claims.Visit, graph.VisitFlag, *ingest.FieldError) {
	row := rv.row
	row.reset()
	flags := graph.VisitFlag(i64(r["flags"], 0))
	row.text(rv.id, r["key"])
	row.text(rv.setl, r["setl_id"])
	row.text(rv.psn, r["psn_no"])
	row.text(rv.ins, r["code"])
	row.render(rv.medType, r["med_type"], plainNumber)
	row.render(rv.begin, r["begin"], plainNumber)
	row.render(rv.end, r["end"], plainNumber)
	row.text(rv.doctor, r["dr_code"])
	row.text(rv.dise, r["dise_codg"])
	row.text(rv.diseName, r["dise_name"])
	row.render(rv.medFee, r["med_fee"], moneyYuan)
	row.render(rv.fund, r["fund"], moneyYuan)
	row.render(rv.cert, r["cert_type"], certCode)
	refunded := flags&graph.VisitRefunded != 0
	if refunded {
		row.vals[rv.refund] = "1"
	}
	row.done()
	v, fe := ingest.ParseVisit(row.get)
	if fe != nil {
		return v, 0, fe
	}
	if refunded {
		// ParseVisit made both amounts negative: give back their signs.
		v.Refund = false
		v.MedFee = signed(v.MedFee, row.vals[rv.medFee])
		v.FundPay = signed(v.FundPay, row.vals[rv.fund])
	}
	return v, flags, nil
}

// signed returns the amount parsed from s, given its absolute value
// negated as a refund row has it.
func signed(m claims.Money, s string) claims.Money {
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return m
	}
	return -m
}

// feeRenderer renders FeeLine records as fee_list rows and parses them.
type feeRenderer struct {
	row *contractRow
	// column indexes
	sn, visit, item, itemName, listType, cnt, price, amount, time, doctor, days, trace int
}

func newFeeRenderer() *feeRenderer {
	r := newContractRow(ingest.FeeColumns())
	return &feeRenderer{row: r,
		sn: r.col("feedetl_sn"), visit: r.col("mdtrt_id"), item: r.col("med_list_codg"), itemName: r.col("med_list_name"),
		listType: r.col("list_type"), cnt: r.col("cnt"), price: r.col("pric"), amount: r.col("det_item_fee_sumamt"),
		time: r.col("fee_ocur_time"), doctor: r.col("bilg_dr_codg"), days: r.col("prd_days"), trace: r.col("drug_trac_codg")}
}

// fee renders a FeeLine record of visit mdtrt and parses it with
// ingest.ParseFee. The name and list type of an item only seen on fee
// lines come from its Item node (unknown), as ingest took them from the
// fee line; items of the catalogue have theirs already.
func (rf *feeRenderer) fee(r map[string]any, mdtrt string, unknown map[string]feeItem) (claims.FeeLine, *ingest.FieldError) {
	row := rf.row
	row.reset()
	row.text(rf.sn, r["sn"])
	row.vals[rf.visit] = mdtrt
	row.text(rf.item, r["item"])
	if it, ok := unknown[row.vals[rf.item]]; ok {
		row.vals[rf.itemName] = it.name
		if it.listType != 0 {
			row.render(rf.listType, int64(it.listType), plainNumber)
		}
	}
	row.render(rf.cnt, r["cnt"], plainNumber)
	row.render(rf.price, r["pric"], priceYuan)
	row.render(rf.amount, r["amount"], moneyYuan)
	row.render(rf.time, r["time"], plainNumber)
	row.text(rf.doctor, r["dr_code"])
	row.render(rf.days, r["prd_days"], plainNumber)
	row.text(rf.trace, r["trace"])
	row.done()
	return ingest.ParseFee(row.get)
}

// scan pages through query (parameters $after and $page; records with a
// string column key in ascending order), calling fn per record and done
// after every page with the records so far. Each page is a read
// transaction of its own, retried on transient errors; records of a page
// are handed to fn only once the page was read completely, so a retried
// page is never seen twice.
func scan(ctx context.Context, src Source, query string, fn func(map[string]any) error, done func(int64)) error {
	page := src.Page
	if page <= 0 {
		page = 10000
	}
	after := ""
	var total int64
	for {
		var recs []map[string]any
		_, err := src.Retry.Do(ctx, func(ctx context.Context) error {
			return src.Exec.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
				var err error
				recs, err = collect(ctx, tx, query, map[string]any{"after": after, "page": int64(page)})
				return err
			})
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			key, ok := r["key"].(string)
			if !ok {
				return fmt.Errorf("record without a string key")
			}
			if key <= after && total > 0 {
				return fmt.Errorf("keys out of order at %d records", total)
			}
			after = key
			if err := fn(r); err != nil {
				return err
			}
			total++
		}
		done(total)
		if len(recs) < page {
			return nil
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func i64(v any, def int64) int64 {
	if n, ok := asInt64(v); ok {
		return n
	}
	return def
}

// price converts yuan to a claims.Price (millionths of a yuan).
func price(v any) claims.Price { return claims.Price(scaled(v, 1e6)) }

// scaled converts a number of yuan to an integer number of units (unit
// per yuan); non-numbers give 0.
func scaled(v any, unit int64) int64 {
	switch x := v.(type) {
	case float64:
		return int64(math.Round(x * float64(unit)))
	case int64:
		return x * unit
	}
	return 0
}

func dateOf(v any) claims.Date {
	var t time.Time
	switch x := v.(type) {
	case dbtype.Date:
		t = x.Time()
	case time.Time:
		t = x
	default:
		return claims.NoDate
	}
	return claims.DateOf(t.Year(), int(t.Month()), t.Day())
}
