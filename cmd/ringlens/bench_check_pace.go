package main

import (
	"runtime"
	"time"
)

// pacerBacklog is how many scheduled sends a client may fall behind
// before the pacer waits for it (and so falls behind itself, which the
// latency, counted from the schedule, shows).
const pacerBacklog = 4096

// pace sends, on its own goroutine, the send times of a schedule of rate
// checks a second in all from start until deadline to conns clients in
// turn (send j at start + j/rate to client j mod conns), each at its time,
// and closes the channels at the end. It sleeps with sleepUntil on a
// thread of its own: Go's timers wake a process that waits on the network
// up to a millisecond late (the runtime's epoll timeout counts whole
// milliseconds), which a load generator would count as the server's
// latency.
func pace(start, deadline time.Time, rate float64, conns int) []chan time.Time {
	ticks := make([]chan time.Time, conns)
	for i := range ticks {
		ticks[i] = make(chan time.Time, pacerBacklog)
	}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer func() {
			for _, t := range ticks {
				close(t)
			}
		}()
		for j := 0; ; j++ {
			at := start.Add(time.Duration(float64(j) * float64(time.Second) / rate))
			if !at.Before(deadline) {
				return
			}
			sleepUntil(at)
			ticks[j%conns] <- at
		}
	}()
	return ticks
}
