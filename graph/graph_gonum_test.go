package graph

import (
	"math"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
)

func TestGraphGonum(t *testing.T) {
	g := fixtureGraph(t)
	var v gonum.WeightedUndirected = g.Gonum(g.VisitWeight)
	d1, c1 := node(t, g, KindDoctor, "D1"), node(t, g, KindInstitution, "C1")
	p1, s1 := node(t, g, KindPatient, "P1"), node(t, g, KindInstitution, "S1")
	// D1–C1 has a registration (0 visits) and a billed edge (4 visits).
	if w, ok := v.Weight(int64(d1), int64(c1)); !ok || w != 4 {
		t.Errorf("Weight(D1, C1) = %v, %v", w, ok)
	}
	if e := v.WeightedEdgeBetween(int64(c1), int64(d1)); e == nil || e.Weight() != 4 || e.From().ID() != int64(c1) {
		t.Errorf("WeightedEdgeBetween = %v", e)
	}
	// From lists D1's distinct neighbours: P1, P2, P3, C1.
	it := v.From(int64(d1))
	if it.Len() != 4 {
		t.Errorf("From(D1).Len = %d, want 4", it.Len())
	}
	var got []int64
	for it.Next() {
		got = append(got, it.Node().ID())
	}
	if len(got) != 4 || got[3] != int64(c1) || it.Len() != 0 {
		t.Errorf("From(D1) = %v", got)
	}
	it.Reset()
	if it.Len() != 4 {
		t.Error("Reset")
	}
	if v.HasEdgeBetween(int64(s1), int64(p1)) || v.Edge(int64(s1), int64(p1)) != nil || v.From(int64(s1)).Len() != 0 {
		t.Error("S1 has no edges")
	}
	if w, ok := v.Weight(int64(s1), int64(p1)); ok || !math.IsInf(w, 1) {
		t.Error("Weight of a missing edge")
	}
	if w, ok := v.Weight(int64(s1), int64(s1)); !ok || w != 0 {
		t.Error("Weight(x, x)")
	}
	if v.Node(int64(g.NumNodes())) != nil || v.Node(-1) != nil || v.From(-1).Len() != 0 || v.HasEdgeBetween(-1, 0) {
		t.Error("invalid ids")
	}
	if n := len(gonum.NodesOf(v.Nodes())); n != g.NumNodes() {
		t.Errorf("Nodes: %d", n)
	}
	// A gonum algorithm runs on the view: P2 reaches P4 via D1, P1, D2.
	pt := path.DijkstraFrom(gonum.Node(v.Node(int64(node(t, g, KindPatient, "P2")))), g.Gonum(nil))
	if _, w := pt.To(int64(node(t, g, KindPatient, "P4"))); w != 4 {
		t.Errorf("hops P2→P4 = %v, want 4", w)
	}
	if g.VisitWeight(EdgeIndex(g.NumEdges())) != 0 {
		t.Error("VisitWeight out of range")
	}
}
