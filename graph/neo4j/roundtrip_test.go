package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// tableRows describes every row of t by its natural key (psn_no, code,
// dr_code, item code, mdtrt_id, mdtrt_id/feedetl_sn), with every column
// detection reads, references written as natural keys, so that tables
// holding the same data in a different row order describe the same.
// Personal names and certificate numbers (pushed masked) and source lines
// are left out.
func tableRows(t *graph.Tables) map[string]string {
	rows := map[string]string{}
	key := func(ids interface{ String(uint32) string }, r uint32) string {
		if r == graph.None {
			return ""
		}
		return ids.String(r)
	}
	pt := &t.Persons
	for i := 0; i < pt.Len(); i++ {
		rows["person "+pt.IDs.String(uint32(i))] = cols(pt.Sex[i], pt.Birth[i], t.Str(pt.InsuType[i]),
			t.Str(pt.InsuplcAdmdvs[i]), pt.DieDate[i])
	}
	it := &t.Institutions
	for i := 0; i < it.Len(); i++ {
		rows["institution "+it.IDs.String(uint32(i))] = cols(t.Str(it.Name[i]), it.Type[i], it.Class[i], it.Evidence[i],
			it.Admissions[i], t.Str(it.Level[i]), t.Str(it.Admdvs[i]), it.Beds[i], it.Lat[i], it.Lon[i], it.HasLoc[i])
	}
	dt := &t.Doctors
	sites := make([][]string, dt.Len())
	for _, r := range dt.Sites {
		sites[r.Doctor] = append(sites[r.Doctor], it.IDs.String(r.Institution))
	}
	for i := 0; i < dt.Len(); i++ {
		slices.Sort(sites[i])
		rows["doctor "+dt.IDs.String(uint32(i))] = cols(t.Str(dt.Dept[i]), t.Str(dt.Prof[i]), dt.Registered[i], sites[i])
	}
	ct := &t.Catalog
	for i := 0; i < ct.Len(); i++ {
		rows["item "+ct.IDs.String(uint32(i))] = cols(t.Str(ct.Name[i]), ct.ListType[i], ct.LimitSex[i], ct.AgeMin[i],
			ct.AgeMax[i], ct.MaxDays[i], ct.PriceCap[i], ct.Known[i])
	}
	vt := &t.Visits
	for i := 0; i < vt.Len(); i++ {
		rows["visit "+vt.IDs.String(uint32(i))] = cols(vt.SetlID.String(uint32(i)), pt.IDs.String(vt.Person[i]),
			it.IDs.String(vt.Institution[i]), key(dt.IDs, vt.Doctor[i]), vt.MedType[i], vt.Begin.At(uint32(i)), vt.End.At(uint32(i)), t.Str(vt.Dise.At(uint32(i))),
			t.Str(vt.DiseName.At(uint32(i))), vt.MedFee.At(uint32(i)), vt.FundPay.At(uint32(i)), vt.Cert[i], vt.Flags[i])
	}
	ft := &t.Fees
	for i := 0; i < ft.Len(); i++ {
		rows["fee "+FeeKey(vt.IDs.String(ft.Visit.At(uint32(i))), t.FeeSerial(uint32(i)))] = cols(ct.IDs.String(ft.Item.At(uint32(i))), ft.Count.At(uint32(i)),
			ft.Price.At(uint32(i)), ft.AmountAt(uint32(i)), ft.Time.At(uint32(i)), key(dt.IDs, t.FeeDoctor(uint32(i))), ft.SupplyDays.At(uint32(i)), key(ft.Traces, ft.Trace.At(uint32(i))))
	}
	return rows
}

// cols writes the columns of a row, separated by spaces.
func cols(vals ...any) string { return strings.TrimSuffix(fmt.Sprintln(vals...), "\n") }

// checkSameTables checks that the tables read back, tb, hold the rows of
// the tables pushed, orig (in key order instead of file order): what
// detection reads is what was pushed. That detection then finds the same
// rule hits and rings is checked against a real server by cmd/ringlens
// (TestIntegrationPushReadBackSameFindings).
func checkSameTables(t *testing.T, orig, tb *graph.Tables) {
	t.Helper()
	want, got := tableRows(orig), tableRows(tb)
	if orig.Visits.Len() == 0 || orig.Fees.Len() == 0 || orig.Catalog.Len() == 0 {
		t.Fatal("fixture without visits, fee lines or catalogue")
	}
	bad := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if bad++; bad <= 10 {
				t.Errorf("%s differs after read back:\n  pushed:    %s\n  read back: %s", k, w, g)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			if bad++; bad <= 10 {
				t.Errorf("%s read back but not pushed", k)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d rows differ in all", bad)
	}
	t.Logf("%d rows read back as pushed", len(got))
}

// TestFixtureRoundTripTables pushes the huli-small fixture with visits,
// fee lines and the catalogue into the fake, reads it back and checks that
// the tables hold the same rows, every column detection reads, and build
// the same graph.
func TestFixtureRoundTripTables(t *testing.T) {
	ctx := context.Background()
	fx := loadFixture(t)
	orig := fx.g.Tables()
	db := newFakeDB()
	if _, err := Push(ctx, db, fx.model(t, false), PushOptions{Batch: 4000, Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: db, Page: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if int(ls.Fees) != orig.Fees.Len() || ls.SkippedFees != 0 || int(ls.Items) != orig.Catalog.Len() ||
		int(ls.Visits) != orig.Visits.Len() || ls.SkippedVisits != 0 || tb.Fees.Len() != orig.Fees.Len() {
		t.Fatalf("read back %+v; fixture has %d visits, %d fee lines, %d items", ls, orig.Visits.Len(), orig.Fees.Len(), orig.Catalog.Len())
	}
	checkSameTables(t, orig, tb)
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumEdges() != fx.g.NumEdges() || g.NumNodes() != fx.g.NumNodes() {
		t.Errorf("read-back graph has %d nodes %d edges, ingested %d %d", g.NumNodes(), g.NumEdges(), fx.g.NumNodes(), fx.g.NumEdges())
	}
}
