package graph

import (
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

// buildEdges aggregates the typed edges and stores them ordered by
// (U, V, Type).
func (g *Graph) buildEdges(vd *visitDoctors) {
	var per [NumEdgeTypes][]aggEdge
	var buf, tmp []edgeRec
	for ty := EdgeType(0); ty < NumEdgeTypes; ty++ {
		if ty == DoctorInstitutionRegistered {
			per[ty] = g.registeredEdges()
			continue
		}
		buf = g.emitEdges(ty, vd, buf[:0])
		if cap(tmp) < len(buf) {
			tmp = make([]edgeRec, len(buf))
		}
		sorted := radixSort(buf, tmp[:len(buf)], edgeRecKey)
		per[ty] = g.aggregate(sorted)
	}
	buf, tmp = nil, nil
	g.mergeEdges(&per)
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
func (g *Graph) emitEdges(ty EdgeType, vd *visitDoctors, buf []edgeRec) []edgeRec {
	vt := &g.t.Visits
	var regs []uint64
	if ty == DoctorPharmacy {
		regs = g.registrations()
	}
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
				buf = append(buf, edgeRec{pack(p, inst), vv})
			}
		case PatientDoctor:
			for _, d := range vd.of(vv) {
				buf = append(buf, edgeRec{pack(p, g.docBase+d&^billFlag), vv})
			}
		case DoctorInstitutionBilled:
			if !pharm {
				for _, d := range vd.of(vv) {
					buf = append(buf, edgeRec{pack(g.docBase+d&^billFlag, inst), vv})
				}
			}
		case DoctorPharmacy:
			if pharm {
				for _, d := range vd.of(vv) {
					if d&billFlag == 0 {
						continue
					}
					k := pack(g.docBase+d&^billFlag, inst)
					if _, reg := slices.BinarySearch(regs, k); !reg {
						buf = append(buf, edgeRec{k, vv})
					}
				}
			}
		}
	}
	return buf
}

// aggregate sums sorted records into edges.
func (g *Graph) aggregate(recs []edgeRec) []aggEdge {
	vt := &g.t.Visits
	var out []aggEdge
	for i := 0; i < len(recs); {
		k := recs[i].key
		e := aggEdge{key: k, first: vt.Begin[recs[i].visit], last: vt.Begin[recs[i].visit]}
		for ; i < len(recs) && recs[i].key == k; i++ {
			v := recs[i].visit
			e.visits++
			e.fund += vt.FundPay[v]
			e.medFee += vt.MedFee[v]
			e.first = min(e.first, vt.Begin[v])
			e.last = max(e.last, vt.Begin[v])
		}
		out = append(out, e)
	}
	return out
}

// mergeEdges merges the per-type sorted edge lists into the EdgeTable,
// ordered by (U, V, Type).
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
}
