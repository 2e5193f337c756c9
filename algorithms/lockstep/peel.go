package lockstep

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ringlens/ringlens/graph"
)

// maxWorkers is the most goroutines peelHubs uses.
const maxWorkers = 2

// peelHubs peels every hub of inc and returns the blocks found, unsorted
// but in a deterministic order (by hub).
func peelHubs(ctx context.Context, g *graph.Graph, inc *incidence, opt *Options) ([]Block, error) {
	nh := len(inc.hubs)
	stage := "lockstep " + inc.kind.String() + " peel"
	opt.progress(stage, 0, nh)
	weights := columnWeights(inc, opt.Discount)
	results := make([][]Block, nh)
	var next, done atomic.Int64
	var stop atomic.Bool
	work := func(report bool) {
		p := newPeeler(g, inc, weights, opt)
		for !stop.Load() {
			h := int(next.Add(1) - 1)
			if h >= nh {
				return
			}
			if ctx.Err() != nil {
				stop.Store(true)
				return
			}
			results[h] = p.hub(ctx, h)
			d := done.Add(1)
			if report && d&0xff == 0 {
				opt.progress(stage, int(d), nh)
			}
		}
	}
	workers := opt.workers(maxWorkers)
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(func() { work(false) })
	}
	work(true)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("lockstep: peeling %s hubs: %w", inc.kind, err)
	}
	opt.progress(stage, nh, nh)
	var out []Block
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

// columnWeights returns the FraudAR weight 1/log(deg + discount) of every
// column, deg being its number of distinct patients.
func columnWeights(inc *incidence, discount float64) []float64 {
	w := make([]float64, inc.numCols())
	for c := range w {
		deg := inc.colEdge[c+1] - inc.colEdge[c]
		w[c] = 1 / math.Log(float64(deg)+discount)
	}
	return w
}

// peeler holds the scratch state of one worker. Local rows are the hub's
// patients, local columns its columns of two or more patients; local node
// ids are rows [0, R) then columns [R, R+C).
type peeler struct {
	g   *graph.Graph
	inc *incidence
	w   []float64
	opt *Options

	patLocal []int32  // Persons row -> local row, -1 when unassigned
	rowPat   []uint32 // local row -> Persons row
	colGlob  []uint32 // local column -> column id

	eRow, eCol []int32 // local endpoints of each local edge
	eGlob      []uint32
	eW         []float64
	alive      []bool

	adjOff []int32 // node -> its edges, CSR over all local edges
	adj    []int32

	deg     []int32 // alive degree per node during pruning
	wdeg    []float64
	removed []bool
	heap    []int32
	pos     []int32
	order   []int32
	stack   []int32
	slots   []uint32
	// edgeVisits is the visits of one edge (incidence.visitsOf).
	edgeVisits []uint32
}

// newPeeler allocates a worker's scratch state.
func newPeeler(g *graph.Graph, inc *incidence, w []float64, opt *Options) *peeler {
	p := &peeler{g: g, inc: inc, w: w, opt: opt}
	p.patLocal = make([]int32, g.NumKind(graph.KindPatient))
	for i := range p.patLocal {
		p.patLocal[i] = -1
	}
	return p
}

// hub peels hub h and returns its blocks; it stops early, with the blocks
// found so far, when ctx is done.
func (p *peeler) hub(ctx context.Context, h int) []Block {
	inc, opt := p.inc, p.opt
	cols := inc.hubCols[inc.hubCol[h]:inc.hubCol[h+1]]
	shared := 0
	for _, c := range cols {
		if inc.colEdge[c+1]-inc.colEdge[c] >= 2 {
			shared++
		}
	}
	if shared < opt.MinColumns {
		return nil
	}
	defer p.reset()
	// Local rows for every patient of the hub (the baseline counts them
	// all); local edges only in shared columns.
	p.eRow, p.eCol, p.eGlob, p.eW = p.eRow[:0], p.eCol[:0], p.eGlob[:0], p.eW[:0]
	p.colGlob = p.colGlob[:0]
	mass := 0.0
	for _, c := range cols {
		a, b := inc.colEdge[c], inc.colEdge[c+1]
		mass += float64(b-a) * p.w[c]
		lc := int32(-1)
		if b-a >= 2 {
			lc = int32(len(p.colGlob))
			p.colGlob = append(p.colGlob, c)
		}
		for e := a; e < b; e++ {
			pat := inc.edgePat[e]
			r := p.patLocal[pat]
			if r < 0 {
				r = int32(len(p.rowPat))
				p.patLocal[pat] = r
				p.rowPat = append(p.rowPat, pat)
			}
			if lc >= 0 {
				p.eRow = append(p.eRow, r)
				p.eCol = append(p.eCol, lc)
				p.eGlob = append(p.eGlob, e)
				p.eW = append(p.eW, p.w[c])
			}
		}
	}
	baseline := mass / float64(len(p.rowPat)+len(cols))
	if len(p.rowPat) < opt.MinPatients {
		return nil
	}
	p.buildAdjacency()
	var blocks []Block
	for len(blocks) < opt.MaxBlocksPerHub && ctx.Err() == nil {
		if !p.prune() {
			break
		}
		keep, density, ok := p.peel()
		if !ok || density < opt.MinLift*baseline {
			break
		}
		blocks = append(blocks, p.takeBlock(h, keep, density, baseline))
	}
	return blocks
}

// reset clears the patient mapping of the last hub.
func (p *peeler) reset() {
	for _, pat := range p.rowPat {
		p.patLocal[pat] = -1
	}
	p.rowPat = p.rowPat[:0]
}

// nodes returns the number of local nodes.
func (p *peeler) nodes() int { return len(p.rowPat) + len(p.colGlob) }

// colNode returns the node id of local column c.
func (p *peeler) colNode(c int32) int32 { return int32(len(p.rowPat)) + c }

// buildAdjacency builds the node -> edges CSR and marks every edge alive.
func (p *peeler) buildAdjacency() {
	n := p.nodes()
	p.adjOff = resize(p.adjOff, n+1)
	clear(p.adjOff)
	for e := range p.eRow {
		p.adjOff[p.eRow[e]+1]++
		p.adjOff[p.colNode(p.eCol[e])+1]++
	}
	for i := 0; i < n; i++ {
		p.adjOff[i+1] += p.adjOff[i]
	}
	p.adj = resize(p.adj, 2*len(p.eRow))
	fill := resize(p.stack, n)
	copy(fill, p.adjOff[:n])
	for e := range p.eRow {
		r, c := p.eRow[e], p.colNode(p.eCol[e])
		p.adj[fill[r]] = int32(e)
		fill[r]++
		p.adj[fill[c]] = int32(e)
		fill[c]++
	}
	p.stack = fill[:0]
	p.alive = resize(p.alive, len(p.eRow))
	for e := range p.alive {
		p.alive[e] = true
	}
}

// other returns the endpoint of edge e that is not node u.
func (p *peeler) other(e, u int32) int32 {
	if r := p.eRow[e]; r != u {
		return r
	}
	return p.colNode(p.eCol[e])
}

// prune kills, to a fixed point, the alive edges of rows and columns with
// fewer than two alive edges, and reports whether enough rows and columns
// remain for a block.
func (p *peeler) prune() bool {
	n := p.nodes()
	p.deg = resize(p.deg, n)
	clear(p.deg)
	for e, ok := range p.alive {
		if ok {
			p.deg[p.eRow[e]]++
			p.deg[p.colNode(p.eCol[e])]++
		}
	}
	p.stack = p.stack[:0]
	for u := 0; u < n; u++ {
		if p.deg[u] == 1 {
			p.stack = append(p.stack, int32(u))
		}
	}
	for len(p.stack) > 0 {
		u := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		for _, e := range p.adj[p.adjOff[u]:p.adjOff[u+1]] {
			if !p.alive[e] {
				continue
			}
			p.alive[e] = false
			p.deg[u]--
			x := p.other(e, u)
			p.deg[x]--
			if p.deg[x] == 1 {
				p.stack = append(p.stack, x)
			}
		}
	}
	rows, cols := 0, 0
	for u := 0; u < n; u++ {
		if p.deg[u] > 0 {
			if u < len(p.rowPat) {
				rows++
			} else {
				cols++
			}
		}
	}
	return rows >= p.opt.MinPatients && cols >= p.opt.MinColumns
}

// peel runs FraudAR's greedy peeling over the alive edges: it removes, one
// at a time, the node of least weighted degree and keeps the prefix of
// greatest density among those with at least MinPatients rows, MinColumns
// columns and a fill of at least MinFill. keep[u] reports whether node u is in the best prefix.
func (p *peeler) peel() (keep []bool, density float64, ok bool) {
	n := p.nodes()
	nr := len(p.rowPat)
	p.wdeg = resize(p.wdeg, n)
	clear(p.wdeg)
	p.removed = resize(p.removed, n)
	mass, edges := 0.0, 0
	for e, al := range p.alive {
		if al {
			p.wdeg[p.eRow[e]] += p.eW[e]
			p.wdeg[p.colNode(p.eCol[e])] += p.eW[e]
			mass += p.eW[e]
			edges++
		}
	}
	p.heap = p.heap[:0]
	p.pos = resize(p.pos, n)
	rows, cols := 0, 0
	for u := 0; u < n; u++ {
		p.pos[u] = -1
		p.removed[u] = p.deg[u] == 0
		if p.deg[u] > 0 {
			p.pos[u] = int32(len(p.heap))
			p.heap = append(p.heap, int32(u))
			if u < nr {
				rows++
			} else {
				cols++
			}
		}
	}
	for i := len(p.heap)/2 - 1; i >= 0; i-- {
		p.down(i)
	}
	p.order = p.order[:0]
	best, bestStep := -1.0, -1
	minR, minC := p.opt.MinPatients, p.opt.MinColumns
	for rows >= minR && cols >= minC {
		d := mass / float64(rows+cols)
		if d > best && float64(edges) >= p.opt.MinFill*float64(rows)*float64(cols) {
			best, bestStep = d, len(p.order)
		}
		u := p.pop()
		p.removed[u] = true
		p.order = append(p.order, u)
		if int(u) < nr {
			rows--
		} else {
			cols--
		}
		for _, e := range p.adj[p.adjOff[u]:p.adjOff[u+1]] {
			if !p.alive[e] {
				continue
			}
			x := p.other(e, u)
			if p.removed[x] {
				continue
			}
			mass -= p.eW[e]
			edges--
			p.wdeg[x] -= p.eW[e]
			p.up(int(p.pos[x]))
		}
	}
	if bestStep < 0 {
		return nil, 0, false
	}
	// The best prefix is every present node except the first bestStep
	// removed.
	keep = p.removed // reuse: keep[u] = present at the start and not removed before bestStep
	for u := 0; u < n; u++ {
		keep[u] = p.deg[u] > 0
	}
	for _, u := range p.order[:bestStep] {
		keep[u] = false
	}
	return keep, best, true
}

// less orders heap entries by weighted degree, then node id.
func (p *peeler) less(a, b int32) bool {
	if p.wdeg[a] != p.wdeg[b] {
		return p.wdeg[a] < p.wdeg[b]
	}
	return a < b
}

// up restores the heap above index i.
func (p *peeler) up(i int) {
	for i > 0 {
		j := (i - 1) / 2
		if !p.less(p.heap[i], p.heap[j]) {
			break
		}
		p.swap(i, j)
		i = j
	}
}

// down restores the heap below index i.
func (p *peeler) down(i int) {
	n := len(p.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && p.less(p.heap[r], p.heap[l]) {
			j = r
		}
		if !p.less(p.heap[j], p.heap[i]) {
			return
		}
		p.swap(i, j)
		i = j
	}
}

// swap exchanges heap entries i and j.
func (p *peeler) swap(i, j int) {
	p.heap[i], p.heap[j] = p.heap[j], p.heap[i]
	p.pos[p.heap[i]] = int32(i)
	p.pos[p.heap[j]] = int32(j)
}

// pop removes and returns the heap minimum.
func (p *peeler) pop() int32 {
	u := p.heap[0]
	last := len(p.heap) - 1
	p.swap(0, last)
	p.heap = p.heap[:last]
	p.pos[u] = -1
	p.down(0)
	return u
}

// takeBlock turns the kept nodes into a Block and kills its edges.
func (p *peeler) takeBlock(h int, keep []bool, density, baseline float64) Block {
	nr := len(p.rowPat)
	b := Block{Kind: p.inc.kind, Hubs: []graph.NodeID{p.inc.hubs[h]}, Density: density, Baseline: baseline}
	for u := 0; u < nr; u++ {
		if keep[u] {
			b.Patients = append(b.Patients, p.g.PatientNode(p.rowPat[u]))
		}
	}
	peak := 0
	vt := &p.g.Tables().Visits
	for c := range p.colGlob {
		u := p.colNode(int32(c))
		if !keep[u] {
			continue
		}
		b.Columns++
		p.slots = p.slots[:0]
		for _, e := range p.adj[p.adjOff[u]:p.adjOff[u+1]] {
			if !p.alive[e] || !keep[p.eRow[e]] {
				continue
			}
			p.alive[e] = false
			b.Edges++
			g := p.eGlob[e]
			p.edgeVisits = p.inc.visitsOf(g, p.edgeVisits[:0])
			for _, v := range p.edgeVisits {
				b.Visits = append(b.Visits, v)
				p.slots = append(p.slots, slotOf(vt, v, p.inc.shifted, p.opt))
			}
		}
		peak += maxRun(p.slots)
	}
	if len(b.Visits) > 0 {
		b.SlotShare = float64(peak) / float64(len(b.Visits))
	}
	slices.Sort(b.Patients)
	slices.Sort(b.Visits)
	return b
}

// resize returns s with length n, reallocating when its capacity is short.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// maxRun sorts s and returns the length of its longest run of equal values.
func maxRun(s []uint32) int {
	slices.Sort(s)
	best, run := 0, 0
	for i, x := range s {
		if i > 0 && x == s[i-1] {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
	}
	return best
}
