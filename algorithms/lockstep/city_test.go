package lockstep

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/ingest"
)

// city is a generated, loaded and built synthetic city.
type city struct {
	truth *fixtures.Truth
	g     *graph.Graph
	ph    []bool
}

// loadCity generates a city of about visits visits into a temporary
// directory (or reads RINGLENS_LOCKSTEP_CITY when set) and builds its graph.
func loadCity(tb testing.TB, visits int, seed int64) *city {
	tb.Helper()
	ctx := context.Background()
	dir := os.Getenv("RINGLENS_LOCKSTEP_CITY")
	var truth *fixtures.Truth
	var err error
	if dir == "" {
		dir = tb.TempDir()
		truth, err = fixtures.Generate(ctx, fixtures.Config{Preset: fixtures.PresetDefault, Seed: seed, Visits: visits, Out: dir})
	} else {
		truth, err = fixtures.ReadTruth(dir + "/truth.json")
	}
	if err != nil {
		tb.Fatal(err)
	}
	res, err := ingest.Load(ctx, dir, ingest.Options{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := graph.Build(ctx, res.Tables, graph.BuildOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	ph, _, err := rules.FindPlaceholders(g, rules.Defaults())
	if err != nil {
		tb.Fatal(err)
	}
	return &city{truth: truth, g: g, ph: ph}
}

// groupOf maps patient nodes to the planted ring or hard negative holding
// them ("ring:<typology>" or "neg:<kind>").
func (c *city) groupOf() map[graph.NodeID]string {
	m := map[graph.NodeID]string{}
	for _, hn := range c.truth.HardNegatives {
		for _, mem := range hn.Members {
			if n, ok := c.g.Lookup(graph.KindPatient, mem.ID); ok && mem.Kind == "patient" {
				m[n] = "neg:" + hn.Kind
			}
		}
	}
	for _, r := range c.truth.Rings {
		for _, mem := range r.Members {
			if n, ok := c.g.Lookup(graph.KindPatient, mem.ID); ok && mem.Kind == "patient" {
				m[n] = "ring:" + r.Typology
			}
		}
	}
	return m
}

// hubGroup names the planted group a hub node belongs to, if any.
func (c *city) hubGroups() map[graph.NodeID]string {
	m := map[graph.NodeID]string{}
	add := func(mem fixtures.Member, label string) {
		kinds := []graph.Kind{graph.KindInstitution, graph.KindPharmacy}
		if mem.Kind == "doctor" {
			kinds = []graph.Kind{graph.KindDoctor}
		} else if mem.Kind == "patient" {
			return
		}
		for _, k := range kinds {
			if n, ok := c.g.Lookup(k, mem.ID); ok {
				if _, had := m[n]; !had || strings.HasPrefix(label, "ring:") {
					m[n] = label
				}
			}
		}
	}
	for _, hn := range c.truth.HardNegatives {
		for _, mem := range hn.Members {
			add(mem, "neg:"+hn.Kind)
		}
	}
	for _, r := range c.truth.Rings {
		for _, mem := range r.Members {
			add(mem, "ring:"+r.Typology)
		}
	}
	return m
}

// describe summarises blocks against the truth.
func (c *city) describe(blocks []Block, top int) string {
	grp, hubs := c.groupOf(), c.hubGroups()
	var sb strings.Builder
	for i, b := range blocks {
		if i >= top {
			break
		}
		counts := map[string]int{}
		for _, p := range b.Patients {
			counts[grp[p]]++
		}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			name := k
			if name == "" {
				name = "-"
			}
			parts = append(parts, fmt.Sprintf("%s=%d", name, counts[k]))
		}
		fmt.Fprintf(&sb, "%3d %-16s hub=%-28s pats=%3d cols=%3d dens=%.2f base=%.2f lift=%.1f fill=%.2f sync=%.2f slot=%.2f period=%d/%.2f  %s\n",
			i, b.Kind, hubs[b.Hubs[0]]+"("+c.g.Class(b.Hubs[0]).String()+")", len(b.Patients), b.Columns, b.Density, b.Baseline,
			b.Lift, b.Fill, b.Synchrony, b.SlotShare, b.Period, b.PeriodShare, strings.Join(parts, " "))
	}
	return sb.String()
}

// TestCity checks detection on a small generated city: the cohort members
// of lockstep-swiping rings land in blocks, no block is hubbed on a
// placeholder doctor, and nursing-home residents or families do not make
// the top blocks.
func TestCity(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a city")
	}
	c := loadCity(t, 60_000, 3)
	start := time.Now()
	blocks, err := Detect(context.Background(), c.g, Options{ExcludeDoctors: c.ph})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d visits, %d blocks in %v", c.g.Tables().Visits.Len(), len(blocks), time.Since(start))
	top := 30
	if n, err := strconv.Atoi(os.Getenv("RINGLENS_LOCKSTEP_TOP")); err == nil {
		top = n
	}
	t.Logf("\n%s", c.describe(blocks, top))

	inBlock := map[graph.NodeID]bool{}
	for i := range blocks {
		b := &blocks[i]
		checkBlock(t, c.g, b)
		for _, p := range b.Patients {
			inBlock[p] = true
		}
		if b.Kind == DoctorDay && c.ph[c.g.Row(b.Hubs[0])] {
			t.Errorf("block %d is hubbed on placeholder doctor %s", i, c.g.Key(b.Hubs[0]))
		}
	}
	cohort, found := 0, 0
	for _, r := range c.truth.Rings {
		if r.Typology != vocab.TypLockstepSwiping {
			continue
		}
		for _, m := range r.Members {
			if m.Kind != "patient" || (m.Role != "recruited_patient" && m.Role != "tout") {
				continue
			}
			n, ok := c.g.Lookup(graph.KindPatient, m.ID)
			if !ok {
				continue
			}
			cohort++
			if inBlock[n] {
				found++
			}
		}
	}
	t.Logf("lockstep cohort patients in blocks: %d of %d", found, cohort)
	if cohort == 0 || float64(found) < 0.8*float64(cohort) {
		t.Errorf("lockstep cohort patients in blocks: %d of %d, want ≥ 80%%", found, cohort)
	}
	grp := c.groupOf()
	for i := range min(len(blocks), 5) {
		neg := 0
		for _, p := range blocks[i].Patients {
			if g := grp[p]; g == "neg:"+fixtures.NegNursingHome || g == "neg:"+fixtures.NegFamily {
				neg++
			}
		}
		if 2*neg > len(blocks[i].Patients) {
			t.Errorf("top block %d is mostly nursing-home residents or families (%d of %d)", i, neg, len(blocks[i].Patients))
		}
	}
}

// BenchmarkDetectCity runs Detect on a generated city of about 1M visits
// (RINGLENS_BENCH_VISITS overrides) and reports the extrapolated seconds
// for 10M visits. It runs only when RINGLENS_BENCH is set.
func BenchmarkDetectCity(b *testing.B) {
	if os.Getenv("RINGLENS_BENCH") == "" {
		b.Skip("set RINGLENS_BENCH to generate a 1M-visit city")
	}
	visits := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("RINGLENS_BENCH_VISITS")); err == nil && v > 0 {
		visits = v
	}
	c := loadCity(b, visits, 1)
	n := c.g.Tables().Visits.Len()
	var blocks []Block
	b.ResetTimer()
	for b.Loop() {
		var err error
		blocks, err = Detect(context.Background(), c.g, Options{ExcludeDoctors: c.ph})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peakHeap(func() { _, _ = Detect(context.Background(), c.g, Options{ExcludeDoctors: c.ph}) })/(1<<20), "peak-MB")
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(n), "visits")
	b.ReportMetric(float64(len(blocks)), "blocks")
	b.ReportMetric(per*1e7/float64(n), "s/10M-visits")
}

// peakHeap runs f with the garbage collector at GOGC=5, so that the heap
// stays close to the live data, and returns the largest heap growth over
// the heap before f seen by a 10 ms sampler.
func peakHeap(f func()) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before, peak := ms.HeapAlloc, ms.HeapAlloc
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	f()
	close(stop)
	<-sampled
	return float64(peak - before)
}
