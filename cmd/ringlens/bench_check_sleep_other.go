//go:build !linux

package main

import "time"

// sleepUntil sleeps until t (with the runtime's timers: elsewhere than on
// Linux the load generator's sends may be late by their resolution).
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }
