//go:build unix

package spill

import (
	"os"
	"syscall"
)

// Supported reports whether Move moves slices out of the heap on this
// system.
const Supported = true

// mapRegion maps n bytes of f at offset at, read-only and shared, so that
// the pages are the file's own (clean, dropped under memory pressure).
func mapRegion(f *os.File, at int64, n int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), at, n, syscall.PROT_READ, syscall.MAP_SHARED)
}

// unmapRegion unmaps a region mapRegion mapped.
func unmapRegion(m []byte) error { return syscall.Munmap(m) }
