package neo4j

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
)

// Personal data of the small graph: must never appear unless IncludePII.
const (
	testName   = "张三丰"
	testCertNo = "110101199003071234"
	testDoctor = "李时珍"
)

// smallGraph builds a graph of two patients, a clinic, a hospital, a
// pharmacy and a registered doctor.
func smallGraph(t *testing.T) *graph.Graph {
	t.Helper()
	tb := graph.NewTables(8, 0)
	clinic, _ := tb.AddInstitution(&claims.Institution{Code: "H001", Name: "某诊所", Type: claims.Medical, Beds: -1})
	hosp, _ := tb.AddInstitution(&claims.Institution{Code: "H002", Name: "某医院", Type: claims.Medical, Level: "二级", Beds: 100,
		Lat: 31.2, Lon: 121.5, HasLocation: true})
	pharm, _ := tb.AddInstitution(&claims.Institution{Code: "P001", Name: "某药店", Type: claims.Pharmacy, Beds: -1})
	p1, _ := tb.AddPerson(&claims.Person{PsnNo: "A1", Sex: 1, Birth: claims.DateOf(1980, 3, 7), Name: testName,
		CertNo: testCertNo, DieDate: claims.NoDate})
	p2, _ := tb.AddPerson(&claims.Person{PsnNo: "A2", Sex: 2, Birth: claims.NoDate, DieDate: claims.NoDate})
	tb.AddStaff(&claims.Staff{DrCode: "D1", InstitutionCode: "H001", Name: testDoctor, Dept: "内科"}, clinic)
	at := func(d int) claims.Time { return claims.DateOf(2024, 1, d).Time() + 9*3600 }
	for i, v := range []struct {
		id           string
		person, inst uint32
		doc          string
		mt           claims.MedType
		day          int
	}{
		{"V1", p1, clinic, "D1", claims.MedOutpatient, 1},
		{"V2", p1, clinic, "D1", claims.MedOutpatient, 2},
		{"V3", p2, hosp, "", claims.MedOutpatient, 3},
		{"V4", p2, pharm, "D1", claims.MedPharmacy, 4},
	} {
		tb.AddVisit(&claims.Visit{MdtrtID: v.id, SetlID: "S" + v.id, MedType: v.mt, Begin: at(v.day), End: claims.NoTime,
			DoctorCode: v.doc, MedFee: 10000, FundPay: 7000}, v.person, v.inst, uint32(i+2))
	}
	// A catalogue item with limits, and fee lines: one of it, one of an
	// item only seen on fee lines, one with a trace code.
	tb.AddCatalogItem(&claims.CatalogItem{Code: "X001", Name: "某药片", ListType: 101, LimitSex: claims.Female,
		AgeMin: 18, AgeMax: -1, MaxDays: 30, PriceCap: 12_500000})
	v4 := tb.Visits.IDs.Lookup("V4")
	tb.AddFee(&claims.FeeLine{FeedetlSn: "0001", MdtrtID: "V4", ItemCode: "X001", Count: 2, Price: 12_345678, Amount: 2469,
		Time: at(4) + 60, DoctorCode: "D1", SupplyDays: 14, TraceCode: "T0001"}, v4, 2)
	tb.AddFee(&claims.FeeLine{FeedetlSn: "0002", MdtrtID: "V4", ItemCode: "S100", ItemName: "诊查费", ListType: 201, Count: 1,
		Price: 10_000000, Amount: 1000, Time: claims.NoTime}, v4, 3)
	tb.AddFee(&claims.FeeLine{FeedetlSn: "0001", MdtrtID: "V1", ItemCode: "S100", ItemName: "诊查费", ListType: 201, Count: 1,
		Price: 10_000000, Amount: 1000, Time: at(1)}, tb.Visits.IDs.Lookup("V1"), 4)
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// fixture is the huli-small dataset with its findings and rule hits,
// loaded once per test binary.
type fixture struct {
	g    *graph.Graph
	f    *rings.Findings
	hits []rules.Hit
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		ctx := context.Background()
		dir := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
		res, err := ingest.Load(ctx, dir, ingest.Options{}, func(ingest.Reject) error { return nil })
		if err != nil {
			fixtureErr = err
			return
		}
		g, err := graph.Build(ctx, res.Tables, graph.BuildOptions{})
		if err != nil {
			fixtureErr = err
			return
		}
		f, err := rings.Detect(ctx, g, rings.Options{Rules: rules.Defaults(), Seed: 1})
		if err != nil {
			fixtureErr = err
			return
		}
		rr, err := rules.Run(ctx, g, rules.Defaults())
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureVal = &fixture{g: g, f: f, hits: rr.Hits}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func (fx *fixture) model(t *testing.T, pii bool) *Model {
	t.Helper()
	m, err := NewModel(Input{Graph: fx.g, Findings: fx.f, Hits: fx.hits, RunID: "test", IncludePII: pii, Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
