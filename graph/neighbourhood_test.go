package graph

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestNeighbourhood(t *testing.T) {
	g := fixtureGraph(t)
	p1, p4 := node(t, g, KindPatient, "P1"), node(t, g, KindPatient, "P4")
	keys := func(s *Subgraph) []string {
		var out []string
		for _, n := range s.Nodes {
			out = append(out, n.Key)
		}
		return out
	}
	tests := []struct {
		name      string
		seeds     []NodeID
		hops, max int
		keys      []string
		edges     int
		truncated bool
	}{
		{"seed only", []NodeID{p1}, 0, 10, []string{"P1"}, 0, false},
		// Hop 1 of P1 by visits: D1 (2), C1 (2), then D2, D3, D999, PH1 (1).
		{"one hop", []NodeID{p1}, 1, 0, []string{"P1", "D1", "C1", "D2", "D3", "D999", "PH1"}, 11, false},
		{"capped", []NodeID{p1}, 2, 3, []string{"P1", "D1", "C1"}, 4, true},
		{"two seeds, dup and invalid", []NodeID{p4, p1, p4, NoNode}, 0, 5, []string{"P4", "P1"}, 0, false},
		{"seeds over cap", []NodeID{p4, p1}, 1, 1, []string{"P4"}, 0, true},
		{"two hops", []NodeID{p4}, 2, 0, []string{"P4", "D2", "H1", "P1", "PH1"}, 7, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := g.Neighbourhood(tc.seeds, tc.hops, tc.max)
			if got := keys(s); !reflect.DeepEqual(got, tc.keys) {
				t.Errorf("nodes %v, want %v", got, tc.keys)
			}
			if len(s.Edges) != tc.edges || s.Truncated != tc.truncated {
				t.Errorf("%d edges truncated %v, want %d %v", len(s.Edges), s.Truncated, tc.edges, tc.truncated)
			}
			for _, e := range s.Edges {
				if e.From < 0 || e.From >= len(s.Nodes) || e.To < 0 || e.To >= len(s.Nodes) {
					t.Fatalf("edge %+v out of range", e)
				}
				if _, ok := g.EdgeBetween(s.Nodes[e.From].ID, s.Nodes[e.To].ID, e.Type); !ok {
					t.Errorf("edge %+v not in graph", e)
				}
			}
			if again := g.Neighbourhood(tc.seeds, tc.hops, tc.max); !reflect.DeepEqual(again, s) {
				t.Error("not deterministic")
			}
		})
	}
}

func TestNeighbourhoodJSON(t *testing.T) {
	g := fixtureGraph(t)
	s := g.Neighbourhood([]NodeID{node(t, g, KindInstitution, "C1")}, 1, 0)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "neighbourhood_c1.json", b)
}
