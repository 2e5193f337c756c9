package rings

import (
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestMostlyRounds checks the guard that keeps a closed population's
// rounds (a nursing home's residents seen together by its doctor) and an
// infirmary's sick calls out of the lockstep and co-visit candidates: a
// block or cohort with at least half of its visits at such sites.
func TestMostlyRounds(t *testing.T) {
	tb := graph.NewTables(0, 0)
	var rows []uint32
	for i, name := range []string{"颐养中心医务室", "社区卫生服务站"} {
		row, _ := tb.AddInstitution(&claims.Institution{Code: fmt.Sprintf("S%d", i), Name: name, Type: claims.Medical, Beds: -1})
		rows = append(rows, row)
	}
	p, _ := tb.AddPerson(&claims.Person{PsnNo: "p", Sex: claims.Female, Birth: claims.DateOf(1940, 1, 1)})
	var at [2][]uint32 // visit rows at each site
	for n := range 8 {
		site := n % 2
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: fmt.Sprintf("S%d", site), MedType: claims.MedOutpatient,
			Begin: claims.DateOf(2025, 1, 1+n).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, p, rows[site], uint32(n))
		at[site] = append(at[site], v)
	}
	g := graphOf(t, tb)
	s := &state{g: g, t: tb}
	closedHome := make([]bool, 2)
	closedHome[s.siteIndex(g.InstitutionNode(rows[0]))] = true
	cases := []struct {
		name      string
		closed    []bool
		infirmary []bool
		visits    []uint32
		want      bool
	}{
		{"all at the nursing home", closedHome, nil, at[0], true},
		{"half there", closedHome, nil, append(append([]uint32(nil), at[0][:2]...), at[1][:2]...), true},
		{"a third there", closedHome, nil, append(append([]uint32(nil), at[0][:1]...), at[1][:2]...), false},
		{"none there", closedHome, nil, at[1], false},
		{"no closed sites known", nil, nil, at[0], false},
		{"an infirmary by its name, not closed", nil, closedHome, at[0], true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.closedSite, s.infirmary = c.closed, c.infirmary
			if got := s.mostlyRounds(c.visits); got != c.want {
				t.Errorf("mostlyRounds = %v, want %v", got, c.want)
			}
		})
	}
}
