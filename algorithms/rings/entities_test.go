package rings

import (
	"context"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
)

// TestRegisteredSites checks how a doctor no visit names is scored: half
// the own score of the most suspicious site it is registered at, with a
// reason naming the site; a doctor registered only at ordinary sites
// scores nothing, and a doctor whose visits name it keeps its own signals.
func TestRegisteredSites(t *testing.T) {
	tb := graph.NewTables(0, 0)
	rows := map[string]uint32{}
	for _, code := range []string{"RING", "CALM"} {
		rows[code], _ = tb.AddInstitution(&claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical, Beds: -1})
	}
	staff := func(dr string, sites ...string) {
		for _, site := range sites {
			tb.AddStaff(&claims.Staff{DrCode: dr, InstitutionCode: site}, rows[site])
		}
	}
	staff("D-AT-RING", "RING")
	staff("D-BOTH", "CALM", "RING")
	staff("D-CALM", "CALM")
	staff("D-SEEN", "RING")
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := &state{g: g}
	n := g.NumNodes()
	ind := &individual{zSum: make([]float64, n), zN: make([]int32, n), hits: make([]int32, n), rule: make([]string, n),
		candSc: make([]float64, n), flagged: make([]int32, n), reportScore: 0.5,
		atRing: make([]int32, n), seen: make([]int32, n), regAt: make([]int32, n), reg: make([]int32, n)}
	node := func(code string) graph.NodeID {
		for x := 0; x < n; x++ {
			if g.Key(graph.NodeID(x)) == code {
				return graph.NodeID(x)
			}
		}
		t.Fatalf("no node %s", code)
		return graph.NoNode
	}
	ring := node("RING")
	ind.hits[ring], ind.rule[ring] = 40, "R-FREQ-VISIT"
	ind.seen[node("D-SEEN")] = 12 // visits name it: its own signals only
	s.registeredSites(ind)
	siteScore, _ := ind.own(ring)
	if siteScore <= 0 {
		t.Fatalf("the suspicious site scores %v", siteScore)
	}
	cases := []struct {
		doctor string
		score  float64
		site   string // the site its reason names ("": no such reason)
	}{
		{"D-AT-RING", registeredSiteWeight * siteScore, "RING"},
		{"D-BOTH", registeredSiteWeight * siteScore, "RING"},
		{"D-CALM", 0, ""},
		{"D-SEEN", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.doctor, func(t *testing.T) {
			sc, reasons := ind.own(node(c.doctor))
			if sc != c.score {
				t.Errorf("score %v, want %v", sc, c.score)
			}
			site := ""
			for _, r := range reasons {
				if r.Code == vocab.ReasonRegisteredSite {
					site = r.Params[0].Value
				}
			}
			if site != c.site {
				t.Errorf("reason names site %q, want %q", site, c.site)
			}
		})
	}
}
