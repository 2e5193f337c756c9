package graph

import (
	"math/bits"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// edgeRec is one (edge key, visit) contribution before aggregation; the key
// packs U in the high and V in the low 32 bits.
type edgeRec struct {
	key   uint64
	visit uint32
}

func edgeRecKey(r *edgeRec) uint64 { return r.key }

// aggEdge is an aggregated edge of one type, keyed by U<<32 | V.
type aggEdge struct {
	key          uint64
	visits       uint32
	fund, medFee claims.Money
	first, last  claims.Time
}

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
	}
	return keySpace{uBase: u, vBase: v, uBits: uint(bits.Len32(uEnd - u)), vBits: uint(bits.Len32(vEnd - v))}
}

// edgesOfType aggregates the edges of one type, sorted by U<<32 | V.
func (g *Graph) edgesOfType(ty EdgeType, vd *visitDoctors, data []visitAmounts) []aggEdge {
	if ty == DoctorInstitutionRegistered {
		return g.registeredEdges()
	}
	ks := g.keySpace(ty)
	srt := g.emitEdges(ty, ks, vd)
	srt.sort()
	return aggregate(srt, data, ks)
}

// registrations returns the sorted distinct (doctor node, institution node)
// keys of staff.csv.
func (g *Graph) registrations() []uint64 {
	nd := g.medBase - g.docBase
	keys := make([]uint64, 0, len(g.t.Doctors.Sites))
	for _, s := range g.t.Doctors.Sites {
		if s.Doctor >= nd || int(s.Institution) >= len(g.instNode) {
			continue
		}
		keys = append(keys, pack(g.docBase+s.Doctor, uint32(g.instNode[s.Institution])))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// registeredEdges returns the DoctorInstitutionRegistered edges.
func (g *Graph) registeredEdges() []aggEdge {
	keys := g.registrations()
	out := make([]aggEdge, len(keys))
	for i, k := range keys {
		out[i] = aggEdge{key: k, first: claims.NoTime, last: claims.NoTime}
	}
	return out
}

// emitEdges appends one record per (edge of type ty, live visit).
func (g *Graph) emitEdges(ty EdgeType, ks keySpace, vd *visitDoctors) *keyedSorter {
	vt := &g.t.Visits
	var regs []uint64
	n := 0
	switch ty {
	case DoctorPharmacy:
		regs = g.registrations()
	case PatientDoctor, DoctorInstitutionBilled:
		n = len(vd.doc)
	default:
		n = vt.Len()
	}
	buf := newKeyedSorter(n, ks.uBits+ks.vBits, uint(bits.Len(uint(vt.Len()))))
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

// visitAmounts packs the visit columns aggregation needs, so that a
// record costs one random access instead of three.
type visitAmounts struct {
	fund, medFee claims.Money
	begin        claims.Time
}

// visitData gathers the amounts and begin time of every visit in row order.
func (g *Graph) visitData() []visitAmounts {
	vt := &g.t.Visits
	data := make([]visitAmounts, vt.Len())
	for v := range data {
		data[v] = visitAmounts{vt.FundPay[v], vt.MedFee[v], vt.Begin[v]}
	}
	return data
}

// aggregate sums records sorted by compressed key into edges keyed
// U<<32 | V.
func aggregate(srt *keyedSorter, data []visitAmounts, ks keySpace) []aggEdge {
	n := srt.len()
	groups := 0
	prev := uint64(0)
	for i := 0; i < n; i++ {
		k, _ := srt.at(i)
		if i == 0 || k != prev {
			groups++
		}
		prev = k
	}
	out := make([]aggEdge, 0, groups)
	// Gather a chunk of visits first: a loop of independent loads keeps
	// many cache misses in flight, which the branchy grouping loop cannot.
	var chunk [512]visitAmounts
	var e aggEdge
	for base := 0; base < n; base += len(chunk) {
		m := min(len(chunk), n-base)
		for j := 0; j < m; j++ {
			_, v := srt.at(base + j)
			chunk[j] = data[v]
		}
		for j := 0; j < m; j++ {
			k, _ := srt.at(base + j)
			d := &chunk[j]
			if base+j == 0 || k != prev {
				if base+j > 0 {
					out = append(out, e)
				}
				e = aggEdge{key: ks.unpack(k), first: d.begin, last: d.begin}
				prev = k
			}
			e.visits++
			e.fund += d.fund
			e.medFee += d.medFee
			e.first = min(e.first, d.begin)
			e.last = max(e.last, d.begin)
		}
	}
	if n > 0 {
		out = append(out, e)
	}
	return out
}

// mergeEdges merges the per-type sorted edge lists into the EdgeTable,
// ordered by (U, V, Type), and releases them.
func (g *Graph) mergeEdges(per *[NumEdgeTypes][]aggEdge) {
	n := 0
	for _, p := range per {
		n += len(p)
	}
	et := EdgeTable{
		Type: make([]EdgeType, n), U: make([]NodeID, n), V: make([]NodeID, n),
		Visits: make([]uint32, n), Fund: make([]claims.Money, n), MedFee: make([]claims.Money, n),
		First: make([]claims.Time, n), Last: make([]claims.Time, n),
	}
	var pos [NumEdgeTypes]int
	for i := 0; i < n; i++ {
		best := -1
		var bk uint64
		for ty := range per {
			if pos[ty] < len(per[ty]) {
				if k := per[ty][pos[ty]].key; best < 0 || k < bk {
					best, bk = ty, k
				}
			}
		}
		e := &per[best][pos[best]]
		pos[best]++
		et.Type[i] = EdgeType(best)
		et.U[i], et.V[i] = NodeID(e.key>>32), NodeID(uint32(e.key))
		et.Visits[i], et.Fund[i], et.MedFee[i] = e.visits, e.fund, e.medFee
		et.First[i], et.Last[i] = e.first, e.last
	}
	g.edges = et
	*per = [NumEdgeTypes][]aggEdge{}
}
