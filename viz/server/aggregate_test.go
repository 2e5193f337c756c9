package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/vocab"
)

// TestAggregatedSubgraph checks GET /api/v1/rings/{id}/subgraph?aggregate=1:
// the members, the institutions, pharmacies and doctors around them as
// nodes, and every other person counted in exactly one group per site or
// doctor they use.
func TestAggregatedSubgraph(t *testing.T) {
	s := startReady(t, nil)
	ring := s.firstRing(t)
	g, _, _ := s.current()
	get := func(path string) testGraph {
		t.Helper()
		code, _, body := s.do(t, "GET", path, "", nil)
		var v testGraph
		if code != http.StatusOK || json.Unmarshal(body, &v) != nil {
			t.Fatalf("GET %s: %d %.300s", path, code, body)
		}
		return v
	}
	base := "/api/v1/rings/" + ring.ID + "/subgraph"
	prev := 0
	for hops := 0; hops <= 2; hops++ {
		start := time.Now()
		v := get(fmt.Sprintf("%s?hops=%d&aggregate=1", base, hops))
		took := time.Since(start)
		plain := get(fmt.Sprintf("%s?hops=%d", base, hops))
		in := map[graph.NodeID]bool{}
		groups, people := 0, 0
		for i, n := range v.Nodes {
			if n.Kind == vocab.NodeGroup {
				continue
			}
			in[n.ID] = true
			if n.Kind == "patient" && (n.Hop != 0 || n.Role == "") {
				t.Errorf("hops %d: node %d is a patient %s beyond the ring (hop %d)", hops, i, n.Key, n.Hop)
			}
			if i < len(ring.Members) && n.Hop != 0 {
				t.Errorf("hops %d: member %d at hop %d", hops, i, n.Hop)
			}
		}
		for i, n := range v.Nodes {
			if n.Kind != vocab.NodeGroup {
				continue
			}
			groups++
			people += n.Count
			if n.Of == nil || *n.Of >= i || v.Nodes[*n.Of].Kind == "patient" || v.Nodes[*n.Of].Kind == vocab.NodeGroup {
				t.Fatalf("hops %d: group %d of %v", hops, i, n.Of)
			}
			of := v.Nodes[*n.Of]
			if n.Key != of.Kind+":"+of.Key || n.Hop != of.Hop+1 || n.ID != of.ID {
				t.Errorf("hops %d: group %+v of node %+v", hops, n.SubNode, of.SubNode)
			}
			// The group counts the people beyond the included nodes who use it.
			want, seen := 0, map[graph.NodeID]bool{}
			nbr, _ := g.Neighbors(of.ID)
			for _, m := range nbr {
				if g.Kind(m) == graph.KindPatient && !in[m] && !seen[m] {
					seen[m] = true
					want++
				}
			}
			if n.Count != want || n.Count == 0 {
				t.Errorf("hops %d: group of %s counts %d, want %d", hops, of.Key, n.Count, want)
			}
			edges := 0
			for _, e := range v.Edges {
				if e.From == i || e.To == i {
					edges++
					if e.From != i || e.To != *n.Of || e.Visits != n.Visits || e.Visits == 0 {
						t.Errorf("hops %d: group edge %+v of group %d (%d visits)", hops, e, i, n.Visits)
					}
				}
			}
			if edges != 1 {
				t.Errorf("hops %d: group %d has %d edges", hops, i, edges)
			}
		}
		if groups == 0 || people <= groups {
			t.Errorf("hops %d: %d nodes with %d groups of %d people", hops, len(v.Nodes), groups, people)
		}
		if len(v.Nodes) < prev || v.Truncated {
			t.Errorf("hops %d: %d nodes (truncated %v), %d at the hop before", hops, len(v.Nodes), v.Truncated, prev)
		}
		prev = len(v.Nodes)
		t.Logf("hops %d: %d nodes (%d groups of %d people) in %s; plain: %d of %d nodes", hops, len(v.Nodes), groups, people, took.Round(time.Millisecond), len(plain.Nodes), plain.TotalNodes)
	}
	v := get(base + "?hops=2&aggregate=1&limit=" + fmt.Sprint(len(ring.Members)+1))
	if !v.Truncated || v.TotalNodes <= len(v.Nodes) {
		t.Errorf("capped: truncated %v, %d nodes of %d", v.Truncated, len(v.Nodes), v.TotalNodes)
	}
	for _, q := range []string{"aggregate=2", "aggregate=yes", "aggregate="} {
		if code, _, body := s.do(t, "GET", base+"?"+q, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}
