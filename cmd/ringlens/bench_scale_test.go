package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

func TestParseScales(t *testing.T) {
	tests := []struct {
		in      string
		names   []string
		visits  []int
		wantErr bool
	}{
		{"1M,3M,10M", []string{"1M", "3M", "10M"}, []int{1_000_000, 3_000_000, 10_000_000}, false},
		{" 20k , 40k ", []string{"20k", "40k"}, []int{20_000, 40_000}, false},
		{"5000", []string{"5000"}, []int{5000}, false},
		{"", nil, nil, true},
		{"1M,lots", nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			names, visits, err := parseScales(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseScales(%q) error %v; want error %v", tc.in, err, tc.wantErr)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") || len(visits) != len(tc.visits) {
				t.Fatalf("parseScales(%q) = %v %v; want %v %v", tc.in, names, visits, tc.names, tc.visits)
			}
			for i := range visits {
				if visits[i] != tc.visits[i] {
					t.Fatalf("parseScales(%q) visits %v; want %v", tc.in, visits, tc.visits)
				}
			}
		})
	}
}

func TestBenchScaleUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad scales", []string{"--scales", "lots"}, "--scales"},
		{"empty scales", []string{"--scales", ","}, "--scales"},
		{"bad memory limit", []string{"--scales", "1k", "--memory-limit", "much"}, "--memory-limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runBinary(t, append([]string{"bench", "scale", "--log-format", "json"}, tc.args...)...)
			if res.code != exitUsage || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("code %d, stderr %q; want %d naming %s", res.code, res.stderr, exitUsage, tc.want)
			}
		})
	}
}

// TestBenchScale runs bench scale on two tiny cities, as JSON and as text.
func TestBenchScale(t *testing.T) {
	dir := t.TempDir()
	res := runBinary(t, "bench", "scale", "--scales", "20k,40k", "--dir", dir, "--json", "--log-format", "json", "--log-level", "warn",
		"--cpu-timeline", "2ms")
	if res.code != exitOK {
		t.Fatalf("bench scale: code %d\n%s", res.code, res.stderr)
	}
	var out struct {
		Scales []scaleResult `json:"scales"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("output %q: %v", res.stdout, err)
	}
	if len(out.Scales) != 2 {
		t.Fatalf("%d scales; want 2", len(out.Scales))
	}
	for i, r := range out.Scales {
		if r.Scale != []string{"20k", "40k"}[i] || r.Visits == 0 || r.FeeLines == 0 || r.Bytes == 0 {
			t.Errorf("scale %d: %+v", i, r)
		}
		var stages []string
		var timelineWall, timelineCPU float64
		for _, st := range r.CPUTimeline {
			stages = append(stages, st.Stage)
			timelineWall, timelineCPU = timelineWall+st.WallSeconds, timelineCPU+st.CPUSeconds
			if st.IdleSeconds > st.WallSeconds {
				t.Errorf("scale %s: stage %q idle %v s of %v s", r.Scale, st.Stage, st.IdleSeconds, st.WallSeconds)
			}
		}
		if len(stages) < 3 || stages[0] != "ingest" || !slices.Contains(stages, "build") ||
			!slices.ContainsFunc(stages, func(s string) bool { return strings.HasPrefix(s, "detect ") }) {
			t.Errorf("scale %s: CPU timeline stages %q", r.Scale, stages)
		}
		if stageWall := r.IngestSeconds + r.BuildSeconds + r.DetectSeconds; timelineWall < stageWall/2 || timelineCPU <= 0 {
			t.Errorf("scale %s: CPU timeline covers %.3f s and %.3f CPU s of %.3f s", r.Scale, timelineWall, timelineCPU, stageWall)
		}
		if r.IngestSeconds <= 0 || r.BuildSeconds <= 0 || r.DetectSeconds <= 0 {
			t.Errorf("scale %s: stage seconds %v %v %v", r.Scale, r.IngestSeconds, r.BuildSeconds, r.DetectSeconds)
		}
		if r.IngestCPUSeconds <= 0 || r.DetectCPUSeconds <= 0 || r.BuildCPUSeconds < 0 {
			t.Errorf("scale %s: stage CPU seconds %v %v %v", r.Scale, r.IngestCPUSeconds, r.BuildCPUSeconds, r.DetectCPUSeconds)
		}
		if r.PeakRSSIngestBytes <= 0 || r.PeakRSSBytes < r.PeakRSSBuildBytes || r.PeakRSSBuildBytes < r.PeakRSSIngestBytes {
			t.Errorf("scale %s: peak RSS ingest %d, build %d, end %d: want positive and not decreasing",
				r.Scale, r.PeakRSSIngestBytes, r.PeakRSSBuildBytes, r.PeakRSSBytes)
		}
		if r.LiveIngestBytes <= 0 || r.LiveBuildBytes <= r.LiveIngestBytes {
			t.Errorf("scale %s: live heap tables %d, with graph %d", r.Scale, r.LiveIngestBytes, r.LiveBuildBytes)
		}
		per := map[string]graph.MemoryItem{}
		for _, m := range r.Memory {
			per[m.Structure] = m
		}
		if v := per["visits.columns"]; v.Rows != int64(r.Visits) || v.Bytes == 0 {
			t.Errorf("scale %s: visits.columns %+v; want %d rows", r.Scale, v, r.Visits)
		}
		if f := per["fees.columns"]; f.Rows != int64(r.FeeLines) || f.Bytes == 0 {
			t.Errorf("scale %s: fees.columns %+v; want %d rows", r.Scale, f, r.FeeLines)
		}
		if _, ok := per["graph.adjacency (CSR)"]; !ok {
			t.Errorf("scale %s: no graph.adjacency in %v", r.Scale, r.Memory)
		}
	}
	if out.Scales[1].Visits <= out.Scales[0].Visits {
		t.Errorf("visits %d then %d: want growth", out.Scales[0].Visits, out.Scales[1].Visits)
	}

	// The cities are kept in --dir and reused: the text form, with a CPU
	// profile of each scale.
	profiles := t.TempDir()
	res = runBinary(t, "bench", "scale", "--scales", "20k,40k", "--dir", dir, "--log-format", "json", "--log-level", "info",
		"--cpu-profile", profiles, "--cpu-timeline", "2ms")
	if res.code != exitOK {
		t.Fatalf("bench scale (text): code %d\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"scale", "ingest s", "detect s", "peak RSS", "20k", "40k", "growth 20k -> 40k",
		"CPU seconds per stage", "CPU timeline at 40k", "idle: fewer than",
		"memory model at 40k", "visits.columns", "fees.columns", "graph.adjacency (CSR)", "total (tables + graph)"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	if !strings.Contains(res.stderr, "reusing generated city") {
		t.Errorf("second run did not reuse the cities:\n%s", res.stderr)
	}
	// The speed budget: generous enough for the tiny cities, then too
	// tight for any.
	res = runBinary(t, "bench", "scale", "--scales", "20k", "--dir", dir, "--json", "--log-level", "warn",
		"--budget", "--budget-seconds-per-million", "1000", "--budget-ingest-mbps", "0.001")
	if res.code != exitOK || !strings.Contains(res.stderr, "budget 20k") || !strings.Contains(res.stderr, "within budget") {
		t.Errorf("bench scale --budget, generous: code %d\n%s", res.code, res.stderr)
	}
	res = runBinary(t, "bench", "scale", "--scales", "20k", "--dir", dir, "--log-level", "warn",
		"--budget", "--budget-seconds-per-million", "0.000001")
	if res.code == exitOK || !strings.Contains(res.stdout, "OVER BUDGET") || !strings.Contains(res.stderr, "over the speed budget at 20k") {
		t.Errorf("bench scale --budget, tight: code %d\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
	}
	for _, scale := range []string{"20k", "40k"} {
		f, err := os.Open(filepath.Join(profiles, "cpu-"+scale+".pb.gz"))
		if err != nil {
			t.Fatalf("cpu profile: %v", err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("cpu profile of %s: %v", scale, err)
		}
		data, err := io.ReadAll(zr)
		f.Close()
		if err != nil || len(data) == 0 {
			t.Errorf("cpu profile of %s: %d bytes, %v", scale, len(data), err)
		}
	}
}

// TestBenchDetectBudget runs bench detect on a tiny city: it prints the
// speed budget of bench scale --budget scaled to the city, and says that a
// city this small is over it by its fixed costs.
func TestBenchDetectBudget(t *testing.T) {
	res := runBinary(t, "bench", "detect", "--scale", "20k", "--dir", t.TempDir(), "--log-format", "json", "--log-level", "warn")
	if res.code != exitOK {
		t.Fatalf("bench detect: code %d\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"bytes a visit", "budget     ingest", "at least 300", "budget     CSV to ranked rings", "of 0.06 s allowed (3 s per million visits)", "meant for a million visits or more"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("bench detect output lacks %q:\n%s", want, res.stdout)
		}
	}
}
