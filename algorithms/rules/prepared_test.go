package rules

import (
	"context"
	"reflect"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestPreparedRun runs prepared sets on the city fixture, each many
// times and with several worker counts, and compares every result with
// RunWith's on the set it was prepared from.
func TestPreparedRun(t *testing.T) {
	ctx := context.Background()
	g, err := graph.Build(ctx, cityFx().t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	noDoctorRules := Defaults()
	for i := range noDoctorRules.Rules {
		if noDoctorRules.Rules[i].Context != PersonHistory {
			noDoctorRules.Rules[i].Enabled = false
		}
	}
	tests := []struct {
		name string
		set  Set
		opt  RunOptions
	}{
		{"defaults", Defaults(), RunOptions{}},
		{"defaults, one worker", Defaults(), RunOptions{Workers: 1}},
		{"defaults, three workers", Defaults(), RunOptions{Workers: 3}},
		{"check before", Defaults().ForCheck(AtBefore), RunOptions{Placeholders: []bool{}, Workers: 1}},
		{"check during", Defaults().ForCheck(AtDuring), RunOptions{Placeholders: []bool{}}},
		{"person rules only", noDoctorRules, RunOptions{Workers: 2}},
		{"one rule", only(IDPriceCap, map[string]float64{}), RunOptions{Workers: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantIDs := tc.set.IDs()
			want, err := RunWith(ctx, g, tc.set, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			p, err := tc.set.Prepare()
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Hits) == 0 && tc.name != "one rule" {
				t.Fatal("the fixture gives no hit: the comparison proves nothing")
			}
			for range 3 {
				got, err := p.Run(ctx, g, tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Prepared.Run differs from RunWith:\n got %+v\nwant %+v", got.Stats, want.Stats)
				}
			}
			// The prepared set is a copy: changing the set afterwards
			// changes nothing.
			for i := range tc.set.Rules {
				for k := range tc.set.Rules[i].Params {
					tc.set.Rules[i].Params[k] = -1
				}
			}
			got, err := p.Run(ctx, g, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatal("Prepared.Run changed after the set it was prepared from was changed")
			}
			if set := p.Set(); !reflect.DeepEqual(set.IDs(), wantIDs) {
				t.Fatalf("Set().IDs() = %v, want %v", set.IDs(), wantIDs)
			}
		})
	}
}

// TestPrepareRefusesBadParams expects Prepare to refuse what RunWith
// refuses: a parameter out of its range or missing.
func TestPrepareRefusesBadParams(t *testing.T) {
	g, err := graph.Build(context.Background(), cityFx().t, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		set  func(p *Param, params map[string]float64)
		ok   bool
	}{
		{"at the minimum", func(p *Param, params map[string]float64) { params[p.Name] = p.Min }, true},
		{"above the maximum", func(p *Param, params map[string]float64) { params[p.Name] = p.Max + 1 }, false},
		{"missing", func(p *Param, params map[string]float64) { delete(params, p.Name) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := only(IDPriceCap, nil)
			r, _ := set.Rule(IDPriceCap)
			tc.set(&r.Specs[0], r.Params)
			_, err := set.Prepare()
			_, runErr := RunWith(context.Background(), g, set, RunOptions{})
			if (err == nil) != tc.ok || (runErr == nil) != tc.ok {
				t.Fatalf("Prepare: %v, RunWith: %v, want ok %v", err, runErr, tc.ok)
			}
		})
	}
}
