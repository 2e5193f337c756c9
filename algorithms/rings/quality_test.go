package rings_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/eval"
	. "github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
)

// quality is one city's measured quality.
type quality struct {
	name                 string
	recall, precision    float64
	hardNeg, strictHN    int
	aucPatient, aucDoc   float64
	reported, planted, k int
	elapsed              time.Duration
	report               *eval.Report
}

// strictHardNegatives counts hard-negative groups reported in the top K
// when members that also belong to a planted ring are left out of the
// group (a ring pharmacy that also serves a chronic patient does not make
// the ring a chronic refill).
func strictHardNegatives(tr *fixtures.Truth, f *findings.Findings, k int) int {
	inRing := map[string]bool{}
	norm := func(kind string) string {
		if kind == "hospital" || kind == "station" {
			return findings.KindClinic
		}
		return kind
	}
	for _, r := range tr.Rings {
		for _, m := range r.Members {
			inRing[norm(m.Kind)+"/"+m.ID] = true
		}
	}
	top := f.Rings[:min(k, len(f.Rings))]
	n := 0
	for _, hn := range tr.HardNegatives {
		grp := map[string]bool{}
		for _, m := range hn.Members {
			if key := norm(m.Kind) + "/" + m.ID; !inRing[key] {
				grp[key] = true
			}
		}
		if len(grp) == 0 {
			continue
		}
		for _, r := range top {
			shared := 0
			for _, m := range r.Members {
				if grp[m.Kind+"/"+m.ID] {
					shared++
				}
			}
			if shared > 0 && (2*shared >= len(r.Members) || 2*shared >= len(grp)) {
				n++
				break
			}
		}
	}
	return n
}

// measure runs Detect on a city directory and evaluates it.
func measure(t testing.TB, dir string) quality {
	t.Helper()
	g, tr := loadCity(t, dir)
	start := time.Now()
	f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatalf("detect %s: %v", dir, err)
	}
	el := time.Since(start)
	rep, err := eval.Evaluate(tr, f)
	if err != nil {
		t.Fatal(err)
	}
	q := quality{name: filepath.Base(dir), reported: rep.Reported, planted: rep.Planted, k: rep.K, elapsed: el, report: rep}
	if rep.Recall != nil {
		q.recall = *rep.Recall
	}
	if rep.PrecisionAtK != nil {
		q.precision = *rep.PrecisionAtK
	}
	q.hardNeg = len(rep.HardNegReports)
	q.strictHN = strictHardNegatives(tr, f, rep.K)
	for _, a := range rep.AUC {
		if a.AUC == nil {
			continue
		}
		switch a.Kind {
		case findings.KindPatient:
			q.aucPatient = *a.AUC
		case findings.KindDoctor:
			q.aucDoc = *a.AUC
		}
	}
	if os.Getenv("RINGLENS_VERBOSE") != "" {
		for _, r := range rep.Rings {
			fmt.Printf("  %s %-24s members=%4d found=%v best=%s rank=%d cov=%.2f pur=%.2f\n", r.ID, r.Typology, r.Members, r.Found, r.Best, r.BestRank, r.Coverage, r.Purity)
		}
		for i, r := range f.Rings {
			if i >= rep.K {
				break
			}
			var inst string
			for _, m := range r.Members {
				if m.Kind == findings.KindClinic || m.Kind == findings.KindPharmacy {
					inst += m.Label + " "
				}
			}
			fmt.Printf("  %s %-24s score=%.3f members=%d visits=%d amount=%.0f feat=%v %s\n", r.ID, r.Typology, r.Score, len(r.Members), r.Visits, r.AmountAtRisk, compact(r.Features), inst)
		}
		for _, h := range rep.HardNegReports {
			fmt.Printf("  HN %s %s ring=%s shared=%d/%d ring=%d\n", h.Kind, h.Group, h.Ring, h.Shared, h.Members, h.RingSize)
		}
	}
	return q
}

func compact(m map[string]float64) string {
	var b strings.Builder
	for _, k := range []string{"peer_z", "lockstep_density", "lockstep_baseline", "rule_hit_share", "card_share", "rhythm", "concentration", "evidence", "patients", "doctors", "institutions"} {
		fmt.Fprintf(&b, "%s=%.2f ", k, m[k])
	}
	return b.String()
}

func (q quality) String() string {
	return fmt.Sprintf("%-12s planted=%2d reported=%3d recall=%.3f precision@%d=%.3f hardneg=%d (strict %d) auc patient=%.3f doctor=%.3f detect=%v",
		q.name, q.planted, q.reported, q.recall, q.k, q.precision, q.hardNeg, q.strictHN, q.aucPatient, q.aucDoc, q.elapsed.Round(time.Millisecond))
}

// TestQualityDirs measures the cities listed in RINGLENS_CITIES
// (comma-separated directories of generated cities).
func TestQualityDirs(t *testing.T) {
	dirs := os.Getenv("RINGLENS_CITIES")
	if dirs == "" {
		t.Skip("RINGLENS_CITIES not set")
	}
	for _, d := range strings.Split(dirs, ",") {
		q := measure(t, d)
		fmt.Println(q)
	}
}

// TestExtras prints reported ring members that are not in the matching
// planted ring (RINGLENS_CITY), for diagnosis.
func TestExtras(t *testing.T) {
	dir := os.Getenv("RINGLENS_CITY")
	if dir == "" {
		t.Skip("RINGLENS_CITY not set")
	}
	g, tr := loadCity(t, dir)
	f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]string{}
	for _, r := range tr.Rings {
		for _, m := range r.Members {
			truth[m.ID] = r.ID
		}
	}
	vt := &g.Tables().Visits
	for _, r := range f.Rings {
		if r.Typology != os.Getenv("RINGLENS_TYP") {
			continue
		}
		for _, m := range r.Members {
			if truth[m.ID] != "" || m.Kind != findings.KindPatient {
				continue
			}
			n, _ := g.Lookup(0, m.ID)
			per := map[string]int{}
			c3 := 0
			for _, v := range g.VisitsOf(n) {
				per[g.Label(g.InstitutionNode(vt.Institution[v]))]++
				if vt.Cert[v] == 3 {
					c3++
				}
			}
			fmt.Println(r.ID, m.ID, g.Tables().Str(g.Tables().Persons.InsuplcAdmdvs[n]), "card", c3, per)
		}
	}
}

// TestLockstepSummary prints the lockstep candidates of RINGLENS_CITY.
func TestLockstepSummary(t *testing.T) {
	g, tr := loadCity(t, cityDir(t))
	_ = tr
	for _, l := range LockstepSummary(g) {
		fmt.Println(l)
	}
}

// TestDumpRing prints the JSON of ring RINGLENS_RING of RINGLENS_CITY.
func TestDumpRing(t *testing.T) {
	g, _ := loadCity(t, cityDir(t))
	f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rings {
		if r.ID == os.Getenv("RINGLENS_RING") {
			if len(r.Members) > 6 {
				r.Members = r.Members[:6]
			}
			if len(r.Timeline) > 3 {
				r.Timeline = r.Timeline[:3]
			}
			b, _ := json.MarshalIndent(r, "", " ")
			fmt.Println(string(b))
		}
	}
	fmt.Println(len(f.SingleHits), len(f.DataQuality), f.Entities.Len())
	for _, e := range f.Entities.Rows()[:3] {
		fmt.Printf("%+v\n", e)
	}
}
