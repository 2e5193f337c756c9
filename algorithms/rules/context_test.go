package rules

import (
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

func TestEveryRuleDeclaresItsContext(t *testing.T) {
	for _, r := range Defaults().Rules {
		if r.Context == 0 {
			t.Errorf("%s declares no incremental context (registry.go): say which rows beyond its own it needs", r.ID)
		}
		if (r.Context&PharmacyItem != 0) != (r.contextFees != nil) {
			t.Errorf("%s: PharmacyItem context and a contextFees test go together", r.ID)
		}
	}
}

func TestSetContext(t *testing.T) {
	ft := &graph.FeeTable{Price: graph.NewPrices(4), Count: graph.NewCounts(4)}
	for i, p := range []claims.Price{2e6, 2e6, 500e6, 0} {
		ft.Price.Append(p)
		ft.Count.Append([]float64{20, 7, 20, 20}[i])
	}
	only := func(ids ...string) Set {
		s := Defaults()
		for i := range s.Rules {
			s.Rules[i].Enabled = false
			for _, id := range ids {
				if s.Rules[i].ID == id {
					s.Rules[i].Enabled = true
				}
			}
		}
		return s
	}
	for _, c := range []struct {
		name     string
		set      Set
		want     Context
		itemFees []bool // per fee line of ft
	}{
		{"none", only(), 0, []bool{false, false, false, false}},
		{"whole-city rules do not run incrementally", only(IDFrequentVisits, IDPlaceholderDoctor), 0, []bool{false, false, false, false}},
		{"trace codes", only(IDTraceDuplicate), TraceCode, []bool{false, false, false, false}},
		{"doctors and census", only(IDDoctorCapacity, IDCensusBeds), DoctorDay | Census, []bool{false, false, false, false}},
		// R-ROUND-QTY (defaults: cheap at most 5 yuan, multiples of 10):
		// line 0 is a cheap drug bought 20 times, line 1 not round, line 2
		// dear, line 3 without a price.
		{"round quantities", only(IDRoundQuantity), PharmacyItem, []bool{true, false, false, false}},
		{"defaults", Defaults(), PersonHistory | DoctorDay | Census | TraceCode | PharmacyItem, []bool{true, false, false, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			need, item := c.set.Context(ft)
			if need != c.want {
				t.Errorf("context %q, want %q", need, c.want)
			}
			for f, want := range c.itemFees {
				if got := item(uint32(f)); got != want {
					t.Errorf("fee line %d needs pharmacy-item context: %v, want %v", f, got, want)
				}
			}
		})
	}
}

func TestContextString(t *testing.T) {
	for c, want := range map[Context]string{0: "own rows", PersonHistory: "person history", DoctorDay | WholeCity: "doctor day, whole city"} {
		if got := c.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", c, got, want)
		}
	}
}
