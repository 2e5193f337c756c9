package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// tm builds truth members from "kind/id" strings.
func tm(ks ...string) []fixtures.Member {
	out := make([]fixtures.Member, len(ks))
	for i, k := range ks {
		kind, id, _ := strings.Cut(k, "/")
		out[i] = fixtures.Member{Kind: kind, ID: id, Role: "r"}
	}
	return out
}

// rm builds finding members from "kind/id" strings.
func rm(ks ...string) []findings.Member {
	out := make([]findings.Member, len(ks))
	for i, k := range ks {
		kind, id, _ := strings.Cut(k, "/")
		out[i] = findings.Member{Kind: kind, ID: id}
	}
	return out
}

func ring(id string, rank int, ms ...string) findings.Ring {
	return findings.Ring{ID: id, Rank: rank, Members: rm(ms...)}
}

func approx(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func TestAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64 // -1: n/a
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		// positives 0.5 (tied with one negative) and 0.9; negatives 0.1, 0.5:
		// pairs: (0.5,0.1)=1 (0.5,0.5)=.5 (0.9,0.1)=1 (0.9,0.5)=1 → 3.5/4.
		{"partial tie", []float64{0.1, 0.5, 0.5, 0.9}, []bool{false, false, true, true}, 0.875},
		{"no positives", []float64{0.1, 0.2}, []bool{false, false}, -1},
		{"no negatives", []float64{0.1, 0.2}, []bool{true, true}, -1},
		{"empty", nil, nil, -1},
		{"NaN does not hang", []float64{math.NaN(), 0.2, 0.3}, []bool{true, false, true}, -2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AUC(tc.scores, tc.labels)
			switch {
			case tc.want == -2:
			case tc.want < 0 && got != nil:
				t.Errorf("AUC = %v; want n/a", *got)
			case tc.want >= 0 && !approx(got, tc.want):
				t.Errorf("AUC = %v; want %v", got, tc.want)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		shared, planted, reported int
		want                      bool
	}{
		{2, 4, 4, true},  // exactly half both ways
		{2, 5, 4, false}, // less than half of the planted ring
		{2, 4, 5, false}, // less than half of the reported ring
		{3, 3, 6, true},
		{0, 0, 0, false}, // nothing shared never matches
		{1, 1, 1, true},
	}
	for _, tc := range tests {
		if got := matches(tc.shared, tc.planted, tc.reported); got != tc.want {
			t.Errorf("matches(%d, %d, %d) = %v; want %v", tc.shared, tc.planted, tc.reported, got, tc.want)
		}
	}
}

// city is a small truth: two fabricated-outpatient rings, one fake
// hospitalisation ring at a hospital, and hard negatives.
func city() *fixtures.Truth {
	return &fixtures.Truth{
		Preset: "test", Seed: 7,
		Rings: []fixtures.Ring{
			{ID: "P1", Typology: vocab.TypFabricatedOutpatient, Members: tm("clinic/C1", "doctor/D1", "patient/a", "patient/b")},
			{ID: "P2", Typology: vocab.TypFabricatedOutpatient, Members: tm("station/S1", "doctor/D2", "patient/c", "patient/d")},
			{ID: "P3", Typology: vocab.TypFakeHospitalisation, Members: tm("hospital/H1", "patient/e", "patient/f", "patient/g")},
		},
		HardNegatives: []fixtures.HardNegative{
			{ID: "N1", Kind: fixtures.NegFamily, Members: tm("patient/x", "patient/y")},
			{ID: "N2", Kind: fixtures.NegSchoolClinic, Members: tm("clinic/SC", "doctor/SD", "patient/s1", "patient/s2", "patient/s3", "patient/s4", "patient/s5", "patient/s6")},
			{ID: "N3", Kind: fixtures.NegFamily, Members: tm("patient/u", "patient/v")},
			// a ring member's family: only patient/w2 is innocent
			{ID: "N4", Kind: fixtures.NegFamily, Members: tm("patient/a", "patient/w2")},
			// wholly inside a planted ring: never reported
			{ID: "N5", Kind: fixtures.NegChronicRefill, Members: tm("patient/e", "hospital/H1")},
		},
		HardNegativeTotals: map[string]int{fixtures.NegFamily: 100, fixtures.NegSchoolClinic: 1, fixtures.NegChronicRefill: 1},
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name              string
		rings             []findings.Ring
		found, foundAtK   int
		topK, topKMatched int
		precision         float64 // -1: n/a
		typFound          map[string]int
		hardNeg           []string // groups reported
		best              []string // best ring per planted ring
	}{
		{
			name: "no rings reported", found: 0, topK: 0, precision: -1,
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 0, vocab.TypFakeHospitalisation: 0},
			best:     []string{"", "", ""},
		},
		{
			name: "all found, station and hospital map to clinic",
			rings: []findings.Ring{
				ring("R1", 1, "clinic/C1", "doctor/D1", "patient/a", "patient/b"),
				ring("R2", 2, "clinic/S1", "doctor/D2", "patient/c"),
				ring("R3", 3, "clinic/H1", "patient/e", "patient/f", "patient/g", "patient/z1", "patient/z2"),
			},
			found: 3, foundAtK: 3, topK: 3, topKMatched: 3, precision: 1,
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 2, vocab.TypFakeHospitalisation: 1},
			best:     []string{"R1", "R2", "R3"},
		},
		{
			name: "impure and partial rings do not match",
			rings: []findings.Ring{
				// half of P1 but less than half of this ring is P1's
				ring("R1", 1, "clinic/C1", "doctor/D1", "patient/q1", "patient/q2", "patient/q3"),
				// one of four of P2: too little of the planted ring
				ring("R2", 2, "doctor/D2"),
				// the wrong kind: patient/H1 is not hospital/H1
				ring("R3", 3, "patient/H1", "patient/e"),
			},
			found: 0, topK: 3, topKMatched: 0, precision: 0,
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 0, vocab.TypFakeHospitalisation: 0},
			best:     []string{"R1", "R2", "R3"},
		},
		{
			name: "found beyond K counts for recall only; hard negatives in top K",
			rings: []findings.Ring{
				ring("F1", 1, "patient/x", "patient/y", "patient/w"),                               // family N1: 2 of 3 ring members
				ring("F2", 2, "clinic/SC", "patient/s1", "patient/s2", "patient/s3", "patient/s4"), // all from N2
				ring("F3", 3, "patient/u", "patient/k1", "patient/k2"),                             // 1 of 2 of N3: half of the group
				ring("F4", 4, "patient/e", "patient/f"),                                            // half of P3, all of it P3's: matches
				ring("F5", 5, "patient/q"),
				ring("F6", 6, "patient/q2"),
				ring("R7", 7, "clinic/C1", "doctor/D1", "patient/a", "patient/b"), // beyond K = 6
			},
			found: 2, foundAtK: 1, topK: 6, topKMatched: 1, precision: 1.0 / 6,
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 1, vocab.TypFakeHospitalisation: 1},
			hardNeg:  []string{"N1", "N2", "N3"},
			best:     []string{"R7", "", "F4"},
		},
		{
			name: "a ring member's family counts by its innocent member only",
			rings: []findings.Ring{
				ring("A", 1, "patient/a", "patient/q"),                 // the ring member, not the family: not N4
				ring("W", 2, "patient/w2", "patient/q3", "patient/q4"), // the innocent relative: N4
				ring("E", 3, "patient/e", "clinic/H1"),                 // N5 lies wholly in P3: never a hard negative
			},
			found: 1, foundAtK: 1, topK: 3, topKMatched: 1, precision: 1.0 / 3, // E is half of P3
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 0, vocab.TypFakeHospitalisation: 1},
			hardNeg:  []string{"N4"},
			best:     []string{"A", "", "E"},
		},
		{
			name: "best ring prefers a match over a larger overlap that does not match",
			rings: []findings.Ring{
				ring("BIG", 1, "clinic/C1", "doctor/D1", "patient/a", "patient/b", "patient/n1", "patient/n2", "patient/n3", "patient/n4", "patient/n5"),
				ring("OK", 2, "clinic/C1", "doctor/D1", "patient/a"),
			},
			found: 1, foundAtK: 1, topK: 2, topKMatched: 1, precision: 0.5,
			typFound: map[string]int{vocab.TypFabricatedOutpatient: 1, vocab.TypFakeHospitalisation: 0},
			best:     []string{"OK", "", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(city(), &findings.Findings{Rings: tc.rings})
			if err != nil {
				t.Fatal(err)
			}
			if r.Planted != 3 || r.K != 6 || r.Reported != len(tc.rings) {
				t.Errorf("planted %d, K %d, reported %d", r.Planted, r.K, r.Reported)
			}
			if r.Found != tc.found || r.FoundAtK != tc.foundAtK || !approx(r.Recall, float64(tc.found)/3) {
				t.Errorf("found %d, at K %d, recall %v; want %d, %d", r.Found, r.FoundAtK, r.Recall, tc.found, tc.foundAtK)
			}
			if r.TopK != tc.topK || r.TopKMatched != tc.topKMatched {
				t.Errorf("top K %d matched %d; want %d, %d", r.TopK, r.TopKMatched, tc.topK, tc.topKMatched)
			}
			if (tc.precision < 0) != (r.PrecisionAtK == nil) || (tc.precision >= 0 && !approx(r.PrecisionAtK, tc.precision)) {
				t.Errorf("precision %v; want %v", r.PrecisionAtK, tc.precision)
			}
			for _, ty := range r.ByTypology {
				if ty.Found != tc.typFound[ty.Typology] {
					t.Errorf("typology %s found %d; want %d", ty.Typology, ty.Found, tc.typFound[ty.Typology])
				}
			}
			if len(r.ByTypology) != len(tc.typFound) {
				t.Errorf("typologies %+v", r.ByTypology)
			}
			var neg []string
			for _, h := range r.HardNegReports {
				neg = append(neg, h.Group)
			}
			if strings.Join(neg, ",") != strings.Join(tc.hardNeg, ",") {
				t.Errorf("hard negatives reported %v; want %v", neg, tc.hardNeg)
			}
			for i, p := range r.Rings {
				if p.Best != tc.best[i] {
					t.Errorf("planted %s best %q; want %q", p.ID, p.Best, tc.best[i])
				}
			}
		})
	}
}

func TestTypologyRight(t *testing.T) {
	right := ring("R1", 1, "clinic/C1", "doctor/D1", "patient/a", "patient/b")
	right.Typology = vocab.TypFabricatedOutpatient
	wrong := ring("R2", 2, "clinic/S1", "doctor/D2", "patient/c")
	wrong.Typology = findings.TypUnclassified
	r, err := Evaluate(city(), &findings.Findings{Rings: []findings.Ring{right, wrong}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Found != 2 || r.TypologyRight != 1 || r.Rings[0].BestTypology != vocab.TypFabricatedOutpatient ||
		r.Rings[1].BestTypology != findings.TypUnclassified {
		t.Errorf("found %d, typology right %d, rings %+v", r.Found, r.TypologyRight, r.Rings)
	}
}

func TestHardNegativeCounts(t *testing.T) {
	f := &findings.Findings{Rings: []findings.Ring{ring("F1", 1, "patient/x", "patient/y"), ring("F2", 2, "patient/u", "patient/v")}}
	r, err := Evaluate(city(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := []HardNegKind{
		{Kind: fixtures.NegChronicRefill, Groups: 1, Total: 1, Reported: 0},
		{Kind: fixtures.NegFamily, Groups: 3, Total: 100, Reported: 2},
		{Kind: fixtures.NegSchoolClinic, Groups: 1, Total: 1, Reported: 0},
	}
	if len(r.HardNegatives) != len(want) {
		t.Fatalf("hard negatives %+v; want %+v", r.HardNegatives, want)
	}
	for i := range want {
		if r.HardNegatives[i] != want[i] {
			t.Errorf("hard negatives[%d] = %+v; want %+v", i, r.HardNegatives[i], want[i])
		}
	}
}

func TestEntityAUC(t *testing.T) {
	f := &findings.Findings{Entities: findings.EntitiesOf([]findings.EntityScore{
		{Kind: "patient", ID: "a", Score: 0.9},
		{Kind: "patient", ID: "b", Score: 0.5},
		{Kind: "patient", ID: "x", Score: 0.5}, // tie with a positive
		{Kind: "patient", ID: "y", Score: 0.1},
		{Kind: "patient", ID: "y", Score: 0.9}, // duplicate row: the first counts
		{Kind: "clinic", ID: "C1", Score: 0.8},
		{Kind: "clinic", ID: "S1", Score: 0.7}, // station in truth
		{Kind: "clinic", ID: "H1", Score: 0.2}, // hospital in truth
		{Kind: "clinic", ID: "SC", Score: 0.3},
		{Kind: "pharmacy", ID: "PH", Score: 0.9},
	})}
	r, err := Evaluate(city(), f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]KindAUC{}
	for _, a := range r.AUC {
		got[a.Kind] = a
	}
	// patients: positives a .9, b .5, and c d e f g missing (0); negatives x .5, y .1.
	// pairs: a beats both (2); b ties x, beats y (1.5); missing lose both (0) → 3.5 / 14.
	if p := got["patient"]; p.Positives != 7 || p.Negatives != 2 || p.Missing != 5 || !approx(p.AUC, 3.5/14) {
		t.Errorf("patient AUC %+v (auc %v)", p, p.AUC)
	}
	// clinics: positives C1 .8, S1 .7, H1 .2; negative SC .3 → 2 of 3.
	if c := got["clinic"]; c.Positives != 3 || c.Negatives != 1 || c.Missing != 0 || !approx(c.AUC, 2.0/3) {
		t.Errorf("clinic AUC %+v (auc %v)", c, c.AUC)
	}
	if d := got["doctor"]; d.AUC != nil || d.Positives != 2 || d.Missing != 2 {
		t.Errorf("doctor AUC %+v: want n/a with two missing positives", d)
	}
	if p := got["pharmacy"]; p.AUC != nil || p.Positives != 0 || p.Negatives != 1 {
		t.Errorf("pharmacy AUC %+v: want n/a", p)
	}
	if len(r.AUC) != 4 || r.AUC[0].Kind != "patient" || r.AUC[3].Kind != "pharmacy" {
		t.Errorf("AUC kinds %+v", r.AUC)
	}
}

func TestEvaluateNil(t *testing.T) {
	if _, err := Evaluate(nil, &findings.Findings{}); err == nil {
		t.Error("Evaluate(nil truth) gave no error")
	}
	if _, err := Evaluate(&fixtures.Truth{}, nil); err == nil {
		t.Error("Evaluate(nil findings) gave no error")
	}
}

func TestEmptyTruth(t *testing.T) {
	r, err := Evaluate(&fixtures.Truth{}, &findings.Findings{Rings: []findings.Ring{ring("R", 1, "patient/a")}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Recall != nil || r.PrecisionAtK != nil || r.K != 0 {
		t.Errorf("empty truth: recall %v precision %v K %d; want n/a, n/a, 0", r.Recall, r.PrecisionAtK, r.K)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "n/a") {
		t.Errorf("text report lacks n/a:\n%s", buf.String())
	}
}

func TestWriteTextAndJSON(t *testing.T) {
	f := &findings.Findings{Rings: []findings.Ring{
		ring("R1", 1, "clinic/C1", "doctor/D1", "patient/a", "patient/b"),
		ring("F1", 2, "patient/x", "patient/y"),
	}}
	r, err := Evaluate(city(), f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"preset test, seed 7", "ring recall", "33.3%", "precision in top K", "50.0%",
		"fabricated_outpatient", "N1 reported by ring F1", "P1", "R1", "patient", "n/a"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !approx(back.Recall, 1.0/3) || back.Rings[0].Best != "R1" || !strings.Contains(string(b), `"precision_at_k":0.5`) {
		t.Errorf("JSON round trip: %s", b)
	}
}
