package rings

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestMemoryRoom checks memoryRoom against limits far above and below the
// test's heap, and with none.
func TestMemoryRoom(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	debug.SetMemoryLimit(math.MaxInt64)
	if !memoryRoom(1 << 50) {
		t.Error("no room without a limit")
	}
	debug.SetMemoryLimit(1 << 40)
	if !memoryRoom(1 << 30) {
		t.Error("no room for 1 GiB under a 1 TiB limit")
	}
	if memoryRoom(1 << 40) {
		t.Error("room for the whole limit beside the live heap")
	}
}
