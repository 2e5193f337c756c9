package graph

import (
	"context"
	"fmt"
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
}

// progress reports a stage's progress if a callback is set.
func (o *BuildOptions) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, int64(done), int64(total))
	}
}

// Build turns the columnar tables into a Graph, using up to two goroutines.
// It checks ctx between stages and returns ctx's error, wrapped, when it is
// cancelled. Visits
// flagged VisitReversed contribute to no edge; visits or fee lines whose
// rows point outside their tables are skipped and counted in the summary.
// Build does not modify t; t must not be modified while the graph is in use.
func Build(ctx context.Context, t *Tables, opts BuildOptions) (*Graph, error) {
	if err := checkTables(t); err != nil {
		return nil, err
	}
	g := &Graph{t: t}
	step := func(stage string, total int, f func()) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("graph: build cancelled before %s: %w", stage, err)
		}
		opts.progress(stage, 0, total)
		f()
		opts.progress(stage, total, total)
		return nil
	}
	nv := t.Visits.Len()
	if err := step("nodes", t.Institutions.Len(), g.buildNodes); err != nil {
		return nil, err
	}
	if err := step("fees", t.Fees.Len(), g.buildFeeIndex); err != nil {
		return nil, err
	}
	var vd visitDoctors
	if err := step("visit-doctors", nv, func() { vd = g.buildVisitDoctors() }); err != nil {
		return nil, err
	}
	var ti *timeIndex
	if err := step("time-order", nv, func() { ti = g.prepareTimeIndex(&vd) }); err != nil {
		return nil, err
	}
	if err := g.buildEdgesAndLists(ctx, step, &vd, ti); err != nil {
		return nil, err
	}
	if err := step("adjacency", g.edges.Len(), g.buildAdjacency); err != nil {
		return nil, err
	}
	return g, nil
}

// buildEdgesAndLists sorts the contributions of each edge type and fills
// the per-node visit lists, independent jobs that two workers run biggest
// first; then it aggregates every edge type into its own segment of the
// edge columns, again two at a time.
func (g *Graph) buildEdgesAndLists(ctx context.Context, step func(string, int, func()) error, vd *visitDoctors, ti *timeIndex) error {
	nv := g.t.Visits.Len()
	var sorted [NumEdgeTypes]*typeEdges
	sortJob := func(ty EdgeType) func() { return func() { sorted[ty] = g.sortEdges(ty, vd) } }
	jobs := []func(){
		func() { g.fillTimeIndex(ti, vd, KindDoctor, 64) },
		sortJob(PatientDoctor),
		sortJob(DoctorInstitutionBilled),
		func() { g.fillTimeIndex(ti, vd, KindPatient, 64) },
		sortJob(PatientInstitution),
		func() { g.fillTimeIndex(ti, vd, KindInstitution, 64) },
		sortJob(PatientPharmacy),
		sortJob(DoctorPharmacy),
		sortJob(DoctorInstitutionRegistered),
		func() { g.buildTotals(vd) },
	}
	if err := step("sort", nv, func() { runJobs(ctx, 2, jobs) }); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graph: build cancelled while sorting: %w", err)
	}
	for ty, te := range sorted {
		g.edgeSeg[ty+1] = g.edgeSeg[ty] + te.groups
	}
	data := g.visitData()
	g.edges = newEdgeTable(g.edgeSeg[NumEdgeTypes])
	jobs = jobs[:0]
	for ty := range sorted {
		jobs = append(jobs, func() {
			aggregateInto(&g.edges, g.edgeSeg[ty], EdgeType(ty), sorted[ty], data)
			sorted[ty] = nil
		})
	}
	if err := step("edges", g.edgeSeg[NumEdgeTypes], func() { runJobs(ctx, 2, jobs) }); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("graph: build cancelled while aggregating: %w", err)
	}
	return nil
}

// runJobs runs jobs on up to workers goroutines, in order of submission;
// jobs not started when ctx is cancelled are skipped.
func runJobs(ctx context.Context, workers int, jobs []func()) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				jobs[i]()
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
	g.instNode = make([]NodeID, it.Len())
	g.instRow = make([]uint32, it.Len())
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

// buildFeeIndex groups fee rows by visit (a stable counting sort).
func (g *Graph) buildFeeIndex() {
	ft := &g.t.Fees
	nv := uint32(g.t.Visits.Len())
	off := make([]uint32, nv+1)
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
	rows := make([]uint32, off[nv])
	pos := make([]uint32, nv)
	copy(pos, off[:nv])
	for r, v := range ft.Visit {
		if v < nv {
			rows[pos[v]] = uint32(r)
			pos[v]++
		}
	}
	g.feeOff, g.feeRows, g.skippedFees = off, rows, skipped
}

// FeesOf returns the fee rows of visit row visit in input order (nil for an
// out-of-range visit). The slice must not be modified.
func (g *Graph) FeesOf(visit uint32) []uint32 {
	if int(visit)+1 >= len(g.feeOff) {
		return nil
	}
	return g.feeRows[g.feeOff[visit]:g.feeOff[visit+1]:g.feeOff[visit+1]]
}

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

// buildVisitDoctors collects the doctors of every valid visit.
func (g *Graph) buildVisitDoctors() visitDoctors {
	vt := &g.t.Visits
	ft := &g.t.Fees
	nd := g.medBase - g.docBase
	nv := vt.Len()
	off := make([]uint32, nv+1)
	doc := make([]uint32, 0, nv+nv/2)
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
	return visitDoctors{off: off, doc: doc}
}
