package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/fixtures"
)

func TestQualityCityConfig(t *testing.T) {
	conds := missingColumnConditions()
	lvs := hospLvCodings()
	seen := map[int64]bool{}
	pref := map[int]int{}
	for i := range 28 {
		q := qualityCityConfig(1, i, 0, 1)
		if again := qualityCityConfig(1, i, 0, 1); !reflect.DeepEqual(q, again) {
			t.Fatalf("city %d: %+v then %+v: not deterministic", i, q, again)
		}
		if q.Index != i || q.Condition != conds[i%len(conds)].Name || !reflect.DeepEqual(q.Drop, conds[i%len(conds)].Drop) ||
			q.HospLv != lvs[i%len(lvs)] {
			t.Errorf("city %d: %+v: want condition %s and hosp_lv %s", i, q, conds[i%len(conds)].Name, lvs[i%len(lvs)])
		}
		wantPreset := fixtures.PresetGrammar
		if i%4 == 3 {
			wantPreset = fixtures.PresetDefault
		}
		if q.Preset != wantPreset {
			t.Errorf("city %d: preset %s; want %s", i, q.Preset, wantPreset)
		}
		if q.Visits < qualityMinVisits || q.Visits > qualityMaxVisits {
			t.Errorf("city %d: %d visits outside [%d, %d]", i, q.Visits, qualityMinVisits, qualityMaxVisits)
		}
		if seen[q.Seed] {
			t.Errorf("city %d: seed %d repeats", i, q.Seed)
		}
		seen[q.Seed] = true
		if s := qualityCityConfig(1, i, 30_000, 1); s.Visits != 30_000 || s.Seed != q.Seed || s.Condition != q.Condition {
			t.Errorf("city %d with --scale 30k: %+v", i, s)
		}
		// Prefectures are drawn last: the rest of the city does not move.
		p := qualityCityConfig(1, i, 0, fixtures.MaxCities)
		if q.Prefectures != 1 || p.Prefectures < 1 || p.Prefectures > fixtures.MaxCities {
			t.Errorf("city %d: %d prefectures, %d with --max-prefectures %d", i, q.Prefectures, p.Prefectures, fixtures.MaxCities)
		}
		pref[p.Prefectures]++
		if p.Prefectures = 1; !reflect.DeepEqual(p, q) {
			t.Errorf("city %d: --max-prefectures moved the rest of the city: %+v, %+v", i, p, q)
		}
	}
	if len(pref) < 3 {
		t.Errorf("prefectures drawn over 28 cities: %v; want at least three geographies", pref)
	}
	if cfg := qualityCityConfig(1, 5, 0, fixtures.MaxCities).fixturesConfig("d"); cfg.Cities < 1 || cfg.Cities > fixtures.MaxCities {
		t.Errorf("fixtures config cities %d", cfg.Cities)
	}
	a, b := qualityCityConfig(1, 0, 0, 1), qualityCityConfig(2, 0, 0, 1)
	if a.Seed == b.Seed && a.Visits == b.Visits {
		t.Errorf("seeds 1 and 2 derive the same city: %+v", a)
	}
	if got := qualityCityConfig(1, 6, 0, 1); got.Condition != "optional" || !reflect.DeepEqual(got.Drop, []string{"optional"}) {
		t.Errorf("city 6: %+v: want only required columns", got)
	}
	cfg := qualityCityConfig(1, 2, 0, 1).fixturesConfig("d")
	if cfg.Out != "d" || cfg.HospLv != fixtures.HospLvGrade || !reflect.DeepEqual(cfg.Drop, []string{"insuplc_admdvs", "admdvs"}) {
		t.Errorf("fixtures config %+v", cfg)
	}
}

// runQualityApp runs `ringlens bench quality args...` in process and returns
// its standard output and standard error.
func runQualityApp(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app, _ := newApp(&stdout, &stderr)
	err := app.Run(append([]string{"ringlens", "bench", "quality", "--log-format", "json"}, args...))
	return stdout.String(), stderr.String(), err
}

func TestBenchQualityTables(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out, logs, err := runQualityApp(t, "--cities", "2", "--scale", "30k", "--seed", "3")
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	for _, want := range []string{
		"Detection quality on 2 generated cities (seed 3)",
		"grammar", "mdtrt_cert_type", "national", "30,000",
		"ring recall in top K", "precision in top K", "typology accuracy", "unclassified found", "merged rings in top K", "planted share of top K", "hard negatives reported",
		"patient AUC", "doctor AUC",
		"Recall per missing-column condition", "Recall per size band", "Recall per typology",
		"Recall per camouflage level", "Recall per primitive",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(logs, `"message":"city evaluated"`); n != 2 {
		t.Errorf("%d city lines logged; want 2:\n%s", n, logs)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temporary cities left behind: %v", ents)
	}
}

func TestBenchQualityJSONKeep(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "cities")
	out, logs, err := runQualityApp(t, "--cities", "1", "--scale", "20k", "--keep", keep, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	var res qualityResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(res.Cities) != 1 || res.Cities[0].Report == nil || res.Overall.Cities != 1 || len(res.ByCondition) != 1 ||
		res.ByCondition[0].Condition != "none" || res.Overall.Planted != res.Cities[0].Planted || len(res.BySize) == 0 {
		t.Errorf("result %+v", res)
	}
	truth, err := fixtures.ReadTruth(filepath.Join(keep, "city-00", "truth.json"))
	if err != nil {
		t.Fatalf("kept city: %v", err)
	}
	if truth.Seed != res.Cities[0].Seed || truth.HospLv != fixtures.HospLvText {
		t.Errorf("kept truth: seed %d hosp_lv %q; want %d, text", truth.Seed, truth.HospLv, res.Cities[0].Seed)
	}
}

func TestBenchQualityUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--cities", "0"},
		{"--scale", "100"},
		{"--scale", "lots"},
	} {
		if _, _, err := runQualityApp(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestGenerateConventionFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "city")
	var stdout, stderr bytes.Buffer
	app, _ := newApp(&stdout, &stderr)
	err := app.Run([]string{"ringlens", "generate", "--preset", "grammar", "--scale", "5000", "--rings", "3",
		"--drop", "lat, lon,mdtrt_cert_type", "--hosp-lv", "national", "--out", dir, "--log-level", "warn"})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	truth, err := fixtures.ReadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if truth.HospLv != fixtures.HospLvNational || !reflect.DeepEqual(truth.Dropped, []string{"lat", "lon", "mdtrt_cert_type"}) {
		t.Errorf("truth hosp_lv %q dropped %v", truth.HospLv, truth.Dropped)
	}
	head, err := os.ReadFile(filepath.Join(dir, "mdtrt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if line, _, _ := strings.Cut(string(head), "\n"); strings.Contains(line, "mdtrt_cert_type") {
		t.Errorf("mdtrt.csv header still has mdtrt_cert_type: %s", line)
	}
	for _, args := range [][]string{{"--rings", "-1"}, {"--hosp-lv", "roman"}, {"--drop", "psn_no"}} {
		app, _ := newApp(&stdout, &stderr)
		if err := app.Run(append([]string{"ringlens", "generate", "--scale", "5000", "--out", t.TempDir(), "--log-level", "warn"}, args...)); err == nil {
			t.Errorf("generate %v: no error", args)
		}
	}
}
