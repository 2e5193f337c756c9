package community

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"
)

// Quality selects the quality function that Leiden maximises.
type Quality int

const (
	// QualityModularity is modularity at resolution γ, as computed by
	// Modularity. Node weights are the node strengths.
	QualityModularity Quality = iota
	// QualityCPM is the Constant Potts Model at resolution γ with the
	// node weights of Options.NodeWeights, as computed by CPM.
	QualityCPM
)

// String returns "modularity", "CPM" or "Quality(n)".
func (q Quality) String() string {
	switch q {
	case QualityModularity:
		return "modularity"
	case QualityCPM:
		return "CPM"
	}
	return fmt.Sprintf("Quality(%d)", int(q))
}

// DefaultRandomness is the randomness θ of the refinement phase used when
// Options.Randomness is zero, as in the reference implementations.
const DefaultRandomness = 0.01

// maxAutoIterations bounds the iterations when Options.MaxIterations is
// zero. Every iteration that changes the partition strictly improves the
// quality, so the bound is only reached if rounding makes moves cycle.
const maxAutoIterations = 1000

// Options configures Leiden. The zero value maximises modularity at
// resolution 1 with seed 0, iterating until the partition is stable.
type Options struct {
	// Quality is the quality function to maximise.
	Quality Quality
	// Resolution is the resolution γ of the quality function; it must be
	// finite and non-negative. For QualityModularity zero means 1. For
	// QualityCPM zero is a valid resolution (the communities are then the
	// connected components), and γ is in units of edge weight per unit
	// of node-weight product: a community is only worth forming if its
	// internal edge density exceeds γ.
	Resolution float64
	// Seed seeds the random number generator. Leiden's result is a
	// deterministic function of the graph, the options and the seed.
	Seed int64
	// MaxIterations bounds the number of Leiden iterations (each a
	// sequence of local moving, refinement and aggregation down to a
	// graph in which no node moves). Zero iterates until an iteration
	// moves no node (with an internal safety bound of 1000 iterations).
	// It must not be negative.
	//
	// Each iteration costs about as much as the first, and iterating to
	// convergence can take many: on com-DBLP (317,080 nodes) one
	// iteration reaches modularity 0.820, two 0.831 and convergence, after
	// about 70, 0.839. igraph 0.10's community_leiden stops after one
	// iteration even when asked to iterate until stable.
	MaxIterations int
	// Randomness is the randomness θ of the refinement phase: a node is
	// merged into a sub-community with probability proportional to
	// exp(ΔH/θ) over the non-decreasing merges. Zero means
	// DefaultRandomness; it must be finite and non-negative.
	Randomness float64
	// NodeWeights are the node weights n_i of CPM; nil gives every node
	// weight 1. If not nil its length must be the number of nodes and
	// its values finite and non-negative. It must be nil for modularity,
	// whose node weights are the strengths.
	NodeWeights []float64
	// Workers is the number of goroutines Leiden runs on (at most
	// GOMAXPROCS are started). Zero or one runs the sequential
	// algorithm. More than one runs the parallel variant described in
	// the package documentation, whose result is a deterministic
	// function of the graph, the options and the seed, the same for
	// every Workers > 1, but not the sequential result. It must not be
	// negative.
	Workers int
	// Phase, if not nil, is called on the calling goroutine after each
	// phase of the run with its timing (see PhaseTiming), for profiling;
	// nil costs nothing.
	Phase func(PhaseTiming)
}

// PhaseTiming is the wall time of one phase of a Leiden run, as reported to
// Options.Phase.
type PhaseTiming struct {
	// Name is the phase: "validate" (the CSR's checks and the
	// strengths), "setup" (the scratch of the run), "move" (local
	// moving), "refine", "aggregate", "connect" (the final connectivity
	// and numbering) or "quality".
	Name string
	// Iteration (from 1) and Level (0 for the input graph) place the
	// phases of an iteration; both are 0 for the others.
	Iteration, Level int
	// Nodes is the number of nodes of the graph the phase ran on.
	Nodes int
	// Duration is the phase's wall time.
	Duration time.Duration
}

// phaseClock reports the phases of a run to Options.Phase.
type phaseClock struct {
	report func(PhaseTiming)
	last   time.Time
}

// newPhaseClock starts the clock of a run reporting to report (nil: a
// clock that does nothing).
func newPhaseClock(report func(PhaseTiming)) phaseClock {
	if report == nil {
		return phaseClock{}
	}
	return phaseClock{report: report, last: time.Now()}
}

// done reports the phase that ends now; a nil clock does nothing.
func (c *phaseClock) done(name string, iteration, level, nodes int) {
	if c == nil || c.report == nil {
		return
	}
	now := time.Now()
	c.report(PhaseTiming{Name: name, Iteration: iteration, Level: level, Nodes: nodes, Duration: now.Sub(c.last)})
	c.last = now
}

// Partition is a partition of the nodes of a graph into communities.
type Partition struct {
	// Membership holds the community of each node. Communities are
	// numbered 0..Communities-1 in the order of their smallest node:
	// node 0 is in community 0, the smallest node not in community 0 is
	// in community 1, and so on.
	Membership []int32
	// Communities is the number of communities.
	Communities int
	// Quality is the value of the quality function for Membership:
	// Modularity(g, Membership, γ) or CPM(g, Membership, γ, NodeWeights).
	// The modularity of a graph without edge weight is NaN.
	Quality float64
	// Iterations is the number of Leiden iterations performed; with
	// Options.MaxIterations zero it includes the last one, which moved no
	// node.
	Iterations int
}

// Leiden partitions g into communities with the Leiden algorithm of
// Traag, Waltman & van Eck (2019), "From Louvain to Leiden: guaranteeing
// well-connected communities", Sci. Rep. 9, 5233, maximising the quality
// function selected by opt.
//
// Each iteration moves nodes between communities with the fast local moving
// of the paper (a queue in which only the neighbours of a moved node are
// revisited, moves made only if they strictly improve the quality), refines
// each community by merging well-connected singletons into well-connected
// sub-communities, chosen at random with randomness θ, and aggregates the
// graph by the refined partition, the unrefined partition being the initial
// partition of the aggregate graph; this repeats until no community of the
// aggregate graph has more than one node. The next iteration starts from
// the partition found.
//
// Every community of the result is connected through edges of positive
// weight: Leiden guarantees it, and a final linear pass splits any
// community that is not (which cannot decrease the quality). Nodes of zero
// strength are singletons under modularity.
//
// The result depends only on g, opt and opt.Seed, not on GOMAXPROCS or on
// scheduling. With opt.Workers > 1 local moving, refinement and aggregation
// of the large levels run on that many goroutines (see the package
// documentation); the result is then the same for every Workers > 1 but
// differs from the sequential one. ctx is checked between phases; if it is
// done, Leiden returns its error. Leiden returns an error if g is not a valid CSR
// (see Validate; in particular an asymmetric one is rejected, not
// symmetrised) or opt is invalid.
func Leiden(ctx context.Context, g *CSR, opt Options) (*Partition, error) {
	clock := newPhaseClock(opt.Phase)
	n := g.Len()
	var strength []float64
	if opt.Quality == QualityModularity {
		strength = make([]float64, n)
	}
	if err := g.validate(min(max(opt.Workers, 1), runtime.GOMAXPROCS(0)), strength); err != nil {
		return nil, fmt.Errorf("community: leiden: %w", err)
	}
	gamma, theta, err := checkOptions(&opt, n)
	if err != nil {
		return nil, fmt.Errorf("community: leiden: %w", err)
	}
	clock.done("validate", 0, 0, n)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("community: leiden: %w", err)
	}

	base := level{off: g.Offsets, adj: g.Targets, w: g.Weights}
	if base.w == nil {
		base.w = make([]float64, len(g.Targets))
		for i := range base.w {
			base.w[i] = 1
		}
	}
	switch opt.Quality {
	case QualityModularity:
		var m2 float64
		for _, k := range strength {
			m2 += k
		}
		if math.IsInf(m2, 1) {
			return nil, errors.New("community: leiden: total edge weight overflows float64")
		}
		base.nw = strength
		if m2 > 0 {
			gamma /= m2
		}
	case QualityCPM:
		base.nw = opt.NodeWeights
		if base.nw == nil {
			base.nw = make([]float64, n)
			for i := range base.nw {
				base.nw[i] = 1
			}
		}
	}

	membership := make([]int32, n)
	for i := range membership {
		membership[i] = int32(i)
	}
	p := &Partition{Membership: membership}
	if n == 0 {
		p.Quality = nan()
		if opt.Quality == QualityCPM {
			p.Quality = 0
		}
		return p, nil
	}
	l := newLeiden(n, gamma, theta, opt.Seed, opt.Workers)
	l.clock = &clock
	clock.done("setup", 0, 0, n)
	maxIt := opt.MaxIterations
	if maxIt == 0 {
		maxIt = maxAutoIterations
	}
	k := n
	for p.Iterations < maxIt {
		var changed bool
		k, changed, err = l.iterate(ctx, &base, membership, p.Iterations+1)
		if err != nil {
			return nil, fmt.Errorf("community: leiden: iteration %d: %w", p.Iterations+1, err)
		}
		p.Iterations++
		if !changed && opt.MaxIterations == 0 {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("community: leiden: %w", err)
	}
	p.Communities = l.connect(&base, membership, k)
	clock.done("connect", 0, 0, n)
	defer clock.done("quality", 0, 0, n)
	if l.par != nil && parallelLevel(&base) {
		p.Quality = l.qualityPar(&base, membership, p.Communities, opt)
		return p, nil
	}

	ids := membership
	switch opt.Quality {
	case QualityModularity:
		p.Quality = modularity(g, ids, p.Communities, strength, opt.Resolution)
	case QualityCPM:
		p.Quality = cpm(g, ids, p.Communities, opt.Resolution, opt.NodeWeights)
	}
	return p, nil
}

// checkOptions validates opt for a graph of n nodes, fills in defaults and
// returns the resolution and randomness to use.
func checkOptions(opt *Options, n int) (gamma, theta float64, err error) {
	switch opt.Quality {
	case QualityModularity:
		if opt.NodeWeights != nil {
			return 0, 0, errors.New("NodeWeights given for modularity, whose node weights are the strengths")
		}
		if opt.Resolution == 0 {
			opt.Resolution = 1
		}
	case QualityCPM:
		if opt.NodeWeights != nil {
			if len(opt.NodeWeights) != n {
				return 0, 0, fmt.Errorf("%d NodeWeights for %d nodes", len(opt.NodeWeights), n)
			}
			for i, x := range opt.NodeWeights {
				if !(x >= 0) || math.IsInf(x, 1) {
					return 0, 0, fmt.Errorf("node %d: weight %v is not finite and non-negative", i, x)
				}
			}
		}
	default:
		return 0, 0, fmt.Errorf("unknown quality function %v", opt.Quality)
	}
	if !(opt.Resolution >= 0) || math.IsInf(opt.Resolution, 1) {
		return 0, 0, fmt.Errorf("resolution %v is not finite and non-negative", opt.Resolution)
	}
	if opt.MaxIterations < 0 {
		return 0, 0, fmt.Errorf("negative MaxIterations %d", opt.MaxIterations)
	}
	if opt.Workers < 0 {
		return 0, 0, fmt.Errorf("negative Workers %d", opt.Workers)
	}
	theta = opt.Randomness
	if theta == 0 {
		theta = DefaultRandomness
	}
	if !(theta > 0) || math.IsInf(theta, 1) {
		return 0, 0, fmt.Errorf("randomness %v is not finite and non-negative", opt.Randomness)
	}
	return opt.Resolution, theta, nil
}

// level is the graph of one aggregation level in CSR form (rows without
// self-loops above level 0), with its node weights and, for aggregate
// levels, the initial membership of its nodes.
type level struct {
	off  []int64
	adj  []int32
	w    []float64
	nw   []float64
	memb []int32
}

func (lv *level) len() int { return len(lv.off) - 1 }

// leiden holds the random source, the scaled parameters and the scratch
// arrays of a run, all sized for the input graph and reused by every level
// and iteration.
type leiden struct {
	rng   *rand.Rand
	gamma float64 // resolution in units of node-weight products
	theta float64

	slots   []slot  // per cluster or refined cluster
	empty   []int32 // stack of empty clusters
	touched []int32
	queue   []int32 // ring buffer of unstable nodes (moveNodes)
	stable  []bool  // moveNodes

	start     []int32 // per cluster: start of its nodes in order
	pos       []int32
	order     []int32 // nodes grouped by cluster
	refined   []int32
	ext       []float64 // per refined cluster: edge weight to the rest of its cluster
	relabel   []int32
	cum       []float64
	nodeToAgg []int32

	bufs [2]level // aggregate graphs, alternately
	tab  sumTable // of aggregate

	// connected records that every sub-community of the refinements of
	// the current iteration was built through edges of positive weight
	// and the graph aggregated by them: the iteration's communities, the
	// nodes of its last level, are then connected.
	connected bool

	par   *parallel   // nil for the sequential algorithm
	clock *phaseClock // reports the phases
}

// slot holds what moveNodes knows about one cluster, or refine about one
// refined cluster, together so that a candidate costs one cache miss.
type slot struct {
	acc    float64 // edge weight from the current node; -1 between uses
	weight float64 // total node weight
	size   int32   // moveNodes: number of nodes; refine: 1 while a singleton
}

func newLeiden(n int, gamma, theta float64, seed int64, workers int) *leiden {
	slots := make([]slot, n)
	for i := range slots {
		slots[i].acc = -1
	}
	var par *parallel
	if workers > 1 {
		// The result does not depend on the number of goroutines, so
		// more than GOMAXPROCS would only cost scratch memory.
		par = newParallel(n, min(workers, max(1, runtime.GOMAXPROCS(0))))
	}
	return &leiden{
		par:       par,
		slots:     slots,
		rng:       rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		gamma:     gamma,
		theta:     theta,
		empty:     make([]int32, 0, n),
		touched:   make([]int32, 0, 64),
		queue:     make([]int32, n),
		stable:    make([]bool, n),
		start:     make([]int32, n+1),
		pos:       make([]int32, n+1),
		order:     make([]int32, n),
		refined:   make([]int32, n),
		ext:       make([]float64, n),
		relabel:   make([]int32, n),
		cum:       make([]float64, 0, 64),
		nodeToAgg: make([]int32, n),
	}
}

// iterate performs one Leiden iteration on base starting from membership,
// which it replaces by the partition found, numbered 0..k-1. It returns k
// and whether any node moved.
func (l *leiden) iterate(ctx context.Context, base *level, membership []int32, iteration int) (k int, changed bool, err error) {
	lv := base
	memb := membership // membership of the nodes of lv
	l.connected = true
	nodeToAgg := l.nodeToAgg
	for i := range nodeToAgg {
		nodeToAgg[i] = int32(i)
	}
	for depth := 0; ; depth++ {
		if err := ctx.Err(); err != nil {
			return 0, false, err
		}
		var moved bool
		if l.par != nil && parallelMoves(lv) {
			k, moved = l.moveNodesPar(lv, memb)
		} else {
			k, moved = l.moveNodes(lv, memb)
		}
		changed = changed || moved
		l.clock.done("move", iteration, depth, lv.len())
		if k >= lv.len() {
			break
		}
		if err := ctx.Err(); err != nil {
			return 0, false, err
		}
		var refined []int32
		var r int
		if l.par != nil && parallelLevel(lv) {
			refined, r = l.refinePar(lv, memb, k)
		} else {
			refined, r = l.refine(lv, memb, k)
		}
		l.clock.done("refine", iteration, depth, lv.len())
		if r >= lv.len() {
			// Refinement merged nothing: aggregate by the
			// partition itself so that the graph shrinks.
			refined, r = memb, k
			l.connected = false
		}
		for i, a := range nodeToAgg {
			nodeToAgg[i] = refined[a]
		}
		next := &l.bufs[depth%2]
		if l.par != nil && parallelLevel(lv) {
			l.aggregatePar(lv, memb, refined, r, next)
		} else {
			l.aggregate(lv, memb, refined, r, next)
		}
		l.clock.done("aggregate", iteration, depth, lv.len())
		lv, memb = next, next.memb
	}
	if lv != base {
		for i, a := range nodeToAgg {
			membership[i] = memb[a]
		}
	}
	return k, changed, nil
}

// maxMovesPerNode bounds the moves of one local moving phase to this many
// per node. On a valid (symmetric) graph the phase ends long before; the
// bound makes it end whatever rounding does.
const maxMovesPerNode = 1000

// startMoves prepares a local-moving pass of the n = len(memb) nodes of a
// level (node weights nw, clusters memb): the cluster slots' weights and
// sizes and the stack of empty clusters (lowest on top).
func (l *leiden) startMoves(nw []float64, memb []int32) (sl []slot, empty []int32) {
	n := len(memb)
	sl = l.slots[:n]
	for c := range sl {
		sl[c].weight, sl[c].size = 0, 0
	}
	for v, c := range memb {
		sl[c].weight += nw[v]
		sl[c].size++
	}
	empty = l.empty[:0]
	for c := n - 1; c >= 0; c-- {
		if sl[c].size == 0 {
			empty = append(empty, int32(c))
		}
	}
	return sl, empty
}

// moveNodes is the fast local moving phase on lv from memb (cluster ids in
// [0, lv.len())). It leaves memb numbered 0..k-1 in order of first node and
// returns k and whether any node moved. It stops after maxMovesPerNode
// moves per node at most.
func (l *leiden) moveNodes(lv *level, memb []int32) (k int, moved bool) {
	n := lv.len()
	off, adj, w, nw := lv.off, lv.adj, lv.w, lv.nw
	gamma := l.gamma
	sl, empty := l.startMoves(nw, memb)
	// The queue of nodes in index order, to be shuffled, none stable.
	queue, stable := l.queue[:n], l.stable[:n]
	for i := range queue {
		queue[i] = int32(i)
	}
	clear(stable)
	l.shuffle(queue)
	head, count := 0, n
	touched := l.touched[:0]
	// Every move strictly improves the quality, so the queue empties; the
	// budget only guards against rounding making moves cycle.
	budget := int64(maxMovesPerNode) * int64(n)

	for count > 0 && budget > 0 {
		v := queue[head]
		head++
		if head == n {
			head = 0
		}
		count--
		stable[v] = true

		c0 := memb[v]
		x := nw[v]
		s0 := &sl[c0]
		s0.weight -= x
		s0.size--
		if s0.size == 0 {
			s0.weight = 0 // no rounding residue in empty clusters
			empty = append(empty, c0)
		}

		// acc[c] < 0 marks a cluster not yet seen from v.
		touched = touched[:0]
		for e := off[v]; e < off[v+1]; e++ {
			u := adj[e]
			if u == v {
				continue
			}
			touched = tally(sl, touched, memb[u], w[e])
		}

		// The current cluster first, then an empty one, then the
		// neighbouring clusters; only strict improvements win.
		best := c0
		bestDiff := max(s0.acc, 0) - x*s0.weight*gamma
		if e := empty[len(empty)-1]; bestDiff < 0 {
			best, bestDiff = e, 0
		}
		for _, c := range touched {
			sc := &sl[c]
			if d := sc.acc - x*sc.weight*gamma; d > bestDiff {
				best, bestDiff = c, d
			}
			sc.acc = -1
		}

		sb := &sl[best]
		sb.weight += x
		sb.size++
		if sb.size == 1 {
			empty = empty[:len(empty)-1] // best was the top of the stack
		}
		if best != c0 {
			memb[v] = best
			moved = true
			budget--
			for e := off[v]; e < off[v+1]; e++ {
				u := adj[e]
				if stable[u] && memb[u] != best {
					stable[u] = false
					tail := head + count
					if tail >= n {
						tail -= n
					}
					queue[tail] = u
					count++
				}
			}
		}
	}
	l.touched, l.empty = touched, empty
	return l.renumber(memb, n), moved
}

// tally adds weight w to sl[c].acc, first appending c to touched if the
// accumulator is negative (not yet seen), and returns touched.
func tally(sl []slot, touched []int32, c int32, w float64) []int32 {
	s := &sl[c]
	a := s.acc
	if a < 0 {
		a = 0
		touched = append(touched, c)
	}
	s.acc = a + w
	return touched
}

// renumber numbers the clusters of memb (ids in [0, n)) 0..k-1 in order of
// first node and returns k.
func (l *leiden) renumber(memb []int32, n int) int {
	return relabel(memb, memb, l.relabel[:n])
}

// group sorts the nodes of lv by their cluster in memb (ids in [0, k)) into
// l.order, stably, with cluster c at l.order[l.start[c]:l.start[c+1]].
func (l *leiden) group(memb []int32, k int) (start, order []int32) {
	start, order = l.start[:k+1], l.order[:len(memb)]
	clear(start)
	for _, c := range memb {
		start[c+1]++
	}
	for c := 1; c <= k; c++ {
		start[c] += start[c-1]
	}
	pos := l.pos[:k]
	copy(pos, start[:k])
	for v, c := range memb {
		order[pos[c]] = int32(v)
		pos[c]++
	}
	return start, order
}

// refine is the refinement phase: within each of the k clusters of memb it
// starts from singletons and merges each well-connected singleton, in random
// order, into a well-connected sub-community of its cluster, chosen with
// probability proportional to exp(ΔH/θ) among the non-negative ΔH. It returns
// the refined partition numbered 0..r-1 (grouped by cluster) and r.
func (l *leiden) refine(lv *level, memb []int32, k int) ([]int32, int) {
	start, order := l.group(memb, k)
	sc := scratch{touched: l.touched, cum: l.cum}
	defer func() { l.connected = l.connected && !sc.loose }()
	for c := range int32(k) {
		nodes := order[start[c]:start[c+1]]
		total := l.startCluster(lv, memb, c, nodes)
		if len(nodes) < 2 {
			continue
		}
		l.shuffle(nodes)
		l.refineCluster(l.rng, &sc, lv, memb, c, nodes, total)
	}
	l.touched, l.cum = sc.touched, sc.cum
	return l.refined[:lv.len()], l.numberRefined(l.refined[:lv.len()], order)
}

// startCluster makes each node of cluster c of memb, given in increasing
// order, a singleton sub-community of its own: its refined id, its slot
// (weight, size 1) and its edge weight to the rest of c in l.ext. It
// returns the total node weight of c, summed in node order. The rows of
// the nodes are then in the cache for refineCluster.
func (l *leiden) startCluster(lv *level, memb []int32, c int32, nodes []int32) float64 {
	off, adj, w, nw := lv.off, lv.adj, lv.w, lv.nw
	refined, sl, ext := l.refined, l.slots, l.ext
	var total float64
	for _, v := range nodes {
		total += nw[v]
		refined[v] = v
		var s float64
		for e := off[v]; e < off[v+1]; e++ {
			if u := adj[e]; u != v && memb[u] == c {
				s += w[e]
			}
		}
		sl[v].weight, sl[v].size, ext[v] = nw[v], 1, s
	}
	return total
}

// scratch is the reusable scratch of one goroutine's refinement: the
// refined clusters seen from a node and the cumulative weights of the
// candidate merges.
type scratch struct {
	touched []int32
	cum     []float64
	// loose is set when a node joined a sub-community to which it has
	// no edge of positive weight.
	loose bool
}

// refineCluster refines cluster c of memb, whose nodes (in random order) and
// total node weight are given: it merges each well-connected singleton into
// a well-connected sub-community of c chosen with rng, updating l.refined,
// l.ext and the slots of the nodes of c only.
func (l *leiden) refineCluster(rng *rand.Rand, sc *scratch, lv *level, memb []int32, c int32, nodes []int32, total float64) {
	off, adj, w, nw := lv.off, lv.adj, lv.w, lv.nw
	gamma, theta := l.gamma, l.theta
	refined, sl, ext := l.refined, l.slots, l.ext
	touched, cum := sc.touched[:0], sc.cum[:0]
	for _, v := range nodes {
		// v is still a singleton unless some node joined it.
		sv := &sl[v]
		if sv.size > 1 || ext[v] < sv.weight*(total-sv.weight)*gamma {
			continue
		}
		x, extV := nw[v], ext[v]
		sv.weight, ext[v] = 0, 0

		touched = append(touched[:0], v)
		sv.acc = 0
		for e := off[v]; e < off[v+1]; e++ {
			u := adj[e]
			if u == v || memb[u] != c {
				continue
			}
			touched = tally(sl, touched, refined[u], w[e])
		}

		best, bestDiff := v, 0.0
		var sum float64
		cum = cum[:0]
		for _, r := range touched {
			sr := &sl[r]
			if ext[r] >= sr.weight*(total-sr.weight)*gamma {
				d := sr.acc - x*sr.weight*gamma
				if d > bestDiff {
					best, bestDiff = r, d
				}
				if d >= 0 {
					sum += math.Exp(d / theta)
				}
			}
			cum = append(cum, sum)
		}
		chosen := best
		if sum > 0 && !math.IsInf(sum, 1) {
			chosen = touched[searchCum(cum, rng.Float64()*sum)]
		}

		s := &sl[chosen]
		if chosen != v && !(s.acc > 0) {
			sc.loose = true
		}
		s.weight += x
		ext[chosen] += extV - 2*s.acc
		for _, r := range touched {
			sl[r].acc = -1
		}
		if chosen != v {
			refined[v] = chosen
			s.size = 2 // merged: no longer a singleton
		}
	}
	sc.touched, sc.cum = touched, cum
}

// numberRefined numbers the refined clusters of refined (node ids) 0..r-1 in
// the order of their first node in order, and returns r.
func (l *leiden) numberRefined(refined, order []int32) int {
	newID := l.relabel[:len(refined)]
	for i := range newID {
		newID[i] = -1
	}
	r := int32(0)
	for _, v := range order {
		x := refined[v]
		if newID[x] < 0 {
			newID[x] = r
			r++
		}
		refined[v] = newID[x]
	}
	return int(r)
}

// searchCum returns the first index i with x < cum[i], or the last index.
func searchCum(cum []float64, x float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x < cum[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// aggregate builds in next the graph of the r clusters of refined (ids in
// [0, r)) over lv: edge weights between clusters summed, internal edges
// dropped, node weights summed, and next.memb the cluster in memb of each
// refined cluster's nodes.
func (l *leiden) aggregate(lv *level, memb, refined []int32, r int, next *level) {
	start, order := l.group(refined, r)
	next.off = resize(next.off, r+1)
	next.nw = resize(next.nw, r)
	next.memb = resize(next.memb, r)
	next.adj, next.w, l.touched = aggregateRows(lv, memb, refined, start, order, 0, int32(r), next, &l.tab, l.touched, next.adj[:0], next.w[:0])
	next.off[0] = 0
	for a := 1; a <= r; a++ {
		next.off[a] += next.off[a-1]
	}
}

// aggregateRows builds the aggregate nodes lo..hi-1 of aggregate: it appends
// their rows to adj and w (neighbours in the order first met, going
// through the members of a node in order and their rows in order), sets
// next.off[a+1] to the length of row a (not yet summed), next.nw[a] and
// next.memb[a], and returns adj, w and the scratch touched. start and order
// give the members of each aggregate node; tab sums the weights.
func aggregateRows(lv *level, memb, refined, start, order []int32, lo, hi int32, next *level, tab *sumTable, touched, adj []int32, w []float64) ([]int32, []float64, []int32) {
	off, ladj, lw, nw := lv.off, lv.adj, lv.w, lv.nw
	for a := lo; a < hi; a++ {
		members := order[start[a]:start[a+1]]
		var deg int64
		for _, v := range members {
			deg += off[v+1] - off[v]
		}
		keys, vals, shift := tab.table(int(deg))
		touched = touched[:0]
		var s float64
		for _, v := range members {
			s += nw[v]
			for e := off[v]; e < off[v+1]; e++ {
				b := refined[ladj[e]]
				if b == a {
					continue
				}
				touched = addTo(keys, vals, shift, b, lw[e], touched)
			}
		}
		for _, h := range touched {
			adj = append(adj, keys[h])
			w = append(w, vals[h])
			keys[h] = -1
		}
		next.off[a+1] = int64(len(touched))
		next.nw[a] = s
		next.memb[a] = memb[members[0]]
	}
	return adj, w, touched
}

// resize returns s with length n, reusing its array if large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// shuffle permutes a uniformly at random.
func (l *leiden) shuffle(a []int32) { shuffle(l.rng, a) }

// shuffle permutes a uniformly at random with rng.
func shuffle(rng *rand.Rand, a []int32) {
	for i := len(a) - 1; i > 0; i-- {
		j := int(rng.Uint64N(uint64(i + 1)))
		a[i], a[j] = a[j], a[i]
	}
}
