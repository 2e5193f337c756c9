package rings

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
)

const (
	// peerModelBytes is what fitting one peer model holds per visit beyond
	// the graph (peerModel.fit): scenario and class (1 each), a packed key
	// (8) and a z-score (4).
	peerModelBytes = 14
	// lockstepEarlyBytes is what starting the lockstep peeling before the
	// peer models, rather than once the relation records are gathered,
	// adds per visit at detection's peak: its incidence beside the
	// records (15 bytes measured at 10M, docs/scale.md).
	lockstepEarlyBytes = 20
	// memoryRoomPercent is the share of the Go memory limit that work run
	// side by side for speed may fill (memoryRoom); the rest is left to the
	// collector, which near the limit collects without pause.
	memoryRoomPercent = 90
)

// DetectionBytesPerVisit is what detection is expected to hold at its peak
// per visit beyond the tables and the graph on the heap: 42–51 bytes at 10M
// and 100M visits (docs/scale.md, the memory model), with room.
const DetectionBytesPerVisit = 60

// memoryRoom reports whether extra bytes fit under the Go memory limit
// (debug.SetMemoryLimit, GOMEMLIMIT) beside the heap live at the last
// collection, within memoryRoomPercent of the limit; with no limit there
// is always room. Detection asks before it runs two memory-hungry steps
// side by side rather than one after the other: the answer changes the
// time and the peak memory, never the findings.
func memoryRoom(extra int64) bool {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		return true
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	live := int64(0)
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = int64(s[0].Value.Uint64())
	}
	return live+extra <= limit/100*memoryRoomPercent
}
