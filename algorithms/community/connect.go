package community

// connect replaces membership (communities 0..k-1 of the nodes of base) by
// the connected components of the subgraph of base made of the
// positive-weight edges inside communities, numbered 0..r-1 in order of
// their smallest node, and returns r. For a partition whose communities are
// connected this only renumbers them.
//
// When the last iteration built every sub-community through edges of
// positive weight (l.connected) its communities are connected and are only
// renumbered. Otherwise the communities are searched one at a time, on the
// workers of the parallel variant when base is a parallel level, each
// labelling its nodes with the smallest node of their component; only the
// final numbering is sequential. Neither the components nor their numbering
// depend on the workers.
func (l *leiden) connect(base *level, membership []int32, k int) int {
	n := len(membership)
	if l.connected {
		return relabel(membership, membership, l.relabel[:n])
	}
	start, order := l.group(membership, k)
	label := l.refined[:n]
	for i := range label {
		label[i] = -1
	}
	search := func(stack []int32, lo, hi int) []int32 {
		for c := lo; c < hi; c++ {
			stack = component(base, membership, label, int32(c), order[start[c]:start[c+1]], stack)
		}
		return stack
	}
	if l.par != nil && parallelLevel(base) {
		l.par.forEach(k, refineChunk, func(wk *worker, lo, hi int) {
			wk.sc.touched = search(wk.sc.touched, lo, hi)
		})
	} else {
		l.touched = search(l.touched, 0, k)
	}
	return relabel(membership, label, l.relabel[:n])
}

// component labels the nodes of community c of membership, given in
// increasing order, with the smallest node of their component (edges of
// positive weight inside c) by a depth-first search from each node not yet
// labelled, and returns the stack for reuse.
func component(base *level, membership, label []int32, c int32, nodes, stack []int32) []int32 {
	off, adj, w := base.off, base.adj, base.w
	for _, s := range nodes {
		if label[s] >= 0 {
			continue
		}
		label[s] = s
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for e := off[v]; e < off[v+1]; e++ {
				// label[u] is read only for u in c: other communities' labels
				// are written by other workers.
				if u := adj[e]; membership[u] == c && w[e] > 0 && label[u] < 0 {
					label[u] = s
					stack = append(stack, u)
				}
			}
		}
	}
	return stack
}

// qualityPar returns the quality of membership (r communities, numbered
// 0..r-1) on base for opt, as Modularity or CPM define it but summed in
// another order: the parallel variant's quality, which may differ from
// theirs in the last bits. The internal weight is summed over chunks of
// rowChunk nodes in parallel, the chunks' sums in their order, so the
// result does not depend on the workers.
func (l *leiden) qualityPar(base *level, membership []int32, r int, opt Options) float64 {
	n := len(membership)
	part := make([]float64, (n+rowChunk-1)/rowChunk)
	l.par.forEach(n, rowChunk, func(_ *worker, lo, hi int) {
		var s float64
		for v := lo; v < hi; v++ {
			c := membership[v]
			for e := base.off[v]; e < base.off[v+1]; e++ {
				if u := base.adj[e]; membership[u] == c {
					if int(u) == v {
						s += 2 * base.w[e]
					} else {
						s += base.w[e]
					}
				}
			}
		}
		part[lo/rowChunk] = s
	})
	var internal float64 // the sum of A_ij over ordered pairs inside communities
	for _, s := range part {
		internal += s
	}
	switch opt.Quality {
	case QualityModularity:
		// base.nw holds the strengths.
		tot := l.ext[:r]
		clear(tot)
		var m2 float64
		for v, c := range membership {
			tot[c] += base.nw[v]
			m2 += base.nw[v]
		}
		if m2 == 0 {
			return nan()
		}
		var sq float64
		for _, t := range tot {
			sq += t * t
		}
		return (internal - opt.Resolution*sq/m2) / m2
	default:
		sum, sq := l.ext[:r], make([]float64, r)
		clear(sum)
		for v, c := range membership {
			x := base.nw[v]
			sum[c] += x
			sq[c] += x * x
		}
		var pen float64
		for c := range r {
			pen += sum[c]*sum[c] - sq[c]
		}
		return internal/2 - opt.Resolution*pen/2
	}
}
