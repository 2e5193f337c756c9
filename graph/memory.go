package graph

import (
	"unsafe"
)

// MemoryBytes returns the approximate number of bytes held by the graph's
// own structures (node maps, edges, adjacency, time indexes, totals), not
// counting the Tables it was built from.
func (g *Graph) MemoryBytes() int64 {
	var b int64
	for _, m := range g.Memory() {
		b += m.Reserved
	}
	return b
}

// Memory units: what a structure grows with.
const (
	PerVisit   = "visit"
	PerFeeLine = "fee line"
	PerEntity  = "entity"   // persons, institutions, doctors, catalogue items
	PerEdge    = "edge"     // aggregated graph edges
	PerString  = "string"   // distinct strings of an interner
	PerNode    = "node"     // graph nodes
	PerOther   = "constant" // does not grow with the data
)

// MemoryItem is the memory one structure of Tables or Graph holds.
type MemoryItem struct {
	Structure string `json:"structure"` // e.g. "visits.columns", "graph.adjacency"
	Per       string `json:"per"`       // what it grows with (Per* constants)
	Rows      int64  `json:"rows"`      // how many of Per it holds
	Bytes     int64  `json:"bytes"`     // bytes in use (slice lengths)
	Reserved  int64  `json:"reserved"`  // bytes allocated (slice capacities)
}

// size returns the bytes in use and allocated by s.
func size[T any](s []T) (used, reserved int64) {
	var z T
	w := int64(unsafe.Sizeof(z))
	return w * int64(len(s)), w * int64(cap(s))
}

// sizer sums the sizes of slices into one MemoryItem.
type sizer struct{ m MemoryItem }

// add adds the sizes of slices s to z.
func add[T any](z *sizer, s ...[]T) *sizer {
	for _, c := range s {
		u, r := size(c)
		z.m.Bytes += u
		z.m.Reserved += r
	}
	return z
}

// addColumns adds the sizes of compact columns (Narrow, Counts, Lines,
// Sparse, Small) to z.
func (z *sizer) addColumns(cols ...interface{ bytes() (used, reserved int64) }) {
	for _, c := range cols {
		u, r := c.bytes()
		z.m.Bytes += u
		z.m.Reserved += r
	}
}

// stringStore is an interner or a list of strings (intern.Table, intern.List,
// intern.PackedTable, intern.PackedList).
type stringStore interface {
	comparable
	UsedBytes() int
	Bytes() int
}

// internItem returns the MemoryItem of an interner or a list of strings.
func internItem[S stringStore](name, per string, rows int, t S) MemoryItem {
	var none S
	if t == none {
		return MemoryItem{Structure: name, Per: per, Rows: int64(rows)}
	}
	return MemoryItem{Structure: name, Per: per, Rows: int64(rows), Bytes: int64(t.UsedBytes()), Reserved: int64(t.Bytes())}
}

// Memory returns the memory held by every structure of t, for the memory
// model of docs/scale.md: fixed-width columns per table, and each interner
// (string arena, end offsets and hash index) on its own.
func (t *Tables) Memory() []MemoryItem {
	var out []MemoryItem
	col := func(name, per string, rows int, z *sizer) {
		z.m.Structure, z.m.Per, z.m.Rows = name, per, int64(rows)
		out = append(out, z.m)
	}
	v, f := &t.Visits, &t.Fees
	vz := &sizer{}
	add(vz, v.Person, v.Institution, v.Doctor)
	add(vz, v.MedType)
	vz.addColumns(&v.Begin, &v.End, &v.MedFee, &v.FundPay, &v.Line, &v.Dise, &v.DiseName)
	add(vz, v.Cert)
	add(vz, v.Flags)
	col("visits.columns", PerVisit, v.Len(), vz)
	out = append(out,
		internItem("visits.mdtrt_id", PerVisit, v.Len(), v.IDs),
		internItem("visits.setl_id", PerVisit, v.Len(), v.SetlID))
	fz := &sizer{}
	fz.addColumns(&f.Visit, &f.Doctor, &f.Sn, &f.Item, &f.Count, &f.Price, &f.Amount, &f.Time, &f.Line, &f.Trace, &f.SupplyDays)
	col("fees.columns", PerFeeLine, f.Len(), fz)
	out = append(out, internItem("fees.drug_trac_codg", PerFeeLine, f.Len(), f.Traces),
		internItem("fees.feedetl_sn (unique per line)", PerFeeLine, f.Len(), f.Serials))

	p := &t.Persons
	pz := &sizer{}
	add(pz, p.InsuType, p.Name, p.CertNo, p.InsuplcAdmdvs)
	add(pz, p.Sex)
	add(pz, p.Birth, p.DieDate)
	col("persons.columns", PerEntity, p.Len(), pz)
	out = append(out, internItem("persons.psn_no", PerEntity, p.Len(), p.IDs))

	in, d, c := &t.Institutions, &t.Doctors, &t.Catalog
	oz := &sizer{}
	add(oz, in.Name, in.Admissions, in.Level, in.Admdvs)
	add(oz, in.Type)
	add(oz, in.Class)
	add(oz, in.Evidence)
	add(oz, in.Beds)
	add(oz, in.Lat, in.Lon)
	add(oz, in.HasLoc)
	add(oz, d.Name, d.Dept, d.Prof)
	add(oz, d.Registered, c.Known)
	add(oz, d.Sites)
	add(oz, c.Name)
	add(oz, c.ListType)
	add(oz, c.LimitSex)
	add(oz, c.AgeMin, c.AgeMax)
	add(oz, c.MaxDays)
	add(oz, c.PriceCap)
	col("institutions+doctors+catalog", PerEntity, in.Len()+d.Len()+c.Len(), oz)
	var ids MemoryItem
	for _, it := range []MemoryItem{
		internItem("", "", 0, in.IDs), internItem("", "", 0, d.IDs), internItem("", "", 0, c.IDs),
	} {
		ids.Bytes += it.Bytes
		ids.Reserved += it.Reserved
	}
	ids.Structure, ids.Per, ids.Rows = "institutions+doctors+catalog.codes", PerEntity, int64(in.Len()+d.Len()+c.Len())
	out = append(out, ids)
	strs := 0
	if t.Strings != nil {
		strs = t.Strings.Len()
	}
	pii := 0
	if t.PII != nil {
		pii = t.PII.Len()
	}
	out = append(out,
		internItem("strings (codes, names, feedetl_sn)", PerString, strs, t.Strings),
		internItem("pii (names, certificate numbers)", PerString, pii, t.PII))
	return out
}

// Memory returns the memory held by the graph's own structures (not the
// Tables it was built from), grouped as docs/scale.md describes them.
func (g *Graph) Memory() []MemoryItem {
	et := &g.edges
	item := func(name, per string, rows int, z *sizer) MemoryItem {
		z.m.Structure, z.m.Per, z.m.Rows = name, per, int64(rows)
		return z.m
	}
	nodes := &sizer{}
	add(nodes, g.instNode)
	add(nodes, g.instRow, g.nodeVisits)
	add(nodes, g.nodeFund)
	edges := &sizer{}
	add(edges, et.Type)
	add(edges, et.U, et.V)
	add(edges, et.Visits)
	edges.addColumns(&et.Fund, &et.MedFee, &et.First, &et.Last)
	adj := &sizer{}
	add(adj, g.adjOff)
	add(adj, g.adjNbr)
	add(adj, g.adjEdge)
	byTime := &sizer{}
	add(byTime, g.byTime)
	nodeVis := &sizer{}
	add(nodeVis, g.nodeVisOff, g.nodeVis)
	fees := &sizer{}
	add(fees, g.feeOff, g.feeRows)
	return []MemoryItem{
		item("graph.nodes (maps, totals)", PerNode, int(g.numNodes), nodes),
		item("graph.edges", PerEdge, et.Len(), edges),
		item("graph.adjacency (CSR)", PerEdge, len(g.adjNbr), adj),
		item("graph.visits_by_time", PerVisit, len(g.byTime), byTime),
		item("graph.node_visits", PerVisit, len(g.nodeVis), nodeVis),
		item("graph.visit_fees", PerFeeLine, g.feesIndexed(), fees),
	}
}

// feesIndexed returns the number of fee lines the fee index lists.
func (g *Graph) feesIndexed() int {
	if len(g.feeOff) == 0 {
		return 0
	}
	return int(g.feeOff[len(g.feeOff)-1])
}
