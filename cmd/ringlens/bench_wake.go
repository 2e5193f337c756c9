package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
)

// benchWakeCommand is `ringlens bench wake`: how late this machine wakes a
// sleeping thread, the floor under every latency a benchmark measures
// here.
func benchWakeCommand() *cli.Command {
	return &cli.Command{
		Name:      "wake",
		Usage:     "measure how late this machine wakes a sleeping thread: the floor under the latency of checks",
		UsageText: "ringlens bench wake [--duration 10s] [--period 1ms] [--json]",
		Description: "Sleeps --period at a time on a thread of its own (nanosleep(2), as bench check's\n" +
			"pacer does) for --duration and prints how much later than asked each sleep ended, at\n" +
			"p50, p99, p999 and max. A request to a server and its answer wake three or four\n" +
			"threads (the load generator's, the server's, the load generator's again), so a\n" +
			"machine whose wake-ups are late by milliseconds at p999 sets a floor under the\n" +
			"latency of checks that no server can go below. Run it alone, then beside other\n" +
			"work (a full run, `chrt -i 0` load) to see what that work costs the wake-ups.",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "duration", Value: 10 * time.Second, Usage: "how long to measure"},
			&cli.DurationFlag{Name: "period", Value: time.Millisecond, Usage: "each sleep asked for"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: runBenchWake,
	}
}

// wakeBench is the result of `ringlens bench wake`.
type wakeBench struct {
	PeriodMs float64 `json:"period_ms"`
	Sleeps   int     `json:"sleeps"`
	// The lateness of the sleeps: how long after the asked time each one
	// ended.
	P50Ms  float64 `json:"late_p50_ms"`
	P99Ms  float64 `json:"late_p99_ms"`
	P999Ms float64 `json:"late_p999_ms"`
	MaxMs  float64 `json:"late_max_ms"`
}

func runBenchWake(c *cli.Context) error {
	d, period := c.Duration("duration"), c.Duration("period")
	if d <= 0 || period <= 0 || period > d {
		return usagef("bench wake: --duration and --period must be positive, --period at most --duration")
	}
	res := measureWake(d, period)
	if c.Bool("json") {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "sleeps\t%d of %v\n", res.Sleeps, period)
	fmt.Fprintf(w, "woken late by\tp50 %.3f ms  p99 %.3f ms  p999 %.3f ms  max %.3f ms\n", res.P50Ms, res.P99Ms, res.P999Ms, res.MaxMs)
	return w.Flush()
}

// measureWake sleeps period at a time for d on a locked thread and returns
// the distribution of the sleeps' lateness.
func measureWake(d, period time.Duration) wakeBench {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	late := make([]time.Duration, 0, int(d/period)+1)
	for start := time.Now(); time.Since(start) < d; {
		want := time.Now().Add(period)
		sleepUntil(want)
		late = append(late, max(0, time.Since(want)))
	}
	slices.Sort(late)
	return wakeBench{PeriodMs: float64(period.Microseconds()) / 1000, Sleeps: len(late),
		P50Ms: quantileMs(late, 0.5), P99Ms: quantileMs(late, 0.99), P999Ms: quantileMs(late, 0.999), MaxMs: quantileMs(late, 1)}
}

// quantileMs returns the q-quantile of sorted durations in milliseconds
// (0 for none).
func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[min(len(sorted)-1, int(q*float64(len(sorted))))].Microseconds()) / 1000
}
