//go:build !linux

package server

import (
	"errors"
	"runtime"
)

// lowerThreadPriority locks the calling goroutine to its thread like the
// Linux version but leaves its priority: only Linux gives each thread a
// nice value of its own.
func lowerThreadPriority(nice int) error {
	runtime.LockOSThread()
	return errors.New("thread priorities are not supported on this system")
}
