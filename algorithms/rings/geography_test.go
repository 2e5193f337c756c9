package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestHomeArea checks where a person lives when region codes are missing:
// the area of the most sites the person uses (other than the site judged),
// more visits there on ties. A recruit billed again and again at a ring's
// clinic in another area still lives where the pharmacy, station and
// clinic of everyday care are, and is no stranger at the home pharmacy.
func TestHomeArea(t *testing.T) {
	// Sites 0-3 lie in area 0 (home), sites 4-5 in area 1 (the ring's).
	area := []int32{0, 0, 0, 0, 1, 1}
	cases := []struct {
		name   string
		visits []int // visits at sites 0..5
		skip   int   // the site judged (-1: none)
		home   int32
		ok     bool
	}{
		{"ordinary person", []int{3, 2, 1, 0, 0, 0}, -1, 0, true},
		{"recruit billed 60 times at the ring's clinic", []int{4, 2, 1, 0, 60, 0}, 0, 0, true},
		{"recruit at two ring clinics, one home site besides the judged", []int{4, 2, 0, 0, 30, 30}, 0, 1, true},
		{"tie on sites: more visits", []int{0, 3, 0, 0, 1, 0}, -1, 0, true},
		{"tie on sites and visits: the lower area", []int{0, 1, 0, 0, 1, 0}, -1, 0, true},
		{"one visit besides the judged site", []int{5, 0, 0, 0, 1, 0}, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := graph.NewTables(0, 0)
			var rows []uint32
			for i := range area {
				row, _ := tb.AddInstitution(&claims.Institution{Code: fmt.Sprintf("S%d", i), Name: fmt.Sprintf("第%d诊所", i), Type: claims.Medical, Beds: -1})
				rows = append(rows, row)
			}
			p, _ := tb.AddPerson(&claims.Person{PsnNo: "p", Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
			n := 0
			for site, k := range c.visits {
				for ; k > 0; k-- {
					n++
					tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: fmt.Sprintf("S%d", site), MedType: claims.MedOutpatient,
						Begin: claims.DateOf(2025, 1, 1+n%28).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, p, rows[site], uint32(n))
				}
			}
			g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := &state{g: g}
			s.siteArea = make([]int32, len(area))
			for i, row := range rows {
				s.siteArea[s.siteIndex(g.InstitutionNode(row))] = area[i]
			}
			skip := graph.NoNode
			if c.skip >= 0 {
				skip = g.InstitutionNode(rows[c.skip])
			}
			home, ok := s.homeArea(g.PatientNode(p), skip)
			if ok != c.ok || ok && home != c.home {
				t.Errorf("home %d, %v; want %d, %v", home, ok, c.home, c.ok)
			}
		})
	}
}

// TestAway checks where a person lives against a site from the region
// codes: an insured region that names only the site's city (XXXX00, the
// code every insured person of a city carries where insurance is pooled by
// the city) says the person is the city's, not that the person lives in
// another district; where areas are inferred, they decide.
func TestAway(t *testing.T) {
	cases := []struct {
		name         string
		insured      string
		areas        bool // areas inferred: the person's other care lies in a far area
		dist         int
		known        bool
		wantDistrict bool // districtCode(insured)
	}{
		{"same district", "321203", false, distSame, true, true},
		{"another district of the city", "321204", false, distNear, true, true},
		{"another city", "320500", false, distFar, true, false},
		{"another province", "520303", false, distFar, true, true},
		{"the city's own code, no areas", "321200", false, distSame, true, false},
		{"the city's own code, home care in a far area", "321200", true, distFar, true, false},
		{"no insured region, no areas", "", false, distSame, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := districtCode(c.insured); got != c.wantDistrict {
				t.Errorf("districtCode(%q) = %v", c.insured, got)
			}
			tb := graph.NewTables(0, 0)
			var rows []uint32
			for i := range 3 {
				row, _ := tb.AddInstitution(&claims.Institution{Code: fmt.Sprintf("S%d", i), Name: fmt.Sprintf("第%d诊所", i), Type: claims.Medical, Beds: -1, Admdvs: "321203"})
				rows = append(rows, row)
			}
			p, _ := tb.AddPerson(&claims.Person{PsnNo: "p", Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1), InsuplcAdmdvs: c.insured})
			for n, site := range []int{0, 1, 1, 2, 2} {
				tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: fmt.Sprintf("S%d", site), MedType: claims.MedOutpatient,
					Begin: claims.DateOf(2025, 1, 1+n).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, p, rows[site], uint32(n))
			}
			g := graphOf(t, tb)
			s := &state{g: g, t: tb}
			if c.areas {
				// Site 0 (judged) in area 0; sites 1 and 2, where the
				// person's other care is, in area 1, which exchanges no one
				// with area 0.
				s.areas = 2
				s.areaW = []float64{10, 0, 0, 10}
				s.siteArea = make([]int32, 3)
				for i, row := range rows {
					s.siteArea[s.siteIndex(g.InstitutionNode(row))] = min(int32(i), 1)
				}
			}
			dist, known := s.away(p, g.InstitutionNode(rows[0]))
			if dist != c.dist || known != c.known {
				t.Errorf("away = %d, %v; want %d, %v", dist, known, c.dist, c.known)
			}
		})
	}
}
