package main

import (
	"testing"
	"time"
)

// TestStallsOf checks that slow answers close in time make one stall,
// from the first one's due time to the last answer, and that stalls come
// longest first.
func TestStallsOf(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 5, 15, 15, 0, time.UTC)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	slow := []slowAnswer{
		{t0.Add(ms(1000)), ms(20)},  // alone: 20 ms
		{t0, ms(300)},               // a stall of 305 ms ...
		{t0.Add(ms(5)), ms(300)},    // ... overlapping
		{t0.Add(ms(340)), ms(16)},   // within stallGap of its end: joined, ends at 356
		{t0.Add(ms(2000)), ms(100)}, // alone: 100 ms
	}
	top, total := stallsOf(slow, 2)
	if total != 3 {
		t.Fatalf("%d stalls, want 3", total)
	}
	want := []stall{{t0, 356, 3}, {t0.Add(ms(2000)), 100, 1}}
	if len(top) != len(want) {
		t.Fatalf("top = %+v", top)
	}
	for i := range want {
		if !top[i].Start.Equal(want[i].Start) || top[i].Ms != want[i].Ms || top[i].Checks != want[i].Checks {
			t.Errorf("stall %d = %+v, want %+v", i, top[i], want[i])
		}
	}
	if top, total := stallsOf(nil, 5); len(top) != 0 || total != 0 {
		t.Errorf("no slow answers gave %d stalls", total)
	}
}
