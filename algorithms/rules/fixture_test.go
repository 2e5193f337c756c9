package rules

import (
	"context"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// at returns the wall-clock Time of a local date and time.
func at(y, mo, d, h, mi int) claims.Time {
	return claims.TimeOf(time.Date(y, time.Month(mo), d, h, mi, 0, 0, claims.Shanghai()))
}

// day returns the Date of a local date.
func day(y, mo, d int) claims.Date { return claims.DateOf(y, mo, d) }

// fx builds small hand-checked Tables.
type fx struct {
	t     *graph.Tables
	line  uint32
	visit map[string]uint32
}

func newFx() *fx { return &fx{t: graph.NewTables(0, 0), line: 2, visit: map[string]uint32{}} }

func (x *fx) person(id string, sex claims.Sex, birth claims.Date) {
	x.t.AddPerson(&claims.Person{PsnNo: id, Sex: sex, Birth: birth, DieDate: claims.NoDate})
}

func (x *fx) dead(id string, sex claims.Sex, birth, die claims.Date) {
	x.t.AddPerson(&claims.Person{PsnNo: id, Sex: sex, Birth: birth, DieDate: die})
}

// inst adds a medical institution (beds -1 unknown) at lat, lon (0, 0: no
// location).
func (x *fx) inst(code string, beds int32, lat, lon float64) {
	x.t.AddInstitution(&claims.Institution{Code: code, Name: code + "诊所", Type: claims.Medical, Beds: beds,
		Lat: lat, Lon: lon, HasLocation: lat != 0 || lon != 0})
}

func (x *fx) pharmacy(code string, lat, lon float64) {
	x.t.AddInstitution(&claims.Institution{Code: code, Name: code + "大药房", Type: claims.Pharmacy, Beds: -1,
		Lat: lat, Lon: lon, HasLocation: lat != 0 || lon != 0})
}

func (x *fx) staff(code, inst string) {
	x.t.AddStaff(&claims.Staff{DrCode: code, InstitutionCode: inst}, x.t.Institutions.IDs.Lookup(inst))
}

func (x *fx) item(it claims.CatalogItem) { x.t.AddCatalogItem(&it) }

// v is a visit to add.
type v struct {
	id, psn, inst, doc, dise string
	med                      claims.MedType
	begin, end               claims.Time
	fund                     claims.Money
	reversed                 bool
}

func (x *fx) add(vs ...v) {
	for _, in := range vs {
		end := in.end
		if end == 0 {
			end = claims.NoTime
		}
		med := in.med
		if med == 0 {
			med = claims.MedOutpatient
		}
		fund := in.fund
		if fund == 0 {
			fund = 8000
		}
		cv := claims.Visit{MdtrtID: in.id, PsnNo: in.psn, InstitutionCode: in.inst, MedType: med, Begin: in.begin,
			End: end, DoctorCode: in.doc, DiseCode: in.dise, MedFee: fund * 5 / 4, FundPay: fund}
		row, _ := x.t.AddVisit(&cv, x.t.Persons.IDs.Lookup(in.psn), x.t.Institutions.IDs.Lookup(in.inst), x.line)
		x.line++
		if in.reversed {
			x.t.Visits.Flags[row] = graph.VisitRefunded | graph.VisitReversed
			x.t.Visits.FundPay.Set(row, 0)
			x.t.Visits.MedFee.Set(row, 0)
		}
		x.visit[in.id] = row
	}
}

// f is a fee line to add.
type f struct {
	visit, sn, item, doc, trace string
	count                       float64
	price                       claims.Price // micro-yuan
	amount                      claims.Money // 0: count × price
	days                        int32
	time                        claims.Time // 0: the visit's begin
}

func (x *fx) fees(fs ...f) {
	for _, in := range fs {
		row := x.visit[in.visit]
		amt := in.amount
		if amt == 0 {
			amt = claims.Money(in.count * float64(in.price) / 1e4)
		}
		tm := in.time
		if tm == 0 {
			tm = x.t.Visits.Begin.At(row)
		}
		cnt := in.count
		if cnt == 0 {
			cnt = 1
		}
		x.t.AddFee(&claims.FeeLine{FeedetlSn: in.sn, MdtrtID: in.visit, ItemCode: in.item, Count: cnt, Price: in.price,
			Amount: amt, Time: tm, DoctorCode: in.doc, SupplyDays: in.days, TraceCode: in.trace}, row, x.line)
		x.line++
	}
}

// run builds the graph and runs set.
func (x *fx) run(tb testing.TB, set Set) *Result {
	tb.Helper()
	g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
	if err != nil {
		tb.Fatalf("graph.Build: %v", err)
	}
	res, err := Run(context.Background(), g, set)
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return res
}

// only returns Defaults with only rule id (and the placeholder check)
// enabled and params overridden.
func only(id string, params map[string]float64) Set {
	s := Defaults()
	for i := range s.Rules {
		r := &s.Rules[i]
		r.Enabled = r.ID == id || r.ID == IDPlaceholderDoctor
		if r.ID == id {
			for k, val := range params {
				r.Params[k] = val
			}
		}
	}
	return s
}

// hitsOf returns the hits of rule id.
func hitsOf(res *Result, id string) []Hit {
	var out []Hit
	for _, h := range res.Hits {
		if h.Rule == id {
			out = append(out, h)
		}
	}
	return out
}

// yuan converts yuan to micro-yuan prices.
func yuan(y float64) claims.Price { return claims.Price(y * 1e6) }

// base adds the common cast: a male (1980) and a female (1990) patient, a
// clinic C1 in Xiamen with doctor D410000000001, a pharmacy PH1.
func base() *fx {
	x := newFx()
	x.person("M", claims.Male, day(1980, 5, 1))
	x.person("F", claims.Female, day(1990, 5, 1))
	x.inst("C1", -1, 24.48, 118.09)
	x.pharmacy("PH1", 24.49, 118.10)
	x.staff("D410000000001", "C1")
	return x
}

// ruleCase is one table-driven case of a rule.
type ruleCase struct {
	name   string
	build  func() *fx
	params map[string]float64
	want   int // hits of the rule
	check  func(t *testing.T, x *fx, hs []Hit, res *Result)
}

// runCases runs each case with only rule id enabled.
func runCases(t *testing.T, id string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.build()
			res := x.run(t, only(id, tc.params))
			hs := hitsOf(res, id)
			if len(hs) != tc.want {
				for _, h := range hs {
					t.Logf("hit: %+v", h)
				}
				t.Fatalf("%s: %d hits, want %d", id, len(hs), tc.want)
			}
			for _, h := range hs {
				checkHit(t, x, h)
			}
			if tc.check != nil {
				tc.check(t, x, hs, res)
			}
		})
	}
}

// checkHit verifies the invariants every hit keeps.
func checkHit(t *testing.T, x *fx, h Hit) {
	t.Helper()
	defs := Defaults()
	r, ok := defs.Rule(h.Rule)
	if !ok || h.Version != r.Version || h.Result != r.Result || h.Stage != r.Stage || h.Article != r.Article {
		t.Errorf("hit metadata %s/%s/%s/%s does not match the rule", h.Rule, h.Version, h.Result, h.Stage)
	}
	if len(h.Params) != len(r.Specs) {
		t.Errorf("hit params %v", h.Params)
	}
	if h.NVisits < len(h.Visits) || h.NFees < len(h.Fees) || len(h.Visits)+len(h.Fees) == 0 {
		t.Errorf("hit rows: %d/%d visits, %d/%d fees", len(h.Visits), h.NVisits, len(h.Fees), h.NFees)
	}
	if h.Amount < 0 || h.Detail == "" || h.DetailZh == "" {
		t.Errorf("hit amount %v, detail %q / %q", h.Amount, h.Detail, h.DetailZh)
	}
	for _, v := range h.Visits {
		if x.t.Visits.Flags[v]&graph.VisitReversed != 0 {
			t.Errorf("hit cites reversed visit %s", x.t.Visits.IDs.String(v))
		}
	}
	ids, fees := Cite(x.t, h)
	if len(ids) != len(h.Visits) || len(fees) != len(h.Fees) {
		t.Errorf("Cite: %d ids, %d fees", len(ids), len(fees))
	}
}

// cited returns the mdtrt_ids a hit cites.
func cited(x *fx, h Hit) []string {
	ids, _ := Cite(x.t, h)
	return ids
}

// wantIDs checks the cited mdtrt_ids of a hit.
func wantIDs(t *testing.T, x *fx, h Hit, want ...string) {
	t.Helper()
	got := cited(x, h)
	if len(got) != len(want) {
		t.Fatalf("cited %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("cited %v, want %v", got, want)
		}
	}
}

// wantAmount checks a hit's amount in fen.
func wantAmount(t *testing.T, h Hit, want claims.Money) {
	t.Helper()
	if h.Amount != want {
		t.Fatalf("amount %v, want %v", h.Amount, want)
	}
}
