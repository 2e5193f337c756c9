package graph

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// Rebuilder builds the graphs of small tables one after the other (a
// check of one claim builds the graph of one person's history), reusing
// the memory of the graph it built before. Build allocates every stage
// anew (about a hundred allocations and, with its radix histograms, some
// 300 KB for a graph of 200 visits: BenchmarkRebuilder) and starts two
// goroutines, which for a small graph cost more than the building. The
// graphs of a Rebuilder are those Build returns (TestRebuilder compares
// them field by field), built on the calling goroutine. The zero value is
// ready to use; a Rebuilder is not safe for concurrent use.
type Rebuilder struct {
	g Graph

	vdOff, vdDoc []uint32  // visitDoctors
	rank, pos    []uint32  // time ranks; fill positions
	keys         []uint64  // sort keys
	recs         []edgeRec // sort records when keys and values need more than 64 bits
	regs         []uint64  // registrations
	data         []visitAmounts
	sorted       [NumEdgeTypes]typeEdges
	sorters      [NumEdgeTypes + 1]keyedSorter // 0 for the time index, 1+t for edge type t
}

// Build returns the graph of t, the same as Build(ctx, t, BuildOptions{})
// returns, with the same errors. The graph is valid until the next call of
// Build on r, which reuses its memory: it must no longer be in use then,
// nor any slice it returned. t must not be modified while it is in use.
func (r *Rebuilder) Build(ctx context.Context, t *Tables) (*Graph, error) {
	if err := checkTables(t); err != nil {
		return nil, err
	}
	g := &r.g
	*g = Graph{t: t, instNode: g.instNode[:0], instRow: g.instRow[:0], edges: g.edges,
		adjOff: g.adjOff[:0], adjNbr: g.adjNbr[:0], adjEdge: g.adjEdge[:0], byTime: g.byTime[:0],
		nodeVisOff: g.nodeVisOff[:0], nodeVis: g.nodeVis[:0], feeOff: g.feeOff[:0], feeRows: g.feeRows[:0],
		nodeVisits: g.nodeVisits[:0], nodeFund: g.nodeFund[:0]}
	stage := func(name string) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("graph: build cancelled before %s: %w", name, err)
		}
		return nil
	}
	if err := stage("nodes"); err != nil {
		return nil, err
	}
	r.buildNodes()
	if err := stage("fees"); err != nil {
		return nil, err
	}
	r.buildFeeIndex()
	if err := stage("visit-doctors"); err != nil {
		return nil, err
	}
	vd := r.buildVisitDoctors()
	if err := stage("time-order"); err != nil {
		return nil, err
	}
	r.prepareTimeIndex(&vd)
	if err := stage("sort"); err != nil {
		return nil, err
	}
	for _, k := range [...]Kind{KindDoctor, KindPatient, KindInstitution} {
		r.fillTimeIndex(&vd, k)
	}
	for ty := range NumEdgeTypes {
		r.sortEdges(ty, &vd)
	}
	r.buildTotals(&vd)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("graph: build cancelled while sorting: %w", err)
	}
	for ty := range r.sorted {
		g.edgeSeg[ty+1] = g.edgeSeg[ty] + r.sorted[ty].groups
	}
	vt := &t.Visits
	r.data = resize(r.data, vt.Len())
	for v := range r.data {
		r.data[v] = visitAmounts{vt.FundPay[v], vt.MedFee[v], vt.Begin[v]}
	}
	r.edgeTable(g.edgeSeg[NumEdgeTypes])
	if err := stage("edges"); err != nil {
		return nil, err
	}
	for ty := range r.sorted {
		aggregateInto(&g.edges, g.edgeSeg[ty], EdgeType(ty), &r.sorted[ty], r.data)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("graph: build cancelled while aggregating: %w", err)
	}
	if err := stage("adjacency"); err != nil {
		return nil, err
	}
	r.buildAdjacency()
	return g, nil
}

// resize returns s with length n, its elements zero, reusing its memory
// when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// buildNodes is Graph.buildNodes in reused memory.
func (r *Rebuilder) buildNodes() {
	g := &r.g
	t := g.t
	g.docBase = uint32(t.Persons.Len())
	g.medBase = g.docBase + uint32(t.Doctors.Len())
	it := &t.Institutions
	nMed := uint32(0)
	for _, ty := range it.Type {
		if ty != claims.Pharmacy {
			nMed++
		}
	}
	g.pharmBase = g.medBase + nMed
	g.numNodes = g.medBase + uint32(it.Len())
	g.instNode = resize(g.instNode, it.Len())
	g.instRow = resize(g.instRow, it.Len())
	med, ph := g.medBase, g.pharmBase
	for row, ty := range it.Type {
		var n uint32
		if ty == claims.Pharmacy {
			n, ph = ph, ph+1
		} else {
			n, med = med, med+1
		}
		g.instNode[row] = NodeID(n)
		g.instRow[n-g.medBase] = uint32(row)
	}
}

// buildFeeIndex is Graph.buildFeeIndex in reused memory.
func (r *Rebuilder) buildFeeIndex() {
	g := &r.g
	ft := &g.t.Fees
	nv := uint32(g.t.Visits.Len())
	off := resize(g.feeOff, int(nv)+1)
	skipped := 0
	for _, v := range ft.Visit {
		if v < nv {
			off[v+1]++
		} else {
			skipped++
		}
	}
	for i := uint32(1); i <= nv; i++ {
		off[i] += off[i-1]
	}
	rows := resize(g.feeRows, int(off[nv]))
	r.pos = resize(r.pos, int(nv))
	copy(r.pos, off[:nv])
	for row, v := range ft.Visit {
		if v < nv {
			rows[r.pos[v]] = uint32(row)
			r.pos[v]++
		}
	}
	g.feeOff, g.feeRows, g.skippedFees = off, rows, skipped
}

// buildVisitDoctors is Graph.buildVisitDoctors in reused memory.
func (r *Rebuilder) buildVisitDoctors() visitDoctors {
	g := &r.g
	vt := &g.t.Visits
	ft := &g.t.Fees
	nd := g.medBase - g.docBase
	nv := vt.Len()
	off := resize(r.vdOff, nv+1)
	doc := r.vdDoc[:0]
	for v := 0; v < nv; v++ {
		start := len(doc)
		if g.visitOK(uint32(v)) {
			if d := vt.Doctor[v]; d < nd {
				doc = append(doc, d)
			}
			for _, f := range g.FeesOf(uint32(v)) {
				d := ft.Doctor[f]
				if d >= nd {
					continue
				}
				found := false
				for i := start; i < len(doc); i++ {
					if doc[i]&^billFlag == d {
						doc[i] |= billFlag
						found = true
						break
					}
				}
				if !found {
					doc = append(doc, d|billFlag)
				}
			}
		}
		off[v+1] = uint32(len(doc))
	}
	r.vdOff, r.vdDoc = off, doc
	return visitDoctors{off: off, doc: doc}
}

// prepareTimeIndex is Graph.prepareTimeIndex in reused memory.
func (r *Rebuilder) prepareTimeIndex(vd *visitDoctors) {
	g := &r.g
	r.sortVisitsByTime()
	vt := &g.t.Visits
	r.rank = resize(r.rank, vt.Len())
	for i, v := range g.byTime {
		r.rank[v] = uint32(i)
	}
	n := g.numNodes
	off := resize(g.nodeVisOff, int(n)+1)
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitOK(vv) {
			continue
		}
		off[vt.Person[v]+1]++
		off[g.instNode[vt.Institution[v]]+1]++
		for _, d := range vd.of(vv) {
			off[g.docBase+d&^billFlag+1]++
		}
	}
	for i := uint32(1); i <= n; i++ {
		off[i] += off[i-1]
	}
	g.nodeVisOff = off
	g.nodeVis = resize(g.nodeVis, int(off[n]))
}

// sortVisitsByTime is Graph.sortVisitsByTime in reused memory.
func (r *Rebuilder) sortVisitsByTime() {
	g := &r.g
	vt := &g.t.Visits
	lo, hi := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			lo, hi = min(lo, vt.Begin[v]), max(hi, vt.Begin[v])
		}
	}
	rows := g.byTime[:0]
	if hi >= lo && uint64(hi)-uint64(lo) < 1<<31 {
		keys := r.keys[:0]
		for v := 0; v < vt.Len(); v++ {
			if g.visitOK(uint32(v)) {
				keys = append(keys, uint64(vt.Begin[v]-lo)<<32|uint64(v))
			}
		}
		slices.Sort(keys) // keys are distinct: any sort is the radix sort's order
		for _, k := range keys {
			rows = append(rows, uint32(k))
		}
		r.keys, g.byTime = keys, rows
		return
	}
	for v := 0; v < vt.Len(); v++ {
		if g.visitOK(uint32(v)) {
			rows = append(rows, uint32(v))
		}
	}
	slices.SortFunc(rows, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(vt.Begin[a], vt.Begin[b]), cmp.Compare(a, b))
	})
	g.byTime = rows
}

// sorter returns sorter i emptied for pairs of keys below 1<<keyBits and
// values below 1<<valBits, as newKeyedSorter prepares one.
func (r *Rebuilder) sorter(i int, keyBits, valBits uint) *keyedSorter {
	s := &r.sorters[i]
	*s = keyedSorter{valBits: valBits, usePack: keyBits+valBits <= 64, packed: s.packed[:0], recs: s.recs[:0]}
	return s
}

// sortPairs sorts the pairs of s by key, stably, as keyedSorter.sort
// does. Pairs are added in order of their values (visit rows), so that
// among equal keys the stable order is that of the values: sorting the
// packed pairs whole gives it.
func sortPairs(s *keyedSorter) {
	if s.usePack {
		slices.Sort(s.packed)
		return
	}
	slices.SortStableFunc(s.recs, func(a, b edgeRec) int { return cmp.Compare(a.key, b.key) })
}

// fillTimeIndex is Graph.fillTimeIndex (64-bit packing) in reused memory.
func (r *Rebuilder) fillTimeIndex(vd *visitDoctors, k Kind) {
	g := &r.g
	vt := &g.t.Visits
	lo, hi := g.kindRange(k)
	if k == KindInstitution {
		hi = NodeID(g.numNodes)
	}
	a, b := g.nodeVisOff[lo], g.nodeVisOff[hi]
	rBits := uint(bits.Len(uint(len(g.byTime))))
	nodeBits := uint(bits.Len32(uint32(hi - lo)))
	vBits := uint(bits.Len(uint(vt.Len())))
	if nodeBits+rBits+vBits > 64 {
		vBits = 0
	}
	recs := r.sorter(0, nodeBits+rBits, vBits)
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitOK(vv) {
			continue
		}
		rk := uint64(r.rank[v])
		switch k {
		case KindPatient:
			recs.add(uint64(vt.Person[v])<<rBits|rk, vv)
		case KindInstitution:
			inst := uint32(g.instNode[vt.Institution[v]]) - uint32(lo)
			recs.add(uint64(inst)<<rBits|rk, vv)
		case KindDoctor:
			for _, d := range vd.of(vv) {
				recs.add(uint64(d&^billFlag)<<rBits|rk, vv)
			}
		}
	}
	sortPairs(recs)
	out := g.nodeVis[a:b]
	for i := range out {
		key, v := recs.at(i)
		if vBits == 0 {
			v = g.byTime[key&(1<<rBits-1)]
		}
		out[i] = v
	}
}

// sortEdges is Graph.sortEdges in reused memory.
func (r *Rebuilder) sortEdges(ty EdgeType, vd *visitDoctors) {
	g := &r.g
	ks := g.keySpace(ty)
	var srt *keyedSorter
	if ty == DoctorInstitutionRegistered {
		nd := g.medBase - g.docBase
		srt = r.sorter(1+int(ty), ks.uBits+ks.vBits, 0)
		for _, reg := range g.t.Doctors.Sites {
			if reg.Doctor < nd && int(reg.Institution) < len(g.instNode) {
				srt.add(ks.key(g.docBase+reg.Doctor, uint32(g.instNode[reg.Institution])), 0)
			}
		}
	} else {
		srt = r.emitEdges(ty, ks, vd)
	}
	sortPairs(srt)
	te := typeEdges{ks: ks, srt: srt}
	prev := uint64(0)
	for i := 0; i < srt.len(); i++ {
		k, _ := srt.at(i)
		if i == 0 || k != prev {
			te.groups++
		}
		prev = k
	}
	r.sorted[ty] = te
}

// registrations is Graph.registrations in reused memory.
func (r *Rebuilder) registrations() []uint64 {
	g := &r.g
	nd := g.medBase - g.docBase
	keys := r.regs[:0]
	for _, s := range g.t.Doctors.Sites {
		if s.Doctor >= nd || int(s.Institution) >= len(g.instNode) {
			continue
		}
		keys = append(keys, pack(g.docBase+s.Doctor, uint32(g.instNode[s.Institution])))
	}
	slices.Sort(keys)
	r.regs = slices.Compact(keys)
	return r.regs
}

// emitEdges is Graph.emitEdges in reused memory.
func (r *Rebuilder) emitEdges(ty EdgeType, ks keySpace, vd *visitDoctors) *keyedSorter {
	g := &r.g
	vt := &g.t.Visits
	var regs []uint64
	if ty == DoctorPharmacy {
		regs = r.registrations()
	}
	buf := r.sorter(1+int(ty), ks.uBits+ks.vBits, uint(bits.Len(uint(vt.Len()))))
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitLive(vv) {
			continue
		}
		p := vt.Person[v]
		inst := uint32(g.instNode[vt.Institution[v]])
		pharm := inst >= g.pharmBase
		switch ty {
		case PatientInstitution, PatientPharmacy:
			if pharm == (ty == PatientPharmacy) {
				buf.add(ks.key(p, inst), vv)
			}
		case PatientDoctor:
			for _, d := range vd.of(vv) {
				buf.add(ks.key(p, g.docBase+d&^billFlag), vv)
			}
		case DoctorInstitutionBilled:
			if !pharm {
				for _, d := range vd.of(vv) {
					buf.add(ks.key(g.docBase+d&^billFlag, inst), vv)
				}
			}
		case DoctorPharmacy:
			if pharm {
				for _, d := range vd.of(vv) {
					if d&billFlag == 0 {
						continue
					}
					doc := g.docBase + d&^billFlag
					if _, reg := slices.BinarySearch(regs, pack(doc, inst)); !reg {
						buf.add(ks.key(doc, inst), vv)
					}
				}
			}
		}
	}
	return buf
}

// buildTotals is Graph.buildTotals in reused memory.
func (r *Rebuilder) buildTotals(vd *visitDoctors) {
	g := &r.g
	vt := &g.t.Visits
	g.nodeVisits = resize(g.nodeVisits, int(g.numNodes))
	g.nodeFund = resize(g.nodeFund, int(g.numNodes))
	g.skippedVisits = vt.Len() - len(g.byTime)
	for v := 0; v < vt.Len(); v++ {
		vv := uint32(v)
		if !g.visitLive(vv) {
			continue
		}
		f := vt.FundPay[v]
		g.nodeVisits[vt.Person[v]]++
		g.nodeFund[vt.Person[v]] += f
		in := uint32(g.instNode[vt.Institution[v]])
		g.nodeVisits[in]++
		g.nodeFund[in] += f
		for _, d := range vd.of(vv) {
			n := g.docBase + d&^billFlag
			g.nodeVisits[n]++
			g.nodeFund[n] += f
		}
	}
}

// edgeTable makes the graph's edge columns n zero edges, as newEdgeTable.
func (r *Rebuilder) edgeTable(n int) {
	et := &r.g.edges
	et.Type, et.U, et.V = resize(et.Type, n), resize(et.U, n), resize(et.V, n)
	et.Visits, et.Fund, et.MedFee = resize(et.Visits, n), resize(et.Fund, n), resize(et.MedFee, n)
	et.First, et.Last = resize(et.First, n), resize(et.Last, n)
}

// buildAdjacency is Graph.buildAdjacency in reused memory.
func (r *Rebuilder) buildAdjacency() {
	g := &r.g
	et := &g.edges
	n := g.numNodes
	off := resize(g.adjOff, int(n)+1)
	for i := range et.U {
		off[et.U[i]+1]++
		off[et.V[i]+1]++
	}
	for i := uint32(1); i <= n; i++ {
		off[i] += off[i-1]
	}
	r.pos = resize(r.pos, int(n))
	pos := r.pos
	copy(pos, off[:n])
	nbr := resize(g.adjNbr, int(off[n]))
	eid := resize(g.adjEdge, int(off[n]))
	mergedOrder(et, &g.edgeSeg, func(i int) {
		v := et.V[i]
		nbr[pos[v]], eid[pos[v]] = et.U[i], EdgeIndex(i)
		pos[v]++
	})
	mergedOrder(et, &g.edgeSeg, func(i int) {
		u := et.U[i]
		nbr[pos[u]], eid[pos[u]] = et.V[i], EdgeIndex(i)
		pos[u]++
	})
	g.adjOff, g.adjNbr, g.adjEdge = off, nbr, eid
}
