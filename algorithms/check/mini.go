package check

import (
	"slices"

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
type mini struct {
	x    *Index
	src  *graph.Tables
	t    *graph.Tables
	inst map[uint32]uint32 // city Institutions row -> mini row
	item map[uint32]bool   // city Catalog rows added
	ids  []string          // mini visit row -> mdtrt_id
	fees []uint32          // scratch
}

// newMini starts the small city of person row p of x's tables, sized for
// visits visits and fees fee lines (capacity hints).
func newMini(x *Index, p uint32, visits, fees int) *mini {
	src := x.Graph().Tables()
	m := &mini{x: x, src: src, t: miniTables(visits, fees), inst: make(map[uint32]uint32), item: make(map[uint32]bool)}
	pt := &src.Persons
	// Personal data (name, certificate number) is left out: no rule reads it.
	m.t.AddPerson(&claims.Person{PsnNo: pt.IDs.String(p), Sex: pt.Sex[p], Birth: pt.Birth[p],
		InsuType: src.Str(pt.InsuType[p]), InsuplcAdmdvs: src.Str(pt.InsuplcAdmdvs[p]), DieDate: pt.DieDate[p]})
	return m
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
		Visits: graph.VisitTable{IDs: intern.New(visits, 20), SetlID: intern.New(visits, 20),
			Setl: make([]uint32, 0, visits), Person: make([]uint32, 0, visits), Institution: make([]uint32, 0, visits),
			Doctor: make([]uint32, 0, visits), MedType: make([]claims.MedType, 0, visits), Begin: make([]claims.Time, 0, visits),
			End: make([]claims.Time, 0, visits), Dise: make([]uint32, 0, visits), DiseName: make([]uint32, 0, visits),
			MedFee: make([]claims.Money, 0, visits), FundPay: make([]claims.Money, 0, visits),
			Cert: make([]claims.CertType, 0, visits), Flags: make([]graph.VisitFlag, 0, visits), Line: make([]uint32, 0, visits)},
		Fees: graph.FeeTable{Traces: intern.New(8, 20),
			Visit: make([]uint32, 0, fees), Sn: make([]uint32, 0, fees), Item: make([]uint32, 0, fees),
			Count: make([]float64, 0, fees), Price: make([]claims.Price, 0, fees), Amount: make([]claims.Money, 0, fees),
			Time: make([]claims.Time, 0, fees), Doctor: make([]uint32, 0, fees), SupplyDays: make([]int32, 0, fees),
			Trace: make([]uint32, 0, fees), Line: make([]uint32, 0, fees)},
	}
}

// institution returns the mini row of city institution row i, adding it.
func (m *mini) institution(i uint32) uint32 {
	if r, ok := m.inst[i]; ok {
		return r
	}
	it := &m.src.Institutions
	r, _ := m.t.AddInstitution(&claims.Institution{Code: it.IDs.String(i), Name: m.src.Str(it.Name[i]), Type: it.Type[i],
		Level: m.src.Str(it.Level[i]), Admdvs: m.src.Str(it.Admdvs[i]), Beds: it.Beds[i], Lat: it.Lat[i], Lon: it.Lon[i],
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
	m.t.AddCatalogItem(&claims.CatalogItem{Code: ct.IDs.String(i), Name: m.src.Str(ct.Name[i]), ListType: ct.ListType[i],
		LimitSex: ct.LimitSex[i], AgeMin: ct.AgeMin[i], AgeMax: ct.AgeMax[i], MaxDays: ct.MaxDays[i], PriceCap: ct.PriceCap[i]})
}

// doctorCode returns the code of city Doctors row d ("" for None).
func (m *mini) doctorCode(d uint32) string {
	if d == graph.None || int(d) >= m.src.Doctors.Len() {
		return ""
	}
	return m.src.Doctors.IDs.String(d)
}

// addVisit copies city visit row v and its fee lines.
func (m *mini) addVisit(v uint32) {
	src, vt := m.src, &m.src.Visits
	inst := m.institution(vt.Institution[v])
	cv := claims.Visit{MdtrtID: vt.IDs.String(v), PsnNo: "", InstitutionCode: "", MedType: vt.MedType[v],
		Begin: vt.Begin[v], End: vt.End[v], DoctorCode: m.doctorCode(vt.Doctor[v]), DiseCode: src.Str(vt.Dise[v]),
		DiseName: src.Str(vt.DiseName[v]), MedFee: vt.MedFee[v], FundPay: vt.FundPay[v], CertType: vt.Cert[v]}
	if s := vt.Setl[v]; s != graph.None {
		cv.SetlID = vt.SetlID.String(s)
	}
	row, _ := m.t.AddVisit(&cv, 0, inst, vt.Line[v])
	m.t.Visits.Flags[row] = vt.Flags[v]
	m.ids = append(m.ids, cv.MdtrtID)
	ft := &src.Fees
	m.fees = m.x.feesOf(m.fees[:0], v)
	for _, f := range m.fees {
		item := ft.Item[f]
		m.catalogItem(item)
		cf := claims.FeeLine{FeedetlSn: src.Str(ft.Sn[f]), MdtrtID: cv.MdtrtID, Count: ft.Count[f], Price: ft.Price[f],
			Amount: ft.Amount[f], Time: ft.Time[f], DoctorCode: m.doctorCode(ft.Doctor[f]), SupplyDays: ft.SupplyDays[f]}
		if int(item) < src.Catalog.Len() {
			cf.ItemCode, cf.ItemName, cf.ListType = src.Catalog.IDs.String(item), src.Str(src.Catalog.Name[item]), src.Catalog.ListType[item]
		}
		if tr := ft.Trace[f]; tr != graph.None {
			cf.TraceCode = ft.Traces.String(tr)
		}
		m.t.AddFee(&cf, row, ft.Line[f])
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
	m.ids = append(m.ids, cl.Visit.MdtrtID)
	fee0 = uint32(m.t.Fees.Len())
	ct := &m.src.Catalog
	for i := range cl.Fees {
		f := cl.Fees[i]
		if it := ct.IDs.Lookup(f.ItemCode); it != graph.None {
			m.catalogItem(it)
		}
		m.t.AddFee(&f, row, 0)
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

// cite returns the mdtrt_ids of mini visit rows, at most maxCited, the
// claim's (mini row claim) first when cited.
func (m *mini) cite(rows []uint32, claim uint32) []string {
	out := make([]string, 0, min(len(rows), maxCited))
	if slices.Contains(rows, claim) {
		out = append(out, m.ids[claim])
	}
	for _, r := range rows {
		if r != claim && int(r) < len(m.ids) && len(out) < maxCited {
			out = append(out, m.ids[r])
		}
	}
	return out
}
