package lockstep

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// incidence is the bipartite graph patients × columns of one kind, as flat
// arrays. Columns are numbered by day, then by (hub, admission) in order of
// first visit that day, then by slot, so that a hub's columns are in time
// order. The edges of a column are contiguous and sorted by patient row;
// the visits of an edge are contiguous and sorted by row.
type incidence struct {
	kind    ColumnKind
	shifted bool           // slots start half a slot after midnight
	colHub  []graph.NodeID // hub node of each column
	colEdge []uint32       // len columns+1: edges of column c are [colEdge[c], colEdge[c+1])
	edgePat []uint32       // Persons row of each edge
	// edgeVisit is the first visit row of each edge; a patient seldom
	// comes twice in one column, so the later visits of an edge are kept
	// apart, in more (by edge, then visit), rather than every edge's
	// visits behind offsets: four bytes a visit less where lockstep's
	// memory peaks.
	edgeVisit []uint32
	more      []edgeVisit

	hubs    []graph.NodeID // distinct hubs, sorted
	hubCol  []uint32       // len hubs+1: columns of hub h are hubCols[hubCol[h]:hubCol[h+1]]
	hubCols []uint32       // column ids grouped by hub, ascending within a hub
}

// edgeVisit is a visit of an edge after its first (incidence.more).
type edgeVisit struct{ edge, visit uint32 }

// visitsOf appends the visit rows of edge e to buf, in column order (by
// visit row), and returns it.
func (inc *incidence) visitsOf(e uint32, buf []uint32) []uint32 {
	buf = append(buf, inc.edgeVisit[e])
	k, _ := slices.BinarySearchFunc(inc.more, e, func(m edgeVisit, e uint32) int { return cmp.Compare(m.edge, e) })
	for ; k < len(inc.more) && inc.more[k].edge == e; k++ {
		buf = append(buf, inc.more[k].visit)
	}
	return buf
}

// numCols returns the number of columns.
func (inc *incidence) numCols() int { return len(inc.colHub) }

// entry is one visit placed in a column during the build: col packs the
// hub node (high half) and the slot (low half), pv the Persons row (high)
// and the visit row (low), so that entries sort by two integer compares.
type entry struct {
	col, pv uint64
}

// admissionFlag marks inpatient slots so that they never share a column
// with outpatient slots of the same hub.
const admissionFlag = 1 << 16

// bucketOf returns the (hub, admission) bucket key of an entry.
func bucketOf(e entry) uint32 {
	k := uint32(e.col>>32) * 2
	if uint32(e.col)&admissionFlag != 0 {
		k++
	}
	return k
}

// buildIncidence builds the incidence of kind from g's live visits.
// With shifted, InstitutionSlot slots start half a slot later (see slotOf).
func buildIncidence(ctx context.Context, g *graph.Graph, kind ColumnKind, shifted bool, opt *Options) (*incidence, error) {
	t := g.Tables()
	vt := &t.Visits
	nDoc := uint32(t.Doctors.Len())
	nPat := uint32(g.NumKind(graph.KindPatient))
	rows := g.VisitsByTime()
	stage := "lockstep " + kind.String() + " incidence"
	opt.progress(stage, 0, len(rows))
	inc := &incidence{kind: kind, shifted: shifted,
		edgePat:   make([]uint32, 0, len(rows)),
		edgeVisit: make([]uint32, 0, len(rows)),
	}
	var buf, tmp []entry
	// bucket[2*hub+admission] is the day's bucket of a hub's outpatient or
	// admission entries, -1 when none; touched lists the buckets in use.
	bucket := make([]int32, 2*g.NumNodes())
	for i := range bucket {
		bucket[i] = -1
	}
	var touched []uint32
	var off []int
	done := 0 // rows of the time order read so far, for growAtRate
	// flush turns the buffered entries of one day into columns and edges;
	// colEdge holds start offsets until the final end is appended below. The entries arrive in time order, so a stable
	// counting sort by (hub, admission) leaves each bucket in slot order:
	// equal columns are runs, sorted by patient in place.
	flush := func() {
		touched, off = touched[:0], off[:0]
		for _, e := range buf {
			k := bucketOf(e)
			if bucket[k] < 0 {
				bucket[k] = int32(len(touched))
				touched = append(touched, k)
				off = append(off, 0)
			}
			off[bucket[k]]++
		}
		sum := 0
		for i, n := range off {
			off[i], sum = sum, sum+n
		}
		tmp = resize(tmp, len(buf))
		for _, e := range buf {
			b := bucket[bucketOf(e)]
			tmp[off[b]] = e
			off[b]++
		}
		for _, k := range touched {
			bucket[k] = -1
		}
		for i := 0; i < len(tmp); {
			j := i + 1
			for j < len(tmp) && tmp[j].col == tmp[i].col {
				j++
			}
			run := tmp[i:j]
			if len(run) > 1 {
				slices.SortFunc(run, func(a, b entry) int { return cmp.Compare(a.pv, b.pv) })
			}
			if len(inc.colHub) == cap(inc.colHub) {
				inc.colEdge, inc.colHub = growAtRate(inc.colEdge, done, len(rows)), growAtRate(inc.colHub, done, len(rows))
			}
			inc.colEdge = append(inc.colEdge, uint32(len(inc.edgePat)))
			inc.colHub = append(inc.colHub, graph.NodeID(run[0].col>>32))
			for k, e := range run {
				pat := uint32(e.pv >> 32)
				if k == 0 || pat != uint32(run[k-1].pv>>32) {
					inc.edgePat = append(inc.edgePat, pat)
					inc.edgeVisit = append(inc.edgeVisit, uint32(e.pv))
				} else {
					inc.more = append(inc.more, edgeVisit{edge: uint32(len(inc.edgePat) - 1), visit: uint32(e.pv)})
				}
			}
			i = j
		}
		buf = buf[:0]
	}
	day := claims.NoDate
	var cols visitColumns
	for lo := 0; lo < len(rows); lo += gatherRows {
		if lo&0xffff == 0 { // gatherRows divides 0x10000
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("lockstep: building %s incidence: %w", kind, err)
			}
			opt.progress(stage, lo, len(rows))
		}
		block := rows[lo:min(lo+gatherRows, len(rows))]
		cols.gather(vt, block, kind)
		for j, v := range block {
			if cols.flags[j]&graph.VisitReversed != 0 || cols.person[j] >= nPat {
				continue
			}
			begin := cols.begin[j]
			if d := begin.Day(); d != day {
				done = lo + j
				flush()
				day = d
			}
			var hub graph.NodeID
			var slot uint32
			switch kind {
			case InstitutionSlot:
				hub = g.InstitutionNode(cols.hub[j])
				if hub == graph.NoNode {
					continue
				}
				slot = slotAt(begin, cols.med[j], shifted, opt)
			case DoctorDay:
				d := cols.hub[j]
				if d >= nDoc || (int(d) < len(opt.ExcludeDoctors) && opt.ExcludeDoctors[d]) {
					continue
				}
				hub = g.DoctorNode(d)
			}
			buf = append(buf, entry{col: uint64(hub)<<32 | uint64(slot), pv: uint64(cols.person[j])<<32 | uint64(v)})
		}
	}
	done = len(rows)
	flush()
	inc.colEdge = append(inc.colEdge, uint32(len(inc.edgePat)))
	inc.groupByHub(g.NumNodes())
	opt.progress(stage, len(rows), len(rows))
	return inc, nil
}

// groupByHub fills hubs, hubCol and hubCols with a counting sort of the
// columns by hub node; numNodes bounds the hub nodes.
func (inc *incidence) groupByHub(numNodes int) {
	count := make([]uint32, numNodes+1) // count[h+1] = columns of node h, then offsets
	for _, h := range inc.colHub {
		count[h+1]++
	}
	inc.hubCol = []uint32{0}
	for h := 0; h < numNodes; h++ {
		if n := count[h+1]; n > 0 {
			inc.hubs = append(inc.hubs, graph.NodeID(h))
			inc.hubCol = append(inc.hubCol, inc.hubCol[len(inc.hubCol)-1]+n)
		}
		count[h+1] += count[h]
	}
	inc.hubCols = make([]uint32, len(inc.colHub))
	for c, h := range inc.colHub {
		inc.hubCols[count[h]] = uint32(c)
		count[h]++
	}
}

// slotOf returns the slot of visit v within its day: the SlotMinutes slot
// of its begin time, or for an inpatient admission the AdmissionSlotMinutes
// slot with admissionFlag set. Slots are aligned on midnight, or with
// shifted on midnight plus half a slot (the first slot of the day is then
// the shorter one).
func slotOf(vt *graph.VisitTable, v uint32, shifted bool, opt *Options) uint32 {
	return slotAt(vt.Begin.At(v), vt.MedType[v], shifted, opt)
}

// slotAt is slotOf for a visit that begins at begin, of medical type med.
func slotAt(begin claims.Time, med claims.MedType, shifted bool, opt *Options) uint32 {
	t := int64(begin)
	minute := uint32((t - int64(begin.Day())*86400) / 60)
	width, flag := uint32(opt.SlotMinutes), uint32(0)
	if med.Inpatient() {
		width, flag = uint32(opt.AdmissionSlotMinutes), admissionFlag
	}
	if shifted {
		minute += width - width/2
	}
	return flag | minute/width
}

// gatherRows is how many visits of the time order buildIncidence reads at
// a time, column by column (visitColumns).
const gatherRows = 1024

// visitColumns holds the columns buildIncidence reads of a block of
// visits in time order, gathered one column at a time: the visits lie far
// apart in the table, and a loop that does nothing but load one column
// keeps many cache misses in flight where the loop that uses them keeps a
// few (the three walks of a 10M-visit city took 5.0 s of CPU visit by
// visit, 3.9 s gathered).
type visitColumns struct {
	flags  []graph.VisitFlag
	person []uint32
	begin  []claims.Time
	hub    []uint32 // Institutions row (InstitutionSlot) or Doctors row (DoctorDay)
	med    []claims.MedType
}

// gather reads the columns of the visits rows that an incidence of kind
// needs.
func (c *visitColumns) gather(vt *graph.VisitTable, rows []uint32, kind ColumnKind) {
	n := len(rows)
	c.flags, c.person, c.begin, c.hub = resize(c.flags, n), resize(c.person, n), resize(c.begin, n), resize(c.hub, n)
	for j, v := range rows {
		c.flags[j] = vt.Flags[v]
	}
	for j, v := range rows {
		c.person[j] = vt.Person[v]
	}
	for j, v := range rows {
		c.begin[j] = vt.Begin.At(v)
	}
	switch kind {
	case InstitutionSlot:
		c.med = resize(c.med, n)
		for j, v := range rows {
			c.hub[j] = vt.Institution[v]
		}
		for j, v := range rows {
			c.med[j] = vt.MedType[v]
		}
	case DoctorDay:
		for j, v := range rows {
			c.hub[j] = vt.Doctor[v]
		}
	}
}

// growAtRate returns s with room for more elements: as many as done of
// total rows have given so far promise for all of them, and at least a
// quarter more than it holds, so that a column list grown over the whole
// time order is copied a few times rather than at every doubling.
func growAtRate[T any](s []T, done, total int) []T {
	want := len(s) + len(s)/4 + 64
	if done > 0 {
		want = max(want, int(float64(len(s))*float64(total)/float64(done)*1.02)+64)
	}
	return slices.Grow(s, want-len(s))
}
