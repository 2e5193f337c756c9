package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestNodes(t *testing.T) {
	g := fixtureGraph(t)
	if g.NumNodes() != 12 {
		t.Fatalf("NumNodes = %d, want 12", g.NumNodes())
	}
	tests := []struct {
		kind  Kind
		key   string
		id    NodeID
		row   uint32
		label string
		class InstitutionClass
	}{
		{KindPatient, "P1", 0, 0, "张**", ClassClinic},
		{KindPatient, "P4", 3, 3, "P4", ClassClinic},
		{KindDoctor, "D1", 4, 0, "赵**", ClassClinic},
		{KindDoctor, "D999", 7, 3, "D999", ClassClinic},
		{KindInstitution, "H1", 8, 0, "市第一人民医院", ClassHospital},
		{KindInstitution, "C1", 9, 2, "阳光诊所", ClassClinic},
		{KindInstitution, "S1", 10, 3, "幸福卫生站", ClassStation},
		{KindPharmacy, "PH1", 11, 1, "康民大药房", ClassPharmacy},
	}
	for _, tc := range tests {
		n, ok := g.Lookup(tc.kind, tc.key)
		if !ok || n != tc.id {
			t.Errorf("Lookup(%v, %s) = %d, %v; want %d", tc.kind, tc.key, n, ok, tc.id)
			continue
		}
		if g.Kind(n) != tc.kind || g.Row(n) != tc.row || g.Key(n) != tc.key || g.Label(n) != tc.label || g.Class(n) != tc.class {
			t.Errorf("node %d: kind %v row %d key %q label %q class %v", n, g.Kind(n), g.Row(n), g.Key(n), g.Label(n), g.Class(n))
		}
	}
	if _, ok := g.Lookup(KindInstitution, "PH1"); ok {
		t.Error("Lookup(institution, PH1) found a pharmacy")
	}
	if g.InstitutionNode(1) != 11 || g.PatientNode(9) != NoNode || g.DoctorNode(4) != NoNode || g.Row(99) != None {
		t.Error("row/node mapping of out-of-range ids")
	}
	if g.Kind(99).String() != "unknown" || g.Label(99) != "" || g.Key(99) != "" {
		t.Error("invalid node must give unknown kind and empty strings")
	}
	for n := NodeID(0); int(n) < g.NumNodes(); n++ {
		if g.Kind(n) == KindPatient || g.Kind(n) == KindDoctor {
			if l := g.Label(n); l != g.Key(n) && !containsStar(l) {
				t.Errorf("label %q of person node %d is not masked", l, n)
			}
		}
	}
}

func containsStar(s string) bool { return slices.Contains([]byte(s), '*') }

func TestEdges(t *testing.T) {
	g := fixtureGraph(t)
	type want struct {
		ty           EdgeType
		u, v         string // keys; kinds follow from the type
		visits       uint32
		fund, medFee claims.Money
		first, last  claims.Time
	}
	tests := []want{
		{PatientInstitution, "P1", "C1", 2, 9000, 12000, at(2024, 1, 1, 9, 0), at(2024, 1, 5, 8, 0)},
		{PatientInstitution, "P2", "C1", 1, 4000, 5000, at(2024, 1, 1, 9, 10), at(2024, 1, 1, 9, 10)},
		{PatientInstitution, "P3", "C1", 1, 1200, 1500, at(2024, 1, 1, 9, 0), at(2024, 1, 1, 9, 0)}, // V3 reversed: not counted
		{PatientInstitution, "P4", "H1", 1, 35000, 50000, at(2024, 1, 3, 8, 0), at(2024, 1, 3, 8, 0)},
		{PatientDoctor, "P1", "D1", 2, 9000, 12000, at(2024, 1, 1, 9, 0), at(2024, 1, 5, 8, 0)},
		{PatientDoctor, "P1", "D999", 1, 8000, 10000, at(2024, 1, 1, 9, 0), at(2024, 1, 1, 9, 0)},
		{PatientDoctor, "P1", "D2", 1, 2000, 3000, at(2024, 1, 2, 10, 0), at(2024, 1, 2, 10, 0)},
		{PatientDoctor, "P1", "D3", 1, 2000, 3000, at(2024, 1, 2, 10, 0), at(2024, 1, 2, 10, 0)},
		{PatientDoctor, "P2", "D1", 1, 4000, 5000, at(2024, 1, 1, 9, 10), at(2024, 1, 1, 9, 10)},
		{PatientDoctor, "P3", "D1", 1, 1200, 1500, at(2024, 1, 1, 9, 0), at(2024, 1, 1, 9, 0)},
		{PatientDoctor, "P4", "D2", 1, 35000, 50000, at(2024, 1, 3, 8, 0), at(2024, 1, 3, 8, 0)},
		{DoctorInstitutionRegistered, "D1", "C1", 0, 0, 0, claims.NoTime, claims.NoTime},
		{DoctorInstitutionRegistered, "D2", "H1", 0, 0, 0, claims.NoTime, claims.NoTime},
		{DoctorInstitutionRegistered, "D3", "PH1", 0, 0, 0, claims.NoTime, claims.NoTime},
		{DoctorInstitutionBilled, "D1", "C1", 4, 14200, 18500, at(2024, 1, 1, 9, 0), at(2024, 1, 5, 8, 0)},
		{DoctorInstitutionBilled, "D999", "C1", 1, 8000, 10000, at(2024, 1, 1, 9, 0), at(2024, 1, 1, 9, 0)},
		{DoctorInstitutionBilled, "D2", "H1", 1, 35000, 50000, at(2024, 1, 3, 8, 0), at(2024, 1, 3, 8, 0)},
		{PatientPharmacy, "P1", "PH1", 1, 2000, 3000, at(2024, 1, 2, 10, 0), at(2024, 1, 2, 10, 0)},
		{DoctorPharmacy, "D2", "PH1", 1, 2000, 3000, at(2024, 1, 2, 10, 0), at(2024, 1, 2, 10, 0)},
	}
	if g.NumEdges() != len(tests) {
		t.Errorf("NumEdges = %d, want %d", g.NumEdges(), len(tests))
	}
	kinds := func(ty EdgeType) (Kind, Kind) {
		switch ty {
		case PatientInstitution:
			return KindPatient, KindInstitution
		case PatientDoctor:
			return KindPatient, KindDoctor
		case PatientPharmacy:
			return KindPatient, KindPharmacy
		case DoctorPharmacy:
			return KindDoctor, KindPharmacy
		}
		return KindDoctor, KindInstitution
	}
	for _, tc := range tests {
		ku, kv := kinds(tc.ty)
		if tc.v == "PH1" {
			kv = KindPharmacy
		}
		u, v := node(t, g, ku, tc.u), node(t, g, kv, tc.v)
		e, ok := g.EdgeBetween(v, u, tc.ty)
		if !ok {
			t.Errorf("no %v edge %s-%s", tc.ty, tc.u, tc.v)
			continue
		}
		got, _ := g.Edge(e)
		wantE := Edge{tc.ty, u, v, tc.visits, tc.fund, tc.medFee, tc.first, tc.last}
		if got != wantE {
			t.Errorf("%v %s-%s: got %+v, want %+v", tc.ty, tc.u, tc.v, got, wantE)
		}
	}
	if _, ok := g.EdgeBetween(node(t, g, KindDoctor, "D3"), node(t, g, KindPharmacy, "PH1"), DoctorPharmacy); ok {
		t.Error("registered pharmacist must not get a DoctorPharmacy edge")
	}
	// Edges are ordered by (Type, U, V) with U < V.
	et := g.Edges()
	for i := 0; i < et.Len(); i++ {
		if et.U[i] >= et.V[i] {
			t.Errorf("edge %d: U %d >= V %d", i, et.U[i], et.V[i])
		}
		if i > 0 && !less3([3]uint64{uint64(et.Type[i-1]), uint64(et.U[i-1]), uint64(et.V[i-1])}, [3]uint64{uint64(et.Type[i]), uint64(et.U[i]), uint64(et.V[i])}) {
			t.Errorf("edges %d, %d out of order", i-1, i)
		}
	}
	for ty := EdgeType(0); ty < NumEdgeTypes; ty++ {
		lo, hi := g.EdgeRange(ty)
		for e := lo; e < hi; e++ {
			if et.Type[e] != ty {
				t.Errorf("edge %d of type %v in the range of %v", e, et.Type[e], ty)
			}
		}
	}
	if lo, hi := g.EdgeRange(NumEdgeTypes); lo != hi {
		t.Error("EdgeRange of an invalid type")
	}
	if _, ok := g.Edge(EdgeIndex(et.Len())); ok {
		t.Error("Edge out of range returned ok")
	}
}

func less3(a, b [3]uint64) bool { return slices.Compare(a[:], b[:]) < 0 }

func TestAdjacencySymmetric(t *testing.T) {
	g := fixtureGraph(t)
	total := 0
	for n := NodeID(0); int(n) < g.NumNodes(); n++ {
		nbr, eid := g.Neighbors(n)
		if len(nbr) != g.Degree(n) {
			t.Fatalf("node %d: %d neighbours, degree %d", n, len(nbr), g.Degree(n))
		}
		total += len(nbr)
		for i, m := range nbr {
			e, _ := g.Edge(eid[i])
			if !(e.U == n && e.V == m || e.V == n && e.U == m) {
				t.Errorf("node %d: entry %d names edge %+v", n, i, e)
			}
			if i > 0 && less3([3]uint64{uint64(m), uint64(e.Type)}, [3]uint64{uint64(nbr[i-1]), uint64(g.Edges().Type[eid[i-1]])}) {
				t.Errorf("node %d: neighbours not sorted", n)
			}
			// The reverse entry exists.
			back, _ := g.EdgeBetween(m, n, e.Type)
			if back != eid[i] {
				t.Errorf("edge %d between %d and %d not found from %d", eid[i], n, m, m)
			}
		}
	}
	if total != 2*g.NumEdges() {
		t.Errorf("adjacency holds %d entries, want %d", total, 2*g.NumEdges())
	}
	d1, c1 := node(t, g, KindDoctor, "D1"), node(t, g, KindInstitution, "C1")
	if g.Degree(d1) != 5 { // P1, P2, P3, C1 registered, C1 billed
		t.Errorf("degree of D1 = %d, want 5", g.Degree(d1))
	}
	if _, ok := g.EdgeBetween(d1, c1, PatientPharmacy); ok {
		t.Error("EdgeBetween found a wrong-typed edge")
	}
	if g.Degree(NoNode) != 0 {
		t.Error("Degree of invalid node")
	}
}

func TestTimeIndex(t *testing.T) {
	g := fixtureGraph(t)
	// V0 and V6 begin together: tie broken by row.
	if got, want := g.VisitsByTime(), []uint32{0, 6, 1, 3, 2, 5, 4}; !slices.Equal(got, want) {
		t.Errorf("VisitsByTime = %v, want %v", got, want)
	}
	tests := []struct {
		kind Kind
		key  string
		want []uint32
	}{
		{KindPatient, "P1", []uint32{0, 2, 4}},
		{KindPatient, "P3", []uint32{6, 3}},
		{KindInstitution, "C1", []uint32{0, 6, 1, 3, 4}},
		{KindPharmacy, "PH1", []uint32{2}},
		{KindDoctor, "D1", []uint32{0, 6, 1, 3, 4}},
		{KindDoctor, "D2", []uint32{2, 5}},
		{KindDoctor, "D999", []uint32{0}},
		{KindInstitution, "S1", nil},
	}
	for _, tc := range tests {
		if got := g.VisitsOf(node(t, g, tc.kind, tc.key)); !slices.Equal(got, tc.want) {
			t.Errorf("VisitsOf(%s) = %v, want %v", tc.key, got, tc.want)
		}
	}
	if got := g.FeesOf(0).AppendTo(nil); !slices.Equal(got, []uint32{0, 1, 2}) {
		t.Errorf("FeesOf(0) = %v", got)
	}
	if got := g.FeesOf(6); got.Len() != 0 {
		t.Errorf("FeesOf(6) = %v, want none", got)
	}
	if g.FeesOf(1000).Len() != 0 || g.VisitsOf(NoNode) != nil {
		t.Error("out-of-range lookups must give nothing")
	}
}

func TestFeesOfInterleaved(t *testing.T) {
	tb := fixtureTables(t)
	// A late fee line of visit 0 after other visits' lines stays last.
	tb.AddFee(&claims.FeeLine{FeedetlSn: "late", ItemCode: "X01", Amount: 1}, 0, 999)
	g, err := Build(context.Background(), tb, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := uint32(tb.Fees.Len() - 1)
	if got := g.FeesOf(0).AppendTo(nil); !slices.Equal(got, []uint32{0, 1, 2, last}) {
		t.Errorf("FeesOf(0) = %v", got)
	}
}

// TestFeeRows checks FeesOf against a plain grouping of the fee rows, for
// fee tables in visit order (each visit's rows a run, no list kept) and
// not (a list), and FeeRows' methods against each other.
func TestFeeRows(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Tables)
		runs bool
	}{
		{"in visit order", func(*Tables) {}, true},
		{"a late line", func(tb *Tables) { tb.AddFee(&claims.FeeLine{FeedetlSn: "late", ItemCode: "X01", Amount: 1}, 0, 999) }, false},
		{"a line of no visit", func(tb *Tables) {
			tb.AddFee(&claims.FeeLine{FeedetlSn: "lost", ItemCode: "X01", Amount: 1}, uint32(tb.Visits.Len()+3), 999)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := fixtureTables(t)
			tc.edit(tb)
			g, err := Build(context.Background(), tb, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if g.feeRuns != tc.runs {
				t.Errorf("runs %v, want %v", g.feeRuns, tc.runs)
			}
			want := map[uint32][]uint32{}
			for r, v := range tb.Fees.Visit.All() {
				if int(v) < tb.Visits.Len() {
					want[v] = append(want[v], r)
				}
			}
			if g.FeeIndexVisits() != tb.Visits.Len() {
				t.Errorf("FeeIndexVisits %d, want %d", g.FeeIndexVisits(), tb.Visits.Len())
			}
			for v := range uint32(tb.Visits.Len()) {
				rows := g.FeesOf(v)
				var all []uint32
				for f := range rows.All() {
					all = append(all, f)
				}
				var at []uint32
				for i := range rows.Len() {
					at = append(at, rows.At(i))
				}
				if got := rows.AppendTo(nil); !slices.Equal(got, want[v]) || !slices.Equal(all, want[v]) || !slices.Equal(at, want[v]) {
					t.Errorf("visit %d: AppendTo %v, All %v, At %v, want %v", v, got, all, at, want[v])
				}
				for f := range uint32(tb.Fees.Len()) {
					if rows.Contains(f) != slices.Contains(want[v], f) {
						t.Errorf("visit %d: Contains(%d) = %v", v, f, rows.Contains(f))
					}
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(context.Background(), nil, BuildOptions{}); err == nil {
		t.Error("Build(nil) succeeded")
	}
	if _, err := Build(context.Background(), &Tables{}, BuildOptions{}); err == nil {
		t.Error("Build(zero Tables) succeeded")
	}
	tb := fixtureTables(t)
	tb.Visits.Flags = tb.Visits.Flags[:2]
	if _, err := Build(context.Background(), tb, BuildOptions{}); err == nil {
		t.Error("Build with a short column succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, fixtureTables(t), BuildOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with cancelled ctx: %v", err)
	}
}

func TestBuildBadRows(t *testing.T) {
	tb := fixtureTables(t)
	tb.Visits.Person[1] = 1000
	tb.Visits.Doctor[0] = 1 << 30
	setOwner(&tb.Fees.Visit, 0, 1<<30)
	setFeeDoctor(tb, 1, 1<<29)
	var stages []string
	var mu sync.Mutex
	g, err := Build(context.Background(), tb, BuildOptions{Progress: func(s string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if done == 0 {
			stages = append(stages, s)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if g.skippedVisits != 1 || g.skippedFees != 1 {
		t.Errorf("skipped %d visits, %d fees; want 1, 1", g.skippedVisits, g.skippedFees)
	}
	if slices.Contains(g.VisitsByTime(), 1) {
		t.Error("visit with bad person row indexed")
	}
	if len(stages) < 5 {
		t.Errorf("progress stages %v", stages)
	}
}

func TestTimeIndexUnpacked(t *testing.T) {
	g := fixtureGraph(t)
	want := slices.Clone(g.nodeVis)
	var vd visitDoctors
	g.buildVisitDoctors(&vd)
	var ti timeIndex
	g.sortVisitsByTime(new(scratch))
	g.prepareTimeIndex(&vd, &ti)
	for _, k := range []Kind{KindPatient, KindDoctor, KindInstitution} {
		g.fillTimeIndex(&ti, &vd, k, 0, new(scratch)) // force the (node, rank)-only path
	}
	if !slices.Equal(g.nodeVis, want) {
		t.Errorf("unpacked time index %v, want %v", g.nodeVis, want)
	}
}

// TestEdgesWide builds edges whose sums and times lie outside the four-byte
// columns (a patient billed 30 million yuan, visits in 1990 and 2150) beside
// ordinary ones, on one goroutine and on several (the types aggregated side
// by side), and reads every one back.
func TestEdgesWide(t *testing.T) {
	for _, workers := range []int{1, 3} {
		tb := fixtureTables(t)
		tb.AddPerson(&claims.Person{PsnNo: "P5", Sex: claims.Sex(1)})
		h1 := tb.Institutions.IDs.Lookup("H1")
		for i, begin := range []claims.Time{at(1990, 6, 1, 9, 0), at(2150, 1, 1, 9, 0)} {
			v := claims.Visit{MdtrtID: fmt.Sprint("W", i), PsnNo: "P5", InstitutionCode: "H1", MedType: 21, Begin: begin,
				End: claims.NoTime, DoctorCode: "D2", MedFee: 2_000_000_000, FundPay: 1_500_000_000}
			tb.AddVisit(&v, tb.Persons.IDs.Lookup("P5"), h1, uint32(50+i))
		}
		g, err := Build(context.Background(), tb, BuildOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		first, last := at(1990, 6, 1, 9, 0), at(2150, 1, 1, 9, 0)
		for _, tc := range []struct {
			ty           EdgeType
			ku, kv       Kind
			u, v         string
			visits       uint32
			fund, medFee claims.Money
			first, last  claims.Time
		}{
			{PatientInstitution, KindPatient, KindInstitution, "P5", "H1", 2, 3_000_000_000, 4_000_000_000, first, last},
			{PatientInstitution, KindPatient, KindInstitution, "P4", "H1", 1, 35000, 50000, at(2024, 1, 3, 8, 0), at(2024, 1, 3, 8, 0)},
			{PatientDoctor, KindPatient, KindDoctor, "P5", "D2", 2, 3_000_000_000, 4_000_000_000, first, last},
			{DoctorInstitutionBilled, KindDoctor, KindInstitution, "D2", "H1", 3, 3_000_035_000, 4_000_050_000, first, last},
			{DoctorInstitutionRegistered, KindDoctor, KindInstitution, "D2", "H1", 0, 0, 0, claims.NoTime, claims.NoTime},
		} {
			u, v := node(t, g, tc.ku, tc.u), node(t, g, tc.kv, tc.v)
			e, ok := g.EdgeBetween(u, v, tc.ty)
			if !ok {
				t.Fatalf("workers %d: no %v edge %s-%s", workers, tc.ty, tc.u, tc.v)
			}
			got, _ := g.Edge(e)
			want := Edge{tc.ty, min(u, v), max(u, v), tc.visits, tc.fund, tc.medFee, tc.first, tc.last}
			if got != want {
				t.Errorf("workers %d, %v %s-%s: got %+v, want %+v", workers, tc.ty, tc.u, tc.v, got, want)
			}
		}
		if et := g.Edges(); len(et.Fund.wide) != 3 || len(et.First.wide) != 3 || len(et.Last.wide) != 3 {
			t.Errorf("workers %d: %d, %d, %d wide funds, firsts, lasts; want 3 each", workers, len(et.Fund.wide), len(et.First.wide), len(et.Last.wide))
		}
	}
}

// TestLiveSpan checks LiveSpan against the first and last visit of
// VisitsByTime that are not reversed.
func TestLiveSpan(t *testing.T) {
	g := fixtureGraph(t)
	wantFirst, wantLast := claims.NoTime, claims.NoTime
	vt := &g.Tables().Visits
	for _, v := range g.VisitsByTime() {
		if vt.Flags[v]&VisitReversed != 0 {
			continue
		}
		if wantFirst == claims.NoTime {
			wantFirst = vt.Begin.At(v)
		}
		wantLast = vt.Begin.At(v)
	}
	if wantFirst == claims.NoTime {
		t.Fatal("fixture without live visits")
	}
	if first, last := g.LiveSpan(); first != wantFirst || last != wantLast {
		t.Errorf("LiveSpan() = %v, %v, want %v, %v", first, last, wantFirst, wantLast)
	}
	if first, last := (&Graph{t: g.Tables()}).LiveSpan(); first != claims.NoTime || last != claims.NoTime {
		t.Errorf("unbuilt graph: LiveSpan() = %v, %v", first, last)
	}
}
