package rings

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// registeredCity is a city of Xiamen (region 350203) with eight clinics
// of ten local doctors each, one of them, L00, registered also at S01 (an
// ordinary second practice site), and one doctor, X, whose code region is
// code, registered at the sites named in sites. A clinic's region is its
// admdvs when withAdmdvs, else only its doctors' codes tell it. Visits name
// their doctor when doctors is set.
type registeredCity struct {
	code       string   // X's code region
	sites      []string // X's registrations: "S00".."S07" (Xiamen), "W" (Wuhan, 420111), "Q" (Quanzhou, 350503)
	withAdmdvs bool
	doctors    bool
}

func (rc registeredCity) build(t *testing.T) *graph.Graph {
	t.Helper()
	tb := graph.NewTables(0, 0)
	rows := map[string]uint32{}
	region := map[string]string{"W": "420111", "Q": "350503"}
	add := func(code, name string) {
		in := &claims.Institution{Code: code, Name: name, Type: claims.Medical, Beds: -1}
		if rc.withAdmdvs {
			in.Admdvs = region[code]
			if in.Admdvs == "" {
				in.Admdvs = "350203"
			}
		}
		rows[code], _ = tb.AddInstitution(in)
	}
	for i := range 8 {
		add(fmt.Sprintf("S%02d", i), fmt.Sprintf("S%02d诊所", i))
	}
	add("W", "武汉市第二医院")
	add("Q", "泉州市某医院")
	staff := func(dr, site string) { tb.AddStaff(&claims.Staff{DrCode: dr, InstitutionCode: site}, rows[site]) }
	local := func(site, serial int, region string) string { return fmt.Sprintf("D%s%06d", region, 1000*site+serial) }
	for i := range 8 {
		for k := range 10 {
			staff(local(i, k, "350203"), fmt.Sprintf("S%02d", i))
		}
	}
	staff(local(0, 0, "350203"), "S01")
	// The distant hospitals' own staff carry their regions' codes.
	for k := range 10 {
		staff(local(9, k, "420111"), "W")
		staff(local(9, k, "350503"), "Q")
	}
	x := "D" + rc.code + "999999"
	for _, s := range rc.sites {
		staff(x, s)
	}
	// A year of ordinary visits at the local clinics.
	n := 0
	for i := range 8 {
		site := fmt.Sprintf("S%02d", i)
		for p := range 30 {
			row, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%d-%d", i, p), Sex: claims.Female, Birth: claims.DateOf(1960, 1, 1)})
			for k := range 4 {
				n++
				v := &claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: site, MedType: claims.MedOutpatient,
					Begin: claims.DateOf(2025, 1, 1).Time() + claims.Time((90*k+p)*86400+9*3600), End: claims.NoTime, MedFee: 50, FundPay: 35}
				if rc.doctors {
					v.DoctorCode = local(i, p%10, "350203")
				}
				tb.AddVisit(v, row, rows[site], uint32(n))
			}
		}
	}
	g := graphOf(t, tb)
	return g
}

// TestRegisteredCandidates checks the staff-roster fallback of distant
// doctors: where visits name no doctor, a doctor registered in the code's
// own city and at a site of another province forms a reported ring of the
// doctor and the distant site, whether the sites' regions come from admdvs
// or from their doctors' codes; another city of the province forms a
// weaker one, below the report line; a second site in the same city, a
// doctor with no registration in the code's city, or visits that name
// their doctors (R-DOCTOR-DISTANT then judges the hours) form none.
func TestRegisteredCandidates(t *testing.T) {
	cases := []struct {
		name     string
		city     registeredCity
		sites    []string // the ring's sites; nil: no candidate
		reported bool
	}{
		{"Wuhan code at a Wuhan hospital and a Xiamen clinic", registeredCity{code: "420111", sites: []string{"W", "S03"}}, []string{"S03"}, true},
		{"the same, regions from admdvs", registeredCity{code: "420111", sites: []string{"W", "S03"}, withAdmdvs: true}, []string{"S03"}, true},
		{"Xiamen code at a Xiamen clinic and a Wuhan hospital", registeredCity{code: "350203", sites: []string{"S03", "W"}}, []string{"W"}, true},
		{"Quanzhou code at a Quanzhou hospital and a Xiamen clinic", registeredCity{code: "350503", sites: []string{"Q", "S03"}}, []string{"S03"}, false},
		{"two Xiamen clinics", registeredCity{code: "350203", sites: []string{"S02", "S03"}}, nil, false},
		{"Wuhan code at two Xiamen clinics only", registeredCity{code: "420111", sites: []string{"S02", "S03"}}, nil, false},
		{"visits name their doctors", registeredCity{code: "420111", sites: []string{"W", "S03"}, doctors: true}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.city.build(t)
			s, cs := runGenerator(t, g, (*state).registeredCandidates)
			cd := soleCandidate(t, cs, c.sites != nil)
			if cd == nil {
				return
			}
			sites := nodeKeys(g, cd.insts)
			if len(cd.doctors) != 1 || g.Key(cd.doctors[0]) != "D"+c.city.code+"999999" || !slices.Equal(sites, c.sites) || len(cd.patients) != 0 {
				t.Fatalf("ring of doctors %v at %v with %d people, want X at %v alone", cd.doctors, sites, len(cd.patients), c.sites)
			}
			s.finish(cd)
			s.score(cd)
			if got := cd.score >= s.opt.Params.ReportScore; got != c.reported {
				t.Errorf("score %.2f (report_score %.2f): reported %v, want %v", cd.score, s.opt.Params.ReportScore, got, c.reported)
			}
		})
	}
}

// TestRegisteredDoctorRole checks that where the visits name no doctor a
// ring's doctors that no row names (those registered at its sites) are
// registered doctors, not organised ones, whatever the typology but a
// borrowed qualification; that a doctor a fee line of the ring bills with
// keeps the typology's role; and that doctors named on the visits keep
// their typology's role.
func TestRegisteredDoctorRole(t *testing.T) {
	g := registeredCity{code: "420111", sites: []string{"W", "S03"}}.build(t)
	s := newTestState(t, g)
	var doctors []graph.NodeID
	for i := range g.NumNodes() {
		if g.Kind(graph.NodeID(i)) == graph.KindDoctor && len(doctors) < 2 {
			doctors = append(doctors, graph.NodeID(i))
		}
	}
	if len(doctors) < 2 {
		t.Fatal("the city has fewer than two doctors")
	}
	// Visit 0 of the ring carries a fee line billed by the second doctor.
	tb := g.Tables()
	tb.AddFee(&claims.FeeLine{FeedetlSn: "F1", MdtrtID: tb.Visits.IDs.String(0), ItemCode: "X", Count: 1, Price: 1_000000, Amount: 100,
		Time: tb.Visits.Begin.At(0), DoctorCode: tb.Doctors.IDs.String(g.Row(doctors[1]))}, 0, 0)
	s.feesOf = func(v uint32) graph.FeeRows {
		if v == 0 {
			return graph.FeeList([]uint32{uint32(tb.Fees.Len() - 1)})
		}
		return graph.FeeRows{}
	}
	c := &candidate{doctors: doctors, visits: []uint32{0, 1}}
	cases := []struct {
		visitDoctors bool
		typ          string
		want         [2]string // the unnamed doctor's role, the billing one's
	}{
		{true, findings.TypFabricatedOutpatient, [2]string{RoleOrganisedDoctor, RoleOrganisedDoctor}},
		{true, findings.TypBorrowedQualif, [2]string{RoleBorrowedDoctor, RoleBorrowedDoctor}},
		{false, findings.TypFabricatedOutpatient, [2]string{RoleRegisteredDoctor, RoleOrganisedDoctor}},
		{false, findings.TypFakeHospitalisation, [2]string{RoleRegisteredDoctor, RoleOrganisedDoctor}},
		{false, findings.TypUnclassified, [2]string{RoleRegisteredDoctor, RoleMember}},
		{false, findings.TypBorrowedQualif, [2]string{RoleBorrowedDoctor, RoleBorrowedDoctor}},
	}
	for _, tc := range cases {
		s.visitDoctors = tc.visitDoctors
		s.specialRoles(c, tc.typ)
		for k, d := range doctors {
			if got := s.roleOf(c, tc.typ, d); got != tc.want[k] {
				t.Errorf("visits name doctors %v, %s, doctor %d: role %s, want %s", tc.visitDoctors, tc.typ, k, got, tc.want[k])
			}
		}
	}
}
