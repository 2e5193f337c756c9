package rings_test

import (
	"context"
	"github.com/ringlens/ringlens/algorithms/rules"
	"fmt"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

func TestExplore(t *testing.T) {
	g, tr := loadCity(t, cityDir(t))
	tag := map[string]string{}
	for _, r := range tr.Rings {
		for _, m := range r.Members {
			if m.Kind != "patient" && m.Kind != "doctor" {
				tag[m.ID] = r.Typology
			}
		}
	}
	for _, h := range tr.HardNegatives {
		for _, m := range h.Members {
			if m.Kind != "patient" && m.Kind != "doctor" && tag[m.ID] == "" {
				tag[m.ID] = "NEG-" + h.Kind
			}
		}
	}
	vt := &g.Tables().Visits
	for k := graph.KindInstitution; k <= graph.KindPharmacy; k++ {
		lo := 0
		if k == graph.KindPharmacy {
			lo = g.NumKind(graph.KindInstitution)
		}
		_ = lo
	}
	n0 := g.NumKind(graph.KindPatient) + g.NumKind(graph.KindDoctor)
	for i := 0; i < g.NumKind(graph.KindInstitution)+g.NumKind(graph.KindPharmacy); i++ {
		h := graph.NodeID(n0 + i)
		vs := g.VisitsOf(h)
		if len(vs) == 0 {
			continue
		}
		per := map[uint32]int{}
		var funds []float64
		cert3, inp := 0, 0
		var fs, ms float64
		for _, v := range vs {
			per[vt.Person[v]]++
			funds = append(funds, vt.FundPay[v].Yuan())
			fs += vt.FundPay[v].Yuan()
			ms += vt.MedFee[v].Yuan()
			if vt.Cert[v] == 3 {
				cert3++
			}
			if vt.MedType[v].Inpatient() {
				inp++
			}
		}
		slices.Sort(funds)
		rep := 0
		for _, c := range per {
			if c >= 6 {
				rep++
			}
		}
		fmt.Printf("%-10s %-28s v=%6d p=%5d rep6=%4d medFund=%7.1f share=%.2f c3=%.2f inp=%d\n", g.Class(h), tag[g.Key(h)], len(vs), len(per), rep, funds[len(funds)/2], fs/ms, float64(cert3)/float64(len(vs)), inp)
	}
}

func TestExploreRules(t *testing.T) {
	g, _ := loadCity(t, cityDir(t))
	rr, err := rules.Run(context.Background(), g, rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	cnt := map[string]int{}
	for _, h := range rr.Hits {
		cnt[h.Rule]++
		if cnt[h.Rule] <= 2 {
			fmt.Printf("%s p=%v d=%v i=%v items=%v nv=%d nf=%d amt=%v %s\n", h.Rule, len(h.Persons), len(h.Doctors), h.Institutions, len(h.Items), h.NVisits, h.NFees, h.Amount, h.Detail)
		}
	}
	fmt.Println(cnt)
	for _, s := range rr.Stats {
		fmt.Println(s.Rule, s.Hits, s.Dropped)
	}
}
