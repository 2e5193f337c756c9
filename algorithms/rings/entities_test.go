package rings

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/intern"
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
	g := graphOf(t, tb)
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

// TestDoctorSites checks how a doctor's medical sites are counted and
// weighed: the sites its visits are at (pharmacies left out), or, where no
// visit names it, the sites it is registered at, as evidence by how few of
// the city's doctors work at as many.
func TestDoctorSites(t *testing.T) {
	cases := []struct {
		name           string
		twoSite        int     // ordinary doctors at two sites (twenty more at one)
		multi, visitor float64 // want: evidence of the three-site doctor and of the doctor registered at two
	}{
		{"most doctors at one site", 0, 0.6 * math.Log10(22) / 2, 0.6 * math.Log10(11) / 2},
		{"half of them at two", 20, 0.6 * math.Log10(42) / 2, 0.6 * math.Log10(42.0/22) / 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := graph.NewTables(0, 0)
			rows := map[string]uint32{}
			for _, code := range []string{"A", "B", "C"} {
				rows[code], _ = tb.AddInstitution(&claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical})
			}
			rows["P"], _ = tb.AddInstitution(&claims.Institution{Code: "P", Name: "药房", Type: claims.Pharmacy})
			person, _ := tb.AddPerson(&claims.Person{PsnNo: "p1", Sex: claims.Female, Birth: claims.DateOf(1970, 1, 1)})
			n := 0
			visit := func(dr string, sites ...string) {
				for _, site := range sites {
					n++
					tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: site, MedType: claims.MedOutpatient,
						Begin: claims.DateOf(2025, 3, 1).Time() + claims.Time(n*3600), DoctorCode: dr, MedFee: 1000, FundPay: 700}, person, rows[site], uint32(n))
				}
			}
			for i := range 20 {
				visit(fmt.Sprintf("D1-%d", i), "A", "A")
			}
			for i := range c.twoSite {
				visit(fmt.Sprintf("D2-%d", i), "A", "B")
			}
			visit("D-MULTI", "A", "B", "C", "P")
			tb.AddStaff(&claims.Staff{DrCode: "D-REG", InstitutionCode: "A"}, rows["A"])
			tb.AddStaff(&claims.Staff{DrCode: "D-REG", InstitutionCode: "B"}, rows["B"])
			g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := newTestState(t, g)
			ind := s.individuals()
			ringOf := make([]int32, g.NumNodes())
			for i := range ringOf {
				ringOf[i] = -1
			}
			s.nearRings(ind, ringOf)
			s.countDoctorSites(ind)
			doctor := func(code string) graph.NodeID {
				row := tb.Doctors.IDs.Lookup(code)
				if row == intern.None {
					t.Fatalf("no doctor %s", code)
				}
				return g.DoctorNode(uint32(row))
			}
			for _, d := range []struct {
				code  string
				sites int
				want  float64
			}{{"D1-0", 1, 0}, {"D-MULTI", 3, c.multi}, {"D-REG", 2, c.visitor}} {
				got, sites, _ := ind.sites.surprise(doctor(d.code))
				if math.Abs(got-d.want) > 1e-9 || int(ind.sites.n[doctor(d.code)]) != d.sites {
					t.Errorf("%s: %d sites, evidence %.4f; want %d, %.4f", d.code, ind.sites.n[doctor(d.code)], got, d.sites, d.want)
				}
				if got > 0 && sites != d.sites {
					t.Errorf("%s: surprise names %d sites, want %d", d.code, sites, d.sites)
				}
			}
			if _, reasons := ind.own(doctor("D-MULTI")); !slices.ContainsFunc(reasons, func(r findings.Reason) bool { return r.Code == vocab.ReasonMultiSite }) {
				t.Errorf("the three-site doctor's reasons %v name no %s", reasons, vocab.ReasonMultiSite)
			}
			// A site counted already changes nothing; a fourth seen later
			// (Live) makes the doctor as rare as one doctor can be.
			ind.sites.add(doctor("D-MULTI"), g.InstitutionNode(rows["A"]))
			ind.sites.add(doctor("D-MULTI"), g.InstitutionNode(rows["B"]))
			ind.sites.add(doctor("D-MULTI"), g.InstitutionNode(rows["P"]))
			if got, sites, _ := ind.sites.surprise(doctor("D-MULTI")); sites != 4 || math.Abs(got-0.6*math.Log10(float64(ind.sites.total))/2) > 1e-9 {
				t.Errorf("after a fourth site: %d sites, evidence %.4f", sites, got)
			}
		})
	}
}
