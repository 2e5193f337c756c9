package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// memoryLimitFlag sets the Go runtime's soft memory limit. The graph of a
// 10-million-visit city needs about 4 GiB live while detect runs; without
// a limit the collector lets the heap grow to twice the live size, past
// what a laptop can spare.
func memoryLimitFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "memory-limit",
		Value: "5GiB",
		Usage: memoryLimitUsage,
	}
}

// serveMemoryLimitFlag is --memory-limit of serve, whose default derives
// from the machine (autoMemoryLimit): serve keeps the graph, the findings,
// the claims accepted and, during a full run, a second graph, about 7 GB
// live at 10 million visits, so that a fixed 5 GiB made the collector run
// back to back (docs/api.md).
func serveMemoryLimitFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "memory-limit",
		Value: autoMemoryLimit,
		Usage: memoryLimitUsage,
	}
}

// memoryLimitUsage is the help of --memory-limit.
const memoryLimitUsage = "soft limit for the Go heap (like GOMEMLIMIT): a size (12GiB, 512MiB), a share of the machine's memory " +
	"(60%; of the container's limit when lower), auto (= 75%) or 0 = none; GOMEMLIMIT in the environment wins"

// autoMemoryLimit is the --memory-limit value that derives the limit from
// the machine: autoMemoryShare of its memory.
const (
	autoMemoryLimit = "auto"
	autoMemoryShare = 75 // percent
)

// Where the machine's memory and a container's limit are read (Linux).
const (
	meminfoPath  = "/proc/meminfo"
	cgroupV2Max  = "/sys/fs/cgroup/memory.max"
	cgroupV1Max  = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	noCgroupLine = "max"
)

// applyMemoryLimit applies --memory-limit unless GOMEMLIMIT is set.
func applyMemoryLimit(c *cli.Context) error {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := memoryLimit(c.String("memory-limit"), machineMemory)
	if err != nil {
		return usagef("--memory-limit: %w", err)
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
	}
	return nil
}

// memoryLimit returns the limit in bytes that the --memory-limit value s
// asks for (0: none): a size (parseBytes), a percentage of the memory
// total reports, or auto, autoMemoryShare percent of it, or none when
// total cannot tell (a system without /proc/meminfo).
func memoryLimit(s string, total func() (int64, error)) (int64, error) {
	s = strings.TrimSpace(s)
	auto := s == autoMemoryLimit
	if auto {
		s = strconv.Itoa(autoMemoryShare) + "%"
	}
	pct, ok := strings.CutSuffix(s, "%")
	if !ok {
		return parseBytes(s)
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
	if err != nil || p <= 0 || p > 100 {
		return 0, fmt.Errorf("want a share of memory above 0%% and at most 100%%, not %q", s)
	}
	mem, err := total()
	if err != nil {
		if auto {
			return 0, nil
		}
		return 0, fmt.Errorf("%s of memory: %w", s, err)
	}
	return int64(float64(mem) * p / 100), nil
}

// machineMemory returns the memory the process may use: MemTotal of
// /proc/meminfo, or the memory limit of the cgroup (v2 memory.max, v1
// memory.limit_in_bytes) when one is set and lower.
func machineMemory() (int64, error) {
	f, err := os.Open(meminfoPath)
	if err != nil {
		return 0, fmt.Errorf("read the machine's memory: %w", err)
	}
	defer f.Close()
	total, err := parseMeminfo(f)
	if err != nil {
		return 0, fmt.Errorf("read the machine's memory: %s: %w", meminfoPath, err)
	}
	for _, p := range []string{cgroupV2Max, cgroupV1Max} {
		if data, err := os.ReadFile(p); err == nil {
			if lim, ok := parseCgroupLimit(data); ok && lim < total {
				total = lim
			}
		}
	}
	return total, nil
}

// parseMeminfo returns MemTotal, in bytes, of a /proc/meminfo text
// ("MemTotal:       24683568 kB").
func parseMeminfo(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("MemTotal: want a number of kB, not %q", strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb <= 0 || kb > 1<<43 {
			return 0, fmt.Errorf("MemTotal: want a number of kB, not %q", f[0])
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no MemTotal line")
}

// parseCgroupLimit reads a cgroup memory limit file: a number of bytes, or
// "max" (v2) for none; v1 writes a number near 2^63 for none, which the
// caller ignores as above the machine's memory. ok is false for no limit
// or an unreadable file.
func parseCgroupLimit(data []byte) (int64, bool) {
	s := string(bytes.TrimSpace(data))
	if s == noCgroupLine || s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
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
		return 0, fmt.Errorf("want a size such as 5GiB, a share such as 60%%, auto or 0, not %q", s)
	}
	return int64(f * mult), nil
}

// memoryShortfall returns the live heap detection is expected to need
// (live, the heap in use once the graph is built, plus
// rings.DetectionBytesPerVisit for each of the visits) and whether the memory
// limit limit is below it. A limit of math.MaxInt64 (none) is never short.
func memoryShortfall(live int64, visits int, limit int64) (need int64, short bool) {
	need = live + rings.DetectionBytesPerVisit*int64(visits)
	return need, limit != math.MaxInt64 && need > limit
}

// warnMemoryLimit logs a warning when the memory limit in force is below
// what detection is expected to need with the heap live at the last
// collection: there the collector runs without pause, the run slows down
// many times over and the limit is passed anyway.
func warnMemoryLimit(log zerolog.Logger, visits int) {
	limit := debug.SetMemoryLimit(-1)
	need, short := memoryShortfall(lastLiveHeap(), visits, limit)
	if short {
		log.Warn().Str("memory_limit", fmt.Sprintf("%.1f GiB", float64(limit)/(1<<30))).
			Str("expected_need", fmt.Sprintf("%.1f GiB", float64(need)/(1<<30))).Int("visits", visits).
			Msg("the memory limit is below what detection is expected to need: raise --memory-limit (a size, or a share of memory such as 85%), or the collector will run without pause")
	}
}
