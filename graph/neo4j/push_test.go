package neo4j

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

func noSleep(context.Context, time.Duration) error { return nil }

func transient() error {
	return &driver.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected", Msg: "deadlock"}
}

func smallModel(t *testing.T, pii bool) *Model {
	t.Helper()
	m, err := NewModel(Input{Graph: smallGraph(t), RunID: "r1", IncludePII: pii, Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func nodeSet(t *testing.T, m *Model, name string) *NodeSet {
	t.Helper()
	return named(t, m.Nodes, name, func(s *NodeSet) string { return s.Name })
}

func relSet(t *testing.T, m *Model, name string) *RelSet {
	t.Helper()
	return named(t, m.Rels, name, func(s *RelSet) string { return s.Name })
}

// named returns the set called name, failing the test if there is none.
func named[S any](t *testing.T, sets []S, name string, nameOf func(*S) string) *S {
	t.Helper()
	for i := range sets {
		if nameOf(&sets[i]) == name {
			return &sets[i]
		}
	}
	t.Fatalf("no set %s", name)
	return nil
}

func TestQueries(t *testing.T) {
	m := smallModel(t, false)
	clinic := nodeSet(t, m, "clinic")
	if got, want := NodeQuery(clinic), "UNWIND $rows AS row MERGE (n:Institution {code: row.key}) SET n:Clinic SET n += row.props"; got != want {
		t.Errorf("NodeQuery = %q, want %q", got, want)
	}
	var visited *RelSet
	for i := range m.Rels {
		if m.Rels[i].Type == RelVisited {
			visited = &m.Rels[i]
		}
	}
	want := "UNWIND $rows AS row MATCH (a:Patient {psn_no: row.from}) MATCH (b:Institution {code: row.to}) MERGE (a)-[r:VISITED]->(b) SET r += row.props"
	if got := RelQuery(visited); got != want {
		t.Errorf("RelQuery = %q, want %q", got, want)
	}
	if got := RelCountQuery(visited); got != "MATCH (a:Patient)-[r:VISITED]->(b:Institution) RETURN count(r) AS n" {
		t.Errorf("RelCountQuery = %q", got)
	}
	qs := ConstraintQueries()
	for _, l := range []string{"Patient", "Doctor", "Institution", "Visit", "FeeLine", "Item", "Ring", "RuleHit"} {
		found := false
		for _, q := range qs {
			found = found || strings.Contains(q, "FOR (n:"+l+") REQUIRE") && strings.Contains(q, "IF NOT EXISTS")
		}
		if !found {
			t.Errorf("no uniqueness constraint for %s", l)
		}
	}
}

func TestBatchParamsAndMasking(t *testing.T) {
	for _, pii := range []bool{false, true} {
		m := smallModel(t, pii)
		p := NodeBatch(nodeSet(t, m, "patient"), 0, 2)["rows"].([]any)
		if len(p) != 2 {
			t.Fatalf("rows = %d", len(p))
		}
		row := p[0].(map[string]any)
		props := row["props"].(map[string]any)
		if row["key"] != "A1" {
			t.Fatalf("key = %v", row["key"])
		}
		wantName, wantCert := "张**", "110*************34"
		if pii {
			wantName, wantCert = testName, testCertNo
		}
		if props["name"] != wantName || props["cert_no"] != wantCert {
			t.Errorf("pii=%v: name %v cert %v", pii, props["name"], props["cert_no"])
		}
		if props["birth"] == nil || props["die_date"] != nil {
			t.Errorf("dates: birth %v die %v", props["birth"], props["die_date"])
		}
		d := NodeBatch(nodeSet(t, m, "doctor"), 0, 1)["rows"].([]any)[0].(map[string]any)["props"].(map[string]any)
		if (d["name"] == testDoctor) != pii {
			t.Errorf("pii=%v: doctor name %v", pii, d["name"])
		}
	}
	m := smallModel(t, false)
	if n := nodeSet(t, m, "hospital"); n.Len != 1 || n.Labels[1] != LabelHospital {
		t.Errorf("hospital set %+v", n)
	}
	for i := range m.Rels {
		if m.Rels[i].Type == RelAttendedBy {
			if _, n := RelBatch(&m.Rels[i], 0, m.Rels[i].Len); n != 3 {
				t.Errorf("ATTENDED_BY rows = %d, want 3 (V3 has no doctor)", n)
			}
		}
	}
}

func TestPushBatchesAndIdempotent(t *testing.T) {
	ctx := context.Background()
	m := smallModel(t, false)
	db := newFakeDB()
	var stages []string
	st, err := Push(ctx, db, m, PushOptions{Batch: 2, Retry: Retry{Sleep: noSleep},
		Progress: func(s string, done, total int64) { stages = append(stages, s) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range db.queries {
		if rows, ok := q.params["rows"].([]any); ok && len(rows) > 2 {
			t.Errorf("batch of %d rows, want <= 2", len(rows))
		}
	}
	if st.Nodes != 2+1+1+1+1+4+2+3 { // patients, doctor, clinic, hospital, pharmacy, visits, items, fee lines
		t.Errorf("nodes = %d", st.Nodes)
	}
	if len(stages) == 0 || st.RowsPerSecond() <= 0 {
		t.Errorf("progress %v, rate %v", stages, st.RowsPerSecond())
	}
	for _, c := range st.Checks {
		if c.Got != c.Want {
			t.Errorf("check %s: got %d want %d", c.Set, c.Got, c.Want)
		}
	}
	// Constraints come before any write.
	if !strings.HasPrefix(db.queries[0].cypher, "CREATE CONSTRAINT") {
		t.Errorf("first statement %q", db.queries[0].cypher)
	}
	snap := db.snapshot()
	if strings.Contains(snap, testName) || strings.Contains(snap, testCertNo) || strings.Contains(snap, testDoctor) {
		t.Error("personal data pushed unmasked")
	}
	if _, err := Push(ctx, db, m, PushOptions{Batch: 3}); err != nil {
		t.Fatal(err)
	}
	if db.snapshot() != snap {
		t.Error("second push changed the graph")
	}
}

func TestPushRetries(t *testing.T) {
	ctx := context.Background()
	m := smallModel(t, false)
	db := newFakeDB()
	db.inject = func(call int, write bool) error {
		if call == 3 || call == 4 || call == 12 {
			return transient()
		}
		return nil
	}
	st, err := Push(ctx, db, m, PushOptions{Batch: 2, Retry: Retry{Sleep: noSleep}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Retries != 3 {
		t.Errorf("retries = %d, want 3", st.Retries)
	}

	// Permanent errors are not retried.
	db = newFakeDB()
	perm := errors.New("syntax error")
	db.inject = func(call int, write bool) error {
		if call == 2 {
			return perm
		}
		return nil
	}
	if _, err := Push(ctx, db, m, PushOptions{Retry: Retry{Sleep: noSleep}}); !errors.Is(err, perm) || db.calls != 2 {
		t.Errorf("err = %v after %d calls", err, db.calls)
	}

	// Attempts run out.
	db = newFakeDB()
	db.inject = func(int, bool) error { return transient() }
	_, err = Push(ctx, db, m, PushOptions{Retry: Retry{Attempts: 3, Sleep: noSleep}})
	if err == nil || db.calls != 3 || !IsTransient(errors.Unwrap(errors.Unwrap(err))) {
		t.Errorf("err = %v after %d calls", err, db.calls)
	}
}

func TestRetryBackoffAndCancel(t *testing.T) {
	var waits []time.Duration
	r := Retry{Attempts: 4, Backoff: time.Millisecond, Sleep: func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}}
	n, err := r.Do(context.Background(), func(context.Context) error { return transient() })
	if err == nil || n != 3 || len(waits) != 3 || waits[2] != 4*time.Millisecond {
		t.Errorf("n=%d err=%v waits=%v", n, err, waits)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if IsTransient(ctx.Err()) {
		t.Error("cancellation is not transient")
	}
	if _, err := (Retry{}).Do(ctx, func(ctx context.Context) error { return transient() }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestCountMismatch(t *testing.T) {
	m := smallModel(t, false)
	db := newFakeDB()
	// Drop every VISITED write: the count check must notice.
	wrapped := &dropWrites{fakeDB: db, drop: "[r:VISITED]"}
	_, err := Push(context.Background(), wrapped, m, PushOptions{Retry: Retry{Sleep: noSleep}})
	if !errors.Is(err, ErrCountMismatch) {
		t.Errorf("err = %v, want ErrCountMismatch", err)
	}
}

// dropWrites silently ignores statements containing drop.
type dropWrites struct {
	*fakeDB
	drop string
}

func (d *dropWrites) ExecuteWrite(ctx context.Context, work Work) error {
	return d.fakeDB.ExecuteWrite(ctx, func(ctx context.Context, tx Runner) error {
		return work(ctx, dropTx{tx, d.drop})
	})
}

type dropTx struct {
	Runner
	drop string
}

func (d dropTx) Run(ctx context.Context, q string, p map[string]any) (Records, error) {
	if strings.Contains(q, d.drop) {
		return &fakeRecords{}, nil
	}
	return d.Runner.Run(ctx, q, p)
}

func TestRoundTripSmall(t *testing.T) {
	ctx := context.Background()
	g := smallGraph(t)
	m, err := NewModel(Input{Graph: g, RunID: "r1", Visits: true, IncludePII: true})
	if err != nil {
		t.Fatal(err)
	}
	db := newFakeDB()
	if _, err := Push(ctx, db, m, PushOptions{Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	tb, st, err := LoadTablesStats(ctx, Source{Exec: db, Page: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Fee line V4/0002 has no fee_ocur_time, which ingest requires: the
	// read-back refuses it as ingest would (TestLoadAppliesIngestRules).
	if st.Visits != 4 || st.Persons != 2 || st.Institutions != 3 || st.Doctors != 1 || st.Registrations != 1 ||
		st.Items != 2 || st.Fees != 2 || st.SkippedFees != 0 || st.RejectedVisits != 0 || st.RejectedFees != 1 ||
		len(st.Rejects) != 1 || st.Rejects[0] != (LoadReject{Table: "fee_list", Column: "fee_ocur_time", Reason: "empty required value", Count: 1}) {
		t.Errorf("stats %+v", st)
	}
	g2, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g2.NumNodes() != g.NumNodes() || g2.NumEdges() != g.NumEdges() {
		t.Errorf("read back %d nodes %d edges, want %d %d", g2.NumNodes(), g2.NumEdges(), g.NumNodes(), g.NumEdges())
	}
	v := &tb.Visits
	orig := &g.Tables().Visits
	for i := 0; i < orig.Len(); i++ {
		r := v.IDs.Lookup(orig.IDs.String(uint32(i)))
		if v.Begin.At(r) != orig.Begin.At(uint32(i)) || v.FundPay.At(r) != orig.FundPay.At(uint32(i)) || v.End.At(r) != orig.End.At(uint32(i)) || v.MedType[r] != orig.MedType[i] {
			t.Errorf("visit %d differs after read back", i)
		}
	}
	// Fee lines and the catalogue, value for value.
	of, nf := &g.Tables().Fees, &tb.Fees
	if nf.Len() != of.Len()-1 {
		t.Fatalf("%d fee lines read back, want %d", nf.Len(), of.Len()-1)
	}
	for i := 0; i < of.Len(); i++ {
		key := FeeKey(orig.IDs.String(of.Visit.At(uint32(i))), g.Tables().FeeSerial(uint32(i)))
		if of.Time.At(uint32(i)) == claims.NoTime {
			continue // refused, as above
		}
		j := -1
		for k := 0; k < nf.Len(); k++ {
			if FeeKey(v.IDs.String(nf.Visit.At(uint32(k))), tb.FeeSerial(uint32(k))) == key {
				j = k
			}
		}
		if j < 0 {
			t.Fatalf("fee line %s not read back", key)
		}
		if nf.Count.At(uint32(j)) != of.Count.At(uint32(i)) || nf.Price.At(uint32(j)) != of.Price.At(uint32(i)) || nf.AmountAt(uint32(j)) != of.AmountAt(uint32(i)) || nf.Time.At(uint32(j)) != of.Time.At(uint32(i)) ||
			nf.SupplyDays.At(uint32(j)) != of.SupplyDays.At(uint32(i)) || tb.FeeDoctor(uint32(j)) != g.Tables().FeeDoctor(uint32(i)) ||
			tb.Catalog.IDs.String(nf.Item.At(uint32(j))) != g.Tables().Catalog.IDs.String(of.Item.At(uint32(i))) ||
			(nf.Trace.At(uint32(j)) == graph.None) != (of.Trace.At(uint32(i)) == graph.None) ||
			nf.Trace.At(uint32(j)) != graph.None && nf.Traces.String(nf.Trace.At(uint32(j))) != of.Traces.String(of.Trace.At(uint32(i))) {
			t.Errorf("fee line %s differs after read back", key)
		}
	}
	ct := &tb.Catalog
	if x := ct.IDs.Lookup("X001"); x == graph.None || !ct.Known[x] || ct.LimitSex[x] != 2 || ct.AgeMin[x] != 18 ||
		ct.AgeMax[x] != -1 || ct.MaxDays[x] != 30 || ct.PriceCap[x] != 12_500000 || tb.Str(ct.Name[x]) != "某药片" {
		t.Errorf("known item X001 read back wrong")
	}
	if x := ct.IDs.Lookup("S100"); x == graph.None || ct.Known[x] || ct.ListType[x] != 201 || tb.Str(ct.Name[x]) != "诊查费" {
		t.Errorf("fee-line item S100 read back wrong")
	}
	p := tb.Persons.IDs.Lookup("A1")
	if tb.Persons.Birth[p] != g.Tables().Persons.Birth[0] {
		t.Errorf("birth %v", tb.Persons.Birth[p])
	}
	if tb.Institutions.Class[tb.Institutions.IDs.Lookup("H002")] != graph.ClassHospital {
		t.Error("hospital class lost")
	}
}

func TestDateTimeParamsUseOffset(t *testing.T) {
	m := smallModel(t, false)
	p := NodeBatch(nodeSet(t, m, "visit"), 0, 1)["rows"].([]any)[0].(map[string]any)["props"].(map[string]any)
	begin, ok := p["begin"].(time.Time)
	if !ok {
		t.Fatalf("begin is %T", p["begin"])
	}
	if name, off := begin.Zone(); name != "Offset" || off != 8*3600 || begin.Hour() != 9 {
		t.Errorf("begin %v in zone %s%+d", begin, name, off)
	}
	if _, ok := p["end"]; !ok || p["end"] != nil {
		t.Errorf("absent end should be a nil property, got %v", p["end"])
	}
}

func TestFeeLineBatch(t *testing.T) {
	m := smallModel(t, false)
	fees := nodeSet(t, m, "feeline")
	if fees.Len != 3 || NodeHeader(fees)[0] != "id:ID(FeeLine)" {
		t.Fatalf("fee set %d rows, header %v", fees.Len, NodeHeader(fees))
	}
	rows := NodeBatch(fees, 0, fees.Len)["rows"].([]any)
	r := rows[0].(map[string]any)
	p := r["props"].(map[string]any)
	if r["key"] != "V4/0001" || p["sn"] != "0001" || p["item"] != "X001" || p["cnt"] != 2.0 || p["pric"] != 12.345678 ||
		p["amount"] != 24.69 || p["dr_code"] != "D1" || p["prd_days"] != int64(14) || p["trace"] != "T0001" {
		t.Errorf("fee row %v", r)
	}
	if _, ok := p["time"].(time.Time); !ok {
		t.Errorf("time is %T", p["time"])
	}
	p2 := rows[1].(map[string]any)["props"].(map[string]any)
	if p2["time"] != nil || p2["dr_code"] != nil || p2["prd_days"] != nil || p2["trace"] != nil {
		t.Errorf("absent fee values should be nil: %v", p2)
	}
	billed := relSet(t, m, "billed")
	if got := RelQuery(billed); got != "UNWIND $rows AS row MATCH (a:Visit {mdtrt_id: row.from}) MATCH (b:FeeLine {id: row.to}) MERGE (a)-[r:BILLED]->(b)" {
		t.Errorf("BILLED query %q", got)
	}
	items := NodeBatch(nodeSet(t, m, "item"), 0, 2)["rows"].([]any)
	ip := items[0].(map[string]any)["props"].(map[string]any)
	if items[0].(map[string]any)["key"] != "X001" || ip["known"] != true || ip["price_cap"] != 12.5 || ip["lmt_gend"] != int64(2) ||
		ip["age_min"] != int64(18) || ip["age_max"] != nil || ip["max_days"] != int64(30) {
		t.Errorf("item row %v", items[0])
	}
	if ip := items[1].(map[string]any)["props"].(map[string]any); ip["known"] != false || ip["price_cap"] != nil || ip["list_type"] != int64(201) {
		t.Errorf("fee-line item row %v", items[1])
	}
	// Without visits, neither fee lines nor items.
	m2, err := NewModel(Input{Graph: smallGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m2.Nodes {
		if s.Space == LabelFeeLine || s.Space == LabelItem || s.Space == LabelVisit {
			t.Errorf("set %s written without Visits", s.Name)
		}
	}
}

// TestModelTraceLines: without visits, TraceLines writes only the fee line
// that carries a trace code (V4/0001 of smallGraph), its visit, and their
// relationships, and no items.
func TestModelTraceLines(t *testing.T) {
	m, err := NewModel(Input{Graph: smallGraph(t), TraceLines: true})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(s *NodeSet) []string {
		var out []string
		for _, r := range NodeBatch(s, 0, s.Len)["rows"].([]any) {
			out = append(out, r.(map[string]any)["key"].(string))
		}
		return out
	}
	if got := keys(nodeSet(t, m, "feeline")); !slices.Equal(got, []string{"V4/0001"}) {
		t.Errorf("fee lines %v, want the traced V4/0001", got)
	}
	if got := keys(nodeSet(t, m, "visit")); !slices.Equal(got, []string{"V4"}) {
		t.Errorf("visits %v, want V4", got)
	}
	fee := NodeBatch(nodeSet(t, m, "feeline"), 0, 1)["rows"].([]any)[0].(map[string]any)["props"].(map[string]any)
	if fee["trace"] != "T0001" {
		t.Errorf("fee line props %v", fee)
	}
	for name, want := range map[string]int{"billed": 1, "at": 1, "had": 1, "attended_by": 1} {
		if s := relSet(t, m, name); s.Len != want {
			t.Errorf("%s: %d relationships, want %d", name, s.Len, want)
		}
	}
	for _, s := range m.Nodes {
		if s.Space == LabelItem {
			t.Errorf("set %s written with TraceLines", s.Name)
		}
	}
}
