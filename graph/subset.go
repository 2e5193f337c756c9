package graph

import (
	"slices"

	"github.com/ringlens/ringlens/graph/intern"
)

// Subset returns tables holding visits (rows of t, in the order given) and
// fee lines (rows of t whose visits are among them; others are left out),
// renumbered densely: row i of the subset's visits is visits[i], row j of
// its fee lines is the j-th kept entry of fees. The persons are those of
// the subset's visits, copied and renumbered densely in the order of their
// rows in t: row k of the subset's persons is persons[k], so that a
// subset's graph has nodes for its own patients only (a city has millions
// of persons, and a graph clears and fills arrays as long as its nodes at
// every build). The other reference tables (institutions, doctors,
// catalogue, strings, personal data) are shared with t, not copied, so
// institution, doctor and item rows keep their numbers; the subset must
// only be read, and t must not change while it is in use. It lets a rule
// run over the neighbourhood of new rows without copying a city
// (rings.Live), whose hits name persons by persons[k].
func (t *Tables) Subset(visits, fees []uint32) (sub *Tables, keptFees, persons []uint32) {
	return t.SubsetInto(nil, visits, fees)
}

// SubsetInto is Subset writing into dst, a subset an earlier call
// returned, whose memory it reuses (its contents are gone); a nil dst is
// allocated. Incremental scoring takes a subset at every update.
func (t *Tables) SubsetInto(dst *Tables, visits, fees []uint32) (sub *Tables, keptFees, persons []uint32) {
	src := &t.Visits
	var sv VisitTable
	var sf FeeTable
	var sp PersonTable
	if dst == nil {
		sv = NewVisitTable(len(visits))
		sf.Price, sf.Amount, sf.Time = NewPrices(len(fees)), NewAmounts(len(fees)), NewTimes(len(fees))
		sf.Doctor = NewFeeDoctors(len(fees))
		sp.IDs = intern.New(len(visits)+1, 16)
	} else {
		sv, sf, sp = dst.Visits, dst.Fees, dst.Persons
		sv.IDs.Reset()
		if sv.SetlID != nil {
			sv.SetlID.Reset()
		}
		sv.clearColumns()
		sf.clearColumns()
		sp.IDs.Reset()
		sp.clearColumns()
	}
	if src.SetlID == nil { // not kept (ingest.Options.DropSettlementIDs)
		sv.SetlID = nil
	}
	local := make(map[uint32]uint32, len(visits))
	var id []byte
	for _, v := range visits {
		if int(v) >= src.Len() {
			continue
		}
		if _, dup := local[v]; dup {
			continue
		}
		local[v] = uint32(sv.Len())
		id = src.IDs.AppendTo(id[:0], v)
		sv.IDs.InternBytes(id)
		if src.SetlID != nil {
			id = src.SetlID.AppendTo(id[:0], v)
			sv.SetlID.AppendBytes(id)
		}
		sv.Person = append(sv.Person, src.Person[v])
		sv.Institution = append(sv.Institution, src.Institution[v])
		sv.Doctor = append(sv.Doctor, src.Doctor[v])
		sv.MedType = append(sv.MedType, src.MedType[v])
		sv.Begin.Append(src.Begin.At(v))
		sv.End.Append(src.End.At(v))
		sv.Dise.Append(src.Dise.At(v))
		sv.DiseName.Append(src.DiseName.At(v))
		sv.MedFee.Append(src.MedFee.At(v))
		sv.FundPay.Append(src.FundPay.At(v))
		sv.Cert = append(sv.Cert, src.Cert[v])
		sv.Flags = append(sv.Flags, src.Flags[v])
		sv.Line.Append(src.Line.At(v))
	}
	ft := &t.Fees
	sf.Traces = ft.Traces
	if sf.Traces == nil {
		sf.Traces = intern.NewPacked(0)
	}
	for _, f := range fees {
		if int(f) >= ft.Len() {
			continue
		}
		v, ok := local[ft.Visit.At(f)]
		if !ok {
			continue
		}
		keptFees = append(keptFees, f)
		sf.Visit.Append(v)
		sf.Sn.Append(ft.Sn.At(f))
		sf.Item.Append(ft.Item.At(f))
		sf.Count.Append(ft.Count.At(f))
		sf.Price.Append(ft.Price.At(f))
		sf.appendAmount(ft.AmountAt(f))
		sf.Time.Append(ft.Time.At(f))
		sf.Doctor.appendCoded(ft.Doctor.code(f)) // the visit's doctor is copied too
		sf.SupplyDays.Append(ft.SupplyDays.At(f))
		sf.Trace.Append(ft.Trace.At(f))
		sf.Line.Append(ft.Line.At(f))
	}
	persons = subsetPersons(&t.Persons, &sp, sv.Person)
	if dst == nil {
		dst = &Tables{}
	}
	sf.Serials = t.Fees.Serials // the ids of Sn are the tables'
	*dst = Tables{Strings: t.Strings, PII: t.PII, Persons: sp, Institutions: t.Institutions,
		Doctors: t.Doctors, Catalog: t.Catalog, Visits: sv, Fees: sf}
	return dst, keptFees, persons
}

// subsetPersons copies into dst (empty) the persons of src that the rows
// of refs name, in the order of their rows in src, rewrites refs to dst's
// rows and returns the src row of each dst row. Rows out of range of src
// (None) are left as they are. The persons' strings and personal data keep
// their ids: the subset shares those tables.
func subsetPersons(src, dst *PersonTable, refs []uint32) []uint32 {
	rows := make([]uint32, 0, len(refs))
	for _, p := range refs {
		if int(p) < src.Len() {
			rows = append(rows, p)
		}
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)
	for _, p := range rows {
		dst.IDs.InternBytes(src.IDs.View(p))
		dst.Sex = append(dst.Sex, src.Sex[p])
		dst.Birth = append(dst.Birth, src.Birth[p])
		dst.InsuType = append(dst.InsuType, src.InsuType[p])
		dst.Name = append(dst.Name, src.Name[p])
		dst.CertNo = append(dst.CertNo, src.CertNo[p])
		dst.InsuplcAdmdvs = append(dst.InsuplcAdmdvs, src.InsuplcAdmdvs[p])
		dst.DieDate = append(dst.DieDate, src.DieDate[p])
	}
	for i, p := range refs {
		if k, ok := slices.BinarySearch(rows, p); ok {
			refs[i] = uint32(k)
		}
	}
	return rows
}
