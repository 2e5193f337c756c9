package main

import (
	"syscall"
	"time"
)

// sleepUntil sleeps until t with nanosleep(2), which blocks the calling
// thread and wakes within the kernel's timer slack (50 µs by default),
// not the millisecond of the runtime's timers.
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		if err := syscall.Nanosleep(&ts, nil); err == nil {
			return
		}
	}
}
