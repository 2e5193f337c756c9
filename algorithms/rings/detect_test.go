package rings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// genCity generates a city into a temporary directory (cached per test
// binary run) and returns its directory.
var genCache sync.Map

func genCity(t testing.TB, preset string, seed int64, visits int) string {
	t.Helper()
	key := fmt.Sprintf("%s-%d-%d", preset, seed, visits)
	if d, ok := genCache.Load(key); ok {
		return d.(string)
	}
	dir := filepath.Join(os.TempDir(), "ringlens-rings-test", key)
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
		if _, err := fixtures.Generate(context.Background(), fixtures.Config{Preset: preset, Seed: seed, Visits: visits, Out: dir}); err != nil {
			t.Fatalf("generate %s: %v", key, err)
		}
	}
	genCache.Store(key, dir)
	return dir
}

// TestQuality asserts the acceptance thresholds on small generated cities:
// one seed per preset by default, seeds 1–3 of both presets with
// RINGLENS_QUALITY=1.
func TestQuality(t *testing.T) {
	seeds := []int64{1}
	if os.Getenv("RINGLENS_QUALITY") != "" {
		seeds = []int64{1, 2, 3}
	}
	for _, preset := range []string{fixtures.PresetDefault, fixtures.PresetHuli} {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s-%d", preset, seed), func(t *testing.T) {
				q := measure(t, genCity(t, preset, seed, 100_000))
				t.Log(q)
				if q.recall < 0.95 {
					t.Errorf("recall %.3f < 0.95", q.recall)
				}
				if q.precision < 0.8 {
					t.Errorf("precision@K %.3f < 0.8", q.precision)
				}
				if q.hardNeg > 0 {
					t.Errorf("%d hard negatives reported", q.hardNeg)
				}
				if q.aucPatient < 0.95 || q.aucDoc < 0.95 {
					t.Errorf("AUC patient %.3f doctor %.3f < 0.95", q.aucPatient, q.aucDoc)
				}
			})
		}
	}
}

// TestDeterministic checks that the same data, rules and seed give
// byte-identical findings, on as many goroutines as GOMAXPROCS allows and
// on one (Options.Workers, a server's background full run).
func TestDeterministic(t *testing.T) {
	g, _ := loadCity(t, genCity(t, fixtures.PresetDefault, 1, 100_000))
	var out [3][]byte
	for i := range out {
		f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 7, Workers: []int{0, 0, 1}[i]})
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = json.Marshal(f); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("two runs gave different findings")
	}
	if !bytes.Equal(out[0], out[2]) {
		t.Fatal("a run on one worker gave different findings")
	}
}

// TestDeterministicUnderMemoryLimit checks that a memory limit that leaves
// no room for steps side by side (the peer models, the relation records'
// workers, the lockstep peeling started early) changes nothing in the
// findings.
func TestDeterministicUnderMemoryLimit(t *testing.T) {
	g, _ := loadCity(t, genCity(t, fixtures.PresetDefault, 1, 100_000))
	detect := func() []byte {
		f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	free := detect()
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	debug.SetMemoryLimit(int64(s[0].Value.Uint64()) + 4<<20)
	if tight := detect(); !bytes.Equal(free, tight) {
		t.Fatal("findings under a tight memory limit differ")
	}
}

// TestFindingsShape checks the contract on a generated city: ranked ids,
// scores in [0, 1], every entity scored, evidence citing rows.
func TestFindingsShape(t *testing.T) {
	g, _ := loadCity(t, genCity(t, fixtures.PresetDefault, 1, 100_000))
	f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if f.Entities.Len() != g.NumNodes() {
		t.Errorf("%d entities for %d nodes", f.Entities.Len(), g.NumNodes())
	}
	for _, e := range f.Entities.All() {
		if e.Score < 0 || e.Score > 1 {
			t.Fatalf("entity %s score %v", e.ID, e.Score)
		}
		checkReasons(t, e)
	}
	if len(f.Rings) == 0 {
		t.Fatal("no rings")
	}
	for i, r := range f.Rings {
		if r.Rank != i+1 || r.ID != fmt.Sprintf("R%03d", i+1) {
			t.Errorf("ring %d: id %s rank %d", i, r.ID, r.Rank)
		}
		if r.Score < 0 || r.Score > 1 || (i > 0 && r.Score > f.Rings[i-1].Score) {
			t.Errorf("ring %s: score %v not ranked", r.ID, r.Score)
		}
		if r.Typology == "" || r.Article == "" || len(r.Members) == 0 || len(r.Evidence) == 0 || len(r.Timeline) == 0 {
			t.Errorf("ring %s incomplete: %+v", r.ID, r)
		}
		if _, ok := vocab.Lookup(vocab.Typologies, r.Typology); !ok {
			t.Errorf("ring %s: typology %q is not in the vocabulary", r.ID, r.Typology)
		}
		for _, m := range r.Members {
			if m.Role == "" || m.Kind == "" || m.ID == "" {
				t.Errorf("ring %s: member %+v", r.ID, m)
			}
			_, kind := vocab.Lookup(vocab.Kinds, m.Kind)
			_, role := vocab.Lookup(vocab.Roles, m.Role)
			if !kind || !role {
				t.Errorf("ring %s: member kind %q or role %q is not in the vocabulary", r.ID, m.Kind, m.Role)
			}
		}
		cited := false
		for _, e := range r.Evidence {
			cited = cited || len(e.MdtrtIDs) > 0
		}
		if !cited {
			t.Errorf("ring %s cites no rows", r.ID)
		}
		if r.AmountAtRisk <= 0 || r.First == "" || r.Last < r.First {
			t.Errorf("ring %s: amount %v first %q last %q", r.ID, r.AmountAtRisk, r.First, r.Last)
		}
	}
}

// checkReasons checks the score reasons of e: at most three, each a code of
// the vocabulary with exactly the parameters its templates name, whose
// English sentence (entities.csv) reads back into the same reason.
func checkReasons(t *testing.T, e findings.EntityScore) {
	t.Helper()
	if e.Reasons == nil || len(e.Reasons) > 3 {
		t.Errorf("%s %s: reasons %v", e.Kind, e.ID, e.Reasons)
	}
	for _, r := range e.Reasons {
		entry, ok := vocab.Lookup(vocab.Reasons, r.Code)
		if !ok {
			t.Errorf("%s %s: reason %q is not in the vocabulary", e.Kind, e.ID, r.Code)
			continue
		}
		if !slices.Equal(slices.Sorted(maps.Keys(r.Params.Map())), slices.Sorted(slices.Values(entry.Params))) {
			t.Errorf("%s %s: reason %s has parameters %v, its templates %v", e.Kind, e.ID, r.Code, r.Params, entry.Params)
		}
		text := r.Text(vocab.LangEn)
		if code, params, ok := vocab.MatchReason(text); !ok || code != r.Code || !maps.Equal(params, r.Params.Map()) {
			t.Errorf("%s %s: %q reads back as %q %v", e.Kind, e.ID, text, code, params)
		}
	}
}

// TestEdgeCases runs Detect on degenerate inputs: it must not panic.
func TestEdgeCases(t *testing.T) {
	if _, err := Detect(context.Background(), nil, Options{}); err == nil {
		t.Error("nil graph: no error")
	}
	empty, err := graph.Build(context.Background(), graph.NewTables(0, 0), graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Detect(context.Background(), empty, Options{Rules: rules.Defaults()})
	if err != nil {
		t.Fatalf("empty graph: %v", err)
	}
	if len(f.Rings) != 0 || f.Entities.Len() != 0 {
		t.Errorf("empty graph: %d rings, %d entities", len(f.Rings), f.Entities.Len())
	}
	// One person, one clinic, one visit.
	tb := graph.NewTables(1, 0)
	p, _ := tb.AddPerson(&claims.Person{PsnNo: "p1", Sex: claims.Male, Birth: claims.DateOf(1960, 1, 1)})
	in, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "clinic", Type: claims.Medical, Beds: -1})
	tb.AddVisit(&claims.Visit{MdtrtID: "v1", PsnNo: "p1", InstitutionCode: "H1", MedType: claims.MedOutpatient,
		Begin: claims.DateOf(2025, 1, 1).Time(), End: claims.NoTime, MedFee: 1000, FundPay: 800}, p, in, 2)
	one, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Detect(context.Background(), one, Options{Rules: rules.Defaults()}); err != nil {
		t.Fatalf("one visit: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Detect(ctx, one, Options{Rules: rules.Defaults()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestDetectCancelledBesideLockstep cancels a detection while the lockstep
// peeling runs beside the generators after the relation excess: Detect
// reports the cancellation and leaves no goroutine running.
func TestDetectCancelledBesideLockstep(t *testing.T) {
	g, _ := loadCity(t, genCity(t, fixtures.PresetDefault, 1, plantVisits))
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Detect(ctx, g, Options{Seed: 1, Progress: func(stage string, done, total int64) {
		if stage == "candidates: item concentration" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled detection: %v", err)
	}
	// The peeling's goroutine has finished its work when Detect returns;
	// it may take a moment more to exit.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines 2 s after Detect returned, %d before", n, before)
	}
}
