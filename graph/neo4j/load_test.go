package neo4j

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
)

// TestFixtureRoundTrip pushes the fixture into the fake, pushes it again
// and reads it back in pages into a graph of the same edges.
func TestFixtureRoundTrip(t *testing.T) {
	ctx := context.Background()
	fx := loadFixture(t)
	m := fx.model(t, false)
	db := newFakeDB()
	st, err := Push(ctx, db, m, PushOptions{Batch: 700, Retry: Retry{Sleep: noSleep}})
	if err != nil {
		t.Fatal(err)
	}
	snap := db.snapshot()
	if _, err := Push(ctx, db, m, PushOptions{Batch: 1000, Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	if db.snapshot() != snap {
		t.Fatal("re-push changed the graph")
	}
	if st.Rels == 0 || st.Deleted != 0 {
		t.Errorf("stats %+v", st)
	}
	var pages int
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: db, Page: 500}, func(string, int64) { pages++ })
	if err != nil {
		t.Fatal(err)
	}
	orig := fx.g.Tables()
	if int(ls.Visits) != orig.Visits.Len() || tb.Persons.Len() != orig.Persons.Len() ||
		tb.Institutions.Len() != orig.Institutions.Len() || ls.SkippedVisits != 0 {
		t.Fatalf("read back %+v", ls)
	}
	if pages < orig.Visits.Len()/500 {
		t.Errorf("only %d pages", pages)
	}
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []graph.EdgeType{graph.PatientInstitution, graph.PatientPharmacy, graph.DoctorInstitutionRegistered} {
		lo, hi := g.EdgeRange(ty)
		lo0, hi0 := fx.g.EdgeRange(ty)
		if hi-lo != hi0-lo0 {
			t.Errorf("%v: %d edges read back, %d pushed", ty, hi-lo, hi0-lo0)
		}
	}
}

func TestScanRetriesPage(t *testing.T) {
	ctx := context.Background()
	db := newFakeDB()
	if _, err := Push(ctx, db, smallModel(t, false), PushOptions{}); err != nil {
		t.Fatal(err)
	}
	start := db.calls
	db.inject = func(call int, write bool) error {
		if call == start+2 {
			return transient()
		}
		return nil
	}
	tb, err := LoadTables(ctx, Source{Exec: db, Page: 1, Retry: Retry{Sleep: noSleep}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Institutions.Len() != 3 || tb.Visits.Len() != 4 {
		t.Errorf("read %d institutions %d visits", tb.Institutions.Len(), tb.Visits.Len())
	}
}

// claimsDir writes a dataset of one person (A1) and one clinic (H001) with
// the given mdtrt and fee_list rows (contract column -> value) and returns
// its directory.
func claimsDir(t *testing.T, visits, fees []map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, cols []string, rows []map[string]string) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		if err := w.Write(cols); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			rec := make([]string, len(cols))
			for i, c := range cols {
				rec[i] = r[c]
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("psn.csv", []string{"psn_no", "gend", "brdy"}, []map[string]string{{"psn_no": "A1", "gend": "1", "brdy": "1980-03-07"}})
	write("fixmedins.csv", []string{"fixmedins_code", "fixmedins_name", "fixmedins_type"},
		[]map[string]string{{"fixmedins_code": "H001", "fixmedins_name": "某诊所", "fixmedins_type": "1"}})
	write("staff.csv", []string{"dr_code", "fixmedins_code"}, []map[string]string{{"dr_code": "D1", "fixmedins_code": "H001"}})
	write("mdtrt.csv", ingest.VisitColumns(), visits)
	write("fee_list.csv", ingest.FeeColumns(), fees)
	return dir
}

// baseVisit and baseFee are a visit and a fee line ingest accepts.
func baseVisit(id string) map[string]string {
	return map[string]string{"mdtrt_id": id, "setl_id": "S" + id, "psn_no": "A1", "fixmedins_code": "H001", "med_type": "11",
		"begntime": "2024-01-05 09:00:00", "atddr_no": "D1", "dise_codg": "J20.900", "dise_name": "急性支气管炎", "medfee_sumamt": "100.00",
		"fund_pay_sumamt": "70.00", "mdtrt_cert_type": "01", "refd_setl_flag": "0"}
}

func baseFee(mdtrt, sn string) map[string]string {
	return map[string]string{"feedetl_sn": sn, "mdtrt_id": mdtrt, "med_list_codg": "S100", "med_list_name": "诊查费",
		"list_type": "201", "cnt": "2", "pric": "12.345678", "det_item_fee_sumamt": "24.69", "fee_ocur_time": "2024-01-05 09:01:00",
		"bilg_dr_codg": "D1", "prd_days": "14", "drug_trac_codg": "T0001"}
}

// with returns a copy of m with the values of over.
func with[V any](m map[string]V, over map[string]V) map[string]V {
	out := make(map[string]V, len(m)+len(over))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// ingestTables loads dir with ingest, returning its tables and rejects.
func ingestTables(t *testing.T, dir string) (*graph.Tables, []ingest.Reject) {
	t.Helper()
	var rejects []ingest.Reject
	res, err := ingest.Load(context.Background(), dir, ingest.Options{}, func(r ingest.Reject) error {
		rejects = append(rejects, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tables, rejects
}

// pushTables pushes tb with its visits and fee lines into a new fake.
func pushTables(t *testing.T, tb *graph.Tables) *fakeDB {
	t.Helper()
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(Input{Graph: g, RunID: "r", Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	db := newFakeDB()
	if _, err := Push(context.Background(), db, m, PushOptions{Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// putNode stores a node of space under key whose properties are those of
// the node of space at like, with over (nil removes a property).
func (f *fakeDB) putNode(t *testing.T, space, like, keyProp, key string, over map[string]any) {
	t.Helper()
	src := f.nodes[[2]string{space, like}]
	if src == nil {
		t.Fatalf("no %s node %s", space, like)
	}
	props := with(src.props, over)
	props[keyProp] = key
	for k, v := range props {
		if v == nil {
			delete(props, k)
		}
	}
	f.nodes[[2]string{space, key}] = &fakeNode{space: space, labels: map[string]bool{space: true}, props: props}
	f.sorted = nil
}

// TestLoadAppliesIngestRules runs rows with a bad value through ingest's
// batch reader, as a CSV row, and through the read-back, as the database
// would hold the same value, and expects the same refusal: same column,
// same reason. The row that ingest accepts loads as ingest loaded it.
func TestLoadAppliesIngestRules(t *testing.T) {
	at := func(y, mo, d, h int) time.Time { return time.Date(y, time.Month(mo), d, h, 0, 0, 0, offsetZone()) }
	for _, c := range []struct {
		name  string
		fee   bool              // a fee line of visit V0, else a visit
		csv   map[string]string // the CSV row's values, over baseVisit or baseFee
		props map[string]any    // the node's properties, over those pushed for V0 or V0/0001
	}{
		{"fund above fee", false, map[string]string{"fund_pay_sumamt": "150.00"}, map[string]any{"fund": 150.0}},
		{"negative amount", false, map[string]string{"medfee_sumamt": "-5.00", "fund_pay_sumamt": "0.00"},
			map[string]any{"med_fee": -5.0, "fund": 0.0}},
		{"amount with 3 decimals", false, map[string]string{"medfee_sumamt": "100.005"}, map[string]any{"med_fee": 100.005}},
		{"amount not a number", false, map[string]string{"medfee_sumamt": "NaN"}, map[string]any{"med_fee": math.NaN()}},
		{"amount absent", false, map[string]string{"fund_pay_sumamt": ""}, map[string]any{"fund": nil}},
		{"bare date as time", false, map[string]string{"begntime": "2024-01-05"},
			map[string]any{"begin": dbtype.Date(time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC))}},
		{"time out of range", false, map[string]string{"begntime": "1800-01-05 09:00:00"}, map[string]any{"begin": at(1800, 1, 5, 9)}},
		{"time with a fraction", false, map[string]string{"begntime": "2024-01-05 09:00:00.500000000"},
			map[string]any{"begin": at(2024, 1, 5, 9).Add(500 * time.Millisecond)}},
		{"time as text", false, map[string]string{"begntime": "2024/01/05 09:00"}, map[string]any{"begin": "2024/01/05 09:00"}},
		{"endtime before begntime", false, map[string]string{"endtime": "2024-01-04 09:00:00"}, map[string]any{"end": at(2024, 1, 4, 9)}},
		{"inpatient without endtime", false, map[string]string{"med_type": "21"}, map[string]any{"med_type": int64(21)}},
		{"med_type below range", false, map[string]string{"med_type": "7"}, map[string]any{"med_type": int64(7)}},
		{"med_type above range", false, map[string]string{"med_type": "300"}, map[string]any{"med_type": int64(300)}},
		{"med_type absent", false, map[string]string{"med_type": ""}, map[string]any{"med_type": nil}},
		{"unknown cert type", false, map[string]string{"mdtrt_cert_type": "04"}, map[string]any{"cert_type": int64(4)}},
		{"cert type out of range", false, map[string]string{"mdtrt_cert_type": "12"}, map[string]any{"cert_type": int64(12)}},
		{"control character in an id", false, map[string]string{"psn_no": "A\x011"}, map[string]any{"psn_no": "A\x011"}},
		{"bidi character in a code", false, map[string]string{"dise_codg": "J20\u202e"}, map[string]any{"dise_codg": "J20\u202e"}},
		{"fee time absent", true, map[string]string{"fee_ocur_time": ""}, map[string]any{"time": nil}},
		{"fee time out of range", true, map[string]string{"fee_ocur_time": "2300-01-05 09:00:00"}, map[string]any{"time": at(2300, 1, 5, 9)}},
		{"price with 7 decimals", true, map[string]string{"pric": "1.2345678"}, map[string]any{"pric": 1.2345678}},
		{"fee amount with 3 decimals", true, map[string]string{"det_item_fee_sumamt": "24.691"}, map[string]any{"amount": 24.691}},
		{"count not a number", true, map[string]string{"cnt": "+Inf"}, map[string]any{"cnt": math.Inf(1)}},
		{"negative supply days", true, map[string]string{"prd_days": "-3"}, map[string]any{"prd_days": int64(-3)}},
		{"item code absent", true, map[string]string{"med_list_codg": ""}, map[string]any{"item": nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			visits := []map[string]string{baseVisit("V0")}
			fees := []map[string]string{baseFee("V0", "0001")}
			if c.fee {
				fees = append(fees, with(baseFee("V0", "0002"), c.csv))
			} else {
				visits = append(visits, with(baseVisit("V1"), c.csv))
			}
			tb, rejects := ingestTables(t, claimsDir(t, visits, fees))
			if len(rejects) != 1 || tb.Visits.Len() != 1 || tb.Fees.Len() != 1 {
				t.Fatalf("ingest: %d visits, %d fee lines, rejects %+v; want the case row rejected", tb.Visits.Len(), tb.Fees.Len(), rejects)
			}
			want := LoadReject{Table: "mdtrt", Column: rejects[0].Column, Reason: rejects[0].Reason, Count: 1}
			db := pushTables(t, tb)
			if c.fee {
				want.Table = "fee_list"
				db.putNode(t, LabelFeeLine, "V0/0001", "id", "V0/0002", with(c.props, map[string]any{"sn": "0002"}))
			} else {
				db.putNode(t, LabelVisit, "V0", "mdtrt_id", "V1", c.props)
			}
			got, st, err := LoadTablesStats(context.Background(), Source{Exec: db}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("refused: %s: %s", want.Column, want.Reason)
			if len(st.Rejects) != 1 || st.Rejects[0] != want {
				t.Errorf("read back refuses with %+v, ingest with %+v", st.Rejects, want)
			}
			wantV, wantF := int64(0), int64(0)
			if c.fee {
				wantF = 1
			} else {
				wantV = 1
			}
			if st.RejectedVisits != wantV || st.RejectedFees != wantF || st.Visits != 1 || st.Fees != 1 ||
				st.SkippedVisits != 0 || st.SkippedFees != 0 {
				t.Errorf("stats %+v", st)
			}
			if !reflect.DeepEqual(tableRows(got), tableRows(tb)) {
				t.Errorf("the rows ingest accepted read back differently:\n%v\n%v", tableRows(got), tableRows(tb))
			}
		})
	}
}

// TestLoadRejectReasons keeps the first MaxLoadRejects distinct reasons
// with their counts, and never a value.
func TestLoadRejectReasons(t *testing.T) {
	tb, _ := ingestTables(t, claimsDir(t, []map[string]string{baseVisit("V0")}, []map[string]string{baseFee("V0", "0001")}))
	db := pushTables(t, tb)
	secret := "110101199003071234"
	for i, p := range []map[string]any{
		{"med_type": int64(7)}, {"med_type": int64(8)}, {"fund": 1000.0}, {"cert_type": int64(9)}, {"begin": nil},
		{"psn_no": secret + "\x01"}, {"dise_codg": "\u200b"}, {"med_fee": "x"},
	} {
		db.putNode(t, LabelVisit, "V0", "mdtrt_id", fmt.Sprintf("V%d", i+1), p)
	}
	_, st, err := LoadTablesStats(context.Background(), Source{Exec: db}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.RejectedVisits != 8 || st.Visits != 1 || len(st.Rejects) != MaxLoadRejects {
		t.Fatalf("stats %+v", st)
	}
	if r := st.Rejects[0]; r.Column != "med_type" || r.Count != 2 || r.Table != "mdtrt" {
		t.Errorf("first reason %+v, want med_type twice", r)
	}
	if s := fmt.Sprintf("%+v", st); strings.Contains(s, "11010119") || strings.Contains(s, "1000") {
		t.Errorf("stats show a value: %s", s)
	}
}

// TestLoadKeepsNettedVisits: a visit is pushed net of the refunds ingest
// netted into it, which may leave the fund above the fee or below zero,
// as no row of the file was; it reads back as pushed. Without the refund
// flag the same amounts are refused.
func TestLoadKeepsNettedVisits(t *testing.T) {
	refund := func(id, fee, fund string) map[string]string {
		return with(baseVisit(id), map[string]string{"refd_setl_flag": "1", "medfee_sumamt": fee, "fund_pay_sumamt": fund})
	}
	visits := []map[string]string{
		baseVisit("V1"), refund("V1", "-100.00", "-50.00"), // net 0.00, 20.00: fund above fee
		baseVisit("V2"), refund("V2", "-10.00", "-80.00"), // net 90.00, -10.00: reversed
		with(baseVisit("V3"), map[string]string{"med_type": "21", "endtime": "2024-01-08 10:00:00"}),
		with(refund("V3", "-100.00", "-70.00"), map[string]string{"med_type": "21"}), // reversed, no endtime on the refund row
	}
	tb, rejects := ingestTables(t, claimsDir(t, visits, []map[string]string{baseFee("V1", "0001")}))
	if len(rejects) != 0 || tb.Visits.Len() != 3 {
		t.Fatalf("ingest: %d visits, rejects %+v", tb.Visits.Len(), rejects)
	}
	db := pushTables(t, tb)
	got, st, err := LoadTablesStats(context.Background(), Source{Exec: db}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.RejectedVisits != 0 || st.Visits != 3 {
		t.Fatalf("stats %+v", st)
	}
	checkSameTables(t, tb, got)
	v1 := got.Visits.IDs.Lookup("V1")
	if got.Visits.MedFee.At(v1) != 0 || got.Visits.FundPay.At(v1) != 2000 || got.Visits.Flags[v1] != graph.VisitRefunded {
		t.Errorf("V1 read back %v %v %v", got.Visits.MedFee.At(v1), got.Visits.FundPay.At(v1), got.Visits.Flags[v1])
	}
	db.putNode(t, LabelVisit, "V1", "mdtrt_id", "V4", map[string]any{"flags": int64(0)})
	_, st, err = LoadTablesStats(context.Background(), Source{Exec: db}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.RejectedVisits != 1 || len(st.Rejects) != 1 || st.Rejects[0].Reason != "fund_pay_sumamt greater than medfee_sumamt" {
		t.Errorf("unflagged netted amounts: %+v", st)
	}
}

// TestRenderValue writes property values as the contract writes them.
func TestRenderValue(t *testing.T) {
	tenth := 0.1
	shanghai := time.FixedZone("Offset", 8*3600)
	for _, c := range []struct {
		v    any
		num  numberKind
		want string
	}{
		{nil, moneyYuan, ""},
		{"12.3", moneyYuan, "12.3"},
		{12.3, moneyYuan, "12.30"},
		{-0.05, moneyYuan, "-0.05"},
		{100.0, moneyYuan, "100.00"},
		{int64(5), moneyYuan, "5"},
		{tenth + 0.2, moneyYuan, "0.30000000000000004"},
		{claims.Money(123456789012).Yuan(), moneyYuan, "1234567890.12"},
		{1e20, moneyYuan, "100000000000000000000"},
		{math.NaN(), moneyYuan, "NaN"},
		{12.345678, priceYuan, "12.345678"},
		{12.5, priceYuan, "12.5"},
		{10.0, priceYuan, "10"},
		{claims.Price(-1).Yuan(), priceYuan, "-0.000001"},
		{2.0, plainNumber, "2"},
		{-1.5, plainNumber, "-1.5"},
		{1.0 / 3, plainNumber, "0.3333333333333333"},
		{int64(0), certCode, ""},
		{int64(2), certCode, "02"},
		{int64(12), certCode, "12"},
		{time.Date(2024, 1, 5, 9, 3, 7, 0, shanghai), plainNumber, "2024-01-05 09:03:07"},
		{time.Date(2024, 1, 5, 1, 3, 7, 0, time.UTC), plainNumber, "2024-01-05 09:03:07"},
		{time.Date(2024, 1, 5, 9, 3, 7, 1000, shanghai), plainNumber, "2024-01-05 09:03:07.000001000"},
		{dbtype.LocalDateTime(time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)), plainNumber, "2024-12-31 23:59:59"},
		{dbtype.Date(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)), plainNumber, "2024-02-29"},
		{true, moneyYuan, "true"},
	} {
		r := newContractRow([]string{"x"})
		r.reset()
		r.render(0, c.v, c.num)
		r.done()
		if r.vals[0] != c.want {
			t.Errorf("render(%#v, %d) = %q, want %q", c.v, c.num, r.vals[0], c.want)
		}
	}
}

// BenchmarkReadVisitRecord measures the conversion of one Visit record as
// the driver returns it: rendered and parsed by ingest ("rules"), and the
// typed conversion it replaced ("typed", for comparison).
func BenchmarkReadVisitRecord(b *testing.B) {
	begin := time.Date(2024, 1, 5, 9, 0, 0, 0, offsetZone())
	rec := map[string]any{"key": "20253705565479807769", "setl_id": "35020974239410370568", "psn_no": "35028892196450689477",
		"code": "H35020384654", "dr_code": "D350203296338", "med_type": int64(21), "begin": begin, "end": begin.Add(72 * time.Hour),
		"dise_codg": "J20.900", "dise_name": "急性支气管炎", "med_fee": 48.3, "fund": 29.17, "cert_type": int64(1), "flags": int64(0)}
	b.Run("rules", func(b *testing.B) {
		rv := newVisitRenderer()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, fe := rv.visit(rec); fe != nil {
				b.Fatal(fe)
			}
		}
	})
	b.Run("typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v := typedVisit(rec)
			if v.MedFee != 4830 {
				b.Fatal(v)
			}
		}
	})
}

// typedVisit is the conversion readVisits made before it used ingest's
// parser, kept for BenchmarkReadVisitRecord.
func typedVisit(r map[string]any) claims.Visit {
	tm := func(v any) claims.Time {
		if x, ok := v.(time.Time); ok {
			return claims.TimeOf(x)
		}
		return claims.NoTime
	}
	return claims.Visit{
		MdtrtID: str(r["key"]), SetlID: str(r["setl_id"]), PsnNo: str(r["psn_no"]), InstitutionCode: str(r["code"]),
		MedType: claims.MedType(i64(r["med_type"], 0)), Begin: tm(r["begin"]), End: tm(r["end"]),
		DoctorCode: str(r["dr_code"]), DiseCode: str(r["dise_codg"]), DiseName: str(r["dise_name"]),
		MedFee: claims.Money(scaled(r["med_fee"], 100)), FundPay: claims.Money(scaled(r["fund"], 100)),
		CertType: claims.CertType(i64(r["cert_type"], 0)),
	}
}

// BenchmarkReadFeeRecord measures the conversion of one FeeLine record,
// rendered and parsed by ingest.
func BenchmarkReadFeeRecord(b *testing.B) {
	rec := map[string]any{"key": "20253705565479807769/0001", "sn": "0001", "item": "XC08CAA012A001", "cnt": 2.0,
		"pric": 12.345678, "amount": 24.69, "time": time.Date(2024, 1, 5, 9, 1, 0, 0, offsetZone()), "dr_code": "D350203296338",
		"prd_days": int64(14), "trace": "T0001"}
	rf := newFeeRenderer()
	unknown := map[string]feeItem{}
	b.ReportAllocs()
	for b.Loop() {
		if _, fe := rf.fee(rec, "20253705565479807769", unknown); fe != nil {
			b.Fatal(fe)
		}
	}
}
