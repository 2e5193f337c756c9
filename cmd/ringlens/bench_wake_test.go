package main

import (
	"testing"
	"time"
)

// TestQuantileMs checks the quantiles the benchmarks print, on sorted
// durations.
func TestQuantileMs(t *testing.T) {
	ds := []time.Duration{1 * time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond}
	for _, tc := range []struct {
		ds   []time.Duration
		q    float64
		want float64
	}{
		{nil, 0.99, 0},
		{ds, 0, 1},
		{ds, 0.5, 3},
		{ds, 0.99, 4},
		{ds, 1, 4},
		{[]time.Duration{1500 * time.Microsecond}, 0.5, 1.5},
	} {
		if got := quantileMs(tc.ds, tc.q); got != tc.want {
			t.Errorf("quantileMs(%v, %v) = %v, want %v", tc.ds, tc.q, got, tc.want)
		}
	}
}

// TestMeasureWake sleeps for a short while: every sleep is counted, none
// ends early, and the quantiles are in order.
func TestMeasureWake(t *testing.T) {
	start := time.Now()
	res := measureWake(100*time.Millisecond, 2*time.Millisecond)
	if took := time.Since(start); took < 100*time.Millisecond {
		t.Errorf("measured for %v, want at least 100ms", took)
	}
	if res.Sleeps < 10 || res.Sleeps > 50 || res.PeriodMs != 2 {
		t.Errorf("%d sleeps of %v ms in 100 ms", res.Sleeps, res.PeriodMs)
	}
	if res.P50Ms < 0 || res.P50Ms > res.P99Ms || res.P99Ms > res.P999Ms || res.P999Ms > res.MaxMs {
		t.Errorf("quantiles out of order: %+v", res)
	}
}
