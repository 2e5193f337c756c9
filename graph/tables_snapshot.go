package graph

import (
	"fmt"
	"slices"
)

// Snapshot returns tables holding what t holds now, which t's later Add
// methods leave unchanged, so that a graph can be built and detected on it
// by one goroutine while another appends claims to t (AddVisit, AddFee):
// no second copy of the city is read or kept. The rows of persons, visits
// and fee lines are shared up to their current length (appends go beyond
// it, and every column's capacity is capped so that appending to the
// snapshot copies instead of writing into t's memory); the entity tables,
// whose rows appends change in place (an institution's admissions, a
// doctor's first registration), are copied; the string tables share their
// bytes and their index with t's (intern.Table.Snapshot), so a snapshot of
// a city costs its entity tables, not its ids. t must not be changed in place otherwise
// (ingest's marking of refunded visits happens while it loads, before any
// snapshot).
func (t *Tables) Snapshot() *Tables {
	s := &Tables{Strings: t.Strings.Snapshot(), PII: t.PII.Snapshot()}
	p := &t.Persons
	s.Persons = PersonTable{IDs: p.IDs.Snapshot(), Sex: capped(p.Sex), Birth: capped(p.Birth), InsuType: capped(p.InsuType),
		Name: capped(p.Name), CertNo: capped(p.CertNo), InsuplcAdmdvs: capped(p.InsuplcAdmdvs), DieDate: capped(p.DieDate)}
	in := &t.Institutions
	s.Institutions = InstitutionTable{IDs: in.IDs.Snapshot(), Name: slices.Clone(in.Name), Type: slices.Clone(in.Type),
		Class: slices.Clone(in.Class), Evidence: slices.Clone(in.Evidence), Admissions: slices.Clone(in.Admissions),
		Level: slices.Clone(in.Level), Admdvs: slices.Clone(in.Admdvs), Beds: slices.Clone(in.Beds),
		Lat: slices.Clone(in.Lat), Lon: slices.Clone(in.Lon), HasLoc: slices.Clone(in.HasLoc)}
	d := &t.Doctors
	s.Doctors = DoctorTable{IDs: d.IDs.Snapshot(), Name: slices.Clone(d.Name), Dept: slices.Clone(d.Dept), Prof: slices.Clone(d.Prof),
		Registered: slices.Clone(d.Registered), Sites: slices.Clone(d.Sites)}
	c := &t.Catalog
	s.Catalog = CatalogTable{IDs: c.IDs.Snapshot(), Name: slices.Clone(c.Name), ListType: slices.Clone(c.ListType),
		LimitSex: slices.Clone(c.LimitSex), AgeMin: slices.Clone(c.AgeMin), AgeMax: slices.Clone(c.AgeMax),
		MaxDays: slices.Clone(c.MaxDays), PriceCap: slices.Clone(c.PriceCap), Known: slices.Clone(c.Known)}
	v := &t.Visits
	s.Visits = VisitTable{IDs: v.IDs.Snapshot(), SetlID: v.SetlID.Snapshot(), Person: capped(v.Person),
		Institution: capped(v.Institution), Doctor: capped(v.Doctor), MedType: capped(v.MedType), Begin: v.Begin.snapshot(),
		End: v.End.snapshot(), Dise: v.Dise.snapshot(), DiseName: v.DiseName.snapshot(), MedFee: v.MedFee.snapshot(),
		FundPay: v.FundPay.snapshot(), Cert: capped(v.Cert), Flags: capped(v.Flags), Line: v.Line.snapshot()}
	f := &t.Fees
	s.Fees = FeeTable{Visit: f.Visit.snapshot(), Sn: f.Sn.snapshot(), Item: f.Item.snapshot(), Count: f.Count.snapshot(),
		Price: f.Price.snapshot(), Amount: f.Amount.snapshot(), Time: f.Time.snapshot(), Doctor: f.Doctor.snapshot(),
		SupplyDays: f.SupplyDays.snapshot(), Trace: f.Trace.snapshot(), Traces: f.Traces.Snapshot(), Line: f.Line.snapshot()}
	if f.Serials != nil {
		s.Fees.Serials = f.Serials.Snapshot()
	}
	return s
}

// capped returns x with its capacity cut to its length.
func capped[T any](x []T) []T { return x[:len(x):len(x)] }

// UseTables makes g read t instead of the tables it was built from (a
// Snapshot of t, say, after claims were appended to t while g was built):
// t must hold every row of those tables unchanged, with more rows appended
// or not, as the graph's later readers expect of tables that claims were
// appended to. It returns an error, and changes nothing, when t holds
// fewer rows of some kind. Call it before g is shared: a Graph is
// immutable once in use.
func (g *Graph) UseTables(t *Tables) error {
	if t == nil {
		return fmt.Errorf("graph: UseTables: nil tables")
	}
	o := g.t
	for _, c := range []struct {
		what      string
		have, had int
	}{
		{"persons", t.Persons.Len(), o.Persons.Len()},
		{"institutions", t.Institutions.Len(), o.Institutions.Len()},
		{"doctors", t.Doctors.Len(), o.Doctors.Len()},
		{"catalogue items", t.Catalog.Len(), o.Catalog.Len()},
		{"visits", t.Visits.Len(), o.Visits.Len()},
		{"fee lines", t.Fees.Len(), o.Fees.Len()},
	} {
		if c.have < c.had {
			return fmt.Errorf("graph: UseTables: the tables hold %d %s, the graph's %d", c.have, c.what, c.had)
		}
	}
	g.t = t
	return nil
}
