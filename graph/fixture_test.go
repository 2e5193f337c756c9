package graph

import (
	"context"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
)

// at returns the wall-clock Time of a local date and time.
func at(y, mo, d, h, mi int) claims.Time {
	return claims.TimeOf(time.Date(y, time.Month(mo), d, h, mi, 0, 0, claims.Shanghai()))
}

// fixtureFee is a fee line of a fixture visit.
type fixtureFee struct {
	doctor string
	amount claims.Money
}

// fixtureVisit is one visit of the hand-built fixture.
type fixtureVisit struct {
	id, psn, inst, doctor string
	med                   claims.MedType
	begin                 claims.Time
	medFee, fund          claims.Money
	flags                 VisitFlag
	fees                  []fixtureFee
}

// fixtureTables builds a small hand-checked dataset: a clinic, a hospital,
// a health station and a pharmacy, four patients, registered doctors
// D1 (clinic), D2 (hospital), D3 (pharmacist) and an unregistered code D999.
func fixtureTables(t testing.TB) *Tables {
	t.Helper()
	tb := NewTables(0, 0)
	for _, p := range []claims.Person{
		{PsnNo: "P1", Sex: claims.Sex(1), Name: "张三丰"},
		{PsnNo: "P2", Sex: claims.Sex(2), Name: "李四"},
		{PsnNo: "P3", Sex: claims.Sex(1), Name: "王五"},
		{PsnNo: "P4", Sex: claims.Sex(2)},
	} {
		tb.AddPerson(&p)
	}
	for _, in := range []claims.Institution{
		{Code: "H1", Name: "市第一人民医院", Type: claims.Medical, Level: "三级", Beds: 800},
		{Code: "PH1", Name: "康民大药房", Type: claims.Pharmacy, Beds: -1},
		{Code: "C1", Name: "阳光诊所", Type: claims.Medical, Beds: -1},
		{Code: "S1", Name: "幸福卫生站", Type: claims.Medical, Beds: -1},
	} {
		tb.AddInstitution(&in)
	}
	inst := func(code string) uint32 { return tb.Institutions.IDs.Lookup(code) }
	tb.AddStaff(&claims.Staff{DrCode: "D1", InstitutionCode: "C1", Name: "赵医生"}, inst("C1"))
	tb.AddStaff(&claims.Staff{DrCode: "D2", InstitutionCode: "H1", Name: "钱二"}, inst("H1"))
	tb.AddStaff(&claims.Staff{DrCode: "D3", InstitutionCode: "PH1", Name: "孙药师"}, inst("PH1"))
	tb.AddStaff(&claims.Staff{DrCode: "D1", InstitutionCode: "C1", Name: "赵医生"}, inst("C1")) // duplicate registration
	for i, v := range fixtureVisits() {
		cv := claims.Visit{MdtrtID: v.id, PsnNo: v.psn, InstitutionCode: v.inst, MedType: v.med,
			Begin: v.begin, End: claims.NoTime, DoctorCode: v.doctor, MedFee: v.medFee, FundPay: v.fund}
		row, _ := tb.AddVisit(&cv, tb.Persons.IDs.Lookup(v.psn), inst(v.inst), uint32(i+2))
		tb.Visits.Flags[row] = v.flags
		for j, f := range v.fees {
			fl := claims.FeeLine{FeedetlSn: v.id + "-" + string(rune('a'+j)), MdtrtID: v.id, ItemCode: "X01",
				Count: 1, Amount: f.amount, Time: v.begin, DoctorCode: f.doctor}
			tb.AddFee(&fl, row, uint32(100+i*10+j))
		}
	}
	return tb
}

// fixtureVisits are the visits of fixtureTables, deliberately not in time
// order.
func fixtureVisits() []fixtureVisit {
	return []fixtureVisit{
		{id: "V0", psn: "P1", inst: "C1", doctor: "D1", med: 11, begin: at(2024, 1, 1, 9, 0), medFee: 10000, fund: 8000,
			fees: []fixtureFee{{"D1", 6000}, {"D1", 1000}, {"D999", 3000}}},
		{id: "V1", psn: "P2", inst: "C1", doctor: "D1", med: 11, begin: at(2024, 1, 1, 9, 10), medFee: 5000, fund: 4000,
			fees: []fixtureFee{{"D1", 5000}}},
		{id: "V2", psn: "P1", inst: "PH1", doctor: "D3", med: 41, begin: at(2024, 1, 2, 10, 0), medFee: 3000, fund: 2000,
			fees: []fixtureFee{{"D2", 2000}, {"D3", 1000}}},
		{id: "V3", psn: "P3", inst: "C1", doctor: "D1", med: 11, begin: at(2024, 1, 1, 9, 20), medFee: 0, fund: 0,
			flags: VisitRefunded | VisitReversed, fees: []fixtureFee{{"D1", 0}}},
		{id: "V4", psn: "P1", inst: "C1", doctor: "D1", med: 11, begin: at(2024, 1, 5, 8, 0), medFee: 2000, fund: 1000,
			fees: []fixtureFee{{"", 2000}}},
		{id: "V5", psn: "P4", inst: "H1", doctor: "D2", med: 21, begin: at(2024, 1, 3, 8, 0), medFee: 50000, fund: 35000,
			flags: VisitRefunded},
		{id: "V6", psn: "P3", inst: "C1", doctor: "D1", med: 11, begin: at(2024, 1, 1, 9, 0), medFee: 1500, fund: 1200},
	}
}

// fixtureGraph builds the fixture graph.
func fixtureGraph(t testing.TB) *Graph {
	t.Helper()
	g, err := Build(context.Background(), fixtureTables(t), BuildOptions{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return g
}

// node looks up a node or fails the test.
func node(t testing.TB, g *Graph, k Kind, key string) NodeID {
	t.Helper()
	n, ok := g.Lookup(k, key)
	if !ok {
		t.Fatalf("no %v %q", k, key)
	}
	return n
}

// fixtureBuild builds tb with default options.
func fixtureBuild(tb *Tables) (*Graph, error) { return Build(context.Background(), tb, BuildOptions{}) }
