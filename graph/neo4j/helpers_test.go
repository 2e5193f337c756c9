package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
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

// fixture is the huli-small dataset with findings made for it
// (fixtureFindings), loaded once per test binary.
type fixture struct {
	g    *graph.Graph
	f    *findings.Findings
	hits []findings.RuleHit
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
		f := fixtureFindings(g)
		fixtureVal = &fixture{g: g, f: f, hits: f.RuleHits}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

// Sizes of the fixture's findings.
const (
	fixtureRings     = 3  // rings: the institutions with the most visits
	fixtureMinVisits = 3  // visits of a patient at one institution that make a rule hit
	fixtureMaxRows   = 20 // visits and fee lines a hit cites, as the rule library caps them
	fixtureCited     = 25 // rule hits a ring cites in its evidence, as rings.Detect does
)

// fixtureFindings makes findings for the fixture without detection, which
// lives above this package: a rule hit for every patient with at least
// fixtureMinVisits visits at one institution, citing those visits and
// their fee lines (at most fixtureMaxRows of each); a ring for each of the
// fixtureRings institutions with the most visits, whose members are the
// institution and the patients and doctors of its hits, and whose evidence
// is a graph fact and its largest hits as rings.json shows them
// (findings.RuleEvidence); and an entity score for every patient, doctor
// and institution. What detection finds on the fixture is exported by
// cmd/ringlens's tests.
func fixtureFindings(g *graph.Graph) *findings.Findings {
	t := g.Tables()
	vt, ft, it := &t.Visits, &t.Fees, &t.Institutions
	feesOf := make([][]uint32, vt.Len())
	for r := 0; r < ft.Len(); r++ {
		feesOf[ft.Visit.At(uint32(r))] = append(feesOf[ft.Visit.At(uint32(r))], uint32(r))
	}
	type pair struct{ person, inst uint32 }
	visitsOf := map[pair][]uint32{}
	var pairs []pair
	instVisits := make([]int, it.Len())
	for v := 0; v < vt.Len(); v++ {
		k := pair{vt.Person[v], vt.Institution[v]}
		if visitsOf[k] == nil {
			pairs = append(pairs, k)
		}
		visitsOf[k] = append(visitsOf[k], uint32(v))
		instVisits[k.inst]++
	}
	params := map[string]float64{"min_visits": fixtureMinVisits}
	f := &findings.Findings{}
	for _, k := range pairs {
		vs := visitsOf[k]
		if len(vs) < fixtureMinVisits {
			continue
		}
		h := findings.RuleHit{Rule: "R-FIXTURE-REPEAT", Version: "1.0", Stage: "after", Result: "suspicious",
			Article: "《医疗保障基金使用监督管理条例》第十五条", ArticleEn: "Regulation on the Supervision of Medical Security Funds, Art. 15",
			Params: params, Persons: []uint32{k.person}, Institutions: []uint32{k.inst}, NVisits: len(vs), At: claims.NoTime}
		for _, v := range vs {
			h.Amount += vt.FundPay.At(v)
			if h.At == claims.NoTime || vt.Begin.At(v) < h.At {
				h.At = vt.Begin.At(v)
			}
			if d := vt.Doctor[v]; d != graph.None {
				h.Doctors = append(h.Doctors, d)
			}
			h.NFees += len(feesOf[v])
			if len(h.Visits) < fixtureMaxRows {
				h.Visits = append(h.Visits, v)
			}
			h.Fees = append(h.Fees, feesOf[v]...)
		}
		slices.Sort(h.Doctors)
		h.Doctors = slices.Compact(h.Doctors)
		slices.Sort(h.Fees)
		h.Fees = h.Fees[:min(len(h.Fees), fixtureMaxRows)]
		psn, inst := t.Persons.IDs.String(k.person), it.IDs.String(k.inst)
		h.Detail = fmt.Sprintf("patient %s visited %s %d times", psn, inst, len(vs))
		h.DetailZh = fmt.Sprintf("参保人 %s 在 %s 就诊 %d 次", psn, inst, len(vs))
		f.RuleHits = append(f.RuleHits, h)
	}

	insts := make([]uint32, it.Len())
	for i := range insts {
		insts[i] = uint32(i)
	}
	slices.SortStableFunc(insts, func(a, b uint32) int { return cmp.Compare(instVisits[b], instVisits[a]) })
	kindOf := func(inst uint32) string {
		if it.Class[inst] == graph.ClassPharmacy {
			return findings.KindPharmacy
		}
		return findings.KindClinic
	}
	ringOf := map[string]string{} // kind and id of a member -> ring id
	for i, inst := range insts[:fixtureRings] {
		var hits []int
		for j := range f.RuleHits {
			if f.RuleHits[j].Institutions[0] == inst {
				hits = append(hits, j)
			}
		}
		slices.SortStableFunc(hits, func(a, b int) int { return cmp.Compare(f.RuleHits[b].Amount, f.RuleHits[a].Amount) })
		r := findings.Ring{ID: fmt.Sprintf("R%03d", i+1), Rank: i + 1, Score: 0.9 - 0.1*float64(i), Typology: findings.TypFabricatedOutpatient,
			Article: "《医疗保障基金使用监督管理条例》第四十条", ArticleEn: "Regulation on the Supervision of Medical Security Funds, Art. 40",
			Features: map[string]float64{"rule_hits": float64(len(hits))}}
		add := func(kind, id, role string) {
			if _, ok := ringOf[kind+"\x00"+id]; !ok {
				ringOf[kind+"\x00"+id] = r.ID
				r.Members = append(r.Members, findings.Member{Kind: kind, ID: id, Role: role, Score: r.Score})
			}
		}
		role := "organising_clinic"
		if kindOf(inst) == findings.KindPharmacy {
			r.Typology, role = findings.TypPharmacyCashout, "reselling_pharmacy"
		}
		add(kindOf(inst), it.IDs.String(inst), role)
		r.Evidence = []findings.Evidence{{Kind: "graph", Rule: "G-FIXTURE", Detail: "the institution with the most visits",
			DetailZh: "就诊最多的机构", MdtrtIDs: []string{}}}
		first, last := claims.NoTime, claims.NoTime
		for n, j := range hits {
			h := &f.RuleHits[j]
			for _, p := range h.Persons {
				add(findings.KindPatient, t.Persons.IDs.String(p), "recruited_patient")
			}
			for _, d := range h.Doctors {
				add(findings.KindDoctor, t.Doctors.IDs.String(d), "organised_doctor")
			}
			if n < fixtureCited {
				r.Evidence = append(r.Evidence, findings.RuleEvidence(t, h, nil))
			}
			r.AmountAtRisk += h.Amount.Yuan()
			r.Visits += h.NVisits
			for _, v := range h.Visits {
				if first == claims.NoTime || vt.Begin.At(v) < first {
					first = vt.Begin.At(v)
				}
				last = max(last, vt.Begin.At(v))
			}
		}
		r.Evidence[0].MdtrtIDs = r.Evidence[min(1, len(r.Evidence)-1)].MdtrtIDs
		r.First, r.Last = first.String(), last.String()
		f.Rings = append(f.Rings, r)
	}

	score := func(kind, id string) {
		e := findings.EntityScore{Kind: kind, ID: id, Score: 0.1, Reasons: []findings.Reason{}}
		if ring, ok := ringOf[kind+"\x00"+id]; ok {
			e.Score, e.RingID = 0.8, ring
			e.Reasons = []findings.Reason{{Code: vocab.ReasonRingMember,
				Params: vocab.ParamsOf(map[string]string{"role": vocab.RoleMember, "ring": ring, "typology": vocab.TypUnclassified, "score": "0.60"})}}
		}
		if f.Entities == nil {
			f.Entities = &findings.Entities{}
		}
		f.Entities.Append(e)
	}
	for p := 0; p < t.Persons.Len(); p++ {
		score(findings.KindPatient, t.Persons.IDs.String(uint32(p)))
	}
	for d := 0; d < t.Doctors.Len(); d++ {
		score(findings.KindDoctor, t.Doctors.IDs.String(uint32(d)))
	}
	for i := 0; i < it.Len(); i++ {
		score(kindOf(uint32(i)), it.IDs.String(uint32(i)))
	}
	return f
}

func (fx *fixture) model(t *testing.T, pii bool) *Model {
	t.Helper()
	m, err := NewModel(Input{Graph: fx.g, Findings: fx.f, Hits: fx.hits, RunID: "test", IncludePII: pii, Visits: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
