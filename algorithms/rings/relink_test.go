package rings

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestRelink checks that a group of sites linked through a site left out
// of it (a pharmacy where people of two rings fill their prescriptions)
// falls apart into the groups its other sites make among themselves: two
// clinics sharing eight people stay one group, a third clinic whose
// people meet them only at the pharmacy is a group of its own; with the
// pharmacy kept, or nothing left out, the group stays as it was.
func TestRelink(t *testing.T) {
	tb := graph.NewTables(0, 0)
	row := map[string]uint32{}
	for _, code := range []string{"A", "B", "C", "P"} {
		in := &claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical, Beds: -1}
		if code == "P" {
			in.Name, in.Type = "某大药房", claims.Pharmacy
		}
		row[code], _ = tb.AddInstitution(in)
	}
	n := 0
	type rel struct {
		person uint32
		site   string
		visits []uint32
	}
	var rs []rel
	visit := func(p uint32, site string, k int) {
		var vs []uint32
		for j := range k {
			n++
			mt := claims.MedOutpatient
			if site == "P" {
				mt = claims.MedPharmacy
			}
			v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: site, MedType: mt,
				Begin: claims.DateOf(2025, 1, 1).Time() + claims.Time((30*j+int(p))*86400), End: claims.NoTime, MedFee: 50_000, FundPay: 45_000}, p, row[site], uint32(n))
			vs = append(vs, v)
		}
		rs = append(rs, rel{p, site, vs})
	}
	for i := range 16 {
		p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%02d", i), Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
		if i < 8 {
			visit(p, "A", 6)
			visit(p, "B", 6)
		} else {
			visit(p, "C", 6)
		}
		if i%8 < 4 {
			visit(p, "P", 4)
		}
	}
	g := graphOf(t, tb)
	s := newTestState(t, g)
	lo := s.siteLo()
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	rels := make([]relation, len(rs))
	var all, noP []int
	for i, r := range rs {
		rels[i] = relation{person: r.person, hub: g.InstitutionNode(row[r.site]), visits: r.visits, flags: flagCostly}
		all = append(all, i)
		if r.site != "P" {
			noP = append(noP, i)
		}
	}
	uf := s.linkSites(lo, nSites, rels)
	if groups := uf.components(len(rels), func(i int) int32 { return int32(int(rels[i].hub) - lo) }); len(groups) != 1 {
		t.Fatalf("linked: %d groups, want the four sites as one", len(groups))
	}
	sitesOf := func(idx []int) string {
		var ks []string
		for _, i := range idx {
			ks = append(ks, g.Key(rels[i].hub))
		}
		slices.Sort(ks)
		return fmt.Sprint(slices.Compact(ks))
	}
	for _, c := range []struct {
		name string
		kept []int
		want []string
	}{
		{"pharmacy left out", noP, []string{"[A B]", "[C]"}},
		{"nothing left out", all, []string{"[A B C P]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, part := range s.relink(lo, nSites, rels, all, c.kept) {
				got = append(got, sitesOf(part))
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("groups %v, want %v", got, c.want)
			}
		})
	}
}
