package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/eval"
)

const evalTruth = `{"preset": "test", "seed": 3,
 "rings": [
  {"id": "P1", "typology": "fabricated_outpatient", "members": [
   {"kind": "station", "id": "S1", "role": "organising_clinic"}, {"kind": "doctor", "id": "D1", "role": "organised_doctor"},
   {"kind": "patient", "id": "a", "role": "recruited_patient"}, {"kind": "patient", "id": "b", "role": "recruited_patient"}]},
  {"id": "P2", "typology": "drug_reselling", "members": [
   {"kind": "pharmacy", "id": "Y1", "role": "reselling_pharmacy"}, {"kind": "patient", "id": "c", "role": "recruited_patient"}]}],
 "hard_negatives": [{"id": "N1", "kind": "family", "members": [{"kind": "patient", "id": "x", "role": "family_member"}, {"kind": "patient", "id": "y", "role": "family_member"}]}],
 "hard_negative_totals": {"family": 40}}
`

const evalRings = `{"rings": [
  {"id": "ring-1", "rank": 1, "score": 0.9, "typology": "fabricated_outpatient", "amount_at_risk": 100,
   "members": [{"kind": "clinic", "id": "S1", "role": "organising_clinic", "score": 0.9}, {"kind": "doctor", "id": "D1", "role": "organised_doctor", "score": 0.8},
    {"kind": "patient", "id": "a", "role": "recruited_patient", "score": 0.7}],
   "evidence": [{"kind": "rule", "rule": "R-X", "detail": "d", "detail_zh": "d", "amount": 100, "visits": 1, "mdtrt_ids": ["M1"]}]},
  {"id": "ring-2", "rank": 2, "score": 0.5, "typology": "unclassified", "amount_at_risk": 10,
   "members": [{"kind": "patient", "id": "x", "role": "member", "score": 0.5}, {"kind": "patient", "id": "y", "role": "member", "score": 0.5}]}],
 "single_hits": [], "data_quality": []}
`

const evalEntities = `kind,id,score,ring_id,reasons
clinic,S1,0.900000,ring-1,density
doctor,D1,0.800000,ring-1,density
patient,a,0.700000,ring-1,density;rule:R-X
patient,b,0.300000,,
patient,c,0.100000,,
patient,x,0.500000,ring-2,
patient,y,0.500000,ring-2,
pharmacy,Y1,0.200000,,
`

// evalDir writes truth.json and a detect output directory.
func evalDir(t *testing.T) (truth, out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "report")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{filepath.Join(dir, "truth.json"): evalTruth,
		filepath.Join(out, "rings.json"): evalRings, filepath.Join(out, "entities.csv"): evalEntities}
	for path, data := range files {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "truth.json"), out
}

// runEvalApp runs `ringlens eval args...` in process.
func runEvalApp(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app, _ := newApp(&stdout, &stderr)
	err := app.Run(append([]string{"ringlens", "eval"}, args...))
	return stdout.String(), err
}

func TestEvalText(t *testing.T) {
	truth, out := evalDir(t)
	got, err := runEvalApp(t, "--truth", truth, "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"preset test, seed 3", "ring recall", "50.0%", "(1 of 2 found", "precision in top K",
		"(1 of the top 2", "N1 reported by ring ring-2", "drug_reselling", "P1", "ring-1"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestEvalJSON(t *testing.T) {
	truth, out := evalDir(t)
	got, err := runEvalApp(t, "--truth", truth, "--out", out, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r eval.Report
	if err := json.Unmarshal([]byte(got), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	if r.Planted != 2 || r.K != 4 || r.Found != 1 || r.TopKMatched != 1 || len(r.HardNegReports) != 1 || r.Rings[0].Best != "ring-1" {
		t.Errorf("report %+v", r)
	}
	for _, a := range r.AUC {
		if a.Kind == "patient" && (a.AUC == nil || a.Positives != 3 || a.Negatives != 2) {
			t.Errorf("patient AUC %+v", a)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	truth, out := evalDir(t)
	empty := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no flags", nil, true, "--truth and --out are required"},
		{"no out", []string{"--truth", truth}, true, "required"},
		{"argument", []string{"--truth", truth, "--out", out, "extra"}, true, "unexpected argument"},
		{"bad log level", []string{"--truth", truth, "--out", out, "--log-level", "loud"}, true, "log-level"},
		{"missing truth", []string{"--truth", filepath.Join(empty, "truth.json"), "--out", out}, false, filepath.Join(empty, "truth.json")},
		{"missing rings", []string{"--truth", truth, "--out", empty}, false, filepath.Join(empty, "rings.json")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runEvalApp(t, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			var ue usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error %v; want %v (%v)", errors.As(err, &ue), tc.usage, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}
