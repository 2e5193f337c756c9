package main

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
)

// cpuTimeline samples the process's CPU time every interval and charges
// each interval to the stage marked last: how many cores each stage kept
// busy, and for how long a core sat idle (fewer than GOMAXPROCS − ½ cores
// busy). Stages that run side by side are charged to whichever reported
// last, so the attribution within detection is approximate; the totals
// are not.
type cpuTimeline struct {
	interval time.Duration
	low      float64 // cores below which an interval counts as idle

	mu     sync.Mutex
	stage  string
	stages []timelineStage // in order of first mark
	index  map[string]int

	stop chan struct{}
	done chan struct{}
}

// timelineStage is what the timeline charged to one stage.
type timelineStage struct {
	Stage       string  `json:"stage"`
	WallSeconds float64 `json:"wall_seconds"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	// IdleSeconds is the wall time of the intervals in which fewer than
	// GOMAXPROCS − ½ cores were busy.
	IdleSeconds float64 `json:"idle_core_seconds"`
}

// newCPUTimeline starts sampling every interval, charging to stage until
// the next mark.
func newCPUTimeline(interval time.Duration, stage string) *cpuTimeline {
	t := &cpuTimeline{interval: interval, low: float64(runtime.GOMAXPROCS(0)) - 0.5,
		index: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	t.mark(stage)
	go t.run()
	return t
}

// mark makes stage the one the following intervals are charged to.
func (t *cpuTimeline) mark(stage string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stage = stage
	if _, ok := t.index[stage]; !ok {
		t.index[stage] = len(t.stages)
		t.stages = append(t.stages, timelineStage{Stage: stage})
	}
}

// run samples until finish.
func (t *cpuTimeline) run() {
	defer close(t.done)
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	lastWall, lastCPU := time.Now(), processCPUTime()
	charge := func() {
		now, cpu := time.Now(), processCPUTime()
		wall, used := now.Sub(lastWall).Seconds(), (cpu - lastCPU).Seconds()
		lastWall, lastCPU = now, cpu
		if wall <= 0 {
			return
		}
		t.mu.Lock()
		s := &t.stages[t.index[t.stage]]
		s.WallSeconds += wall
		s.CPUSeconds += used
		if used/wall < t.low {
			s.IdleSeconds += wall
		}
		t.mu.Unlock()
	}
	for {
		select {
		case <-tick.C:
			charge()
		case <-t.stop:
			charge()
			return
		}
	}
}

// finish stops the sampling and returns the stages in order.
func (t *cpuTimeline) finish() []timelineStage {
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]timelineStage(nil), t.stages...)
}

// writeTimeline prints the timeline of every scale that has one.
func writeTimeline(w io.Writer, rs []scaleResult) {
	for _, r := range rs {
		if len(r.CPUTimeline) == 0 {
			continue
		}
		var wall, cpu, idle float64
		fmt.Fprintf(w, "\nCPU timeline at %s (each interval charged to the stage reported last; idle: fewer than %.1f cores busy):\n",
			r.Scale, float64(r.GOMAXPROCS)-0.5)
		for _, s := range r.CPUTimeline {
			wall, cpu, idle = wall+s.WallSeconds, cpu+s.CPUSeconds, idle+s.IdleSeconds
			if s.WallSeconds == 0 {
				continue // reported and done within one interval
			}
			fmt.Fprintf(w, "  %-48s wall %7.2f s  CPU %7.2f s  cores %4.2f  idle %6.2f s\n",
				s.Stage, s.WallSeconds, s.CPUSeconds, s.CPUSeconds/max(s.WallSeconds, 1e-9), s.IdleSeconds)
		}
		fmt.Fprintf(w, "  %-48s wall %7.2f s  CPU %7.2f s  cores %4.2f  idle %6.2f s\n",
			"all", wall, cpu, cpu/max(wall, 1e-9), idle)
	}
}
