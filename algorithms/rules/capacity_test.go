package rules

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

func TestDoctorCapacity(t *testing.T) {
	build := func(code string, n int, spreadMinutes int) func() *fx {
		return func() *fx {
			x := base()
			for i := 0; i < n; i++ {
				psn := fmt.Sprintf("P%03d", i)
				x.person(psn, claims.Female, day(1950, 1, 1))
				x.add(v{id: "V" + psn, psn: psn, inst: "C1", doc: code, begin: at(2024, 3, 1, 9, 0) + claims.Time(i*spreadMinutes*60/n)})
			}
			return x
		}
	}
	runCases(t, IDDoctorCapacity, []ruleCase{
		{name: "20 visits in an hour", build: build("D410000000001", 20, 55), want: 1,
			check: func(t *testing.T, x *fx, hs []Hit, _ *Result) {
				if hs[0].NVisits != 20 || hs[0].Amount != 20*8000 || len(hs[0].Doctors) != 1 {
					t.Errorf("hit %+v", hs[0])
				}
			}},
		{name: "15 visits in an hour", build: build("D410000000001", 15, 55), want: 0},
		{name: "20 visits over two hours", build: build("D410000000001", 20, 120), want: 0},
		{name: "20 visits in an hour, 30-minute slots of 12", build: build("D410000000001", 20, 55),
			params: map[string]float64{"slot_minutes": 30, "max_per_slot": 12}, want: 0},
		{name: "placeholder code with 200 visits an hour", build: build("009999", 200, 55), want: 0,
			check: func(t *testing.T, x *fx, _ []Hit, res *Result) {
				d := x.t.Doctors.IDs.Lookup("009999")
				if !res.IsPlaceholder(d) || len(res.DataQuality) != 1 || res.DataQuality[0].Visits != 200 {
					t.Errorf("placeholder not recognised: %+v", res.DataQuality)
				}
			}},
	})
}

func TestPlaceholderDoctors(t *testing.T) {
	x := base()
	x.staff("D410000000002", "C1")
	add := func(code string, n int) {
		for i := 0; i < n; i++ {
			x.add(v{id: fmt.Sprintf("%s-%d", code, i), psn: "M", inst: "C1", doc: code, begin: at(2024, 1, 1, 8, 0) + claims.Time(i*600)})
		}
	}
	add("009999", 150)         // placeholder-shaped
	add("D419999999999", 2000) // unregistered and 400× the median
	add("D418888888888", 5)    // unregistered, few visits
	add("D410000000001", 3000) // registered and busy: not data quality
	add("D410000000002", 5)
	for i := 0; i < 20; i++ {
		code := fmt.Sprintf("D42000000%04d", i)
		x.staff(code, "C1")
		add(code, 5)
	}
	res := x.run(t, only(IDPlaceholderDoctor, nil))
	var got []string
	for _, q := range res.DataQuality {
		got = append(got, q.Code)
		if q.Kind != "placeholder-doctor" || q.Institutions != 1 || q.Patients != 1 || q.Detail == "" {
			t.Errorf("finding %+v", q)
		}
	}
	if fmt.Sprint(got) != "[009999 D419999999999]" {
		t.Fatalf("placeholders %v", got)
	}
	for _, code := range []string{"D418888888888", "D410000000001"} {
		if res.IsPlaceholder(x.t.Doctors.IDs.Lookup(code)) {
			t.Errorf("%s marked as placeholder", code)
		}
	}
	s := only(IDPlaceholderDoctor, nil)
	r, _ := s.Rule(IDPlaceholderDoctor)
	r.Enabled = false
	if res := x.run(t, s); len(res.DataQuality) != 0 {
		t.Errorf("disabled check found %d", len(res.DataQuality))
	}
}

func TestPlaceholderShaped(t *testing.T) {
	for code, want := range map[string]bool{
		"009999": true, "0": true, "999999": true, "unknown": true, "无": true, "xxxx": true, "": true,
		"D421003007628": false, "HY421003007628": false, "D1": false,
		"D330500999999": true, "D330500000000": true, "HY330500999999": true,
		"D330599999991": false, "D999999007628": false, "D33050099999": false,
	} {
		if got := placeholderShaped(code); got != want {
			t.Errorf("placeholderShaped(%q) = %v", code, got)
		}
	}
}

func TestFindPlaceholders(t *testing.T) {
	x := base()
	for i := 0; i < 120; i++ {
		x.add(v{id: fmt.Sprintf("U%d", i), psn: "M", inst: "C1", doc: "unknown", begin: at(2024, 1, 1, 8, 0) + claims.Time(i*60)})
	}
	g := fixGraph(t, x)
	ph, qs, err := FindPlaceholders(g, Defaults())
	if err != nil || len(qs) != 1 || !ph[x.t.Doctors.IDs.Lookup("unknown")] {
		t.Fatalf("%v %+v %v", err, qs, ph)
	}
	res := x.run(t, Defaults())
	if len(res.DataQuality) != 1 || res.DataQuality[0] != qs[0] {
		t.Errorf("Run and FindPlaceholders disagree: %+v", res.DataQuality)
	}
	if _, _, err := FindPlaceholders(nil, Defaults()); err == nil {
		t.Error("no error for a nil graph")
	}
}

// TestRunWithPlaceholders checks that known placeholder codes replace their
// recognition: the doctor marked is skipped by the doctor rules and no
// data-quality finding is made; an empty list marks nobody.
func TestRunWithPlaceholders(t *testing.T) {
	x := base()
	for i := 0; i < 20; i++ {
		psn := fmt.Sprintf("P%03d", i)
		x.person(psn, claims.Female, day(1950, 1, 1))
		x.add(v{id: "V" + psn, psn: psn, inst: "C1", doc: "D410000000001", begin: at(2024, 3, 1, 9, 0) + claims.Time(i*150)})
	}
	g, err := graph.Build(context.Background(), x.t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := x.t.Doctors.IDs.Lookup("D410000000001")
	capacityHits := func(res *Result) int {
		n := 0
		for _, h := range res.Hits {
			if h.Rule == IDDoctorCapacity {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		name        string
		placeholder bool
		wantHits    int
	}{{"known placeholder", true, 0}, {"known list without it", false, 1}} {
		t.Run(c.name, func(t *testing.T) {
			known := make([]bool, d+1)
			known[d] = c.placeholder
			res, err := RunWith(context.Background(), g, Defaults(), RunOptions{Placeholders: known})
			if err != nil {
				t.Fatal(err)
			}
			if got := capacityHits(res); got != c.wantHits || res.IsPlaceholder(d) != c.placeholder || len(res.DataQuality) != 0 {
				t.Errorf("%d capacity hits, placeholder %v, %d data-quality findings; want %d, %v, 0",
					got, res.IsPlaceholder(d), len(res.DataQuality), c.wantHits, c.placeholder)
			}
		})
	}
}
