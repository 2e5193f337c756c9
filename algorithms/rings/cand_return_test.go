package rings

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// returnGroup is one group of people whose boxes come back: person i
// fills boxes boxes at fill[i mod len(fill)], and each box is sold again
// a fortnight later at resell[k mod len(resell)] to one of that
// pharmacy's customers.
type returnGroup struct {
	people, boxes int
	fill, resell  []int
}

// returnCity is a year of sales at twenty pharmacies, forty customers
// each, every box with a trace code of its own, and the groups.
type returnCity struct {
	groups []returnGroup
}

func (rc returnCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	const sites, customers = 20, 40
	tb := graph.NewTables(0, 0)
	rows := make([]uint32, sites)
	codes := make([]string, sites)
	for i := range rows {
		codes[i] = fmt.Sprintf("P%02d", i)
		rows[i], _ = tb.AddInstitution(&claims.Institution{Code: codes[i], Name: codes[i] + "大药房", Type: claims.Pharmacy})
	}
	n := 0
	sale := func(person uint32, site, day int, trace string) {
		n++
		id := fmt.Sprintf("v%d", n)
		at := claims.DateOf(2025, 1, 1).Time() + claims.Time(day*86400+9*3600+n%3000)
		v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: codes[site], MedType: claims.MedPharmacy,
			Begin: at, End: claims.NoTime, MedFee: 5000, FundPay: 3500}, person, rows[site], uint32(n))
		tb.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: id, ItemCode: "DRUG", ListType: 101, Count: 1,
			Price: 5000, Amount: 5000, Time: at, TraceCode: trace}, v, uint32(n))
	}
	person := func(id string) uint32 {
		row, _ := tb.AddPerson(&claims.Person{PsnNo: id, Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		return row
	}
	cust := make([][]uint32, sites)
	for site := range sites {
		for i := range customers {
			p := person(fmt.Sprintf("c%d-%d", site, i))
			cust[site] = append(cust[site], p)
			for k := range 6 {
				sale(p, site, (i*7+k*60)%360, fmt.Sprintf("T%d-%d-%d", site, i, k))
			}
		}
	}
	for g, grp := range rc.groups {
		for i := range grp.people {
			p := person(fmt.Sprintf("g%d-%d", g, i))
			for k := range grp.boxes {
				trace := fmt.Sprintf("G%d-%d-%d", g, i, k)
				day := 30 + (i*11+k*40)%300
				sale(p, grp.fill[i%len(grp.fill)], day, trace)
				r := grp.resell[k%len(grp.resell)]
				sale(cust[r][(i+k)%customers], r, day+14, trace)
			}
		}
	}
	g := graphOf(t, tb)
	return g
}

// TestReturnCandidates checks the returned-boxes path on whole cities: a
// small ring beside a large one is found (the large one's returners do
// not set the chance the small one is tested against); recruits who fill
// at three pharmacies of their own but whose boxes resurface at the same
// two are one ring; two rings reselling apart are two; returners scattered
// one to a pharmacy are none.
func TestReturnCandidates(t *testing.T) {
	cases := []struct {
		name string
		city returnCity
		want []int // people of each candidate, largest first
	}{
		{"a small ring beside a large one", returnCity{groups: []returnGroup{
			{people: 60, boxes: 4, fill: []int{0}, resell: []int{10}},
			{people: 5, boxes: 4, fill: []int{1}, resell: []int{11}},
		}}, []int{60, 5}},
		{"filling apart, reselling together", returnCity{groups: []returnGroup{
			{people: 24, boxes: 4, fill: []int{2, 3, 4}, resell: []int{12, 13}},
		}}, []int{24}},
		{"two rings reselling apart", returnCity{groups: []returnGroup{
			{people: 8, boxes: 4, fill: []int{2}, resell: []int{12}},
			{people: 8, boxes: 4, fill: []int{3}, resell: []int{13}},
		}}, []int{8, 8}},
		{"returners scattered one to a pharmacy", returnCity{groups: []returnGroup{
			{people: 1, boxes: 3, fill: []int{1}, resell: []int{11}},
			{people: 1, boxes: 3, fill: []int{2}, resell: []int{12}},
			{people: 1, boxes: 3, fill: []int{3}, resell: []int{13}},
			{people: 1, boxes: 3, fill: []int{4}, resell: []int{14}},
			{people: 1, boxes: 3, fill: []int{5}, resell: []int{15}},
			{people: 1, boxes: 3, fill: []int{6}, resell: []int{16}},
		}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s := newTestState(t, g)
			cands, err := s.returnCandidates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, cd := range cands {
				got = append(got, len(cd.patients))
				for _, p := range cd.patients {
					if k := g.Key(p); k[0] != 'g' {
						t.Errorf("person %s is no returner", k)
					}
				}
			}
			slices.Sort(got)
			slices.Reverse(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("candidates of %v people, want %v", got, c.want)
			}
		})
	}
}
