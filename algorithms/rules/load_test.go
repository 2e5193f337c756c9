package rules

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestDefaults(t *testing.T) {
	s := Defaults()
	seen := map[string]bool{}
	for _, r := range s.Rules {
		if seen[r.ID] || r.ID == "" || r.Version == "" || r.Name == "" || r.NameEn == "" || r.Family == "" || !r.Enabled {
			t.Errorf("rule %+v", r)
		}
		seen[r.ID] = true
		switch r.Stage {
		case Before, During, After:
		default:
			t.Errorf("%s: stage %q", r.ID, r.Stage)
		}
		switch {
		case r.ID == IDPlaceholderDoctor:
			if r.Result != DataQualityResult {
				t.Errorf("%s: result %q", r.ID, r.Result)
			}
		case r.Result != Definite && r.Result != Suspicious:
			t.Errorf("%s: result %q", r.ID, r.Result)
		case r.Article == "" || r.ArticleEn == "":
			t.Errorf("%s: no article", r.ID)
		}
		if err := checkParams(&r); err != nil {
			t.Error(err)
		}
	}
	if implemented(s.Rules)+1 != len(s.Rules) {
		t.Errorf("%d implementations for %d rules", implemented(s.Rules), len(s.Rules))
	}
	// Defaults hands out fresh maps.
	s.Rules[1].Params["min_lines"] = 99
	if d := Defaults(); d.Rules[1].Params["min_lines"] == 99 {
		t.Error("Defaults shares parameter maps")
	}
	for _, l := range s.DiagnosisLimits {
		if err := l.validate(); err != nil {
			t.Error(err)
		}
	}
	for _, r := range s.ChronicDiagnoses {
		if err := r.validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestLoadFileOverride(t *testing.T) {
	path := filepath.Join("testdata", "override.json")
	s, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != path || s.MaxRowsPerHit != 20 || s.MaxHitsPerRule != 1000 {
		t.Errorf("set %s %d %d", s.Source, s.MaxRowsPerHit, s.MaxHitsPerRule)
	}
	p := func(id, k string) float64 {
		r, ok := s.Rule(id)
		if !ok {
			t.Fatalf("no rule %s", id)
		}
		return r.P(k)
	}
	if p(IDSplitAdmission, "max_gap_days") != 14 || p(IDSplitAdmission, "match_prefix") != 3 ||
		p(IDDoctorCapacity, "slot_minutes") != 30 || p(IDOverSupply, "chronic_days") != 60 || p(IDPlaceholderDoctor, "pattern_min_visits") != 50 {
		t.Error("parameters not applied")
	}
	if r, _ := s.Rule(IDFrequentVisits); r.Enabled {
		t.Error("R-FREQ-VISIT still enabled")
	}
	if len(s.DiagnosisLimits) != 2 || s.DiagnosisLimits[0].AgeMin != 12 || s.DiagnosisLimits[1].Sex != claims.Male || s.DiagnosisLimits[1].AgeMax != -1 {
		t.Errorf("diagnosis limits %+v", s.DiagnosisLimits)
	}
	if len(s.ChronicDiagnoses) != 2 {
		t.Errorf("chronic %+v", s.ChronicDiagnoses)
	}
	// The run records the overridden parameters with every hit, and the
	// hits match the golden file.
	x := cityFx()
	res := x.run(t, s)
	for _, h := range res.Hits {
		if h.Rule == IDSplitAdmission && h.Params["max_gap_days"] != 14 {
			t.Errorf("hit params %v", h.Params)
		}
		if h.Rule == IDFrequentVisits {
			t.Error("disabled rule fired")
		}
	}
	golden(t, filepath.Join("testdata", "override_hits.golden.json"), x, res)
}

func TestDefaultsGolden(t *testing.T) {
	x := cityFx()
	golden(t, filepath.Join("testdata", "default_hits.golden.json"), x, x.run(t, Defaults()))
}

// goldenHit is the stable JSON form of a hit.
type goldenHit struct {
	Rule, Version, Result, Stage, Article string
	Params                                map[string]float64
	MdtrtIDs                              []string
	Fees                                  []goldenFee
	NVisits, NFees                        int
	Amount                                string
	At                                    string
	Detail, DetailZh                      string
}

// goldenFee is a cited fee line in the golden files (field names, not the
// JSON tags of findings.FeeRef).
type goldenFee struct{ MdtrtID, FeedetlSn string }

// golden compares res with the golden file at path (rewritten with -update).
func golden(t *testing.T, path string, x *fx, res *Result) {
	t.Helper()
	out := struct {
		Hits        []goldenHit
		DataQuality []DataQuality
		Stats       []RuleStat
	}{DataQuality: res.DataQuality, Stats: res.Stats}
	for _, h := range res.Hits {
		ids, fees := Cite(x.t, h)
		var gf []goldenFee
		for _, f := range fees {
			gf = append(gf, goldenFee(f))
		}
		out.Hits = append(out.Hits, goldenHit{Rule: h.Rule, Version: h.Version, Result: string(h.Result), Stage: string(h.Stage),
			Article: h.Article, Params: h.Params, MdtrtIDs: ids, Fees: gf, NVisits: h.NVisits, NFees: h.NFees,
			Amount: h.Amount.String(), At: h.At.String(), Detail: h.Detail, DetailZh: h.DetailZh})
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("hits differ from %s (run go test -update after checking):\n%s", path, got)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content string
		want          []string // substrings of the error besides the file name
	}{
		{"not json", `{"rules": [`, []string{"unexpected EOF"}},
		{"unknown top-level key", `{"rulez": []}`, []string{`"rulez"`}},
		{"unknown rule key", `{"rules": [{"id": "R-SEX-ITEM", "parms": {}}]}`, []string{`"parms"`}},
		{"unknown rule id", `{"rules": [{"id": "R-NOPE"}]}`, []string{`"rules[0].id"`, `"R-NOPE"`}},
		{"missing id", `{"rules": [{"enabled": false}]}`, []string{`"rules[0]"`, "id"}},
		{"unknown param", `{"rules": [{"id": "R-SPLIT-ADMIT", "params": {"gap": 3}}]}`, []string{`"rules[0].params.gap"`, "max_gap_days"}},
		{"param out of range", `{"rules": [{"id": "R-DOCTOR-CAPACITY", "params": {"slot_minutes": 0}}]}`, []string{`"rules[0].params.slot_minutes"`, "outside"}},
		{"param not whole", `{"rules": [{"id": "R-SPLIT-ADMIT", "params": {"max_gap_days": 14.5}}]}`, []string{"max_gap_days", "whole"}},
		{"param null", `{"rules": [{"id": "R-SPLIT-ADMIT", "params": {"max_gap_days": null}}]}`, []string{"max_gap_days", "null"}},
		{"param string", `{"rules": [{"id": "R-SPLIT-ADMIT", "params": {"max_gap_days": "14"}}]}`, []string{"max_gap_days"}},
		{"wrong version", `{"rules": [{"id": "R-SPLIT-ADMIT", "version": "0.9"}]}`, []string{`"rules[0].version"`, "0.9"}},
		{"duplicate rule", `{"rules": [{"id": "R-SEX-ITEM"}, {"id": "R-SEX-ITEM"}]}`, []string{`"rules[1]"`, "twice"}},
		{"enabled not bool", `{"rules": [{"id": "R-SEX-ITEM", "enabled": "yes"}]}`, []string{"enabled"}},
		{"trailing data", `{} {}`, []string{"after the top-level object"}},
		{"rows per hit zero", `{"max_rows_per_hit": 0}`, []string{`"max_rows_per_hit"`}},
		{"bad code range", `{"diagnosis_limits": [{"from": "O00", "to": "O9", "sex": "female"}]}`, []string{`"diagnosis_limits[0]"`, "equal length"}},
		{"lower-case range", `{"chronic_diagnoses": [{"from": "i10", "to": "i15"}]}`, []string{`"chronic_diagnoses[0]"`, "upper-case"}},
		{"limit without limits", `{"diagnosis_limits": [{"from": "O00", "to": "O99"}]}`, []string{`"diagnosis_limits[0]"`, "neither"}},
		{"bad sex", `{"diagnosis_limits": [{"from": "O00", "to": "O99", "sex": "x"}]}`, []string{`"diagnosis_limits[0]"`, "sex"}},
		{"ages reversed", `{"diagnosis_limits": [{"from": "O00", "to": "O99", "age_min": 60, "age_max": 10}]}`, []string{"age_min"}},
		{"range without from", `{"chronic_diagnoses": [{"to": "I15"}]}`, []string{`"chronic_diagnoses[0]"`, "from"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append([]string{path}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	_, err := LoadFile(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "override.json"))
	f.Add(seed)
	f.Add([]byte(`{"rules": [{"id": "R-SPLIT-ADMIT", "params": {"max_gap_days": 1e308}}]}`))
	f.Add([]byte(`{"diagnosis_limits": [{"from": "O00", "to": "O9A", "sex": "女", "age_min": -1}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.json")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		for i := range s.Rules {
			if err := checkParams(&s.Rules[i]); err != nil {
				t.Fatalf("accepted invalid set: %v", err)
			}
		}
		for _, l := range s.DiagnosisLimits {
			if err := l.validate(); err != nil {
				t.Fatalf("accepted invalid limit: %v", err)
			}
		}
		if s.MaxRowsPerHit < 1 || s.MaxHitsPerRule < 1 {
			t.Fatalf("accepted bounds %d %d", s.MaxRowsPerHit, s.MaxHitsPerRule)
		}
	})
}

// implemented counts the rules with an implementation.
func implemented(rs []Rule) int {
	n := 0
	for i := range rs {
		if rs[i].run != nil {
			n++
		}
	}
	return n
}
