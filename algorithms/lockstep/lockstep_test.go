package lockstep

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// plantedWorld is a city of 1500 background patients at 30 institutions
// (institution 0 a busy hospital, the last 4 pharmacies) with a ring of 15
// patients (rows 2000–2014) who visit clinic 7 together, with doctor 7,
// every period days in one hour. With camouflage each ring member also
// visits the hospital's crowded morning hours 20 times.
func plantedWorld(seed uint64, period int, camouflage bool) *world {
	w := newWorld(seed, 2100, 30, 4, 90)
	w.background(30000, 1500, 30, 90)
	// The hospital's crowd: 60 random patients every morning at 9:00.
	for d := 0; d < 365; d++ {
		for k := 0; k < 60; k++ {
			p := w.r.IntN(1500)
			w.visit(p, 0, w.doc(30*w.r.IntN(3)), w.at(d, 9*60+w.r.IntN(60)))
		}
	}
	phase := w.r.IntN(period)
	for _, p := range span(2000, 15) {
		for d := phase; d < 365; d += period {
			w.visit(p, 7, w.doc(7), w.at(d, 14*60+w.r.IntN(60)))
		}
		if camouflage {
			for k := 0; k < 20; k++ {
				w.visit(p, 0, w.doc(0), w.at(w.r.IntN(365), 9*60+w.r.IntN(60)))
			}
		}
	}
	return w
}

// TestPlantedBlock: a planted lockstep block inside random background is
// recovered with high precision and recall in both column kinds, with or
// without camouflage, and the hospital's crowd forms no block.
func TestPlantedBlock(t *testing.T) {
	for _, tc := range []struct {
		name       string
		period     int
		camouflage bool
	}{
		{"plain-12", 12, false},
		{"camouflage-12", 12, true},
		{"camouflage-24", 24, true},
		{"camouflage-17", 17, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := plantedWorld(5, tc.period, tc.camouflage).build(t)
			blocks, err := Detect(context.Background(), g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ring := patients(g, span(2000, 15))
			clinic, doctor := g.InstitutionNode(7), g.DoctorNode(7)
			found := map[ColumnKind]bool{}
			for i := range blocks {
				b := &blocks[i]
				checkBlock(t, g, b)
				in := overlap(b.Patients, ring)
				if in == 0 {
					// Background must not form blocks; in particular the
					// hospital's crowd must not.
					t.Errorf("block of %d non-ring patients at %v (density %.2f, lift %.2f, fill %.2f)",
						len(b.Patients), b.Hubs, b.Density, b.Lift, b.Fill)
					continue
				}
				if prec := float64(in) / float64(len(b.Patients)); prec < 0.9 {
					t.Errorf("%v block precision %.2f (%d of %d)", b.Kind, prec, in, len(b.Patients))
				}
				if rec := float64(in) / float64(len(ring)); rec < 0.9 {
					t.Errorf("%v block recall %.2f", b.Kind, rec)
				}
				hub := clinic
				if b.Kind == DoctorDay {
					hub = doctor
				}
				if b.Hubs[0] != hub {
					t.Errorf("%v block at hub %v, want %v", b.Kind, b.Hubs, hub)
				}
				if b.Period != tc.period || b.PeriodShare < 0.9 {
					t.Errorf("%v block period %d (share %.2f), want %d", b.Kind, b.Period, b.PeriodShare, tc.period)
				}
				if b.Fill < 0.95 || b.Synchrony < 0.95 || b.SlotShare < 0.95 || b.Lift < 2 {
					t.Errorf("%v block fill %.2f synchrony %.2f slot share %.2f lift %.2f", b.Kind, b.Fill, b.Synchrony, b.SlotShare, b.Lift)
				}
				found[b.Kind] = true
			}
			if !found[InstitutionSlot] || !found[DoctorDay] {
				t.Errorf("ring found in %v, want both kinds", found)
			}
		})
	}
}

// TestPopularColumn: members of a small group visit a hospital's crowded
// hour together; the crowd (hundreds of patients in the same hour every
// day) must not be pulled into their block.
func TestPopularColumn(t *testing.T) {
	w := newWorld(9, 3100, 5, 0, 10)
	for d := 0; d < 365; d++ {
		for k := 0; k < 150; k++ {
			w.visit(w.r.IntN(3000), 0, w.doc(5*w.r.IntN(2)), w.at(d, 10*60+w.r.IntN(60)))
		}
	}
	group := span(3000, 8)
	for d := 3; d < 365; d += 10 {
		for _, p := range group {
			w.visit(p, 0, w.doc(0), w.at(d, 10*60+w.r.IntN(60)))
		}
	}
	g := w.build(t)
	blocks, err := Detect(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := patients(g, group)
	for i := range blocks {
		b := &blocks[i]
		checkBlock(t, g, b)
		if in := overlap(b.Patients, want); in < len(b.Patients)*9/10 {
			t.Errorf("%v block pulls in the crowd: %d of %d patients from the group", b.Kind, in, len(b.Patients))
		}
	}
}

// placeholderWorld has background visits, 4000 visits of as many
// patients under the placeholder doctor code "009999", and 12 patients who visit stations
// together every third day, also under "009999".
func placeholderWorld() *world {
	w := newWorld(13, 5000, 12, 0, 24)
	w.background(6000, 500, 12, 24)
	for k := 0; k < 4000; k++ {
		w.visit(w.r.IntN(5000), w.r.IntN(12), "009999", w.at(w.r.IntN(365), 8*60+w.r.IntN(600)))
	}
	for d := 0; d < 365; d += 3 {
		for _, p := range span(4900, 12) {
			w.visit(p, 1+p%5, "009999", w.at(d, 8*60+w.r.IntN(600)))
		}
	}
	return w
}

// TestPlaceholderExcluded: a placeholder doctor code shared by many visits
// forms a DoctorDay block unless excluded.
func TestPlaceholderExcluded(t *testing.T) {
	g := placeholderWorld().build(t)
	ph := g.Tables().Doctors.IDs.Lookup("009999")
	if ph == graph.None {
		t.Fatal("no placeholder doctor row")
	}
	exclude := make([]bool, g.Tables().Doctors.Len())
	exclude[ph] = true
	for _, tc := range []struct {
		name    string
		exclude []bool
		want    bool
	}{
		{"kept", nil, true},
		{"excluded", exclude, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blocks, err := Detect(context.Background(), g, Options{ExcludeDoctors: tc.exclude})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for i := range blocks {
				checkBlock(t, g, &blocks[i])
				for _, h := range blocks[i].Hubs {
					if h == g.DoctorNode(ph) {
						got = true
					}
				}
			}
			if got != tc.want {
				t.Errorf("placeholder hub in blocks: %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDeterminism: the same graph gives identical blocks on every run,
// whatever GOMAXPROCS.
func TestDeterminism(t *testing.T) {
	g := plantedWorld(21, 12, true).build(t)
	first, err := Detect(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 {
		t.Fatal("no blocks")
	}
	for _, procs := range []int{1, 2} {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		again, err := Detect(context.Background(), g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("blocks differ between runs (GOMAXPROCS %d)", procs)
		}
	}
	for i := 1; i < len(first); i++ {
		if first[i].Density > first[i-1].Density {
			t.Fatalf("blocks not sorted by density at %d", i)
		}
	}
}

// TestSmallGraphs: empty and tiny graphs give no blocks and no error; bad
// input gives errors, not panics.
func TestSmallGraphs(t *testing.T) {
	ctx := context.Background()
	empty := newWorld(1, 0, 0, 0, 0).build(t)
	one := newWorld(1, 1, 1, 0, 1)
	one.visit(0, 0, one.doc(0), one.at(0, 600))
	reversed := newWorld(1, 10, 1, 0, 1)
	for d := 0; d < 50; d++ {
		for p := 0; p < 10; p++ {
			v := reversed.visit(p, 0, reversed.doc(0), reversed.at(d, 600))
			reversed.t.Visits.Flags[v] = graph.VisitRefunded | graph.VisitReversed
		}
	}
	for _, tc := range []struct {
		name string
		g    *graph.Graph
	}{
		{"empty", empty},
		{"one-visit", one.build(t)},
		{"all-reversed", reversed.build(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blocks, err := Detect(ctx, tc.g, Options{Progress: func(string, int64, int64) {}})
			if err != nil || len(blocks) != 0 {
				t.Fatalf("got %d blocks, %v", len(blocks), err)
			}
			if p, s := Rhythm(tc.g, []graph.NodeID{0, 1, graph.NoNode}, []graph.NodeID{graph.NoNode}); p != 0 || s != 0 {
				t.Fatalf("rhythm %d %.2f", p, s)
			}
		})
	}
	if _, err := Detect(ctx, nil, Options{}); err == nil {
		t.Error("nil graph: no error")
	}
	for _, o := range []Options{{SlotMinutes: -1}, {MinPatients: 1}, {Discount: 0.5}, {MinLift: -1}, {MinFill: 2}, {MaxBlocks: -1}} {
		if _, err := Detect(ctx, empty, o); err == nil {
			t.Errorf("options %+v: no error", o)
		}
	}
	if p, s := Rhythm(nil, nil, nil); p != 0 || s != 0 {
		t.Error("rhythm of nil graph")
	}
}

// TestCancel: a cancelled context stops Detect with the context's error.
func TestCancel(t *testing.T) {
	g := placeholderWorld().build(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Detect(ctx, g, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestAdmissionCohort: inpatients admitted together on the same mornings,
// at different hours, form an InstitutionSlot block through the coarser
// admission slots.
func TestAdmissionCohort(t *testing.T) {
	w := newWorld(17, 400, 10, 0, 20)
	w.background(8000, 300, 10, 20)
	for d := 10; d < 365; d += 45 {
		for _, p := range span(300, 10) {
			w.visitMed(p, 3, w.doc(3), w.at(d, 7*60+w.r.IntN(4*60)), claims.MedInpatient)
		}
	}
	g := w.build(t)
	blocks, err := Detect(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range blocks {
		b := &blocks[i]
		if b.Kind == InstitutionSlot && overlap(b.Patients, patients(g, span(300, 10))) >= 9 {
			return
		}
	}
	t.Fatal("admission cohort not found")
}

// TestStraddlingCohort: a cohort seen between 10:30 and 11:29, across the
// hour boundary, is still one block with full fill, found once.
func TestStraddlingCohort(t *testing.T) {
	w := newWorld(31, 1200, 20, 2, 40)
	w.background(15000, 1000, 20, 40)
	for d := 4; d < 365; d += 12 {
		for _, p := range span(1100, 14) {
			w.visit(p, 5, w.doc(5), w.at(d, 10*60+30+w.r.IntN(60)))
		}
	}
	g := w.build(t)
	blocks, err := Detect(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ring := patients(g, span(1100, 14))
	n := 0
	for i := range blocks {
		b := &blocks[i]
		checkBlock(t, g, b)
		if b.Kind != InstitutionSlot || overlap(b.Patients, ring) == 0 {
			continue
		}
		n++
		if in := overlap(b.Patients, ring); in < 13 || in != len(b.Patients) || b.Fill < 0.95 || b.Period != 12 {
			t.Errorf("block of %d (%d ring) fill %.2f period %d", len(b.Patients), in, b.Fill, b.Period)
		}
	}
	if n != 1 {
		t.Errorf("%d institution-slot blocks of the cohort, want 1", n)
	}
}

// TestOddInput: visits without a doctor, at extreme or negative times, of
// inpatient kinds, with excluded-doctor slices of any length, do not
// panic and give consistent blocks.
func TestOddInput(t *testing.T) {
	w := newWorld(41, 30, 3, 1, 3)
	times := []claims.Time{claims.NoTime, -1, 0, 1 << 40, -(1 << 40), w.at(0, 0), w.at(0, 1439)}
	for d := 0; d < 60; d += 6 {
		for p := 0; p < 12; p++ {
			w.visit(p, 1, w.doc(1), w.at(d, 600+p))
			w.visitMed(p, 2, "", w.at(d, 500), claims.MedInpatient)
			w.visit(p, 0, w.doc(0), times[(p+d)%len(times)])
		}
	}
	g := w.build(t)
	for _, ex := range [][]bool{nil, {true}, make([]bool, 100)} {
		blocks, err := Detect(context.Background(), g, Options{ExcludeDoctors: ex, SlotMinutes: 1, AdmissionSlotMinutes: 1440, MinLift: 1e-9})
		if err != nil {
			t.Fatal(err)
		}
		for i := range blocks {
			checkBlock(t, g, &blocks[i])
		}
		if len(blocks) == 0 {
			t.Error("no blocks")
		}
	}
	_, _ = Rhythm(g, patients(g, span(0, 30)), []graph.NodeID{g.InstitutionNode(0), g.DoctorNode(0), 0})
}
