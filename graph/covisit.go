package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
)

// CoVisitBy chooses the hub at which patients co-visit.
type CoVisitBy uint8

// Co-visit hubs.
const (
	// ByInstitution: the same medical institution or pharmacy.
	ByInstitution CoVisitBy = iota
	// ByDoctor: the same attending or billing doctor.
	ByDoctor
)

// DefaultMaxGroup is the MaxGroup used when CoVisitOptions.MaxGroup <= 0.
const DefaultMaxGroup = 50

// CoVisitOptions configures Graph.CoVisits.
type CoVisitOptions struct {
	By CoVisitBy
	// Window: two visits of different patients at the same hub whose begin
	// times are at most Window apart are a co-visit (0: the same second).
	Window time.Duration
	// Since (inclusive) and Until (exclusive) restrict the visits by begin
	// time; zero means unbounded.
	Since, Until claims.Time
	// MaxGroup caps the local group size: a co-visit whose group holds more
	// than MaxGroup distinct patients contributes nothing, so that busy
	// hospitals and placeholder doctor codes do not explode quadratically.
	// Values <= 0 mean DefaultMaxGroup; values above 2^(64-2·b)-1, with b
	// the bit length of the number of patients (65535 for fewer than 2^24
	// patients), are capped there.
	MaxGroup int
	// MinWeight drops pairs whose summed weight is below it.
	MinWeight float64
}

// Projection is a weighted patient–patient graph: W's node i is the patient
// Nodes[i]. Nodes is sorted by NodeID.
type Projection struct {
	W     *Weighted
	Nodes []NodeID
}

// Local returns the index in the projection of patient n.
func (p *Projection) Local(n NodeID) (int, bool) { return slices.BinarySearch(p.Nodes, n) }

// pairRec is one weighted patient pair, keyed lo<<32 | hi.
type pairRec = weightedRec

// pairCode packs a co-visit contribution in a uint64: the patient pair
// (a < b) above the group size k, so that contributions sort as plain
// integers and the weight 1/(k-1) is computed when they are summed.
type pairCode struct{ pBits, kBits uint }

// newPairCode sizes the fields for patients below np; kBits takes the bits
// left, which bounds the usable MaxGroup (see CoVisitOptions).
func newPairCode(np uint32) pairCode {
	pBits := uint(max(bits.Len32(np), 1))
	return pairCode{pBits: pBits, kBits: 64 - 2*pBits}
}

func (c pairCode) encode(a, b uint32, k int32) uint64 {
	return (uint64(a)<<c.pBits|uint64(b))<<c.kBits | uint64(k)
}

// maxK is the largest group size the code can hold.
func (c pairCode) maxK() int { return int(min(uint64(1)<<c.kBits-1, 1<<30)) }

// CoVisits projects the graph onto patients: patients p and q are joined
// when they have co-visits at the same hub (institution or pharmacy, or
// doctor, per opt.By). Reversed visits are ignored.
//
// Weighting follows Newman's collaboration weighting. Each visit i has a
// local group size k_i, the number of distinct patients with a visit at the
// hub within ±Window of it. Visit i credits every other patient q whose
// first visit j after i (in (Begin, row) order) lies within Window with
// 1/(max(k_i, k_j) - 1); the pair is skipped when max(k_i, k_j) > MaxGroup.
// For an isolated group of k patients with one visit each this adds exactly
// 1/(k-1) to each of its pairs; pairs that keep co-visiting accumulate. The
// result is deterministic: contributions are generated in hub order,
// sorted stably by pair (as packed integers) and summed in that order.
func (g *Graph) CoVisits(ctx context.Context, opt CoVisitOptions) (*Projection, error) {
	if opt.Window < 0 {
		return nil, fmt.Errorf("graph: co-visits: negative window %v", opt.Window)
	}
	if opt.MaxGroup <= 0 {
		opt.MaxGroup = DefaultMaxGroup
	}
	lo, hi := g.medBase, g.numNodes // institutions and pharmacies
	if opt.By == ByDoctor {
		lo, hi = g.docBase, g.medBase
	} else if opt.By != ByInstitution {
		return nil, fmt.Errorf("graph: co-visits: unknown hub kind %d", opt.By)
	}
	// Split the hubs in two halves of about equal visit counts.
	mid := lo
	if hi > lo {
		total := g.nodeVisOff[hi] - g.nodeVisOff[lo]
		for mid < hi && g.nodeVisOff[mid]-g.nodeVisOff[lo] < total/2 {
			mid++
		}
	}
	code := newPairCode(g.docBase)
	opt.MaxGroup = min(opt.MaxGroup, code.maxK())
	ranges := [2][2]uint32{{lo, mid}, {mid, hi}}
	var outs [2][][]uint64
	var errs [2]error
	var wg sync.WaitGroup
	for w := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cw := newCoVisitWorker(g, &opt, code)
			outs[w], errs[w] = cw.run(ctx, ranges[w][0], ranges[w][1])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[0], errs[1]); err != nil {
		return nil, fmt.Errorf("graph: co-visits: %w", err)
	}
	n := 0
	for _, blocks := range outs {
		for _, b := range blocks {
			n += len(b)
		}
	}
	codes := make([]uint64, 0, n)
	for _, blocks := range outs {
		for _, b := range blocks {
			codes = append(codes, b...)
		}
	}
	outs = [2][][]uint64{}
	codes = radixSortU64(codes, make([]uint64, n), code.kBits, nil)
	return g.projection(codes, code, opt.MinWeight), nil
}

// projection sums the sorted contributions per pair, drops pairs below
// minWeight and maps patients to local indexes.
func (g *Graph) projection(codes []uint64, code pairCode, minWeight float64) *Projection {
	pairs := 0
	for i := range codes {
		if i == 0 || codes[i]>>code.kBits != codes[i-1]>>code.kBits {
			pairs++
		}
	}
	recs := make([]pairRec, 0, pairs)
	pMask, kMask := uint64(1)<<code.pBits-1, uint64(1)<<code.kBits-1
	for i := 0; i < len(codes); {
		pair, w := codes[i]>>code.kBits, 0.0
		for ; i < len(codes) && codes[i]>>code.kBits == pair; i++ {
			w += 1 / float64(codes[i]&kMask-1)
		}
		if w >= minWeight && w > 0 {
			recs = append(recs, pairRec{key: pack(uint32(pair>>code.pBits), uint32(pair&pMask)), w: w})
		}
	}
	local := make([]int32, g.docBase)
	for i := range local {
		local[i] = -1
	}
	for _, r := range recs {
		local[r.key>>32] = 0
		local[uint32(r.key)] = 0
	}
	var nodes []NodeID
	for p, l := range local {
		if l == 0 {
			local[p] = int32(len(nodes))
			nodes = append(nodes, NodeID(p))
		}
	}
	for i, r := range recs { // monotone remapping keeps the order
		recs[i].key = uint64(local[r.key>>32])<<32 | uint64(local[uint32(r.key)])
	}
	return &Projection{W: weightedFromSorted(len(nodes), recs), Nodes: nodes}
}

// coVisitWorker holds the scratch state of one co-visit worker.
type coVisitWorker struct {
	g      *Graph
	opt    *CoVisitOptions
	window claims.Time
	cnt    []uint32 // visits per patient in the sliding window
	stamp  []uint32 // last anchor that credited the patient, plus one
	anchor uint32
	times  []claims.Time
	pats   []uint32
	ks     []int32
	code   pairCode
	out    [][]uint64 // blocks of coVisitBlock codes, so growth copies nothing
}

// coVisitBlock is the size of the output blocks of a co-visit worker.
const coVisitBlock = 1 << 16

func newCoVisitWorker(g *Graph, opt *CoVisitOptions, code pairCode) *coVisitWorker {
	return &coVisitWorker{g: g, opt: opt, window: claims.Time(opt.Window / time.Second), code: code,
		cnt: make([]uint32, g.docBase), stamp: make([]uint32, g.docBase)}
}

// run processes hubs [lo, hi).
func (w *coVisitWorker) run(ctx context.Context, lo, hi uint32) ([][]uint64, error) {
	for h := lo; h < hi; h++ {
		if (h-lo)%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		w.hub(NodeID(h))
	}
	return w.out, nil
}

// hub appends the contributions of one hub.
func (w *coVisitWorker) hub(h NodeID) {
	vt := &w.g.t.Visits
	w.times, w.pats = w.times[:0], w.pats[:0]
	for _, v := range w.g.VisitsOf(h) {
		b := vt.Begin.At(v)
		if vt.Flags[v]&VisitReversed != 0 || (w.opt.Since != 0 && b < w.opt.Since) || (w.opt.Until != 0 && b >= w.opt.Until) {
			continue
		}
		w.times = append(w.times, b)
		w.pats = append(w.pats, vt.Person[v])
	}
	n := len(w.times)
	if n < 2 {
		return
	}
	// Local group sizes: distinct patients within ±window of each visit.
	w.ks = slices.Grow(w.ks[:0], n)[:n]
	distinct, lo, hi := int32(0), 0, 0
	for i := 0; i < n; i++ {
		end, start := addSat(w.times[i], w.window), addSat(w.times[i], -w.window)
		for hi < n && w.times[hi] <= end {
			if w.cnt[w.pats[hi]] == 0 {
				distinct++
			}
			w.cnt[w.pats[hi]]++
			hi++
		}
		for lo < i && w.times[lo] < start {
			w.cnt[w.pats[lo]]--
			if w.cnt[w.pats[lo]] == 0 {
				distinct--
			}
			lo++
		}
		w.ks[i] = distinct
	}
	for ; lo < hi; lo++ {
		w.cnt[w.pats[lo]]--
	}
	maxGroup := int32(min(w.opt.MaxGroup, 1<<30))
	for i := 0; i < n; i++ {
		if w.ks[i] < 2 || w.ks[i] > maxGroup {
			continue
		}
		w.anchor++
		if w.anchor == 0 { // wrapped: clear the stamps
			clear(w.stamp)
			w.anchor = 1
		}
		p, end := w.pats[i], addSat(w.times[i], w.window)
		for j := i + 1; j < n && w.times[j] <= end; j++ {
			q := w.pats[j]
			if q == p || w.stamp[q] == w.anchor {
				continue
			}
			w.stamp[q] = w.anchor
			k := max(w.ks[i], w.ks[j])
			if k > maxGroup {
				continue
			}
			a, b := min(p, q), max(p, q)
			w.emit(w.code.encode(a, b, k))
		}
	}
}

// emit appends a contribution to the current output block.
func (w *coVisitWorker) emit(x uint64) {
	if len(w.out) == 0 || len(w.out[len(w.out)-1]) == coVisitBlock {
		w.out = append(w.out, make([]uint64, 0, coVisitBlock))
	}
	last := &w.out[len(w.out)-1]
	*last = append(*last, x)
}

// addSat returns t+d, saturating instead of overflowing.
func addSat(t, d claims.Time) claims.Time {
	s := t + d
	if d > 0 && s < t {
		return claims.Time(math.MaxInt64)
	}
	if d < 0 && s > t {
		return claims.Time(math.MinInt64)
	}
	return s
}
