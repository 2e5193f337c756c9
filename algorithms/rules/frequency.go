package rules

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// freqEntry is one person's densest window of outpatient visits with the
// person's peer-group keys, most specific first.
type freqEntry struct {
	keys   [3]uint64 // (category, age band, class), (category), everyone
	count  uint32
	person uint32
	start  int64 // Begin of the window's first visit
}

// peerStat is the robust location and spread of one peer group.
type peerStat struct {
	key       uint64
	median    float64
	mad       float64
	n         int
	level     int
	threshold float64
}

// runFrequentVisits (R-FREQ-VISIT) counts each person's live outpatient
// visits (med_type 11–19) in the densest rolling window of window_days and
// compares the count with the person's peers: people with the same main
// diagnosis category (the most frequent 3-character ICD-10 category of
// their visits), age band and class of their most visited institution. A
// count above median + mad_k × 1.4826 × MAD of the peer group (MAD at least
// 1) and at least min_visits is flagged. Peer groups smaller than min_peers
// fall back to the diagnosis category alone, then to everyone. One hit per
// person; the amount is the fund of the window's visits.
func runFrequentVisits(ctx context.Context, e *env, c *collector) error {
	r := c.rule
	window := int64(r.P("window_days")) * 86400
	entries, err := densestWindows(ctx, e, window, int(r.P("age_band_years")))
	if err != nil {
		return err
	}
	stats := frequencyPeers(entries, r.P("mad_k"), r.P("min_visits"))
	// The entries are in person order (densestWindows), the order of the
	// findings.
	minPeers := int(r.P("min_peers"))
	vt := &e.t.Visits
	var fd finding
	var win []uint32
	for _, en := range entries {
		if float64(en.count) < r.P("min_visits") {
			continue
		}
		var st *peerStat
		for level := 0; level < 3; level++ {
			if s := stats.find(level, en.keys[level]); s != nil && (s.n >= minPeers || level == 2) {
				st = s
				break
			}
		}
		if st == nil || float64(en.count) <= st.threshold {
			continue
		}
		win = win[:0]
		for _, v := range e.personVisits(en.person) {
			b := int64(vt.Begin.At(v))
			if b >= en.start && b-en.start < window && outpatientLive(e, v) {
				win = append(win, v)
			}
		}
		fd.reset()
		fd.persons = append(fd.persons, en.person)
		addVisits(e, &fd, win, c.maxRows)
		for _, v := range win {
			if d := vt.Doctor[v]; d != graph.None && len(fd.doctors) < c.maxRows {
				fd.doctors = append(fd.doctors, d)
			}
		}
		peers := [3]string{"diagnosis, age band and institution class", "diagnosis category", "all patients"}[st.level]
		peersZh := [3]string{"同诊断、同年龄段、同类机构", "同诊断类别", "全部参保人"}[st.level]
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("%d outpatient visits in %d days; peers by %s (%d people): median %.1f, MAD %.1f, threshold %.1f",
					en.count, window/86400, peers, st.n, st.median, st.mad, st.threshold),
				fmt.Sprintf("%d天内门诊%d次；%s人群（%d人）中位数%.1f，MAD %.1f，阈值%.1f",
					window/86400, en.count, peersZh, st.n, st.median, st.mad, st.threshold)
		})
	}
	return nil
}

// densestWindows returns, for every person with live outpatient visits,
// the count and start of the densest rolling window of window seconds,
// with the peer keys of the person at three levels: (main diagnosis
// category, age band of band years at the window's start, class of the
// most visited institution), the category alone, everyone.
func densestWindows(ctx context.Context, e *env, window int64, band int) ([]freqEntry, error) {
	vt, it := &e.t.Visits, &e.t.Institutions
	var entries []freqEntry
	var cats, ops []uint32
	for p := range e.persons() {
		if err := cancelled(ctx, int(p)); err != nil {
			return nil, err
		}
		var best int
		var bestStart int64
		var classes [4]int
		cats, ops = cats[:0], ops[:0]
		for _, v := range e.personVisits(uint32(p)) {
			if !outpatientLive(e, v) {
				continue
			}
			ops = append(ops, v)
			if i := vt.Institution[v]; int(i) < it.Len() {
				classes[it.Class[i]&3]++
			}
			cats = append(cats, e.dise.category(vt.Dise.At(v)))
		}
		for lo, hi := 0, 0; hi < len(ops); hi++ {
			for int64(vt.Begin.At(ops[hi])-vt.Begin.At(ops[lo])) >= window {
				lo++
			}
			if hi-lo+1 > best {
				best, bestStart = hi-lo+1, int64(vt.Begin.At(ops[lo]))
			}
		}
		if best == 0 {
			continue
		}
		class := 0
		for k := range classes {
			if classes[k] > classes[class] {
				class = k
			}
		}
		cat := modeOf(cats)
		ageBand := uint64(0xfff)
		if age, ok := e.ageAt(uint32(p), claims.Time(bestStart).Day()); ok {
			ageBand = uint64(min(age/band, 0xffe))
		}
		entries = append(entries, freqEntry{
			keys:  [3]uint64{uint64(cat)<<16 | ageBand<<4 | uint64(class), uint64(cat), 0},
			count: uint32(best), person: uint32(p), start: bestStart,
		})
	}
	return entries, ctx.Err()
}

// peerStats are the robust statistics of the peer groups at each of the
// three levels of freqEntry.keys, sorted by key.
type peerStats [3][]peerStat

// find returns the statistics of the group with key at level, or nil.
func (ps *peerStats) find(level int, key uint64) *peerStat {
	s := ps[level]
	i, ok := slices.BinarySearchFunc(s, key, func(p peerStat, k uint64) int { return cmp.Compare(p.key, k) })
	if !ok {
		return nil
	}
	return &s[i]
}

// frequencyPeers computes, per peer group at each level, the median and
// MAD of the window counts and the threshold median + madK × 1.4826 ×
// max(MAD, 1), at least minVisits. The statistics depend only on the
// counts of each group: a level's groups are numbered in order of first
// appearance, and (group, count) keys are radix sorted rather than the
// entries themselves, which are left in their order.
func frequencyPeers(entries []freqEntry, madK, minVisits float64) *peerStats {
	var stats peerStats
	var dev []float64
	dense := make(map[uint64]uint32)
	var keyOf []uint64 // group number → key
	packed := make([]uint64, len(entries))
	for level := 0; level < 3; level++ {
		clear(dense)
		keyOf = keyOf[:0]
		for i := range entries {
			k := entries[i].keys[level]
			d, ok := dense[k]
			if !ok {
				d = uint32(len(keyOf))
				dense[k] = d
				keyOf = append(keyOf, k)
			}
			packed[i] = uint64(d)<<32 | uint64(entries[i].count)
		}
		sorted := graph.SortKeys(packed)
		for i := 0; i < len(sorted); {
			j := i
			for j < len(sorted) && sorted[j]>>32 == sorted[i]>>32 {
				j++
			}
			grp := sorted[i:j]
			med := medianCounts(grp)
			dev = dev[:0]
			for _, x := range grp {
				dev = append(dev, math.Abs(float64(uint32(x))-med))
			}
			slices.Sort(dev)
			mad := dev[len(dev)/2]
			if len(dev)%2 == 0 {
				mad = (dev[len(dev)/2-1] + dev[len(dev)/2]) / 2
			}
			th := med + madK*1.4826*max(mad, 1)
			stats[level] = append(stats[level], peerStat{key: keyOf[sorted[i]>>32], median: med, mad: mad, n: len(grp), level: level,
				threshold: max(th, minVisits)})
			i = j
		}
		slices.SortFunc(stats[level], func(a, b peerStat) int { return cmp.Compare(a.key, b.key) })
		packed = sorted
	}
	return &stats
}

// outpatientLive reports whether v is a live outpatient visit.
func outpatientLive(e *env, v uint32) bool {
	return e.is(v, vLive|vOutpatient)
}

// medianCounts returns the median count of a group of (group, count)
// keys sorted by count.
func medianCounts(g []uint64) float64 {
	m := len(g) / 2
	if len(g)%2 == 1 {
		return float64(uint32(g[m]))
	}
	return (float64(uint32(g[m-1])) + float64(uint32(g[m]))) / 2
}

// modeOf returns the most frequent value of s (the smallest on ties),
// sorting s in place; noCat for an empty slice.
func modeOf(s []uint32) uint32 {
	if len(s) == 0 {
		return noCat
	}
	slices.Sort(s)
	best, bestN := s[0], 0
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > bestN {
			best, bestN = s[i], j-i
		}
		i = j
	}
	return best
}
