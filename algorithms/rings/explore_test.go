package rings_test

import (
	"context"
	"fmt"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
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

func TestExploreZ(t *testing.T) {
	g, tr := loadCity(t, cityDir(t))
	z := rings.PeerZ(g)
	vt := &g.Tables().Visits
	for _, r := range tr.Rings[:min(5, len(tr.Rings))] {
		insts := map[graph.NodeID]bool{}
		var zs []float64
		for _, m := range r.Members {
			if m.Kind == "clinic" || m.Kind == "hospital" {
				n, _ := g.Lookup(graph.KindInstitution, m.ID)
				insts[n] = true
			}
		}
		for n := range insts {
			for _, v := range g.VisitsOf(n) {
				zs = append(zs, float64(z[v]))
			}
			fmt.Println(r.ID, g.Class(n), len(g.VisitsOf(n)))
		}
		slices.Sort(zs)
		if len(zs) > 0 {
			fmt.Println(r.ID, r.Typology, "z quantiles", zs[len(zs)/10], zs[len(zs)/4], zs[len(zs)/2], zs[3*len(zs)/4], zs[9*len(zs)/10])
		}
		_ = vt
	}
}

func TestExploreAdmit(t *testing.T) {
	g, tr := loadCity(t, cityDir(t))
	vt := &g.Tables().Visits
	for _, r := range tr.Rings {
		if r.Typology != "fake_hospitalisation" {
			continue
		}
		var h graph.NodeID
		pats := map[uint32]bool{}
		for _, m := range r.Members {
			if m.Kind == "hospital" {
				h, _ = g.Lookup(graph.KindInstitution, m.ID)
			}
			if m.Kind == "patient" {
				n, _ := g.Lookup(graph.KindPatient, m.ID)
				pats[uint32(n)] = true
			}
		}
		byDay := map[int32][]uint32{}
		cnt := map[uint32]int{}
		for _, v := range g.VisitsOf(h) {
			if vt.MedType[v].Inpatient() && pats[vt.Person[v]] {
				d := int32(vt.Begin[v].Day())
				byDay[d] = append(byDay[d], vt.Person[v])
				cnt[vt.Person[v]]++
			}
		}
		fmt.Println(r.ID, "days", len(byDay), "patients", len(cnt), cnt)
		for d, ps := range byDay {
			fmt.Print(d, ":", len(ps), " ")
		}
		fmt.Println()
	}
}

func TestExploreCands(t *testing.T) {
	g, _ := loadCity(t, cityDir(t))
	fmt.Println(rings.Candidates(g))
}

func TestExploreDistant(t *testing.T) {
	g, _ := loadCity(t, cityDir(t))
	rr, _ := rules.Run(context.Background(), g, rules.Defaults())
	vt := &g.Tables().Visits
	for _, h := range rr.Hits {
		if h.Rule != rules.IDDoctorDistant {
			continue
		}
		d := g.DoctorNode(h.Doctors[0])
		per := map[string]int{}
		for _, v := range g.VisitsOf(d) {
			per[g.Key(g.InstitutionNode(vt.Institution[v]))+" "+g.Label(g.InstitutionNode(vt.Institution[v]))]++
		}
		fmt.Println(g.Key(d), h.NVisits, h.Detail, per)
	}
}
