package graph

import (
	"math/bits"
	"slices"
	"sort"

	"github.com/ringlens/ringlens/graph/claims"
)

// edgeRec is one (edge key, visit) contribution before aggregation; the key
// packs U in the high and V in the low 32 bits.
type edgeRec struct {
	key   uint64
	visit uint32
}

func edgeRecKey(r *edgeRec) uint64 { return r.key }

func pack(u, v uint32) uint64 { return uint64(u)<<32 | uint64(v) }

// keySpace compresses the (U, V) keys of one edge type for sorting: the
// sort key is (U-uBase)<<vBits | (V-vBase), which orders like U<<32 | V
// but needs fewer radix passes.
type keySpace struct {
	uBase, vBase uint32
	uBits, vBits uint
}

func (ks keySpace) key(u, v uint32) uint64 { return uint64(u-ks.uBase)<<ks.vBits | uint64(v-ks.vBase) }

func (ks keySpace) unpack(k uint64) uint64 {
	return pack(ks.uBase+uint32(k>>ks.vBits), ks.vBase+uint32(k&(1<<ks.vBits-1)))
}

// keySpace returns the key space of edge type ty.
func (g *Graph) keySpace(ty EdgeType) keySpace {
	u, uEnd, v, vEnd := uint32(0), g.docBase, g.medBase, g.pharmBase // PatientInstitution
	switch ty {
	case PatientDoctor:
		v, vEnd = g.docBase, g.medBase
	case DoctorInstitutionBilled:
		u, uEnd = g.docBase, g.medBase
	case PatientPharmacy:
		v, vEnd = g.pharmBase, g.numNodes
	case DoctorPharmacy:
		u, uEnd, v, vEnd = g.docBase, g.medBase, g.pharmBase, g.numNodes
	case DoctorInstitutionRegistered:
		u, uEnd, v, vEnd = g.docBase, g.medBase, g.medBase, g.numNodes
	}
	return keySpace{uBase: u, vBase: v, uBits: uint(bits.Len32(uEnd - u)), vBits: uint(bits.Len32(vEnd - v))}
}

// typeEdges holds the sorted contributions of one edge type between the
// sort and the aggregation stage.
type typeEdges struct {
	ks     keySpace
	srt    keyedSorter
	groups int // distinct keys: the number of edges
}

// sortEdges emits and sorts the contributions of edge type ty into te,
// reusing its memory, and counts its edges.
func (g *Graph) sortEdges(ty EdgeType, vd *visitDoctors, te *typeEdges, s *scratch) {
	ks := g.keySpace(ty)
	srt := &te.srt
	if ty == DoctorInstitutionRegistered {
		g.emitRegistrations(ks, srt)
	} else {
		g.emitEdges(ty, ks, vd, srt, s)
	}
	srt.sort(s.sort)
	te.ks, te.groups = ks, 0
	prev := uint64(0)
	for i := 0; i < srt.len(); i++ {
		k, _ := srt.at(i)
		if i == 0 || k != prev {
			te.groups++
		}
		prev = k
	}
}

// emitRegistrations emits the (doctor, institution or pharmacy) keys of
// staff.csv into srt; duplicates merge in aggregation.
func (g *Graph) emitRegistrations(ks keySpace, srt *keyedSorter) {
	nd := g.medBase - g.docBase
	srt.reset(len(g.t.Doctors.Sites), ks.uBits+ks.vBits, 0)
	for _, r := range g.t.Doctors.Sites {
		if r.Doctor < nd && int(r.Institution) < len(g.instNode) {
			srt.add(ks.key(g.docBase+r.Doctor, uint32(g.instNode[r.Institution])), 0)
		}
	}
}

// registrations returns the sorted distinct (doctor node, institution node)
// keys of staff.csv, in the memory of s.regs.
func (g *Graph) registrations(s *scratch) []uint64 {
	nd := g.medBase - g.docBase
	keys := slices.Grow(s.regs[:0], len(g.t.Doctors.Sites))
	for _, site := range g.t.Doctors.Sites {
		if site.Doctor >= nd || int(site.Institution) >= len(g.instNode) {
			continue
		}
		keys = append(keys, pack(g.docBase+site.Doctor, uint32(g.instNode[site.Institution])))
	}
	slices.Sort(keys)
	s.regs = slices.Compact(keys)
	return s.regs
}

// emitEdges emits into srt one record per (edge of type ty, live visit).
func (g *Graph) emitEdges(ty EdgeType, ks keySpace, vd *visitDoctors, srt *keyedSorter, s *scratch) {
	vt := &g.t.Visits
	var regs []uint64
	n := 0
	switch ty {
	case DoctorPharmacy:
		regs = g.registrations(s)
	case PatientDoctor, DoctorInstitutionBilled:
		n = len(vd.doc)
	default:
		n = vt.Len()
	}
	srt.reset(n, ks.uBits+ks.vBits, uint(bits.Len(uint(vt.Len()))))
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
				srt.add(ks.key(p, inst), vv)
			}
		case PatientDoctor:
			for _, d := range vd.of(vv) {
				srt.add(ks.key(p, g.docBase+d&^billFlag), vv)
			}
		case DoctorInstitutionBilled:
			if !pharm {
				for _, d := range vd.of(vv) {
					srt.add(ks.key(g.docBase+d&^billFlag, inst), vv)
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
						srt.add(ks.key(doc, inst), vv)
					}
				}
			}
		}
	}
}

// visitAmounts packs the visit columns aggregation needs, so that a
// record costs one random access instead of three.
type visitAmounts struct {
	fund, medFee claims.Money
	begin        claims.Time
}

// visitData gathers the amounts and begin time of every visit in row order,
// in the memory of data.
func (g *Graph) visitData(data []visitAmounts) []visitAmounts {
	vt := &g.t.Visits
	data = resize(data, vt.Len())
	for v := range data {
		data[v] = visitAmounts{vt.FundPay.At(uint32(v)), vt.MedFee.At(uint32(v)), vt.Begin.At(uint32(v))}
	}
	return data
}

// edgeSums are the sums of one edge's visits while they are aggregated.
type edgeSums struct {
	visits       uint32
	fund, medFee claims.Money
	first, last  claims.Time
}

// aggregateInto sums the sorted contributions of te into the rows
// [base, base+te.groups) of et, as edges of type ty. Values of the four-byte
// columns kept whole go to wide (see edgeWide), in row order.
func aggregateInto(et *EdgeTable, base int, ty EdgeType, te *typeEdges, data []visitAmounts, wide *edgeWide) {
	srt, n := &te.srt, te.srt.len()
	row := base - 1
	prev := uint64(0)
	sums := edgeSums{first: claims.NoTime, last: claims.NoTime}
	flush := func() {
		if row >= base {
			et.Visits[row] = sums.visits
			et.Fund.put(row, sums.fund, &wide.fund)
			et.MedFee.put(row, sums.medFee, &wide.medFee)
			et.First.put(row, sums.first, &wide.first)
			et.Last.put(row, sums.last, &wide.last)
		}
	}
	put := func(k uint64) {
		flush()
		row++
		key := te.ks.unpack(k)
		et.Type[row], et.U[row], et.V[row] = ty, NodeID(key>>32), NodeID(uint32(key))
		sums = edgeSums{first: claims.NoTime, last: claims.NoTime}
	}
	defer flush()
	if ty == DoctorInstitutionRegistered {
		for i := 0; i < n; i++ {
			if k, _ := srt.at(i); i == 0 || k != prev {
				put(k)
				prev = k
			}
		}
		return
	}
	// Gather a chunk of visits first: a loop of independent loads keeps
	// many cache misses in flight, which the branchy grouping loop cannot.
	var chunk [512]visitAmounts
	for lo := 0; lo < n; lo += len(chunk) {
		m := min(len(chunk), n-lo)
		for j := 0; j < m; j++ {
			_, v := srt.at(lo + j)
			chunk[j] = data[v]
		}
		for j := 0; j < m; j++ {
			k, _ := srt.at(lo + j)
			d := &chunk[j]
			if lo+j == 0 || k != prev {
				put(k)
				prev = k
				sums.first, sums.last = d.begin, d.begin
			}
			sums.visits++
			sums.fund += d.fund
			sums.medFee += d.medFee
			sums.first = min(sums.first, d.begin)
			sums.last = max(sums.last, d.begin)
		}
	}
}

// reset makes et n zero edges, reusing the memory of its columns
// (allocating them for a zero et).
func (et *EdgeTable) reset(n int) {
	et.Type, et.U, et.V = resize(et.Type, n), resize(et.U, n), resize(et.V, n)
	et.Visits = resize(et.Visits, n)
	if et.First.vals == nil {
		et.Fund, et.MedFee = NewMoney[claims.Money](0), NewMoney[claims.Money](0)
		et.First, et.Last = NewTimes(0), NewTimes(0)
	}
	et.Fund.resize(n)
	et.MedFee.resize(n)
	et.First.resize(n)
	et.Last.resize(n)
}

// edgeWide holds the values of an edge type's four-byte columns kept whole,
// in row order, while the types are aggregated side by side; join adds
// them to the columns once every type is done.
type edgeWide struct {
	fund, medFee, first, last []wideValue
}

// join adds the wide values of every type, in type (and so row) order, to
// the columns of et.
func (et *EdgeTable) join(wide []edgeWide) {
	for i := range wide {
		w := &wide[i]
		et.Fund.wide = append(et.Fund.wide, w.fund...)
		et.MedFee.wide = append(et.MedFee.wide, w.medFee...)
		et.First.wide = append(et.First.wide, w.first...)
		et.Last.wide = append(et.Last.wide, w.last...)
	}
}

// mergedOrder calls f for every edge whose lower end U is in [ulo, uhi), in
// (U, V, Type) order, merging the type segments [seg[t], seg[t+1]) of et,
// each sorted by (U, V).
func mergedOrder(et *EdgeTable, seg *[NumEdgeTypes + 1]int, ulo, uhi NodeID, f func(e int)) {
	var pos, end [NumEdgeTypes]int
	for t := range pos {
		pos[t], end[t] = segmentRange(et, seg, EdgeType(t), ulo, uhi)
	}
	for {
		best, bk := -1, uint64(0)
		for t := range pos {
			if pos[t] < end[t] {
				if k := pack(uint32(et.U[pos[t]]), uint32(et.V[pos[t]])); best < 0 || k < bk {
					best, bk = t, k
				}
			}
		}
		if best < 0 {
			return
		}
		f(pos[best])
		pos[best]++
	}
}

// forPart calls f on the range of each type segment of et whose edges have
// their lower end U in [ulo, uhi).
func forPart(et *EdgeTable, seg *[NumEdgeTypes + 1]int, ulo, uhi NodeID, f func(lo, hi int)) {
	for t := range EdgeType(NumEdgeTypes) {
		if lo, hi := segmentRange(et, seg, t, ulo, uhi); lo < hi {
			f(lo, hi)
		}
	}
}

// segmentRange returns the range of type segment t of et (sorted by U)
// whose edges have U in [ulo, uhi).
func segmentRange(et *EdgeTable, seg *[NumEdgeTypes + 1]int, t EdgeType, ulo, uhi NodeID) (lo, hi int) {
	a, b := seg[t], seg[t+1]
	u := et.U[a:b]
	return a + sort.Search(len(u), func(i int) bool { return u[i] >= ulo }),
		a + sort.Search(len(u), func(i int) bool { return u[i] >= uhi })
}
