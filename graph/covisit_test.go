package graph

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
)

// coVisitTables builds the hand-computed co-visit example of
// TestCoVisits: patients A–E at clinics C1 and C2.
func coVisitTables(t testing.TB) *Tables {
	t.Helper()
	tb := NewTables(0, 0)
	for _, p := range []string{"A", "B", "C", "D", "E"} {
		tb.AddPerson(&claims.Person{PsnNo: p})
	}
	for _, c := range []string{"C1", "C2"} {
		tb.AddInstitution(&claims.Institution{Code: c, Name: c, Type: claims.Medical, Beds: -1})
	}
	visits := []struct {
		psn, inst, doc string
		h, m           int
		flags          VisitFlag
	}{
		{"A", "C1", "D1", 9, 0, 0}, // isolated group of three: k = 3
		{"B", "C1", "D1", 9, 5, 0},
		{"C", "C1", "D1", 9, 10, 0},
		{"E", "C2", "D3", 9, 0, 0},  // another hub: no co-visit with A
		{"A", "C1", "D1", 11, 0, 0}, // pair: k = 2
		{"B", "C1", "D2", 11, 5, 0},
		{"C", "C1", "D1", 14, 0, 0}, // chain: k = 2, 3, 2
		{"D", "C1", "D1", 14, 10, 0},
		{"A", "C1", "D1", 14, 20, 0},
		{"B", "C1", "D1", 16, 0, 0},
		{"C", "C1", "D1", 16, 1, VisitReversed | VisitRefunded},
	}
	for i, v := range visits {
		cv := claims.Visit{MdtrtID: fmt.Sprint("V", i), MedType: 11, Begin: at(2024, 3, 1, v.h, v.m), DoctorCode: v.doc, FundPay: 100}
		row, _ := tb.AddVisit(&cv, tb.Persons.IDs.Lookup(v.psn), tb.Institutions.IDs.Lookup(v.inst), uint32(i+2))
		tb.Visits.Flags[row] = v.flags
	}
	return tb
}

func TestCoVisits(t *testing.T) {
	g, err := Build(context.Background(), coVisitTables(t), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w15 := 15 * time.Minute
	tests := []struct {
		name string
		opt  CoVisitOptions
		want map[string]float64
	}{
		{"institution", CoVisitOptions{Window: w15},
			map[string]float64{"AB": 1.5, "AC": 0.5, "BC": 0.5, "CD": 0.5, "AD": 0.5}},
		{"max group 2", CoVisitOptions{Window: w15, MaxGroup: 2}, map[string]float64{"AB": 1}},
		{"min weight", CoVisitOptions{Window: w15, MinWeight: 1}, map[string]float64{"AB": 1.5}},
		{"since", CoVisitOptions{Window: w15, Since: at(2024, 3, 1, 11, 0)},
			map[string]float64{"AB": 1, "CD": 0.5, "AD": 0.5}},
		{"until", CoVisitOptions{Window: w15, Until: at(2024, 3, 1, 11, 0)},
			map[string]float64{"AB": 0.5, "AC": 0.5, "BC": 0.5}},
		{"doctor", CoVisitOptions{By: ByDoctor, Window: w15},
			map[string]float64{"AB": 0.5, "AC": 0.5, "BC": 0.5, "CD": 0.5, "AD": 0.5}},
		{"zero window", CoVisitOptions{Window: 0}, map[string]float64{}},
		// Visits from 14:00 see A–D within ±3h (k = 4 > 3) and are
		// skipped; the morning ones see A–C (k = 3) and pair across
		// 9:00–11:05.
		{"wide window", CoVisitOptions{Window: 3 * time.Hour, MaxGroup: 3},
			map[string]float64{"AB": 1.5, "AC": 1, "BC": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := g.CoVisits(context.Background(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for i := 0; i < p.W.Len(); i++ {
				nbr, wt := p.W.Neighbors(i)
				for j, n := range nbr {
					a, b := g.Key(p.Nodes[i]), g.Key(p.Nodes[n])
					if a < b {
						got[a+b] = wt[j]
					}
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for k, w := range tc.want {
				if math.Abs(got[k]-w) > 1e-12 {
					t.Errorf("%s = %v, want %v (all %v)", k, got[k], w, got)
				}
			}
			for i, n := range p.Nodes {
				if l, ok := p.Local(n); !ok || l != i || g.Kind(n) != KindPatient {
					t.Errorf("node %d: Local %d %v", n, l, ok)
				}
			}
		})
	}
	if _, err := g.CoVisits(context.Background(), CoVisitOptions{Window: -1}); err == nil {
		t.Error("negative window accepted")
	}
	if _, err := g.CoVisits(context.Background(), CoVisitOptions{By: 9}); err == nil {
		t.Error("unknown hub kind accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.CoVisits(ctx, CoVisitOptions{Window: w15}); err == nil {
		t.Error("cancelled context not reported")
	}
}

func TestCoVisitsDeterministic(t *testing.T) {
	g := synthGraph(t, 20000, 2)
	opt := CoVisitOptions{Window: time.Hour}
	a, err := g.CoVisits(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := g.CoVisits(context.Background(), opt)
	if a.W.Len() != b.W.Len() || a.W.TotalWeight() != b.W.TotalWeight() || a.W.Len() == 0 {
		t.Fatalf("runs differ or empty: %d %v, %d %v", a.W.Len(), a.W.TotalWeight(), b.W.Len(), b.W.TotalWeight())
	}
	for i := 0; i < a.W.Len(); i++ {
		na, wa := a.W.Neighbors(i)
		nb, wb := b.W.Neighbors(i)
		if fmt.Sprint(na, wa) != fmt.Sprint(nb, wb) {
			t.Fatalf("node %d differs", i)
		}
	}
}

func TestPairCode(t *testing.T) {
	tests := []struct {
		patients uint32
		maxK     int
	}{{0, 1 << 30}, {5, 1 << 30}, {1<<24 - 1, 65535}, {1 << 24, 16383}, {1<<31 - 1, 3}}
	for _, tc := range tests {
		c := newPairCode(tc.patients)
		if c.maxK() != tc.maxK || 2*c.pBits+c.kBits != 64 {
			t.Errorf("%d patients: maxK %d, bits %+v", tc.patients, c.maxK(), c)
		}
		a, b := max(tc.patients, 1)-1, max(tc.patients, 2)-2
		x := c.encode(b, a, int32(c.maxK()))
		if x>>c.kBits != uint64(b)<<c.pBits|uint64(a) || int(x&(1<<c.kBits-1)) != c.maxK() {
			t.Errorf("%d patients: encode(%d, %d) = %x", tc.patients, b, a, x)
		}
	}
}
