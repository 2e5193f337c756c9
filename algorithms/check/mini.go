package check

import (
	"slices"
	"unsafe"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// mini is the small city a check runs the rules on: one person, the
// institutions, doctors and catalogue items of their visits, their visits
// and fee lines, and the claim. It is built with the tables' own Add
// methods from the city's rows (read only), so it holds whatever the
// rules read, and it shares nothing with the city: the claim's new codes
// (an item or a doctor the city does not know) are added to it alone.
//
// A mini is scratch that a Checker reuses from check to check (its pool of
// minis): reset empties it and keeps its memory.
type mini struct {
	x       *Index
	src     *graph.Tables
	t       *graph.Tables
	inst    map[uint32]uint32 // city Institutions row -> mini row
	item    map[uint32]bool   // city Catalog rows added
	claimID string            // the claim's mdtrt_id (its mini row may carry a suffix)
	claim   uint32            // the claim's mini visit row (graph.None before addClaim)
	fees    []uint32          // scratch
	hist    []uint32          // scratch: the person's history
	b       graph.Rebuilder   // builds the graph of t, in memory reused

	// scratch for the packed ids of the visit being copied (see packed):
	// its mdtrt_id, its setl_id, and a fee line's trace code.
	mdtrtID, setlID, trace, serial []byte
}

// Limits of the minis a Checker keeps for reuse: one that grew beyond
// them for a person of a very long history is left to the collector
// rather than held.
const (
	maxPooledVisits = 1 << 12
	maxPooledFees   = 1 << 16
)

// newMini starts the small city of person row p of x's tables, sized for
// visits visits and fees fee lines (capacity hints).
func newMini(x *Index, p uint32, visits, fees int) *mini {
	m := &mini{t: miniTables(visits, fees), inst: make(map[uint32]uint32), item: make(map[uint32]bool)}
	m.start(x, p)
	return m
}

// reset empties m for the small city of person row p of x's tables,
// keeping its memory.
func (m *mini) reset(x *Index, p uint32) {
	m.t.Reset()
	clear(m.inst)
	clear(m.item)
	m.fees, m.hist = m.fees[:0], m.hist[:0]
	m.start(x, p)
}

// start adds person row p of x's tables to the empty m.
func (m *mini) start(x *Index, p uint32) {
	m.x, m.claimID, m.claim = x, "", graph.None
	src := x.Graph().Tables()
	m.src = src
	pt := &src.Persons
	// Personal data (name, certificate number) is left out: no rule reads it.
	m.t.AddPerson(&claims.Person{PsnNo: view(pt.IDs, p), Sex: pt.Sex[p], Birth: pt.Birth[p],
		InsuType: m.str(pt.InsuType[p]), InsuplcAdmdvs: m.str(pt.InsuplcAdmdvs[p]), DieDate: pt.DieDate[p]})
}

// release detaches m from the view, so that nothing reads it after the
// caller releases its lock.
func (m *mini) release() { m.src, m.x = nil, nil }

// reusable reports whether m is small enough to keep for another check.
func (m *mini) reusable() bool {
	return cap(m.t.Visits.Person) <= maxPooledVisits && m.t.Fees.Visit.Cap() <= maxPooledFees
}

// view returns the string of id in it without copying it, for the mini
// tables' Add methods, which copy what they keep (they intern it). The
// result aliases its arena: it must not be kept, and it must not be
// written while the result is used (the caller holds the view's lock).
func view(it interface{ View(intern.ID) []byte }, id uint32) string {
	b := it.View(id)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// packed returns row id of l, written into *buf, without an allocation of
// its own: as with view, the mini tables' Add methods copy what they keep,
// and the result is valid until *buf is written again.
func packed(l *intern.PackedList, buf *[]byte, id uint32) string {
	if int(id) >= l.Len() { // a list not kept (ingest.Options.DropSettlementIDs)
		return ""
	}
	*buf = l.AppendTo((*buf)[:0], id)
	return unsafe.String(unsafe.SliceData(*buf), len(*buf))
}

// str is Tables.Str of the city without copying (see view).
func (m *mini) str(id uint32) string {
	if id == graph.None {
		return ""
	}
	return view(m.src.Strings, id)
}

// miniTables returns empty tables sized for one person's history:
// graph.NewTables sizes its string tables for a city, and a check would
// spend most of its time allocating them.
func miniTables(visits, fees int) *graph.Tables {
	const n = 64
	return &graph.Tables{
		Strings: intern.New(n, 12), PII: intern.New(1, 8),
		Persons:      graph.PersonTable{IDs: intern.New(1, 20)},
		Institutions: graph.InstitutionTable{IDs: intern.New(8, 12)},
		Doctors:      graph.DoctorTable{IDs: intern.New(8, 12)},
		Catalog:      graph.CatalogTable{IDs: intern.New(n, 16)},
		Visits:       graph.NewVisitTable(visits),
		Fees:         graph.NewFeeTable(fees),
	}
}

// institution returns the mini row of city institution row i, adding it.
func (m *mini) institution(i uint32) uint32 {
	if r, ok := m.inst[i]; ok {
		return r
	}
	it := &m.src.Institutions
	r, _ := m.t.AddInstitution(&claims.Institution{Code: view(it.IDs, i), Name: m.str(it.Name[i]), Type: it.Type[i],
		Level: m.str(it.Level[i]), Admdvs: m.str(it.Admdvs[i]), Beds: it.Beds[i], Lat: it.Lat[i], Lon: it.Lon[i],
		HasLocation: it.HasLoc[i]})
	m.inst[i] = r
	return r
}

// catalogItem adds city catalogue row i, when the catalogue lists it, so
// that the mini city knows its limits.
func (m *mini) catalogItem(i uint32) {
	ct := &m.src.Catalog
	if int(i) >= ct.Len() || m.item[i] {
		return
	}
	m.item[i] = true
	if !ct.Known[i] {
		return
	}
	m.t.AddCatalogItem(&claims.CatalogItem{Code: view(ct.IDs, i), Name: m.str(ct.Name[i]), ListType: ct.ListType[i],
		LimitSex: ct.LimitSex[i], AgeMin: ct.AgeMin[i], AgeMax: ct.AgeMax[i], MaxDays: ct.MaxDays[i], PriceCap: ct.PriceCap[i]})
}

// doctorCode returns the code of city Doctors row d ("" for None), not
// copied (see view).
func (m *mini) doctorCode(d uint32) string {
	if d == graph.None || int(d) >= m.src.Doctors.Len() {
		return ""
	}
	return view(m.src.Doctors.IDs, d)
}

// addVisit copies city visit row v and its fee lines.
func (m *mini) addVisit(v uint32) {
	src, vt := m.src, &m.src.Visits
	inst := m.institution(vt.Institution[v])
	cv := claims.Visit{MdtrtID: packed(&vt.IDs.PackedList, &m.mdtrtID, v), PsnNo: "", InstitutionCode: "", MedType: vt.MedType[v],
		Begin: vt.Begin.At(v), End: vt.End.At(v), DoctorCode: m.doctorCode(vt.Doctor[v]), DiseCode: m.str(vt.Dise.At(v)),
		DiseName: m.str(vt.DiseName.At(v)), MedFee: vt.MedFee.At(v), FundPay: vt.FundPay.At(v), CertType: vt.Cert[v]}
	cv.SetlID = packed(vt.SetlID, &m.setlID, v)
	row, _ := m.t.AddVisit(&cv, 0, inst, vt.Line.At(v))
	m.t.Visits.Flags[row] = vt.Flags[v]
	ft := &src.Fees
	m.fees = m.x.feesOf(m.fees[:0], v)
	for _, f := range m.fees {
		item := ft.Item.At(f)
		m.catalogItem(item)
		sn := m.str(ft.Sn.At(f))
		if ft.Serials != nil { // unique per line: packed
			sn = packed(&ft.Serials.PackedList, &m.serial, ft.Sn.At(f))
		}
		cf := claims.FeeLine{FeedetlSn: sn, MdtrtID: cv.MdtrtID, Count: ft.Count.At(f), Price: ft.Price.At(f),
			Amount: ft.AmountAt(f), Time: ft.Time.At(f), DoctorCode: m.doctorCode(src.FeeDoctor(f)), SupplyDays: ft.SupplyDays.At(f)}
		if int(item) < src.Catalog.Len() {
			cf.ItemCode, cf.ItemName, cf.ListType = view(src.Catalog.IDs, item), m.str(src.Catalog.Name[item]), src.Catalog.ListType[item]
		}
		if tr := ft.Trace.At(f); tr != graph.None {
			cf.TraceCode = packed(&ft.Traces.PackedList, &m.trace, tr)
		}
		m.t.AddFee(&cf, row, ft.Line.At(f))
	}
}

// addClaim adds the claim at city institution row inst and returns its
// mini visit row and its first mini fee row.
func (m *mini) addClaim(inst uint32, cl *Claim) (visit, fee0 uint32) {
	v := cl.Visit
	row, added := m.t.AddVisit(&v, 0, m.institution(inst), 0)
	if !added {
		// The history holds a visit of this id (settled twice?): check
		// the claim beside it under a distinct id.
		v.MdtrtID += "\x00check"
		row, _ = m.t.AddVisit(&v, 0, m.institution(inst), 0)
	}
	m.claimID, m.claim = cl.Visit.MdtrtID, row
	fee0 = uint32(m.t.Fees.Len())
	ct := &m.src.Catalog
	for i := range cl.Fees {
		f := &cl.Fees[i]
		if it := ct.IDs.Lookup(f.ItemCode); it != graph.None {
			m.catalogItem(it)
		}
		m.t.AddFee(f, row, 0)
	}
	return row, fee0
}

// finish gives the mini institutions the city's classes (the city has
// seen all their admissions).
func (m *mini) finish() {
	src, it := &m.src.Institutions, &m.t.Institutions
	for c, r := range m.inst {
		it.Class[r], it.Evidence[r] = src.Class[c], src.Evidence[c]
	}
}

// visitID returns the mdtrt_id of mini visit row r: the claim's as given
// for its row.
func (m *mini) visitID(r uint32) string {
	if r == m.claim {
		return m.claimID
	}
	return m.t.Visits.IDs.String(r)
}

// cite returns the mdtrt_ids of mini visit rows, at most maxCited, the
// claim's (mini row claim) first when cited.
func (m *mini) cite(rows []uint32, claim uint32) []string {
	out := make([]string, 0, min(len(rows), maxCited))
	if slices.Contains(rows, claim) {
		out = append(out, m.visitID(claim))
	}
	for _, r := range rows {
		if r != claim && int(r) < m.t.Visits.Len() && len(out) < maxCited {
			out = append(out, m.visitID(r))
		}
	}
	return out
}
