package graph

import "github.com/ringlens/ringlens/graph/intern"

// Reset empties t for reuse: it then holds no rows and no strings, as
// tables just made by NewTables, and the Add methods fill it the same way.
// It keeps the memory of every column and interner, so that tables
// refilled with about as many rows as before do not allocate (a check of
// one claim refills small tables many times). Tables and graphs that
// share t's columns must no longer be in use.
func (t *Tables) Reset() {
	for _, it := range []*intern.Table{t.Strings, t.PII, t.Persons.IDs, t.Institutions.IDs, t.Doctors.IDs,
		t.Catalog.IDs} {
		if it != nil {
			it.Reset()
		}
	}
	for _, it := range []*intern.PackedTable{t.Visits.IDs, t.Fees.Traces} {
		if it != nil {
			it.Reset()
		}
	}
	if t.Visits.SetlID != nil {
		t.Visits.SetlID.Reset()
	}
	t.Fees.Serials = nil // as NewTables: the loader chooses again
	p := &t.Persons
	p.Sex, p.Birth, p.InsuType, p.Name = p.Sex[:0], p.Birth[:0], p.InsuType[:0], p.Name[:0]
	p.CertNo, p.InsuplcAdmdvs, p.DieDate = p.CertNo[:0], p.InsuplcAdmdvs[:0], p.DieDate[:0]
	in := &t.Institutions
	in.Name, in.Type, in.Class, in.Evidence = in.Name[:0], in.Type[:0], in.Class[:0], in.Evidence[:0]
	in.Admissions, in.Level, in.Admdvs, in.Beds = in.Admissions[:0], in.Level[:0], in.Admdvs[:0], in.Beds[:0]
	in.Lat, in.Lon, in.HasLoc = in.Lat[:0], in.Lon[:0], in.HasLoc[:0]
	d := &t.Doctors
	d.Name, d.Dept, d.Prof, d.Registered, d.Sites = d.Name[:0], d.Dept[:0], d.Prof[:0], d.Registered[:0], d.Sites[:0]
	c := &t.Catalog
	c.Name, c.ListType, c.LimitSex, c.AgeMin, c.AgeMax = c.Name[:0], c.ListType[:0], c.LimitSex[:0], c.AgeMin[:0], c.AgeMax[:0]
	c.MaxDays, c.PriceCap, c.Known = c.MaxDays[:0], c.PriceCap[:0], c.Known[:0]
	t.Visits.clearColumns()
	t.Fees.clearColumns()
}

// clearColumns empties the visit columns (not the interners), keeping
// their memory.
func (v *VisitTable) clearColumns() {
	v.Person, v.Institution, v.Doctor = v.Person[:0], v.Institution[:0], v.Doctor[:0]
	v.MedType = v.MedType[:0]
	v.Dise.reset()
	v.DiseName.reset()
	v.Cert, v.Flags = v.Cert[:0], v.Flags[:0]
	v.Line.reset()
	v.Begin.reset()
	v.End.reset()
	v.MedFee.reset()
	v.FundPay.reset()
}

// clearColumns empties the fee columns (not the trace interner), keeping
// their memory.
func (f *FeeTable) clearColumns() {
	f.Visit.reset()
	f.Doctor.reset()
	f.Sn.reset()
	f.Item.reset()
	f.SupplyDays.reset()
	f.Trace.reset()
	f.Line.reset()
	f.Count.reset()
	f.Price.reset()
	f.Amount.reset()
	f.Time.reset()
}
