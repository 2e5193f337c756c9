package community

import (
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// The parallel variant (Options.Workers > 1). Every parallel step either
// writes disjoint parts of shared arrays or writes per-worker scratch that
// is merged in a fixed order afterwards, and no decision depends on which
// worker did what or when, so the result depends on the graph, the options
// and the seed only.

const (
	// moveBatch is the number of unstable nodes whose best moves are
	// computed in parallel against the same state before being applied
	// in order.
	moveBatch = 4096
	// moveBlock is the size of the blocks of consecutive node ids that
	// the order of the parallel local moving (movePos) takes one after
	// the other, each in moveStride classes of one batch: a batch then
	// reads the arrays of one block only, and rarely holds two
	// neighbours. A power of two and a multiple of 64.
	moveBlock = 8 * moveBatch
	// moveTail is the number of nodes of a batch below which their moves
	// are computed one by one rather than in a parallel round.
	moveTail = 256
	// parMinNodes is the fewest nodes of a level that the parallel local
	// moving handles (if it also has parMinEntries entries); smaller
	// levels, of which a batch would be a large part, use the sequential
	// one.
	parMinNodes = 8 * moveBatch
	// parMinEntries is the fewest adjacency entries of a level that the
	// parallel phases handle.
	parMinEntries = 1 << 16
	// moveChunk, refineChunk and aggChunkEntries are the units of work
	// handed out to the workers.
	moveChunk       = 128
	refineChunk     = 8
	aggChunkEntries = 1 << 15
)

// parallelMoves reports whether the parallel local moving handles lv. It
// depends on lv only, never on the number of workers.
func parallelMoves(lv *level) bool {
	return lv.len() >= parMinNodes && len(lv.adj) >= parMinEntries
}

// parallelLevel reports whether the parallel refinement and aggregation
// handle lv.
func parallelLevel(lv *level) bool { return len(lv.adj) >= parMinEntries }

// parallel holds the workers' scratch and the batch of the parallel local
// moving.
type parallel struct {
	workers []worker
	batch   []int32 // nodes of the current batch, in queue order
	moves   []move  // their best moves, by batch position
	pending []int32 // positions in batch of the nodes whose moves are still to be made
	// stamp holds, per node, the last round of moveNodesPar in which a
	// neighbour of the node moved; epoch is the number of the current one.
	stamp []uint32
	epoch uint32
	// flags holds a bit per position of the order of the parallel local
	// moving (movePos), set for the unstable nodes; moved holds the nodes
	// moved in a round.
	flags  []uint64
	moved  []int32
	chunks []aggChunk
}

// worker is the scratch of one goroutine.
type worker struct {
	sc  scratch
	tab sumTable
	pcg *rand.PCG
	rng *rand.Rand
	// flag lists the positions to flag in flagNeighbours.
	flag []int32
}

// move is the best move of a node found against the state before its round:
// to cluster to (stay or moveToEmpty for the special cases), with kTo and
// kOwn the edge weights from the node to that cluster and to its own.
type move struct {
	to        int32
	kTo, kOwn float64
}

const (
	stay        = -1 // no better cluster
	moveToEmpty = -2 // an empty cluster is better than the own one
)

// aggChunk is a range of aggregate nodes built by one worker, with its rows.
type aggChunk struct {
	lo, hi int32
	adj    []int32
	w      []float64
}

func newParallel(n, workers int) *parallel {
	p := &parallel{
		workers: make([]worker, workers),
		batch:   make([]int32, moveBatch),
		moves:   make([]move, moveBatch),
		pending: make([]int32, moveBatch),
		stamp:   make([]uint32, n),
		flags:   make([]uint64, (n+moveBlock-1)/moveBlock*(moveBlock/64)),
		moved:   make([]int32, 0, moveBatch),
	}
	for i := range p.workers {
		pcg := rand.NewPCG(0, 0)
		p.workers[i] = worker{pcg: pcg, rng: rand.New(pcg)}
	}
	return p
}

// forEach calls f on every chunk [lo, hi) of [0, n) of the given size,
// handing the chunks out to the workers as they become free; f gets the
// scratch of the worker that runs it.
func (p *parallel) forEach(n, chunk int, f func(wk *worker, lo, hi int)) {
	forChunks(len(p.workers), n, chunk, func(i, lo, hi int) { f(&p.workers[i], lo, hi) })
}

// forChunks calls f(i, lo, hi) for every chunk [lo, hi) of [0, n) of the
// given size (the last one may be shorter) on at most workers goroutines,
// the caller's among them, each taking the next chunk when it is free. i
// numbers the goroutine that runs the call, 0..workers-1, for per-goroutine
// scratch: calls with the same i never overlap.
func forChunks(workers, n, chunk int, f func(i, lo, hi int)) {
	if n <= 0 {
		return
	}
	var next atomic.Int64
	run := func(i int) {
		for {
			lo := int(next.Add(int64(chunk))) - chunk
			if lo >= n {
				return
			}
			f(i, lo, min(lo+chunk, n))
		}
	}
	nw := min(workers, (n+chunk-1)/chunk)
	var wg sync.WaitGroup
	for i := 1; i < nw; i++ {
		wg.Go(func() { run(i) })
	}
	run(0)
	wg.Wait()
}

// moveNodesPar is moveNodes in batches, after the parallel local moving of
// GVE-Leiden but with a fixed order of commits.
//
// The unstable nodes (all at first) are taken moveBatch at a time in a fixed
// cyclic order (see movePos): blocks of moveBlock ids, each in moveStride
// classes of ids congruent modulo moveStride, so that a batch reads the
// arrays of one block and rarely holds two neighbours. The best moves of the
// nodes of a batch are computed in parallel against the state before the
// batch, then applied in batch order. A node a neighbour of which moved
// earlier in the same round has a stale move: it is set aside and its move
// is computed again, in parallel with the others set aside, against the
// state after the round; the rounds repeat until the batch is done (the
// first node of a round is never stale, so each round applies at least one
// node), the last moveTail nodes or fewer one by one against the current
// state. A move that is not stale is applied only if it still improves the
// quality given the cluster weights left by the moves before it, so every
// move made strictly improves the quality, as in moveNodes. After each
// round the neighbours of the nodes moved in it that are not in their
// cluster become unstable again, flagged in parallel.
func (l *leiden) moveNodesPar(lv *level, memb []int32) (k int, moved bool) {
	n := lv.len()
	nw := lv.nw
	gamma := l.gamma
	p := l.par
	sl, empty := l.startMoves(nw, memb)
	stamp := p.stamp[:n]
	flags := p.flags[:(n+moveBlock-1)/moveBlock*(moveBlock/64)]
	clear(flags)
	for v := range int32(n) {
		q := movePos(v)
		flags[q>>6] |= 1 << (q & 63)
	}
	at, count := 0, n // the next position in the order, the unstable nodes
	budget := int64(maxMovesPerNode) * int64(n)

	for count > 0 && budget > 0 {
		b := min(count, moveBatch)
		batch, moves, pending := p.batch[:b], p.moves[:b], p.pending[:b]
		for i := range batch {
			q := nextFlag(flags, at)
			flags[q>>6] &^= 1 << (q & 63)
			batch[i] = moveNode(q)
			pending[i] = int32(i)
			at = q + 1
		}
		count -= b
		for len(pending) > 0 {
			// Few nodes left: compute their moves one by one against
			// the current state, as moveNodes does.
			exact := len(pending) <= moveTail
			epoch := p.nextEpoch()
			if !exact {
				p.forEach(len(pending), moveChunk, func(wk *worker, lo, hi int) {
					for _, i := range pending[lo:hi] {
						moves[i] = l.bestMove(wk, lv, memb, batch[i])
					}
				})
			}
			stale := pending[:0]
			done := p.moved[:0]
			for _, i := range pending {
				v := batch[i]
				var m move
				switch {
				case exact:
					m = l.bestMove(&p.workers[0], lv, memb, v)
				case stamp[v] == epoch:
					stale = append(stale, i)
					continue
				default:
					m = moves[i]
				}
				if m.to == stay {
					continue
				}
				c0, x := memb[v], nw[v]
				s0 := &sl[c0]
				w0 := s0.weight - x
				if s0.size == 1 {
					if m.to == moveToEmpty {
						continue // alone now: an empty cluster is no better
					}
					w0 = 0
				}
				own := m.kOwn - x*w0*gamma
				to := m.to
				var gain float64
				if to == moveToEmpty {
					to = empty[len(empty)-1]
				} else {
					st := &sl[to]
					if st.size == 0 {
						continue // emptied in this round: it is in the stack of empty clusters
					}
					gain = m.kTo - x*st.weight*gamma
				}
				if !(gain > own) {
					continue
				}
				s0.weight -= x
				s0.size--
				if s0.size == 0 {
					s0.weight = 0 // no rounding residue in empty clusters
					empty = append(empty, c0)
				}
				st := &sl[to]
				st.weight += x
				st.size++
				if st.size == 1 {
					empty = empty[:len(empty)-1] // to was the top of the stack
				}
				memb[v] = to
				moved = true
				budget--
				done = append(done, v)
				if !exact {
					for _, u := range lv.adj[lv.off[v]:lv.off[v+1]] {
						stamp[u] = epoch
					}
				}
			}
			count += p.flagNeighbours(lv, memb, flags, done)
			p.moved = done
			pending = stale
		}
	}
	l.empty = empty
	return l.renumber(memb, n), moved
}

// moveStride is the number of classes of ids, congruent modulo moveStride,
// in which each block of moveBlock ids is taken by the parallel local
// moving: a class is one batch.
const moveStride = moveBlock / moveBatch

// movePos returns the position of node v in the order of the parallel local
// moving: blocks of moveBlock ids in order, each taken class by class (ids
// congruent modulo moveStride), each class in increasing order. Positions of
// a last, partial block that match no node are never used.
func movePos(v int32) int {
	r := int(v) & (moveBlock - 1)
	return int(v) - r + r%moveStride*moveBatch + r/moveStride
}

// moveNode is the inverse of movePos.
func moveNode(q int) int32 {
	r := q & (moveBlock - 1)
	return int32(q - r + r%moveBatch*moveStride + r/moveBatch)
}

// nextFlag returns the first position at or after at whose bit is set in
// flags, cyclically; some bit must be set.
func nextFlag(flags []uint64, at int) int {
	w := at >> 6
	if w >= len(flags) {
		w, at = 0, 0
	}
	word := flags[w] &^ (1<<(at&63) - 1)
	for word == 0 {
		w++
		if w == len(flags) {
			w = 0
		}
		word = flags[w]
	}
	return w<<6 + bits.TrailingZeros64(word)
}

// flagChunk is the number of moved nodes whose neighbours a worker flags at
// a time.
const flagChunk = 256

// flagNeighbours sets the flag (at movePos) of every neighbour of the nodes
// of done that is not in the node's cluster, and returns how many flags it
// set. The workers list the neighbours' positions in parallel (their
// clusters miss the cache); the flags, a small array, are then set in one
// pass. The flags set do not depend on the order.
func (p *parallel) flagNeighbours(lv *level, memb []int32, flags []uint64, done []int32) int {
	off, adj := lv.off, lv.adj
	for i := range p.workers {
		p.workers[i].flag = p.workers[i].flag[:0]
	}
	p.forEach(len(done), flagChunk, func(wk *worker, lo, hi int) {
		list := wk.flag
		for _, v := range done[lo:hi] {
			to := memb[v]
			for _, u := range adj[off[v]:off[v+1]] {
				if memb[u] != to {
					list = append(list, int32(movePos(u)))
				}
			}
		}
		wk.flag = list
	})
	var c int
	for i := range p.workers {
		for _, q := range p.workers[i].flag {
			w, bit := &flags[q>>6], uint64(1)<<(q&63)
			if *w&bit == 0 {
				*w |= bit
				c++
			}
		}
	}
	return c
}

// nextEpoch returns the number of a new round of moveNodesPar, different
// from every value in p.stamp.
func (p *parallel) nextEpoch() uint32 {
	p.epoch++
	if p.epoch == 0 {
		clear(p.stamp)
		p.epoch = 1
	}
	return p.epoch
}

// bestMove returns the best move of node v given memb and the cluster
// weights in l.slots, which it does not modify, using the scratch of wk.
//
// The edge weights from v to its neighbouring clusters are summed in a small
// open-addressing table sized for the degree of v, which stays in the
// cache, rather than in an array indexed by cluster: a candidate then costs
// one cache miss (its slot), as in moveNodes.
func (l *leiden) bestMove(wk *worker, lv *level, memb []int32, v int32) move {
	off, adj, w := lv.off, lv.adj, lv.w
	sl := l.slots
	c0, x, gamma := memb[v], lv.nw[v], l.gamma
	keys, vals, shift := wk.tab.table(int(off[v+1] - off[v]))
	touched := wk.sc.touched[:0]
	var kOwn float64
	for e := off[v]; e < off[v+1]; e++ {
		u := adj[e]
		if u == v {
			continue
		}
		c := memb[u]
		if c == c0 {
			kOwn += w[e]
			continue
		}
		touched = addTo(keys, vals, shift, c, w[e], touched)
	}
	s0 := &sl[c0]
	m := move{to: stay, kOwn: kOwn}
	w0 := 0.0
	if s0.size > 1 {
		w0 = s0.weight - x
	}
	bestDiff := kOwn - x*w0*gamma
	if bestDiff < 0 && s0.size > 1 {
		m.to, bestDiff = moveToEmpty, 0
	}
	for _, h := range touched {
		c, k := keys[h], vals[h]
		if d := k - x*sl[c].weight*gamma; d > bestDiff {
			m.to, m.kTo, bestDiff = c, k, d
		}
		keys[h] = -1
	}
	wk.sc.touched = touched
	return m
}

// addTo adds w to the value of key in the table keys, vals (as returned by
// sumTable.table with shift), first taking a free slot for key and
// appending it to touched if key is not there, and returns touched.
func addTo(keys []int32, vals []float64, shift uint32, key int32, w float64, touched []int32) []int32 {
	mask := uint32(len(keys) - 1)
	h := uint32(key) * 0x9e3779b1 >> shift
	for keys[h] != key && keys[h] >= 0 {
		h = (h + 1) & mask
	}
	if keys[h] < 0 {
		keys[h], vals[h] = key, 0
		touched = append(touched, int32(h))
	}
	vals[h] += w
	return touched
}

// sumTable is a small open-addressing hash table from node or cluster ids
// to summed edge weights, sized for the entries of one row (bestMove) or
// one aggregate node (aggregateRows), so that it stays in the cache where
// an array indexed by id would miss it.
type sumTable struct {
	keys []int32 // -1 for a free slot
	vals []float64
}

// table returns the table with room for deg keys at a load of at most one
// half, all keys -1 (free), and the shift that maps a multiplicative hash
// (id * 0x9e3779b1) to its index range. Whoever inserts keys frees them
// again before the next call.
func (t *sumTable) table(deg int) (keys []int32, vals []float64, shift uint32) {
	bits := uint32(4)
	for 1<<bits < 2*deg {
		bits++
	}
	if len(t.keys) < 1<<bits {
		t.keys = make([]int32, 1<<bits)
		for i := range t.keys {
			t.keys[i] = -1
		}
		t.vals = make([]float64, 1<<bits)
	}
	return t.keys[:1<<bits], t.vals[:1<<bits], 32 - bits
}

// refinePar is refine with the clusters refined in parallel, each with its
// own random stream derived from one draw of l.rng and the cluster id, so
// that the result does not depend on which worker refines which cluster.
func (l *leiden) refinePar(lv *level, memb []int32, k int) ([]int32, int) {
	start, order := l.group(memb, k)
	p := l.par
	seed := l.rng.Uint64()
	for i := range p.workers {
		p.workers[i].sc.loose = false
	}
	defer func() {
		for i := range p.workers {
			l.connected = l.connected && !p.workers[i].sc.loose
		}
	}()
	p.forEach(k, refineChunk, func(wk *worker, lo, hi int) {
		for c := int32(lo); c < int32(hi); c++ {
			nodes := order[start[c]:start[c+1]]
			total := l.startCluster(lv, memb, c, nodes)
			if len(nodes) < 2 {
				continue
			}
			wk.pcg.Seed(seed, splitmix(uint64(c)))
			shuffle(wk.rng, nodes)
			l.refineCluster(wk.rng, &wk.sc, lv, memb, c, nodes, total)
		}
	})
	refined := l.refined[:lv.len()]
	return refined, l.numberRefined(refined, order)
}

// splitmix is the SplitMix64 finaliser, which spreads consecutive cluster
// ids over the seed space of a random stream.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// aggregatePar is aggregate with the aggregate nodes built in parallel in
// chunks of about aggChunkEntries adjacency entries, each into its own
// buffers, which are then concatenated in order: the same graph as
// aggregate builds.
func (l *leiden) aggregatePar(lv *level, memb, refined []int32, r int, next *level) {
	off := lv.off
	start, order := l.group(refined, r)
	next.off = resize(next.off, r+1)
	next.nw = resize(next.nw, r)
	next.memb = resize(next.memb, r)
	p := l.par

	// Cut the aggregate nodes into chunks of about aggChunkEntries entries.
	chunks := p.chunks[:0]
	lo, entries := int32(0), int64(0)
	for a := range int32(r) {
		for _, v := range order[start[a]:start[a+1]] {
			entries += off[v+1] - off[v]
		}
		if entries >= aggChunkEntries || int(a) == r-1 {
			i := len(chunks)
			if i < cap(chunks) {
				chunks = chunks[:i+1]
				chunks[i].lo, chunks[i].hi = lo, a+1
			} else {
				chunks = append(chunks, aggChunk{lo: lo, hi: a + 1})
			}
			lo, entries = a+1, 0
		}
	}
	p.chunks = chunks

	p.forEach(len(chunks), 1, func(wk *worker, i, _ int) {
		ch := &chunks[i]
		ch.adj, ch.w, wk.sc.touched = aggregateRows(lv, memb, refined, start, order, ch.lo, ch.hi, next, &wk.tab, wk.sc.touched, ch.adj[:0], ch.w[:0])
	})

	next.off[0] = 0
	for a := 1; a <= r; a++ {
		next.off[a] += next.off[a-1]
	}
	total := int(next.off[r])
	next.adj = resize(next.adj, total)
	next.w = resize(next.w, total)
	p.forEach(len(chunks), 1, func(_ *worker, i, _ int) {
		ch := &chunks[i]
		at := next.off[ch.lo]
		copy(next.adj[at:], ch.adj)
		copy(next.w[at:], ch.w)
	})
}
