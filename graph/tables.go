package graph

import (
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

// None marks an absent reference in an index column (no doctor, no string).
const None = intern.None

// Arena hands out strings that share large blocks of memory
// (intern.Arena): findings that cite many visit ids keep a few blocks for
// the collector to mark, not a string per id (VisitTable.IDs.StringIn).
type Arena = intern.Arena

// Tables holds everything read from a dataset as dense, columnar arrays,
// before the graph is built from it. Ingest fills it with the Add methods
// (after validating rows); Build turns it into a Graph. Entity ids are
// dense: the i-th person is Persons row i, and so on. Strings that repeat
// (diagnosis codes, names of institutions, departments) are interned once in
// Strings; personal data is interned separately in PII so that it can be
// dropped or masked as a whole.
type Tables struct {
	Strings *intern.Table // low-cardinality text shared by all tables
	PII     *intern.Table // personal names and certificate numbers

	Persons      PersonTable
	Institutions InstitutionTable
	Doctors      DoctorTable
	Catalog      CatalogTable
	Visits       VisitTable
	Fees         FeeTable
}

// NewTables returns empty tables with capacity hints for a dataset of about
// visits visits and fees fee lines (zero is fine).
func NewTables(visits, fees int) *Tables {
	persons := visits/20 + 16
	return &Tables{
		Strings:      intern.New(4096, 12),
		PII:          intern.New(persons, 10),
		Persons:      PersonTable{IDs: intern.New(persons, 16)},
		Institutions: InstitutionTable{IDs: intern.New(1024, 12)},
		Doctors:      DoctorTable{IDs: intern.New(4096, 13)},
		Catalog:      CatalogTable{IDs: intern.New(4096, 12)},
		Visits:       NewVisitTable(visits),
		Fees:         NewFeeTable(fees),
	}
}

// str interns s in Strings, mapping "" to None.
func (t *Tables) str(s string) uint32 {
	if s == "" {
		return None
	}
	id, _ := t.Strings.Intern(s)
	return id
}

// serial interns fee-line serial s (Serials or Strings), mapping "" to
// None.
func (t *Tables) serial(s string) uint32 {
	if t.Fees.Serials == nil || s == "" {
		return t.str(s)
	}
	id, _ := t.Fees.Serials.Intern(s)
	return id
}

// UseFeeSerials makes the fee table keep its lines' feedetl_sn in a table
// of their own (FeeTable.Serials), sized for about n lines, when they are
// unique per line. It must be called before the first fee line is added.
func (t *Tables) UseFeeSerials(n int) {
	if t.Fees.Len() == 0 {
		t.Fees.Serials = intern.NewPacked(n)
	}
}

// FeeSerial returns the feedetl_sn of fee line f ("" when absent).
func (t *Tables) FeeSerial(f uint32) string { return t.FeeSerialIn(nil, f) }

// FeeSerialIn is FeeSerial with the string in arena a (a nil arena: its
// own allocation); a serial among the codes and names shares the tables'
// memory (intern.Table.Shared), allocating nothing.
func (t *Tables) FeeSerialIn(a *Arena, f uint32) string {
	id := t.Fees.Sn.At(f)
	switch {
	case id == None:
		return ""
	case t.Fees.Serials != nil:
		return t.Fees.Serials.StringIn(a, id)
	case t.Strings != nil && int(id) < t.Strings.Len():
		return t.Strings.Shared(id)
	}
	return ""
}

// pii interns s in PII, mapping "" to None.
func (t *Tables) pii(s string) uint32 {
	if s == "" {
		return None
	}
	id, _ := t.PII.Intern(s)
	return id
}

// People returns the unmasked names of every person and doctor and the
// certificate numbers of every person the tables hold, blanks left out and
// in no particular order. It is personal data: for masking it wherever it
// turns up in free text (claims.NewTextMasker), never to be shown or
// logged.
func (t *Tables) People() (names, certNos []string) {
	if t.PII == nil {
		return nil, nil
	}
	pii := func(out []string, col []uint32) []string {
		for _, id := range col {
			if id != None && int(id) < t.PII.Len() {
				out = append(out, t.PII.String(id))
			}
		}
		return out
	}
	names = pii(pii(nil, t.Persons.Name), t.Doctors.Name)
	return names, pii(nil, t.Persons.CertNo)
}

// Str returns the Strings entry id, or "" for None.
func (t *Tables) Str(id uint32) string {
	if id == None {
		return ""
	}
	return t.Strings.String(id)
}

// ItemCode returns the catalogue code (med_list_codg) of item row i, ""
// beyond the catalogue.
func (t *Tables) ItemCode(i uint32) string {
	if int(i) >= t.Catalog.Len() {
		return ""
	}
	return t.Catalog.IDs.String(i)
}

// ItemZh returns how a Chinese sentence names catalogue row i: its
// catalogue name with the code in brackets, or the code alone when the
// data give no name (med_list_name is optional). English sentences name
// the code only (ItemCode): catalogue names are Chinese.
func (t *Tables) ItemZh(i uint32) string {
	code := t.ItemCode(i)
	if int(i) < t.Catalog.Len() && t.Catalog.Name[i] != None {
		return t.Strings.String(t.Catalog.Name[i]) + "（" + code + "）"
	}
	return code
}

// PersonTable holds insured persons; row i is the person with IDs id i.
type PersonTable struct {
	IDs           *intern.Table // psn_no
	Sex           []claims.Sex
	Birth         []claims.Date
	InsuType      []uint32 // Strings id or None
	Name          []uint32 // PII id or None
	CertNo        []uint32 // PII id or None
	InsuplcAdmdvs []uint32 // Strings id or None
	DieDate       []claims.Date
}

// Len returns the number of persons.
func (p *PersonTable) Len() int { return len(p.Sex) }

// clearColumns empties p's columns (not its IDs), keeping their memory.
func (p *PersonTable) clearColumns() {
	p.Sex, p.Birth, p.InsuType, p.Name = p.Sex[:0], p.Birth[:0], p.InsuType[:0], p.Name[:0]
	p.CertNo, p.InsuplcAdmdvs, p.DieDate = p.CertNo[:0], p.InsuplcAdmdvs[:0], p.DieDate[:0]
}

// ReservePersons makes room for about n more persons without further
// growth: their ids, columns, and names and certificate numbers in PII.
func (t *Tables) ReservePersons(n int) {
	if n <= 0 {
		return
	}
	pt := &t.Persons
	have := pt.Len()
	pt.IDs.Reserve(have+n, 16)
	t.PII.Reserve(t.PII.Len()+2*n, 10)
	pt.Sex = slices.Grow(pt.Sex, n)
	pt.Birth = slices.Grow(pt.Birth, n)
	pt.InsuType = slices.Grow(pt.InsuType, n)
	pt.Name = slices.Grow(pt.Name, n)
	pt.CertNo = slices.Grow(pt.CertNo, n)
	pt.InsuplcAdmdvs = slices.Grow(pt.InsuplcAdmdvs, n)
	pt.DieDate = slices.Grow(pt.DieDate, n)
}

// PrefetchPerson reads the index entries that adding a person of id hash
// idHash and name and certificate number hashes nameHash and certHash
// (intern.Hash; 0 for a blank) looks at first, so that AddPerson finds
// them in the cache, and returns a value derived from them to keep the
// reads.
func (t *Tables) PrefetchPerson(idHash, nameHash, certHash uint64) uint32 {
	sink := t.Persons.IDs.Prefetch(idHash)
	if nameHash != 0 {
		sink += t.PII.Prefetch(nameHash)
	}
	if certHash != 0 {
		sink += t.PII.Prefetch(certHash)
	}
	return sink
}

// AddPerson appends p and returns its row; added is false (and nothing is
// changed) when p.PsnNo is already present.
func (t *Tables) AddPerson(p *claims.Person) (row uint32, added bool) {
	pt := &t.Persons
	row, added = pt.IDs.Intern(p.PsnNo)
	if !added {
		return row, false
	}
	pt.Sex = append(pt.Sex, p.Sex)
	pt.Birth = append(pt.Birth, p.Birth)
	pt.InsuType = append(pt.InsuType, t.str(p.InsuType))
	pt.Name = append(pt.Name, t.pii(p.Name))
	pt.CertNo = append(pt.CertNo, t.pii(p.CertNo))
	pt.InsuplcAdmdvs = append(pt.InsuplcAdmdvs, t.str(p.InsuplcAdmdvs))
	pt.DieDate = append(pt.DieDate, p.DieDate)
	return row, true
}

// InstitutionTable holds designated institutions and pharmacies.
type InstitutionTable struct {
	IDs  *intern.Table // fixmedins_code
	Name []uint32      // Strings id
	Type []claims.InstitutionType
	// Class is decided by ClassifyInstitution from the row's type, name,
	// level and beds and from Admissions; Evidence names the signal that
	// decided it. AddVisit updates both on an institution's first
	// admission.
	Class    []InstitutionClass
	Evidence []ClassEvidence
	// Admissions counts the inpatient visits (med_type 21–28) added at
	// the institution, refunded ones included.
	Admissions []uint32
	Level      []uint32 // Strings id or None
	Admdvs     []uint32 // Strings id or None
	Beds       []int32  // -1 unknown
	Lat, Lon   []float64
	HasLoc     []bool
}

// Len returns the number of institutions (pharmacies included).
func (it *InstitutionTable) Len() int { return len(it.Type) }

// AddInstitution appends in and returns its row; added is false when the code
// is already present.
func (t *Tables) AddInstitution(in *claims.Institution) (row uint32, added bool) {
	it := &t.Institutions
	row, added = it.IDs.Intern(in.Code)
	if !added {
		return row, false
	}
	it.Name = append(it.Name, t.str(in.Name))
	it.Type = append(it.Type, in.Type)
	class, ev := ClassifyInstitution(in, 0)
	it.Class = append(it.Class, class)
	it.Evidence = append(it.Evidence, ev)
	it.Admissions = append(it.Admissions, 0)
	it.Level = append(it.Level, t.str(in.Level))
	it.Admdvs = append(it.Admdvs, t.str(in.Admdvs))
	it.Beds = append(it.Beds, in.Beds)
	it.Lat = append(it.Lat, in.Lat)
	it.Lon = append(it.Lon, in.Lon)
	it.HasLoc = append(it.HasLoc, in.HasLocation)
	return row, true
}

// admit counts an admission at institution row inst (ignored when out of
// range) and classifies the institution again on its first one.
func (t *Tables) admit(inst uint32) {
	it := &t.Institutions
	if int(inst) >= len(it.Admissions) || int(inst) >= len(it.Class) || int(inst) >= len(it.Evidence) {
		return
	}
	it.Admissions[inst]++
	if it.Admissions[inst] != 1 {
		return
	}
	in := claims.Institution{Type: it.Type[inst], Name: t.Str(it.Name[inst]), Level: t.Str(it.Level[inst]), Beds: it.Beds[inst]}
	it.Class[inst], it.Evidence[inst] = ClassifyInstitution(&in, 1)
}

// DoctorTable holds every staff code seen: registered in staff.csv or only
// referenced by visits and fee lines (Registered false: unknown or
// placeholder codes, which detection treats as data quality).
type DoctorTable struct {
	IDs        *intern.Table // dr_code
	Name       []uint32      // PII id or None (first registration's name)
	Dept       []uint32      // Strings id or None
	Prof       []uint32      // Strings id or None
	Registered []bool
	// Sites lists the registrations (doctor row, institution row) from
	// staff.csv in input order.
	Sites []Registration
}

// Registration is one (staff member, practice site) row of staff.csv.
type Registration struct{ Doctor, Institution uint32 }

// Len returns the number of distinct staff codes.
func (d *DoctorTable) Len() int { return len(d.Registered) }

// AddStaff records a registration of s at institution row inst and returns
// the doctor's row. It does not check for duplicate registrations.
func (t *Tables) AddStaff(s *claims.Staff, inst uint32) uint32 {
	dt := &t.Doctors
	row := t.doctor(s.DrCode)
	if !dt.Registered[row] {
		dt.Registered[row] = true
		dt.Name[row] = t.pii(s.Name)
		dt.Dept[row] = t.str(s.Dept)
		dt.Prof[row] = t.str(s.Prof)
	}
	dt.Sites = append(dt.Sites, Registration{Doctor: row, Institution: inst})
	return row
}

// doctor returns the row of code, adding an unregistered doctor if new.
func (t *Tables) doctor(code string) uint32 {
	dt := &t.Doctors
	row, added := dt.IDs.Intern(code)
	if added {
		dt.Name = append(dt.Name, None)
		dt.Dept = append(dt.Dept, None)
		dt.Prof = append(dt.Prof, None)
		dt.Registered = append(dt.Registered, false)
	}
	return row
}

// DoctorRef returns the row of a doctor code referenced by a visit or fee
// line, adding an unregistered doctor if the code is new; "" gives None.
func (t *Tables) DoctorRef(code string) uint32 {
	if code == "" {
		return None
	}
	return t.doctor(code)
}

// CatalogTable holds catalogue items: those of catalog.csv (Known true) and
// codes only seen in fee lines (Known false, no limits).
type CatalogTable struct {
	IDs      *intern.Table // med_list_codg
	Name     []uint32      // Strings id or None
	ListType []uint16
	LimitSex []claims.Sex
	AgeMin   []int16
	AgeMax   []int16
	MaxDays  []int32
	PriceCap []claims.Price
	Known    []bool
}

// Len returns the number of items.
func (c *CatalogTable) Len() int { return len(c.Known) }

// AddCatalogItem appends a catalogue row; added is false when the code is
// already listed in the catalogue.
func (t *Tables) AddCatalogItem(it *claims.CatalogItem) (row uint32, added bool) {
	ct := &t.Catalog
	row = t.item(it.Code, it.Name, it.ListType)
	if ct.Known[row] {
		return row, false
	}
	ct.Name[row] = t.str(it.Name)
	ct.ListType[row] = it.ListType
	ct.LimitSex[row] = it.LimitSex
	ct.AgeMin[row] = it.AgeMin
	ct.AgeMax[row] = it.AgeMax
	ct.MaxDays[row] = it.MaxDays
	ct.PriceCap[row] = it.PriceCap
	ct.Known[row] = true
	return row, true
}

// item returns the row of code, adding an unknown item if new.
func (t *Tables) item(code, name string, listType uint16) uint32 {
	ct := &t.Catalog
	row, added := ct.IDs.Intern(code)
	if added {
		ct.Name = append(ct.Name, t.str(name))
		ct.ListType = append(ct.ListType, listType)
		ct.LimitSex = append(ct.LimitSex, claims.SexUnknown)
		ct.AgeMin = append(ct.AgeMin, -1)
		ct.AgeMax = append(ct.AgeMax, -1)
		ct.MaxDays = append(ct.MaxDays, 0)
		ct.PriceCap = append(ct.PriceCap, 0)
		ct.Known = append(ct.Known, false)
	}
	return row
}

// VisitFlag holds per-visit status bits.
type VisitFlag uint8

// Visit flags.
const (
	// VisitRefunded: at least one refund row was netted into this visit.
	VisitRefunded VisitFlag = 1 << iota
	// VisitReversed: refunds netted the fund amount to zero or less; the
	// visit is kept for provenance but carries no money.
	VisitReversed
)

// VisitTable holds settled visits in input order; row i is the visit with
// IDs id i. Amounts are net of refunds once ingest has netted them.
type VisitTable struct {
	IDs *intern.PackedTable // mdtrt_id (packed: a prefix code and a number, see intern.PackedList)
	// SetlID is the settlement id of row i, "" when absent; it is only
	// written back out (no index), and nil when the loader was asked not to
	// keep it (ingest.Options.DropSettlementIDs).
	SetlID      *intern.PackedList
	Person      []uint32
	Institution []uint32
	Doctor      []uint32 // Doctors row or None
	MedType     []claims.MedType
	Begin       Times
	End         Times // claims.NoTime when absent
	Dise        Small // Strings id of dise_codg, or None
	DiseName    Small // Strings id or None
	MedFee      Narrow[claims.Money]
	FundPay     Narrow[claims.Money]
	Cert        []claims.CertType
	Flags       []VisitFlag
	Line        Lines // source line of the original row (1 = header)
}

// NewVisitTable returns an empty visit table with room for n visits.
func NewVisitTable(n int) VisitTable {
	return VisitTable{
		IDs:         intern.NewPacked(n),
		SetlID:      intern.NewPackedList(n),
		Person:      make([]uint32, 0, n),
		Institution: make([]uint32, 0, n),
		Doctor:      make([]uint32, 0, n),
		MedType:     make([]claims.MedType, 0, n),
		Begin:       NewTimes(n),
		End:         NewTimes(n),
		Dise:        NewSmall(n),
		DiseName:    NewSmall(n),
		MedFee:      NewMoney[claims.Money](n),
		FundPay:     NewMoney[claims.Money](n),
		Cert:        make([]claims.CertType, 0, n),
		Flags:       make([]VisitFlag, 0, n),
	}
}

// Len returns the number of visits.
func (v *VisitTable) Len() int { return len(v.Person) }

// AddVisit appends a validated, non-refund visit whose person and
// institution rows are already resolved, and returns its row; added is false
// (nothing changed) when the mdtrt_id is already present. An inpatient
// visit counts as an admission at its institution, and the first one
// classifies the institution again (a place that admits patients is a
// hospital; see ClassifyInstitution).
func (t *Tables) AddVisit(v *claims.Visit, person, inst uint32, line uint32) (row uint32, added bool) {
	vt := &t.Visits
	row, added = vt.IDs.Intern(v.MdtrtID)
	if !added {
		return row, false
	}
	if v.MedType.Inpatient() {
		t.admit(inst)
	}
	if vt.SetlID != nil {
		vt.SetlID.Append(v.SetlID)
	}
	vt.Person = append(vt.Person, person)
	vt.Institution = append(vt.Institution, inst)
	vt.Doctor = append(vt.Doctor, t.DoctorRef(v.DoctorCode))
	vt.MedType = append(vt.MedType, v.MedType)
	vt.Begin.Append(v.Begin)
	vt.End.Append(v.End)
	vt.Dise.Append(t.str(v.DiseCode))
	vt.DiseName.Append(t.str(v.DiseName))
	vt.MedFee.Append(v.MedFee)
	vt.FundPay.Append(v.FundPay)
	vt.Cert = append(vt.Cert, v.CertType)
	vt.Flags = append(vt.Flags, 0)
	vt.Line.Append(line)
	return row, true
}

// FeeTable holds fee lines in input order. Amounts are net of refunds once
// ingest has netted them.
type FeeTable struct {
	Visit Owners // Visits row
	// Sn is the id of each line's feedetl_sn: in Strings, or in Serials
	// when the serials are unique per line. Read it with Tables.FeeSerial;
	// equal ids are equal serials.
	Sn Small
	// Serials holds the fee lines' feedetl_sn when they are unique per
	// line (a running number of the export) rather than numbered within
	// the visit: packed (a prefix code and a number, 10 bytes a line)
	// instead of interned among the codes and names (about 32). Nil: the
	// ids are Strings ids. The loader chooses (UseFeeSerials) before the
	// first line is added.
	Serials    *intern.PackedTable
	Item       Small // Catalog row
	Count      Counts
	Price      Prices
	Amount     Amounts             // det_item_fee_sumamt, read through AmountAt
	Time       Times               // fee_ocur_time
	Doctor     FeeDoctors          // Doctors row or None, read through Tables.FeeDoctor
	SupplyDays Days                // prd_days, 0 when unknown
	Trace      Sparse              // Traces id or None
	Traces     *intern.PackedTable // drug trace codes (20 digits as a rule: packed, see intern.PackedList)
	Line       Lines               // source line of the original row
}

// NewFeeTable returns an empty fee table with room for n fee lines.
func NewFeeTable(n int) FeeTable {
	return FeeTable{
		Visit:      NewOwners(n),
		Sn:         NewSmall(n),
		Item:       NewSmall(n),
		Count:      NewCounts(n),
		Price:      NewPrices(n),
		Amount:     NewAmounts(n),
		Time:       NewTimes(n),
		Doctor:     NewFeeDoctors(n),
		SupplyDays: NewDays(n),
		Trace:      NewSparse(n, n/8, None),
		Traces:     intern.NewPacked(n/8 + 16),
	}
}

// Len returns the number of fee lines.
func (f *FeeTable) Len() int { return f.Visit.Len() }

// AddFee appends a validated fee line of visit row visit and returns its row.
// Duplicate and refund handling is the caller's.
func (t *Tables) AddFee(f *claims.FeeLine, visit uint32, line uint32) uint32 {
	ft := &t.Fees
	row := uint32(ft.Visit.Len())
	ft.Visit.Append(visit)
	ft.Sn.Append(t.serial(f.FeedetlSn))
	ft.Item.Append(t.item(f.ItemCode, f.ItemName, f.ListType))
	ft.Count.Append(f.Count)
	ft.Price.Append(f.Price)
	ft.appendAmount(f.Amount)
	ft.Time.Append(f.Time)
	ft.Doctor.Append(t.DoctorRef(f.DoctorCode), t.visitDoctor(visit))
	ft.SupplyDays.Append(f.SupplyDays)
	trace := uint32(None)
	if f.TraceCode != "" {
		trace, _ = ft.Traces.Intern(f.TraceCode)
	}
	ft.Trace.Append(trace)
	ft.Line.Append(line)
	return row
}
