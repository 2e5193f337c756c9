//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// processCPUTime returns the user plus system CPU time of the process so
// far (0 when it cannot be read).
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS returns the process's resident-memory high-water mark so far, in
// bytes (0 when it cannot be read).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return maxRSSBytes(ru.Maxrss)
}

// childPeakRSS returns the resident-memory high-water mark of an ended
// child process, in bytes (0 when unknown).
func childPeakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return maxRSSBytes(ru.Maxrss)
	}
	return 0
}

// maxRSSBytes converts getrusage's ru_maxrss to bytes: kilobytes on Linux
// and the BSDs, bytes on macOS.
func maxRSSBytes(v int64) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return v
	}
	return v * 1024
}
