package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestParseScale(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"5000", 5000, false},
		{"200k", 200000, false},
		{"2.5M", 2500000, false},
		{"10m", 10000000, false},
		{"1_000", 1000, false},
		{"0", 0, true},
		{"-3k", 0, true},
		{"lots", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		got, err := parseScale(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseScale(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestHumanCount(t *testing.T) {
	tests := map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"}
	for in, want := range tests {
		if got := humanCount(in); got != want {
			t.Errorf("humanCount(%d) = %q; want %q", in, got, want)
		}
	}
}

// fakeClock advances by step on every reading.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestMeterShowsOnlyLongSteps(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		step    time.Duration
		updates int
		want    string // substring expected; "" means no output at all
	}{
		{"short step silent", true, 10 * time.Millisecond, 20, ""},
		{"long step on terminal", true, 300 * time.Millisecond, 10, "rows"},
		{"long step logged", false, 2 * time.Second, 6, `"stage":"read mdtrt.csv"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			m := newMeter(zerolog.New(&buf), &buf, tc.tty)
			clk := &fakeClock{t: time.Unix(0, 0), step: tc.step}
			m.now = clk.now
			for i := 1; i <= tc.updates; i++ {
				m.update("read mdtrt.csv", "rows", int64(i*1000), 0)
			}
			m.finish()
			out := buf.String()
			if tc.want == "" {
				if out != "" {
					t.Fatalf("want no output, got %q", out)
				}
				return
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("output %q lacks %q", out, tc.want)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"5GiB", 5 << 30, false},
		{"512MiB", 512 << 20, false},
		{"6G", 6 << 30, false},
		{"2GB", 2e9, false},
		{"0", 0, false},
		{"1073741824", 1 << 30, false},
		{"-1GiB", 0, true},
		{"big", 0, true},
	}
	for _, tc := range tests {
		got, err := parseBytes(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
