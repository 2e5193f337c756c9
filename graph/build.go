package graph

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ringlens/ringlens/graph/claims"
)

// BuildOptions tunes Build.
type BuildOptions struct {
	// Progress, when not nil, is called at the start and end of each stage
	// with the work done and the total of that stage, from the goroutine
	// that called Build.
	Progress func(stage string, done, total int64)
	// Workers, when positive, is the number of goroutines of the sort and
	// aggregation stages (2 otherwise); 1 runs them on the calling
	// goroutine. The graph does not depend on it.
	Workers int
}

// progress reports a stage's progress if a callback is set.
func (o *BuildOptions) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, int64(done), int64(total))
	}
}

// Build turns the columnar tables into a Graph, using up to two goroutines
// (opts.Workers).
// It checks ctx between stages and returns ctx's error, wrapped, when it is
// cancelled. Visits
// flagged VisitReversed contribute to no edge; visits or fee lines whose
// rows point outside their tables are skipped and counted in the summary.
// Build does not modify t; t must not be modified while the graph is in use.
func Build(ctx context.Context, t *Tables, opts BuildOptions) (*Graph, error) {
	if err := checkTables(t); err != nil {
		return nil, err
	}
	b := &builder{g: &Graph{t: t}, opts: opts, workers: 2}
	if opts.Workers > 0 {
		b.workers = opts.Workers
	}
	if err := b.build(ctx); err != nil {
		return nil, err
	}
	return b.g, nil
}

// builder runs the stages of a build of g, which starts with its tables
// set. Build uses a builder per graph, which frees the state of the
// stages as soon as the later stages no longer need it; a Rebuilder keeps
// one, whose memory (the state, the scratch in reuse and the graph's own
// slices) the next build reuses.
type builder struct {
	g       *Graph
	opts    BuildOptions
	workers int // goroutines of the sort and aggregation stages; 1: the calling one alone

	vd     visitDoctors
	ti     timeIndex
	sorted [NumEdgeTypes]typeEdges
	data   []visitAmounts
	wide   [NumEdgeTypes]edgeWide // edge values kept whole, per type

	// reuse, when not nil, holds the scratch memory kept for the next
	// build: reuse[0] that of the sequential stages, reuse[1+i] that of
	// sort job i. When nil, every stage and job allocates its own.
	reuse []scratch
	// adj is the scratch of buildAdjacency while it runs, read by its
	// jobs.
	adj *scratch
}

// scratch is the temporary memory of a build stage or job. A new scratch
// allocates what the stage needs, garbage once it ends, as are the second
// buffers of its radix sorts (sort is nil); a builder's reuse keeps all of
// it for the next build.
type scratch struct {
	pos    []uint32     // counting-sort positions
	counts [][]uint32   // buildAdjacency: per part, per node
	cuts   []NodeID     // buildAdjacency: the parts' bounds
	keys   []uint64     // time-order keys
	regs   []uint64     // registrations
	srt    keyedSorter  // a kind group's (node, rank) pairs
	sort   *sortBuffers // nil: each sort allocates its own
}

// scratch returns slot i of reuse, or a new scratch when reuse is nil.
func (b *builder) scratch(i int) *scratch {
	if b.reuse == nil {
		return new(scratch)
	}
	s := &b.reuse[i]
	if s.sort == nil {
		s.sort = new(sortBuffers)
	}
	return s
}

// build runs the stages, checking ctx and reporting progress between them.
func (b *builder) build(ctx context.Context) error {
	g := b.g
	t := g.t
	nv := t.Visits.Len()
	if err := b.step(ctx, "nodes", t.Institutions.Len(), g.buildNodes); err != nil {
		return err
	}
	if err := b.step(ctx, "fees", t.Fees.Len(), func() { g.buildFeeIndex(b.scratch(0)) }); err != nil {
		return err
	}
	// The visits' doctors and their time order do not depend on each
	// other: with two workers or more they are found side by side.
	if err := b.step(ctx, "visit-doctors", nv, func() {
		if b.workers <= 1 {
			g.buildVisitDoctors(&b.vd)
			g.sortVisitsByTime(b.scratch(0))
			return
		}
		var wg sync.WaitGroup
		wg.Go(func() { g.sortVisitsByTime(b.scratch(0)) })
		g.buildVisitDoctors(&b.vd)
		wg.Wait()
	}); err != nil {
		return err
	}
	if err := b.step(ctx, "time-order", nv, func() { g.prepareTimeIndex(&b.vd, &b.ti) }); err != nil {
		return err
	}
	if err := b.buildEdgesAndLists(ctx); err != nil {
		return err
	}
	var err error
	if serr := b.step(ctx, "adjacency", g.edges.Len(), func() { err = b.buildAdjacency(ctx) }); serr != nil {
		return serr
	}
	return err
}

// step runs stage f after checking ctx, reporting its progress.
func (b *builder) step(ctx context.Context, stage string, total int, f func()) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graph: build cancelled before %s: %w", stage, err)
	}
	b.opts.progress(stage, 0, total)
	f()
	b.opts.progress(stage, total, total)
	return nil
}

// numSortJobs is the number of jobs of the sort stage (sortJob).
const numSortJobs = 10

// buildEdgesAndLists sorts the contributions of each edge type and fills
// the per-node visit lists, independent jobs that the workers run biggest
// first; then it aggregates every edge type into its own segment of the
// edge columns, again one job per type.
func (b *builder) buildEdgesAndLists(ctx context.Context) error {
	g := b.g
	if err := b.step(ctx, "sort", g.t.Visits.Len(), func() { b.runJobs(ctx, numSortJobs, (*builder).sortJob) }); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graph: build cancelled while sorting: %w", err)
	}
	if b.reuse == nil {
		b.vd, b.ti = visitDoctors{}, timeIndex{}
	}
	for ty := range b.sorted {
		g.edgeSeg[ty+1] = g.edgeSeg[ty] + b.sorted[ty].groups
	}
	b.data = g.visitData(b.data)
	g.edges.reset(g.edgeSeg[NumEdgeTypes])
	if err := b.step(ctx, "edges", g.edgeSeg[NumEdgeTypes], func() { b.runJobs(ctx, int(NumEdgeTypes), (*builder).aggregateJob) }); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graph: build cancelled while aggregating: %w", err)
	}
	g.edges.join(b.wide[:])
	b.wide = [NumEdgeTypes]edgeWide{}
	if b.reuse == nil {
		b.data = nil
	}
	return nil
}

// sortJob runs job i of the sort stage. The jobs, biggest first, fill the
// visit lists of a node kind group, sort the contributions of an edge type
// or, the last, sum the totals.
func (b *builder) sortJob(i int) {
	jobs := [numSortJobs]struct {
		lists Kind     // the kind group whose visit lists to fill, or numKinds
		edges EdgeType // the edge type whose contributions to sort, or NumEdgeTypes
	}{
		{KindDoctor, NumEdgeTypes},
		{numKinds, PatientDoctor},
		{numKinds, DoctorInstitutionBilled},
		{KindPatient, NumEdgeTypes},
		{numKinds, PatientInstitution},
		{KindInstitution, NumEdgeTypes},
		{numKinds, PatientPharmacy},
		{numKinds, DoctorPharmacy},
		{numKinds, DoctorInstitutionRegistered},
		{numKinds, NumEdgeTypes},
	}
	switch j := jobs[i]; {
	case j.lists != numKinds:
		b.g.fillTimeIndex(&b.ti, &b.vd, j.lists, 64, b.scratch(1+i))
	case j.edges != NumEdgeTypes:
		b.g.sortEdges(j.edges, &b.vd, &b.sorted[j.edges], b.scratch(1+i))
	default:
		b.g.buildTotals(&b.vd)
	}
}

// aggregateJob aggregates the sorted contributions of edge type ty into
// its segment of the edge columns.
func (b *builder) aggregateJob(ty int) {
	g := b.g
	aggregateInto(&g.edges, g.edgeSeg[ty], EdgeType(ty), &b.sorted[ty], b.data, &b.wide[ty])
	if b.reuse == nil {
		b.sorted[ty] = typeEdges{}
	}
}

// runJobs runs jobs 0 to n-1 in order of submission on up to b.workers
// goroutines (on the calling goroutine when b.workers is 1); jobs not
// started when ctx is cancelled are skipped. job is a method expression,
// so that a build on the calling goroutine allocates nothing.
func (b *builder) runJobs(ctx context.Context, n int, job func(*builder, int)) {
	if b.workers <= 1 {
		for i := 0; i < n && ctx.Err() == nil; i++ {
			job(b, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < b.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				job(b, i)
			}
		}()
	}
	wg.Wait()
}

// buildNodes assigns node ids: patients, doctors, medical institutions,
// pharmacies.
func (g *Graph) buildNodes() {
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

// visitOK reports whether visit row v has in-range person and institution
// rows (ingest guarantees it; Build does not rely on it).
func (g *Graph) visitOK(v uint32) bool {
	vt := &g.t.Visits
	return vt.Person[v] < g.docBase && int(vt.Institution[v]) < len(g.instNode)
}

// visitLive reports whether visit v is valid and not reversed, so that it
// contributes to edges and totals.
func (g *Graph) visitLive(v uint32) bool {
	return g.visitOK(v) && g.t.Visits.Flags[v]&VisitReversed == 0
}

// buildFeeIndex groups fee rows by visit (a stable counting sort). Where
// the fee table lists every visit's lines together and in visit order, as
// exports do, each visit's rows are a run (FeeRows) and no list is kept:
// 4 bytes a fee line less.
func (g *Graph) buildFeeIndex(s *scratch) {
	ft := &g.t.Fees
	nv := uint32(g.t.Visits.Len())
	off := resize(g.feeOff, int(nv)+1)
	skipped, ordered := 0, true
	prev := uint32(0)
	for _, v := range ft.Visit.All() {
		if v < nv {
			off[v+1]++
			ordered = ordered && v >= prev
			prev = v
		} else {
			skipped++
		}
	}
	for i := uint32(1); i <= nv; i++ {
		off[i] += off[i-1]
	}
	g.feeOff, g.skippedFees = off, skipped
	if ordered && skipped == 0 {
		// Row r is the r-th of the grouping: visit v's rows are off[v]..off[v+1]-1.
		g.feeRows, g.feeRuns = g.feeRows[:0], true
		return
	}
	rows := resize(g.feeRows, int(off[nv]))
	s.pos = resize(s.pos, int(nv))
	pos := s.pos
	copy(pos, off[:nv])
	for r, v := range ft.Visit.All() {
		if v < nv {
			rows[pos[v]] = r
			pos[v]++
		}
	}
	g.feeRows, g.feeRuns = rows, false
}

// FeeRows are the fee rows of one visit (Graph.FeesOf), in row order: a run
// of consecutive rows, or a list. The zero value is no rows.
type FeeRows struct {
	list  []uint32 // the rows; nil for the run lo, lo+1, ..., lo+n-1
	lo, n uint32
}

// FeeList returns rows (in row order) as FeeRows; rows must not be
// modified afterwards.
func FeeList(rows []uint32) FeeRows { return FeeRows{list: rows, n: uint32(len(rows))} }

// Len returns the number of rows.
func (r FeeRows) Len() int { return int(r.n) }

// At returns the i-th row.
func (r FeeRows) At(i int) uint32 {
	if r.list != nil {
		return r.list[i]
	}
	return r.lo + uint32(i)
}

// All yields the rows in order.
func (r FeeRows) All() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		if r.list != nil {
			for _, f := range r.list {
				if !yield(f) {
					return
				}
			}
			return
		}
		for f := r.lo; f < r.lo+r.n; f++ {
			if !yield(f) {
				return
			}
		}
	}
}

// AppendTo appends the rows to dst.
func (r FeeRows) AppendTo(dst []uint32) []uint32 {
	if r.list != nil {
		return append(dst, r.list...)
	}
	for f := r.lo; f < r.lo+r.n; f++ {
		dst = append(dst, f)
	}
	return dst
}

// Contains reports whether row f is one of the rows.
func (r FeeRows) Contains(f uint32) bool {
	if r.list != nil {
		_, found := slices.BinarySearch(r.list, f)
		return found
	}
	return f >= r.lo && f-r.lo < r.n
}

// FeesOf returns the fee rows of visit row visit in row order (none for a
// visit at or beyond FeeIndexVisits).
func (g *Graph) FeesOf(visit uint32) FeeRows {
	if int(visit)+1 >= len(g.feeOff) {
		return FeeRows{}
	}
	lo, hi := g.feeOff[visit], g.feeOff[visit+1]
	if g.feeRuns {
		return FeeRows{lo: lo, n: hi - lo}
	}
	return FeeRows{list: g.feeRows[lo:hi:hi], n: hi - lo}
}

// FeeIndexVisits returns the number of visit rows the fee index covers:
// the visits of the tables when the graph was built (rows appended since
// are not indexed).
func (g *Graph) FeeIndexVisits() int { return max(len(g.feeOff)-1, 0) }

// billFlag marks, in visitDoctors, a doctor who billed a fee line of the visit.
const billFlag = 1 << 31

// visitDoctors lists the distinct doctor rows of each visit (attending
// first, then billing doctors in fee order), with billFlag set on doctors
// who billed a fee line. It is temporary build state.
type visitDoctors struct {
	off []uint32
	doc []uint32
}

// of returns the doctor entries of visit v.
func (vd *visitDoctors) of(v uint32) []uint32 { return vd.doc[vd.off[v]:vd.off[v+1]] }

// buildVisitDoctors collects the doctors of every valid visit into vd,
// reusing its memory.
func (g *Graph) buildVisitDoctors(vd *visitDoctors) {
	vt := &g.t.Visits
	nd := g.medBase - g.docBase
	nv := vt.Len()
	off := resize(vd.off, nv+1)
	doc := slices.Grow(vd.doc[:0], nv+nv/2)
	for v := 0; v < nv; v++ {
		start := len(doc)
		if g.visitOK(uint32(v)) {
			if d := vt.Doctor[v]; d < nd {
				doc = append(doc, d)
			}
			for f := range g.FeesOf(uint32(v)).All() {
				d := g.t.Fees.Doctor.Of(f, vt.Doctor[v]) // the rows of visit v
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
	vd.off, vd.doc = off, doc
}
