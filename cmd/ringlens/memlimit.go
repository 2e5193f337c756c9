package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// memoryLimitFlag sets the Go runtime's soft memory limit. The graph of a
// 10-million-visit city needs about 4 GiB live; without a limit the
// collector lets the heap grow to twice the live size, past what a laptop
// can spare.
func memoryLimitFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "memory-limit",
		Value: "5GiB",
		Usage: "soft limit for the Go heap (like GOMEMLIMIT; suffixes MiB, GiB); 0 = none; GOMEMLIMIT in the environment wins",
	}
}

// applyMemoryLimit applies --memory-limit unless GOMEMLIMIT is set.
func applyMemoryLimit(c *cli.Context) error {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := parseBytes(c.String("memory-limit"))
	if err != nil {
		return usagef("--memory-limit: %v", err)
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
	}
	return nil
}

// parseBytes reads sizes such as 5GiB, 512MiB, 6G or 1073741824.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"G", 1 << 30}, {"M", 1 << 20}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			mult, s = u.mult, strings.TrimSuffix(s, u.suffix)
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("want a size such as 5GiB or 0, not %q", s)
	}
	return int64(f * mult), nil
}
