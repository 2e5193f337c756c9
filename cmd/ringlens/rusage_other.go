//go:build !unix

package main

import (
	"os"
	"time"
)

// processCPUTime returns 0: the benchmarks' CPU times are read with
// getrusage(2), which this system does not have.
func processCPUTime() time.Duration { return 0 }

// peakRSS returns 0: not read on this system.
func peakRSS() int64 { return 0 }

// childPeakRSS returns 0: not read on this system.
func childPeakRSS(*os.ProcessState) int64 { return 0 }
