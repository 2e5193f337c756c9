package lockstep

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// world builds small synthetic claims tables for tests.
type world struct {
	t    *graph.Tables
	r    *rand.Rand
	n    int
	day0 claims.Date
}

// newWorld makes a world with patients persons, insts institutions (the
// last pharmacies of them as many as pharmacies says) and docs doctors,
// doctor i registered at institution i%insts.
func newWorld(seed uint64, patients, insts, pharmacies, docs int) *world {
	w := &world{t: graph.NewTables(0, 0), r: rand.New(rand.NewPCG(seed, 99)), day0: claims.DateOf(2024, 1, 1)}
	for i := 0; i < patients; i++ {
		w.t.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("P%06d", i), Sex: claims.Sex(1 + i%2)})
	}
	for i := 0; i < insts; i++ {
		ty := claims.Medical
		if i >= insts-pharmacies {
			ty = claims.Pharmacy
		}
		w.t.AddInstitution(&claims.Institution{Code: fmt.Sprintf("H%04d", i), Type: ty, Beds: -1})
	}
	for i := 0; i < docs; i++ {
		w.t.AddStaff(&claims.Staff{DrCode: w.doc(i)}, uint32(i%max(insts, 1)))
	}
	return w
}

// doc returns the code of doctor i.
func (w *world) doc(i int) string { return fmt.Sprintf("D%05d", i) }

// at returns the time of minute m on day d of the year.
func (w *world) at(d, m int) claims.Time {
	return (w.day0 + claims.Date(d)).Time() + claims.Time(m*60)
}

// visit adds an outpatient visit and returns its row.
func (w *world) visit(p, inst int, doc string, t claims.Time) uint32 {
	return w.visitMed(p, inst, doc, t, 11)
}

// visitMed adds a visit of med type med and returns its row.
func (w *world) visitMed(p, inst int, doc string, t claims.Time, med claims.MedType) uint32 {
	w.n++
	v := claims.Visit{MdtrtID: fmt.Sprintf("M%08d", w.n), MedType: med, Begin: t, DoctorCode: doc,
		MedFee: 10000, FundPay: 6000}
	row, _ := w.t.AddVisit(&v, uint32(p), uint32(inst), uint32(w.n+1))
	return row
}

// background adds n random visits of patients [0, pats) at institutions
// [0, insts) with their doctors, at random days and minutes 8:00–17:00.
func (w *world) background(n, pats, insts, docs int) {
	for i := 0; i < n; i++ {
		p := w.r.IntN(pats)
		in := (p*7 + w.r.IntN(3)) % insts // patients return to a few places
		d := w.doc((in + insts*w.r.IntN(max(docs/insts, 1))) % docs)
		w.visit(p, in, d, w.at(w.r.IntN(365), 8*60+w.r.IntN(9*60)))
	}
}

// build builds the graph.
func (w *world) build(tb testing.TB) *graph.Graph {
	tb.Helper()
	g, err := graph.Build(context.Background(), w.t, graph.BuildOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// patients returns the patient nodes of rows.
func patients(g *graph.Graph, rows []int) []graph.NodeID {
	out := make([]graph.NodeID, len(rows))
	for i, r := range rows {
		out[i] = g.PatientNode(uint32(r))
	}
	return out
}

// span returns [a, a+n).
func span(a, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = a + i
	}
	return s
}

// overlap returns how many of want are in got (both sorted or not).
func overlap(got, want []graph.NodeID) int {
	in := map[graph.NodeID]bool{}
	for _, p := range want {
		in[p] = true
	}
	n := 0
	for _, p := range got {
		if in[p] {
			n++
		}
	}
	return n
}

// checkBlock verifies a block's invariants.
func checkBlock(t *testing.T, g *graph.Graph, b *Block) {
	t.Helper()
	vt := &g.Tables().Visits
	members := map[graph.NodeID]bool{}
	for i, p := range b.Patients {
		if i > 0 && p <= b.Patients[i-1] {
			t.Fatalf("patients not sorted and distinct: %v", b.Patients)
		}
		if g.Kind(p) != graph.KindPatient {
			t.Fatalf("member %d is a %v", p, g.Kind(p))
		}
		members[p] = true
	}
	var fund claims.Money
	for i, v := range b.Visits {
		if i > 0 && v <= b.Visits[i-1] {
			t.Fatalf("visits not sorted and distinct")
		}
		if vt.Flags[v]&graph.VisitReversed != 0 {
			t.Fatalf("reversed visit %d in block", v)
		}
		if !members[g.PatientNode(vt.Person[v])] {
			t.Fatalf("visit %d of a non-member", v)
		}
		hub := g.InstitutionNode(vt.Institution[v])
		if b.Kind == DoctorDay {
			hub = g.DoctorNode(vt.Doctor[v])
		}
		if len(b.Hubs) != 1 || hub != b.Hubs[0] {
			t.Fatalf("visit %d at %d, not at hubs %v", v, hub, b.Hubs)
		}
		if vt.Begin.At(v) < b.First || vt.Begin.At(v) > b.Last {
			t.Fatalf("visit %d outside [First, Last]", v)
		}
		fund += vt.FundPay.At(v)
	}
	if fund != b.Fund {
		t.Fatalf("fund %v, want %v", b.Fund, fund)
	}
	if b.Edges > len(b.Visits) || b.Edges > len(b.Patients)*b.Columns || b.Edges < b.Columns {
		t.Fatalf("edges %d inconsistent with %d visits, %d×%d", b.Edges, len(b.Visits), len(b.Patients), b.Columns)
	}
	if !(b.Density > 0) || !(b.Baseline > 0) || b.Fill <= 0 || b.Fill > 1 || b.Synchrony <= 0 || b.Synchrony > 1 ||
		b.SlotShare <= 0 || b.SlotShare > 1 {
		t.Fatalf("bad measures: %+v", *b)
	}
}
