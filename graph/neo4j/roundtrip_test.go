package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
)

// hitSignature describes a rule hit by natural keys only (no table rows),
// so that hits found on two tables holding the same data in a different
// row order compare equal.
func hitSignature(t *graph.Tables, h *rules.Hit) string {
	return hitIdentity(t, h) + fmt.Sprintf(" amount=%d %q", h.Amount, h.Detail)
}

// hitIdentity is hitSignature without the amount and the detail.
func hitIdentity(t *graph.Tables, h *rules.Hit) string {
	keys := func(rows []uint32, n int, key func(uint32) string) string {
		var out []string
		for _, r := range rows {
			if int(r) < n {
				out = append(out, key(r))
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	ids, fees := rules.Cite(t, *h)
	slices.Sort(ids)
	fs := make([]string, len(fees))
	for i, f := range fees {
		fs[i] = f.MdtrtID + "/" + f.FeedetlSn
	}
	slices.Sort(fs)
	return fmt.Sprintf("%s %s %s visits=%d fees=%d at=%d persons=[%s] doctors=[%s] insts=[%s] items=[%s] cites=[%s] fees=[%s]",
		h.Rule, h.Version, h.Result, h.NVisits, h.NFees, h.At,
		keys(h.Persons, t.Persons.Len(), t.Persons.IDs.String), keys(h.Doctors, t.Doctors.Len(), t.Doctors.IDs.String),
		keys(h.Institutions, t.Institutions.Len(), t.Institutions.IDs.String), keys(h.Items, t.Catalog.Len(), t.Catalog.IDs.String),
		strings.Join(ids, ","), strings.Join(fs, ","))
}

func hitSignatures(t *graph.Tables, hits []rules.Hit) []string {
	out := make([]string, len(hits))
	for i := range hits {
		out[i] = hitSignature(t, &hits[i])
	}
	slices.Sort(out)
	return out
}

// ringSignature describes a ring by its members, typology, score and
// amount.
func ringSignature(r *rings.Ring) string {
	ms := make([]string, len(r.Members))
	for i, m := range r.Members {
		ms[i] = m.Kind + ":" + m.ID + ":" + m.Role
	}
	slices.Sort(ms)
	return fmt.Sprintf("%s %s score=%.4f amount=%.2f visits=%d rule_hits=%v members=[%s]",
		r.ID, r.Typology, r.Score, r.AmountAtRisk, r.Visits, r.Features["rule_hits"], strings.Join(ms, " "))
}

// diffSorted returns the elements only in a and only in b (sorted inputs).
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

// TestFixtureRoundTripRules pushes the huli-small fixture with visits, fee
// lines and the catalogue into the fake, reads it back and checks that the
// tables hold the same rows (in key order instead of file order) and that
// the rule library and ring detection find the same hits and rings as on
// the ingested tables.
func TestFixtureRoundTripRules(t *testing.T) {
	ctx := context.Background()
	fx := loadFixture(t)
	orig := fx.g.Tables()
	if orig.Fees.Len() == 0 || orig.Catalog.Len() == 0 {
		t.Fatal("fixture without fee lines or catalogue")
	}
	db := newFakeDB()
	if _, err := Push(ctx, db, fx.model(t, false), PushOptions{Batch: 4000, Retry: Retry{Sleep: noSleep}}); err != nil {
		t.Fatal(err)
	}
	tb, ls, err := LoadTablesStats(ctx, Source{Exec: db, Page: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if int(ls.Fees) != orig.Fees.Len() || ls.SkippedFees != 0 || int(ls.Items) != orig.Catalog.Len() ||
		int(ls.Visits) != orig.Visits.Len() || tb.Fees.Len() != orig.Fees.Len() {
		t.Fatalf("read back %+v; fixture has %d fee lines, %d items", ls, orig.Fees.Len(), orig.Catalog.Len())
	}

	// Every fee line and catalogue item comes back with the same values.
	feeRow := make(map[string]int, tb.Fees.Len())
	for i := 0; i < tb.Fees.Len(); i++ {
		feeRow[FeeKey(tb.Visits.IDs.String(tb.Fees.Visit[i]), tb.Str(tb.Fees.Sn[i]))] = i
	}
	doc := func(tt *graph.Tables, d uint32) string {
		if d == graph.None {
			return ""
		}
		return tt.Doctors.IDs.String(d)
	}
	trace := func(ft *graph.FeeTable, i int) string {
		if ft.Trace[i] == graph.None {
			return ""
		}
		return ft.Traces.String(ft.Trace[i])
	}
	of, nf := &orig.Fees, &tb.Fees
	for i := 0; i < of.Len(); i++ {
		key := FeeKey(orig.Visits.IDs.String(of.Visit[i]), orig.Str(of.Sn[i]))
		j, ok := feeRow[key]
		if !ok {
			t.Fatalf("fee line %s not read back", key)
		}
		if of.Count[i] != nf.Count[j] || of.Price[i] != nf.Price[j] || of.Amount[i] != nf.Amount[j] ||
			of.Time[i] != nf.Time[j] || of.SupplyDays[i] != nf.SupplyDays[j] || trace(of, i) != trace(nf, j) ||
			doc(orig, of.Doctor[i]) != doc(tb, nf.Doctor[j]) ||
			orig.Catalog.IDs.String(of.Item[i]) != tb.Catalog.IDs.String(nf.Item[j]) {
			t.Fatalf("fee line %s differs after read back", key)
		}
	}
	oc, nc := &orig.Catalog, &tb.Catalog
	for i := 0; i < oc.Len(); i++ {
		j := nc.IDs.Lookup(oc.IDs.String(uint32(i)))
		if j == graph.None {
			t.Fatalf("item %s not read back", oc.IDs.String(uint32(i)))
		}
		if oc.Known[i] != nc.Known[j] || oc.ListType[i] != nc.ListType[j] || orig.Str(oc.Name[i]) != tb.Str(nc.Name[j]) ||
			oc.LimitSex[i] != nc.LimitSex[j] || oc.AgeMin[i] != nc.AgeMin[j] || oc.AgeMax[i] != nc.AgeMax[j] ||
			oc.MaxDays[i] != nc.MaxDays[j] || oc.PriceCap[i] != nc.PriceCap[j] {
			t.Fatalf("item %s differs after read back", oc.IDs.String(uint32(i)))
		}
	}
	for i := 0; i < orig.Visits.Len(); i++ {
		j := tb.Visits.IDs.Lookup(orig.Visits.IDs.String(uint32(i)))
		if orig.Visits.Flags[i] != tb.Visits.Flags[j] || orig.Visits.MedFee[i] != tb.Visits.MedFee[j] ||
			orig.Visits.FundPay[i] != tb.Visits.FundPay[j] {
			t.Fatalf("visit %s differs after read back", orig.Visits.IDs.String(uint32(i)))
		}
	}

	// The same rule hits.
	g, err := graph.Build(ctx, tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumEdges() != fx.g.NumEdges() || g.NumNodes() != fx.g.NumNodes() {
		t.Errorf("read-back graph has %d nodes %d edges, ingested %d %d", g.NumNodes(), g.NumEdges(), fx.g.NumNodes(), fx.g.NumEdges())
	}
	rr, err := rules.Run(ctx, g, rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	checkSameHits(t, orig, fx.hits, tb, rr.Hits)
	rulesSeen := map[string]int{}
	for _, h := range rr.Hits {
		rulesSeen[h.Rule]++
	}
	for _, id := range []string{rules.IDPriceCap, rules.IDRoundQuantity, rules.IDOverSupply, rules.IDTraceDuplicate} {
		if rulesSeen[id] == 0 && slices.ContainsFunc(fx.hits, func(h rules.Hit) bool { return h.Rule == id }) {
			t.Errorf("fee-level rule %s did not fire on the read-back tables", id)
		}
	}
	t.Logf("%d rules fired on the read-back tables", len(rulesSeen))

	// The same rings.
	f, err := rings.Detect(ctx, g, rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkSameRings(t, fx.f, f)
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// sameDayFills reports whether two of the fee lines h cites, at different
// visits, fall on the same day.
func sameDayFills(t *graph.Tables, h *rules.Hit) bool {
	ft := &t.Fees
	for i, a := range h.Fees {
		for _, b := range h.Fees[i+1:] {
			if ft.Visit[a] != ft.Visit[b] && ft.Time[a].Day() == ft.Time[b].Day() {
				return true
			}
		}
	}
	return false
}

// checkSameHits checks that the rule hits found on the read-back tables
// tb are those found on the ingested tables orig.
func checkSameHits(t *testing.T, orig *graph.Tables, wantHits []rules.Hit, tb *graph.Tables, gotHits []rules.Hit) {
	t.Helper()
	// Hits are compared by natural keys. The read-back tables hold their
	// rows in key order (mdtrt_id, then mdtrt_id/feedetl_sn) instead of
	// file order, and R-REPEAT-RX orders a patient's fills of an item by
	// day, breaking ties by fee-line row: when two fills of the item fall
	// on one day at different visits, which of them counts as the earlier
	// changes the supply left over, so the hit's amount and the days in
	// its detail (and, in principle, whether it fires). Differences in
	// amount and detail of such hits are the only ones allowed, and each
	// must show such a same-day pair.
	want, got := hitSignatures(orig, wantHits), hitSignatures(tb, gotHits)
	onlyIngest, onlyRead := diffSorted(want, got)
	idOf := func(tt *graph.Tables, hits []rules.Hit, sigs []string) map[string]*rules.Hit {
		m := map[string]*rules.Hit{}
		for i := range hits {
			if slices.Contains(sigs, hitSignature(tt, &hits[i])) {
				m[hitIdentity(tt, &hits[i])] = &hits[i]
			}
		}
		return m
	}
	ingestByID, readByID := idOf(orig, wantHits, onlyIngest), idOf(tb, gotHits, onlyRead)
	if len(ingestByID) != len(onlyIngest) || len(readByID) != len(onlyRead) {
		t.Errorf("hits differing only in amount or detail are not one to one")
	}
	for id, h := range ingestByID {
		if readByID[id] == nil {
			t.Errorf("hit only on the ingested tables: %s", hitSignature(orig, h))
			continue
		}
		if h.Rule != rules.IDRepeatRx || !sameDayFills(orig, h) {
			t.Errorf("hit differs after read back:\n  ingested:  %s\n  read back: %s", hitSignature(orig, h), hitSignature(tb, readByID[id]))
		}
	}
	for id, h := range readByID {
		if ingestByID[id] == nil {
			t.Errorf("hit only on the read-back tables: %s", hitSignature(tb, h))
		}
	}
	t.Logf("%d rule hits on both; %d R-REPEAT-RX hits differ in amount and detail only (same-day fills, ordered by row)",
		len(got), len(ingestByID))
}

// checkSameRings checks that detection on the read-back tables reports the
// rings reported on the ingested tables.
func checkSameRings(t *testing.T, want, got *rings.Findings) {
	t.Helper()
	var wantRings, gotRings []string
	for i := range want.Rings {
		wantRings = append(wantRings, ringSignature(&want.Rings[i]))
	}
	for i := range got.Rings {
		gotRings = append(gotRings, ringSignature(&got.Rings[i]))
	}
	onlyIngest, onlyRead := diffSorted(sortedCopy(wantRings), sortedCopy(gotRings))
	for _, s := range onlyIngest {
		t.Errorf("ring only on the ingested tables: %s", s)
	}
	for _, s := range onlyRead {
		t.Errorf("ring only on the read-back tables: %s", s)
	}
	t.Logf("%d rings on both", len(gotRings))
}
