package check

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// at returns the wall-clock Time of a local date and time.
func at(y, mo, d, h, mi int) claims.Time {
	return claims.TimeOf(time.Date(y, time.Month(mo), d, h, mi, 0, 0, claims.Shanghai()))
}

// Catalogue items of the test city.
const (
	itemFemale  = "F-ONLY"   // limited to women
	itemAdult   = "ADULT"    // limited to ages 18+
	itemDrug    = "DRUG-7"   // a drug, 7 days at most
	itemCapped  = "CAPPED"   // a service capped at 100 yuan
	itemService = "SERVICE"  // a plain service
	itemUnknown = "NEW-ITEM" // not in the catalogue
)

// city is a small hand-made city: persons M (a man of 60), C (a child of
// 8), W (a woman of 40), D (dead on 2025-06-01); clinic H1 and hospital H2
// in Xiamen, clinic H3 in Beijing. Its history: W bought 7 days of DRUG-7
// on 2025-03-01; M was in H2 from 2025-04-01 to 04-10 (J18); M saw H1 on
// 2025-05-01 09:00.
type city struct {
	t    *graph.Tables
	line uint32
}

func newCity(t *testing.T) *city {
	t.Helper()
	c := &city{t: graph.NewTables(0, 0), line: 2}
	for _, p := range []claims.Person{
		{PsnNo: "M", Sex: claims.Male, Birth: claims.DateOf(1965, 1, 1), DieDate: claims.NoDate, Name: "张三", CertNo: "350200196501010011"},
		{PsnNo: "C", Sex: claims.Female, Birth: claims.DateOf(2017, 1, 1), DieDate: claims.NoDate},
		{PsnNo: "W", Sex: claims.Female, Birth: claims.DateOf(1985, 1, 1), DieDate: claims.NoDate},
		{PsnNo: "D", Sex: claims.Male, Birth: claims.DateOf(1940, 1, 1), DieDate: claims.DateOf(2025, 6, 1)},
	} {
		c.t.AddPerson(&p)
	}
	for _, in := range []claims.Institution{
		{Code: "H1", Name: "H1诊所", Type: claims.Medical, Beds: -1, Lat: 24.48, Lon: 118.09, HasLocation: true},
		{Code: "H2", Name: "H2医院", Type: claims.Medical, Beds: 100, Lat: 24.49, Lon: 118.10, HasLocation: true},
		{Code: "H3", Name: "H3诊所", Type: claims.Medical, Beds: -1, Lat: 39.90, Lon: 116.40, HasLocation: true},
	} {
		c.t.AddInstitution(&in)
	}
	for _, it := range []claims.CatalogItem{
		{Code: itemFemale, ListType: 201, LimitSex: claims.Female, AgeMin: -1, AgeMax: -1},
		{Code: itemAdult, ListType: 201, AgeMin: 18, AgeMax: -1},
		{Code: itemDrug, ListType: 101, AgeMin: -1, AgeMax: -1, MaxDays: 7},
		{Code: itemCapped, ListType: 201, AgeMin: -1, AgeMax: -1, PriceCap: 100_000_000},
		{Code: itemService, ListType: 201, AgeMin: -1, AgeMax: -1},
	} {
		c.t.AddCatalogItem(&it)
	}
	c.add(claim("W-1", "W", "H1", at(2025, 3, 1, 9, 0), fee(itemDrug, 7, 50)))
	stay := claim("M-STAY", "M", "H2", at(2025, 4, 1, 9, 0), fee(itemService, 0, 500))
	stay.Visit.MedType, stay.Visit.End, stay.Visit.DiseCode = claims.MedType(21), at(2025, 4, 10, 9, 0), "J18.900"
	c.add(stay)
	c.add(claim("M-1", "M", "H1", at(2025, 5, 1, 9, 0), fee(itemService, 0, 50)))
	return c
}

// fee is a fee line of item: supply days, price in yuan.
func fee(item string, days int32, yuan float64) claims.FeeLine {
	return claims.FeeLine{ItemCode: item, Count: 1, Price: claims.Price(yuan * 1e6), Amount: claims.Money(yuan * 100), SupplyDays: days}
}

// claim is an outpatient claim of person at inst with fees (numbered and
// timed at begin); the fund pays 80%.
func claim(id, person, inst string, begin claims.Time, fees ...claims.FeeLine) *Claim {
	cl := &Claim{Visit: claims.Visit{MdtrtID: id, PsnNo: person, InstitutionCode: inst, MedType: claims.MedOutpatient,
		Begin: begin, End: claims.NoTime, DiseCode: "J20.900"}}
	for i, f := range fees {
		f.MdtrtID, f.FeedetlSn, f.Time = id, string(rune('1'+i)), begin
		cl.Fees = append(cl.Fees, f)
		cl.Visit.MedFee += f.Amount
	}
	cl.Visit.FundPay = cl.Visit.MedFee * 4 / 5
	return cl
}

// add settles cl in the city's tables.
func (c *city) add(cl *Claim) {
	row, _ := c.t.AddVisit(&cl.Visit, c.t.Persons.IDs.Lookup(cl.Visit.PsnNo), c.t.Institutions.IDs.Lookup(cl.Visit.InstitutionCode), c.line)
	c.line++
	for i := range cl.Fees {
		c.t.AddFee(&cl.Fees[i], row, c.line)
		c.line++
	}
}

// build builds the city's graph and its index.
func (c *city) build(t *testing.T) *Index {
	t.Helper()
	g, err := graph.Build(context.Background(), c.t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(g)
}

func newChecker(t testing.TB, opt Options) *Checker {
	t.Helper()
	c, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ruleIDs returns the ids of res's hits.
func ruleIDs(res *Result) []string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Rule)
	}
	return ids
}

// ruleCase is a claim, the rule that must hit it ("" for no hit at all)
// and the decision.
type ruleCase struct {
	name     string
	claim    *Claim
	want     string
	decision Decision
}

// TestRulesOnOneClaim checks one claim per rule of the check, and a clean
// claim, each against the city's history.
func TestRulesOnOneClaim(t *testing.T) {
	x := newCity(t).build(t)
	chk := newChecker(t, Options{})
	split := claim("M-SPLIT", "M", "H2", at(2025, 4, 15, 9, 0), fee(itemService, 0, 500))
	split.Visit.MedType, split.Visit.End, split.Visit.DiseCode = claims.MedType(21), at(2025, 4, 20, 9, 0), "J18.100"
	dup := claim("M-DUP", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30), fee(itemService, 0, 30))
	sexDise := claim("M-DISE", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30))
	sexDise.Visit.DiseCode = "N80.000"
	ageDise := claim("C-DISE", "C", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30))
	ageDise.Visit.DiseCode = "O80.000"
	tests := []ruleCase{
		{"clean", claim("M-OK", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30)), "", Pass},
		{"sex-restricted item", claim("M-SEX", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemFemale, 0, 30)), rules.IDSexItem, Reject},
		{"age-restricted item", claim("C-AGE", "C", "H1", at(2025, 7, 1, 9, 0), fee(itemAdult, 0, 30)), rules.IDAgeItem, Reject},
		{"diagnosis of the other sex", sexDise, rules.IDSexDiagnosis, Review},
		{"diagnosis of another age", ageDise, rules.IDAgeDiagnosis, Review},
		{"over-supply", claim("M-OVER", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemDrug, 30, 200)), rules.IDOverSupply, Remind},
		{"repeat prescribing", claim("W-2", "W", "H1", at(2025, 3, 3, 9, 0), fee(itemDrug, 7, 50)), rules.IDRepeatRx, Remind},
		{"after death", claim("D-1", "D", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30)), rules.IDAfterDeath, Reject},
		{"price cap", claim("M-CAP", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemCapped, 0, 150)), rules.IDPriceCap, Reject},
		{"duplicate billing", dup, rules.IDDuplicateBilling, Review},
		{"split admission", split, rules.IDSplitAdmission, Review},
		{"person at distant places", claim("M-FAR", "M", "H3", at(2025, 5, 1, 9, 30), fee(itemService, 0, 30)), rules.IDPersonDistant, Review},
		{"unknown item passes", claim("M-NEW", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemUnknown, 0, 30)), "", Pass},
	}
	for _, id := range chk.Rules(rules.AtBefore | rules.AtDuring) {
		if !slices.ContainsFunc(tests, func(tc ruleCase) bool { return tc.want == id }) {
			t.Errorf("rule %s runs in checks but has no case here", id)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := chk.Check(context.Background(), View{Index: x}, tc.claim)
			if err != nil {
				t.Fatal(err)
			}
			ids := ruleIDs(res)
			if tc.want == "" && len(ids) > 0 || tc.want != "" && !slices.Contains(ids, tc.want) {
				t.Fatalf("hits %v, want %q", ids, tc.want)
			}
			if res.Decision != tc.decision {
				t.Errorf("decision %s, want %s (hits %v)", res.Decision, tc.decision, ids)
			}
			for _, h := range res.Hits {
				if h.Version == "" || h.Params == nil || h.Zh == "" || h.En == "" || len(h.Stages) == 0 || !slices.Contains(h.Visits, tc.claim.Visit.MdtrtID) {
					t.Errorf("incomplete hit %+v", h)
				}
			}
		})
	}
}

// TestStages checks that a check runs exactly the rules of its stage that
// run on one claim, and that a check before settlement only reminds.
func TestStages(t *testing.T) {
	chk := newChecker(t, Options{})
	set := rules.Defaults()
	for _, st := range []rules.Stages{rules.AtBefore, rules.AtDuring, rules.AtBefore | rules.AtDuring} {
		var want []string
		for i := range set.Rules {
			r := &set.Rules[i]
			if r.OnOneClaim() && r.Stages()&st != 0 {
				want = append(want, r.ID)
			}
		}
		if got := chk.Rules(st); !reflect.DeepEqual(got, want) || len(got) == 0 {
			t.Errorf("stages %s: rules %v, want %v", st, got, want)
		}
	}
	for _, id := range []string{rules.IDFrequentVisits, rules.IDTraceDuplicate, rules.IDDoctorCapacity, rules.IDGhostBed} {
		if slices.Contains(chk.Rules(rules.AtBefore|rules.AtDuring), id) {
			t.Errorf("%s runs in checks", id)
		}
	}
	x := newCity(t).build(t)
	cl := claim("M-SEX", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemFemale, 0, 30))
	cl.Stages = rules.AtBefore
	res, err := chk.Check(context.Background(), View{Index: x}, cl)
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision != Remind || !slices.Contains(ruleIDs(res), rules.IDSexItem) {
		t.Errorf("before settlement: %s %v, want remind with %s", res.Decision, ruleIDs(res), rules.IDSexItem)
	}
}

// stub is a StaffStatus and OpenCases of fixed answers.
type stub struct{}

func (stub) StaffStatus(code string) (bool, string) { return code == "DR-X", "suspended" }
func (stub) OpenCase(kind, id string) (string, bool) {
	return "C-0001", kind == vocab.KindClinic && id == "H1"
}

// TestSignals checks the ring context, staff status, open cases and an
// already settled claim.
func TestSignals(t *testing.T) {
	x := newCity(t).build(t)
	g := x.Graph()
	rows := make([]findings.EntityScore, g.NumNodes())
	pn := g.PatientNode(g.Tables().Persons.IDs.Lookup("M"))
	rows[pn] = findings.EntityScore{Kind: vocab.KindPatient, ID: "M", Score: 0.91, RingID: "R001"}
	f := &findings.Findings{Entities: findings.EntitiesOf(rows)}
	f.Rings = []findings.Ring{{ID: "R001", Members: []findings.Member{{Kind: vocab.KindPatient, ID: "M", Role: vocab.RoleRecruitedPatient, Label: "张*", Score: 0.91}}}}
	chk := newChecker(t, Options{Staff: stub{}, Cases: stub{}})
	cl := claim("M-1", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30)) // M-1 is settled already
	cl.Visit.DoctorCode = "DR-X"
	res, err := chk.Check(context.Background(), View{Index: x, Findings: f}, cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{vocab.CheckRingPerson, vocab.CheckStaffSuspended, vocab.CheckOpenCase, vocab.CheckAlreadySettled} {
		if !slices.Contains(ruleIDs(res), id) {
			t.Errorf("no %s among %v", id, ruleIDs(res))
		}
	}
	if !res.AlreadySettled || res.Decision != Reject {
		t.Errorf("settled %v decision %s", res.AlreadySettled, res.Decision)
	}
	want := RingContext{Kind: vocab.KindPatient, ID: "M", Label: "张*", Ring: "R001", Role: vocab.RoleRecruitedPatient, Score: 0.91}
	if len(res.Rings) != 1 || res.Rings[0] != want {
		t.Errorf("rings %+v, want %+v", res.Rings, want)
	}
	if res.Hits[0].Action != Reject {
		t.Errorf("hits not strongest first: %+v", res.Hits[0])
	}
	// A register of the view overrides the checker's.
	res, err = newChecker(t, Options{}).Check(context.Background(), View{Index: x, Findings: f, Staff: stub{}}, cl)
	if err != nil || !slices.Contains(ruleIDs(res), vocab.CheckStaffSuspended) || slices.Contains(ruleIDs(res), vocab.CheckOpenCase) {
		t.Errorf("view's staff register: %v %v", err, res)
	}
	// Open cases of the view override the checker's.
	res, err = newChecker(t, Options{}).Check(context.Background(), View{Index: x, Findings: f, Cases: stub{}}, cl)
	if err != nil || !slices.Contains(ruleIDs(res), vocab.CheckOpenCase) || slices.Contains(ruleIDs(res), vocab.CheckStaffSuspended) {
		t.Errorf("view's open cases: %v %v", err, res)
	}
}

// TestCheckChangesNothing checks claims and compares the tables, graph
// and findings with copies taken before.
func TestCheckChangesNothing(t *testing.T) {
	c := newCity(t)
	x := c.build(t)
	before := snapshotOf(c.t)
	f := &findings.Findings{Entities: findings.EntitiesOf(make([]findings.EntityScore, x.Graph().NumNodes()))}
	fBefore := f.Entities.Len()
	chk := newChecker(t, Options{})
	for _, cl := range []*Claim{
		claim("NEW-1", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemUnknown, 0, 30), fee(itemFemale, 0, 30)),
		claim("M-1", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30)),
		{Visit: claims.Visit{MdtrtID: "NEW-2", PsnNo: "W", InstitutionCode: "H2", MedType: 21, Begin: at(2025, 8, 1, 9, 0),
			End: at(2025, 8, 3, 9, 0), DoctorCode: "NEW-DOCTOR", DiseCode: "NEW-DISE", MedFee: 100, FundPay: 80}},
	} {
		if _, err := chk.Check(context.Background(), View{Index: x, Findings: f}, cl); err != nil {
			t.Fatal(err)
		}
	}
	if after := snapshotOf(c.t); !reflect.DeepEqual(before, after) {
		t.Error("a check changed the tables")
	}
	if f.Entities.Len() != fBefore || f.Rings != nil {
		t.Error("a check changed the findings")
	}
	if v, fe := x.Appended(); v != 0 || fe != 0 {
		t.Errorf("index holds %d appended visits and %d fee lines", v, fe)
	}
}

// tableState is what a check could change in tables: their sizes and
// codes.
type tableState struct {
	Persons, Institutions, Doctors, Catalog, Visits, Fees, Strings, Traces int
	Class                                                                  []graph.InstitutionClass
	Admissions                                                             []uint32
}

func snapshotOf(t *graph.Tables) tableState {
	return tableState{t.Persons.Len(), t.Institutions.Len(), t.Doctors.Len(), t.Catalog.Len(), t.Visits.Len(), t.Fees.Len(),
		t.Strings.Len(), t.Fees.Traces.Len(), slices.Clone(t.Institutions.Class), slices.Clone(t.Institutions.Admissions)}
}

// TestIndexAppended checks that claims appended after the build are part
// of the person's history once synced.
func TestIndexAppended(t *testing.T) {
	c := newCity(t)
	x := c.build(t)
	chk := newChecker(t, Options{})
	next := claim("W-2", "W", "H1", at(2025, 3, 3, 9, 0), fee(itemDrug, 7, 50))
	c.add(claim("W-0", "W", "H1", at(2025, 3, 2, 9, 0), fee(itemDrug, 7, 50)))
	x.Sync()
	if v, f := x.Appended(); v != 1 || f != 1 {
		t.Fatalf("appended %d visits, %d fee lines; want 1, 1", v, f)
	}
	res, err := chk.Check(context.Background(), View{Index: x}, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.History != 2 {
		t.Errorf("history of %d visits, want 2", res.History)
	}
	var cited []string
	for _, h := range res.Hits {
		if h.Rule == rules.IDRepeatRx {
			cited = h.Visits
		}
	}
	if !slices.Contains(cited, "W-0") {
		t.Errorf("repeat prescribing cites %v, want W-0 (appended) among them", cited)
	}
	if NewIndex(x.Graph()).builtVisits != 3 {
		t.Errorf("built visits not found")
	}
	// A fee line appended to a visit of the graph joins its fee lines.
	m1 := c.t.Visits.IDs.Lookup("M-1")
	late := fee(itemService, 0, 20)
	late.MdtrtID, late.FeedetlSn, late.Time = "M-1", "9", at(2025, 5, 1, 9, 30)
	c.t.AddFee(&late, m1, c.line)
	x.Sync()
	if got := x.feesOf(nil, m1); len(got) != 2 || x.feeCount(m1) != 2 {
		t.Errorf("fee lines of M-1: %v", got)
	}
	if got := NewIndex(x.Graph()).feesOf(nil, m1); len(got) != 2 {
		t.Errorf("fee lines of M-1 by a fresh index: %v", got)
	}
}

// TestChecksDuringAppends runs checks while claims are appended and
// indexed under a lock, as the server does: Prepare under the lock, Run
// without it (go test -race).
func TestChecksDuringAppends(t *testing.T) {
	c := newCity(t)
	x := c.build(t)
	chk := newChecker(t, Options{})
	var mu sync.RWMutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := 0; i < 50; i++ {
				mu.RLock()
				x.Sync()
				p, err := chk.Prepare(View{Index: x}, claim("W-CHK", "W", "H1", at(2025, 3, 4, 9, 0), fee(itemDrug, 7, 50)))
				mu.RUnlock()
				if err != nil {
					t.Error(err)
					return
				}
				// Run reads nothing of the tables: no lock.
				res, err := p.Run(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if !slices.Contains(ruleIDs(res), rules.IDRepeatRx) {
					t.Errorf("hits %v, want %s", ruleIDs(res), rules.IDRepeatRx)
				}
			}
		})
	}
	for i := 0; i < 50; i++ {
		mu.Lock()
		c.add(claim("W-ADD-"+string(rune('A'+i)), "W", "H1", at(2025, 3, 5+i%20, 9, 0), fee(itemDrug, 7, 50)))
		mu.Unlock()
	}
	wg.Wait()
}

// TestErrors checks claims the data cannot check.
func TestErrors(t *testing.T) {
	x := newCity(t).build(t)
	chk := newChecker(t, Options{})
	foreign := claim("M-X", "M", "H1", at(2025, 7, 1, 9, 0), fee(itemService, 0, 30))
	foreign.Fees[0].MdtrtID = "OTHER"
	for _, tc := range []struct {
		cl   *Claim
		want error
	}{
		{claim("X-1", "NOBODY", "H1", at(2025, 7, 1, 9, 0)), ErrUnknownPerson},
		{claim("X-2", "M", "NOWHERE", at(2025, 7, 1, 9, 0)), ErrUnknownInstitution},
		{foreign, ErrForeignFee},
	} {
		if _, err := chk.Check(context.Background(), View{Index: x}, tc.cl); !errorsIs(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.cl.Visit.MdtrtID, err, tc.want)
		}
	}
	if _, err := New(Options{Policy: Policy{Rows: []PolicyRow{{Key: KeyDefinite, Action: "maybe"}}}}); err == nil {
		t.Error("a policy with an unknown action was accepted")
	}
}
