package rules

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// cityFx puts one case of every rule (and a few near misses) in one
// dataset.
func cityFx() *fx {
	x := base()
	x.pharmacy("PH2", 24.60, 118.20)
	x.inst("H1", 300, 24.50, 118.10)
	x.inst("H2", 10, 24.51, 118.11)
	x.inst("C3", -1, 25.20, 118.09) // 80 km north of C1
	for _, d := range []string{"D410000000003", "D410000000004"} {
		x.staff(d, "C1")
	}
	x.staff("D410000000003", "C3")
	x.item(claims.CatalogItem{Code: "HYST", Name: "宫腔镜检查", ListType: 201, LimitSex: claims.Female, AgeMin: -1, AgeMax: -1})
	x.item(claims.CatalogItem{Code: "AMOX", Name: "阿莫西林", ListType: 101, AgeMin: -1, AgeMax: -1})
	x.item(claims.CatalogItem{Code: "MET", Name: "二甲双胍", ListType: 101, AgeMin: -1, AgeMax: -1})
	x.item(claims.CatalogItem{Code: "ALB", Name: "人血白蛋白", ListType: 101, AgeMin: -1, AgeMax: -1})
	x.item(claims.CatalogItem{Code: "VC", Name: "维生素C片", ListType: 101, AgeMin: -1, AgeMax: -1})
	x.item(claims.CatalogItem{Code: "CT", Name: "CT平扫", ListType: 201, AgeMin: -1, AgeMax: -1, PriceCap: yuan(100)})
	x.item(claims.CatalogItem{Code: "PED", Name: "小儿退热栓", ListType: 101, AgeMin: -1, AgeMax: 14})
	x.person("OLD", claims.Female, day(1949, 1, 1))
	x.dead("DEAD", claims.Male, day(1940, 1, 1), day(2024, 3, 1))

	x.add(v{id: "SEX1", psn: "M", inst: "C1", doc: "D410000000001", begin: at(2024, 3, 1, 9, 0)},
		v{id: "AGE1", psn: "OLD", inst: "C1", doc: "D410000000001", dise: "O04.900", begin: at(2024, 3, 1, 10, 0)},
		v{id: "RX1", psn: "M", inst: "C1", doc: "D410000000001", dise: "J06.900", begin: at(2024, 3, 2, 9, 0)},
		v{id: "MET1", psn: "F", inst: "C1", doc: "D410000000001", med: claims.MedChronic, dise: "E11", begin: at(2024, 3, 3, 9, 0)},
		v{id: "MET2", psn: "F", inst: "PH2", med: claims.MedPharmacy, begin: at(2024, 3, 13, 9, 0)},
		v{id: "DEAD1", psn: "DEAD", inst: "C1", begin: at(2024, 3, 9, 9, 0)},
		v{id: "CT1", psn: "M", inst: "C1", begin: at(2024, 3, 4, 9, 0)},
		v{id: "SEXD1", psn: "M", inst: "C1", dise: "N80.0", begin: at(2024, 3, 4, 11, 0)},
		v{id: "PED1", psn: "OLD", inst: "C1", begin: at(2024, 3, 4, 15, 0)})
	x.fees(f{visit: "SEX1", sn: "1", item: "HYST", count: 1, price: yuan(60)},
		f{visit: "RX1", sn: "1", item: "AMOX", count: 3, price: yuan(10), days: 30},
		f{visit: "MET1", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30},
		f{visit: "MET2", sn: "1", item: "MET", count: 3, price: yuan(10), days: 30},
		f{visit: "PED1", sn: "1", item: "PED", count: 2, price: yuan(8)},
		f{visit: "CT1", sn: "1", item: "CT", count: 1, price: yuan(90), amount: 9000},
		f{visit: "CT1", sn: "2", item: "CT", count: 1, price: yuan(110), amount: 11000, time: at(2024, 3, 4, 9, 30)},
		f{visit: "CT1", sn: "3", item: "CT", count: 1, price: yuan(110), amount: 11000, time: at(2024, 3, 4, 9, 30)})

	// Split hospitalisation: 14 days (both sets) and 15 days (defaults only).
	stay := func(id, psn, inst, dise string, b claims.Time, days int) {
		x.add(v{id: id, psn: psn, inst: inst, med: claims.MedInpatient, dise: dise, begin: b, end: b + claims.Time(days*86400), fund: 200000})
	}
	stay("ADM1", "M", "H1", "J18.900", at(2024, 4, 1, 9, 0), 5)
	stay("ADM2", "M", "H1", "J18.000", at(2024, 4, 20, 9, 0), 5)
	stay("ADM3", "F", "H1", "I63.900", at(2024, 4, 1, 9, 0), 5)
	x.item(claims.CatalogItem{Code: "BED", Name: "床位费", ListType: 201, AgeMin: -1, AgeMax: -1})
	x.fees(f{visit: "ADM3", sn: "1", item: "BED", count: 1, price: yuan(50), time: at(2024, 4, 1, 10, 0)},
		f{visit: "ADM3", sn: "2", item: "BED", count: 1, price: yuan(50), time: at(2024, 4, 2, 10, 0)}) // then nothing for 3 days
	stay("ADM4", "F", "H1", "I63.900", at(2024, 4, 21, 9, 0), 5)
	for i := 0; i < 15; i++ { // 15 inpatients in 10 beds
		psn := fmt.Sprintf("BED%02d", i)
		x.person(psn, claims.Male, day(1950, 1, 1))
		stay("B"+psn, psn, "H2", "R50", at(2024, 5, 1, 9, 0)+claims.Time(i*600), 3)
	}

	// A doctor at two clinics 80 km apart within 20 minutes.
	x.add(v{id: "FAR1", psn: "M", inst: "C1", doc: "D410000000003", begin: at(2024, 3, 5, 9, 0)},
		v{id: "FAR2", psn: "F", inst: "C3", doc: "D410000000003", begin: at(2024, 3, 5, 9, 20)},
		v{id: "PD1", psn: "M", inst: "C3", begin: at(2024, 3, 5, 9, 40)}) // the person too, 80 km in 40 minutes

	// 12 visits in 30 minutes (a hit with the override's 8 per 30 minutes),
	// and a placeholder code with 60 visits in an hour (a placeholder only
	// with the override's pattern_min_visits 50).
	for i := 0; i < 12; i++ {
		x.add(v{id: fmt.Sprintf("CAP%02d", i), psn: "F", inst: "C1", doc: "D410000000004", begin: at(2024, 3, 6, 9, 0) + claims.Time(i*150)})
	}
	for i := 0; i < 60; i++ {
		x.add(v{id: fmt.Sprintf("PLC%02d", i), psn: "M", inst: "C1", doc: "009999", begin: at(2024, 3, 7, 9, 0) + claims.Time(i*60)})
	}

	// The same trace code sold twice; 70 boxes of a cheap drug, 6 times.
	x.add(v{id: "TR1", psn: "M", inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 3, 8, 9, 0)},
		v{id: "TR2", psn: "F", inst: "PH2", med: claims.MedPharmacy, begin: at(2024, 3, 9, 9, 0)})
	x.fees(f{visit: "TR1", sn: "1", item: "ALB", count: 1, price: yuan(50), trace: "TRACE-1"},
		f{visit: "TR2", sn: "1", item: "ALB", count: 1, price: yuan(50), trace: "TRACE-1"})
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("VC%d", i)
		x.add(v{id: id, psn: "F", inst: "PH1", med: claims.MedPharmacy, begin: at(2024, 3, 10+i, 9, 0)})
		x.fees(f{visit: id, sn: "1", item: "VC", count: 70, price: yuan(1)})
	}

	// Frequent visits against peers.
	peers(x, "PEER", 40, "J20", 15)
	frequent(x, "HOT", "J20.9", 20)
	return x
}

func TestCityAllRules(t *testing.T) {
	x := cityFx()
	res := x.run(t, Defaults())
	fired := map[string]int{}
	for _, h := range res.Hits {
		fired[h.Rule]++
		checkHit(t, x, h)
	}
	defs := Defaults()
	for _, id := range defs.IDs() {
		if id != IDPlaceholderDoctor && fired[id] == 0 {
			t.Errorf("%s did not fire on the city", id)
		}
	}
	if len(res.Stats) != implemented(defs.Rules) {
		t.Errorf("%d stats", len(res.Stats))
	}
}

func TestDeterministic(t *testing.T) {
	x := cityFx()
	g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := Run(context.Background(), g, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	b, err := Run(context.Background(), g, Defaults())
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs differ")
	}
}

func TestCancelled(t *testing.T) {
	x := cityFx()
	g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, g, Defaults()); err == nil {
		t.Error("no error after cancel")
	}
	if _, err := Run(context.Background(), nil, Defaults()); err == nil {
		t.Error("no error for a nil graph")
	}
	short := graph.NewSmall(1) // inconsistent tables: an error, not a panic
	short.Append(x.t.Visits.Dise.At(0))
	x.t.Visits.Dise = short
	if _, err := Run(context.Background(), g, Defaults()); err == nil {
		t.Error("no error for a short column")
	}
	bad := Defaults()
	r, _ := bad.Rule(IDDoctorCapacity)
	r.Params["slot_minutes"] = 0
	if _, err := Run(context.Background(), g, bad); err == nil {
		t.Error("no error for slot_minutes 0")
	}
	// Run does not share parameter maps with the caller's set.
	s := Defaults()
	res, err := Run(context.Background(), fixGraph(t, cityFx()), s)
	if err != nil || len(res.Hits) == 0 {
		t.Fatal(err)
	}
	s.Rules[1].Params["min_lines"] = 7
	if res.Hits[0].Params["min_lines"] == 7 {
		t.Error("hit parameters alias the caller's set")
	}
}

// fixGraph builds the graph of x.
func fixGraph(t *testing.T, x *fx) *graph.Graph {
	t.Helper()
	g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestOutputBounds(t *testing.T) {
	x := base()
	x.item(claims.CatalogItem{Code: "HYST", Name: "宫腔镜检查", LimitSex: claims.Female, AgeMin: -1, AgeMax: -1})
	for i := 0; i < 30; i++ {
		psn := fmt.Sprintf("P%02d", i)
		x.person(psn, claims.Male, day(1970, 1, 1))
		for j := 0; j <= i; j++ {
			id := fmt.Sprintf("%s-%d", psn, j)
			x.add(v{id: id, psn: psn, inst: "C1", begin: at(2024, 3, 1, 9, 0) + claims.Time(j*86400)})
			x.fees(f{visit: id, sn: "1", item: "HYST", count: 1, price: yuan(10)})
		}
	}
	s := only(IDSexItem, nil)
	s.MaxRowsPerHit, s.MaxHitsPerRule = 5, 10
	res := x.run(t, s)
	if len(res.Hits) != 10 || res.Stats[0].Dropped != 20 || res.Stats[0].Hits != 10 {
		t.Fatalf("%d hits, stats %+v", len(res.Hits), res.Stats[0])
	}
	top := res.Hits[0]
	if top.NFees != 30 || len(top.Fees) != 5 || len(top.Visits) != 5 || top.Amount != 30*800 {
		t.Errorf("top hit: %d fees (%d cited), %d visits cited, amount %v", top.NFees, len(top.Fees), len(top.Visits), top.Amount)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Amount > res.Hits[i-1].Amount {
			t.Error("hits not sorted by amount")
		}
	}
}
