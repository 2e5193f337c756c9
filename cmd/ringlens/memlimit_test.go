package main

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/urfave/cli/v2"
)

// TestMemoryLimit reads --memory-limit values against a machine of 16 GiB
// (and one whose memory cannot be read).
func TestMemoryLimit(t *testing.T) {
	const gib = int64(1) << 30
	machine := func() (int64, error) { return 16 * gib, nil }
	unknown := func() (int64, error) { return 0, errors.New("no /proc/meminfo") }
	tests := []struct {
		in      string
		total   func() (int64, error)
		want    int64
		wantErr string
	}{
		{"auto", machine, 12 * gib, ""},
		{" auto ", machine, 12 * gib, ""},
		{"60%", machine, 16 * gib * 60 / 100, ""},
		{"100%", machine, 16 * gib, ""},
		{"12.5%", machine, 2 * gib, ""},
		{"12GiB", machine, 12 * gib, ""},
		{"0", machine, 0, ""},
		{"auto", unknown, 0, ""}, // no limit where the memory cannot be read
		{"50%", unknown, 0, "no /proc/meminfo"},
		{"0%", machine, 0, "above 0%"},
		{"101%", machine, 0, "at most 100%"},
		{"many%", machine, 0, "share of memory"},
		{"lots", machine, 0, "want a size"},
		{"-1GiB", machine, 0, "want a size"},
	}
	for _, tc := range tests {
		got, err := memoryLimit(tc.in, tc.total)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("memoryLimit(%q): %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("memoryLimit(%q): error %v, want one with %q", tc.in, err, tc.wantErr)
		case got != tc.want:
			t.Errorf("memoryLimit(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestParseMeminfo reads MemTotal of /proc/meminfo texts.
func TestParseMeminfo(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
		wantErr  bool
	}{
		{"reference machine", "MemTotal:       24683568 kB\nMemFree:        17805184 kB\nMemAvailable:   23104820 kB\n", 24683568 << 10, false},
		{"not first", "MemFree:  1 kB\nMemTotal: 16384 kB\n", 16384 << 10, false},
		{"no MemTotal", "MemFree:  1 kB\n", 0, true},
		{"empty", "", 0, true},
		{"no unit", "MemTotal: 16384\n", 0, true},
		{"other unit", "MemTotal: 16 GB\n", 0, true},
		{"not a number", "MemTotal: lots kB\n", 0, true},
		{"zero", "MemTotal: 0 kB\n", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMeminfo(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseMeminfo = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestParseCgroupLimit reads cgroup memory limits (v2 memory.max, v1
// memory.limit_in_bytes).
func TestParseCgroupLimit(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"8589934592\n", 8 << 30, true},
		{"max\n", 0, false},
		{"9223372036854771712\n", 9223372036854771712, true}, // v1 without a limit: above any machine, ignored by the caller
		{"", 0, false},
		{"-1\n", 0, false},
		{"lots\n", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseCgroupLimit([]byte(tc.in))
		if ok != tc.wantOK || got != tc.want {
			t.Errorf("parseCgroupLimit(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestMachineMemory reads this machine's memory where /proc/meminfo
// exists, and serve's --memory-limit derives from it by default while
// the other commands keep their fixed default.
func TestMachineMemory(t *testing.T) {
	if _, err := os.Stat(meminfoPath); err != nil {
		t.Skipf("%s: %v", meminfoPath, err)
	}
	mem, err := machineMemory()
	if err != nil || mem < 64<<20 {
		t.Fatalf("machineMemory = %d, %v", mem, err)
	}
	lim, err := memoryLimit(autoMemoryLimit, machineMemory)
	if err != nil || lim != int64(float64(mem)*autoMemoryShare/100) {
		t.Errorf("auto: %d, %v (machine %d)", lim, err, mem)
	}
	t.Logf("machine memory %.1f GiB, serve's default limit %.1f GiB", float64(mem)/(1<<30), float64(lim)/(1<<30))
	defaults := map[string]string{}
	for _, cmd := range []*cli.Command{serveCommand(), detectCommand()} {
		for _, f := range cmd.Flags {
			if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "memory-limit" {
				defaults[cmd.Name] = sf.Value
			}
		}
	}
	if defaults["serve"] != autoMemoryLimit || defaults["detect"] != "5GiB" {
		t.Errorf("--memory-limit defaults %v", defaults)
	}
}

// TestMemoryShortfall checks when detect warns that the memory limit is
// too low: the live heap plus rings.DetectionBytesPerVisit a visit above it.
func TestMemoryShortfall(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name   string
		live   int64
		visits int
		limit  int64
		short  bool
	}{
		{"10M city under the default 5 GiB", 1.5 * gib, 10_000_000, 5 * gib, false},
		{"100M city under the default 5 GiB", 14 * gib, 100_000_000, 5 * gib, true},
		{"100M city under 20.5 GiB", 14 * gib, 100_000_000, 20.5 * gib, false},
		{"just over", 1 * gib, 1_000_000, 1*gib + 59_000_000, true},
		{"no limit", 100 * gib, 1_000_000_000, math.MaxInt64, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			need, short := memoryShortfall(tc.live, tc.visits, tc.limit)
			if short != tc.short || need != tc.live+rings.DetectionBytesPerVisit*int64(tc.visits) {
				t.Errorf("need %d, short %v; want short %v", need, short, tc.short)
			}
		})
	}
}
