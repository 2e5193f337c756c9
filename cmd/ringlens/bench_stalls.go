package main

import (
	"cmp"
	"slices"
	"time"
)

// slowAnswer is a check answered in the slow threshold or more: when it
// was due (its scheduled time with --rate, else its send) and how long it
// took from then.
type slowAnswer struct {
	at      time.Time
	latency time.Duration
}

// stall is a stretch of time in which checks were answered slowly: from
// the first slow check's due time to the last slow answer, and how many
// checks were slow in it.
type stall struct {
	Start  time.Time `json:"start"`
	Ms     float64   `json:"ms"`
	Checks int       `json:"checks"`
}

// stallGap joins slow answers into one stall when the next falls due
// within this of the previous stall's end.
const stallGap = 50 * time.Millisecond

// stallsOf groups slow answers into stalls, longest first, at most most
// of them (the rest are counted by the caller from the total).
func stallsOf(slow []slowAnswer, most int) (top []stall, total int) {
	slices.SortFunc(slow, func(a, b slowAnswer) int { return a.at.Compare(b.at) })
	var all []stall
	var end time.Time
	for _, s := range slow {
		done := s.at.Add(s.latency)
		if n := len(all); n > 0 && !s.at.After(end.Add(stallGap)) {
			all[n-1].Checks++
			if done.After(end) {
				end = done
			}
			all[n-1].Ms = float64(end.Sub(all[n-1].Start).Microseconds()) / 1000
			continue
		}
		all = append(all, stall{Start: s.at, Ms: float64(s.latency.Microseconds()) / 1000, Checks: 1})
		end = done
	}
	slices.SortStableFunc(all, func(a, b stall) int { return cmp.Compare(b.Ms, a.Ms) })
	return all[:min(len(all), most)], len(all)
}
