package server

import (
	"fmt"
	"runtime"
	"syscall"
)

// lowerThreadPriority locks the calling goroutine to its OS thread for
// good and raises that thread's nice value by nice (Linux schedules each
// thread apart, so the rest of the process keeps its priority). On a
// machine whose cores are all busy the kernel then runs the threads
// answering checks before the one scoring updates, instead of sharing a
// core between them. An unprivileged thread cannot take its priority back,
// so the thread never returns to the runtime's pool: call this only on a
// goroutine of its own, which ends when its work is done (the thread ends
// with it).
func lowerThreadPriority(nice int) error {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	// The raw system call returns 20 − nice (Linux keeps it positive).
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return fmt.Errorf("reading the thread's priority: %w", err)
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(20-raw+nice, 19)); err != nil {
		return fmt.Errorf("lowering the thread's priority: %w", err)
	}
	return nil
}
