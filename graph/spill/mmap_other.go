//go:build !unix

package spill

import (
	"errors"
	"os"
)

// Supported reports whether Move moves slices out of the heap on this
// system: not on this one, where Move returns its slices as they are.
const Supported = false

// mapRegion is never called where Supported is false.
func mapRegion(*os.File, int64, int) ([]byte, error) {
	return nil, errors.New("spill: memory mapping not supported on this system")
}

// unmapRegion is never called where Supported is false.
func unmapRegion([]byte) error { return nil }
