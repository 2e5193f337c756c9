package graph

// FeeDoctors is the column of the fee lines' doctors (bilg_dr_codg), kept
// as the lines whose doctor is not their visit's: in exports nine lines in
// ten or more are billed by the visit's own doctor, so a bit a line
// (Sparse) says whether the line has a doctor of its own, and only those
// doctors are kept (None among them, for a line without a doctor on a
// visit with one). A line costs 1/8 + 4/64 + 4p bytes, p the share of
// lines billed by another doctor, instead of two.
//
// A line's doctor is read through Tables.FeeDoctor, which looks the
// visit's doctor up. Rows are only appended (or compacted in order by
// FeeTable.Keep while the tables are loaded), each with its visit's doctor
// as it is then: a visit's doctor does not change once the visit is added.
type FeeDoctors struct {
	Sparse // a line's own doctor, visitsDoctor for its visit's
}

// visitsDoctor is what a line billed by its visit's doctor holds in the
// column: a code no Doctors row reaches, distinct from None.
const visitsDoctor = None - 1

// NewFeeDoctors returns a column with room for n fee lines.
func NewFeeDoctors(n int) FeeDoctors { return FeeDoctors{NewSparse(n, n/16, visitsDoctor)} }

// Append adds a line billed by doctor whose visit's doctor is visitDoctor.
func (c *FeeDoctors) Append(doctor, visitDoctor uint32) {
	if doctor == visitDoctor {
		doctor = visitsDoctor
	}
	c.Sparse.Append(doctor)
}

// appendCoded adds a line holding what another column's row holds (At):
// for a line whose visit's doctor is the same in both tables.
func (c *FeeDoctors) appendCoded(code uint32) { c.Sparse.Append(code) }

// Own returns the number of lines billed by a doctor other than their
// visit's (or by none on a visit with one).
func (c *FeeDoctors) Own() int { return c.Present() }

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *FeeDoctors) snapshot() FeeDoctors { return FeeDoctors{c.Sparse.snapshot()} }

// FeeDoctor returns the Doctors row of fee line f (None when the line has
// no doctor): the line's own, or its visit's.
func (t *Tables) FeeDoctor(f uint32) uint32 {
	d := t.Fees.Doctor.At(f)
	if d != visitsDoctor {
		return d
	}
	if v := t.Fees.Visit.At(f); int(v) < len(t.Visits.Doctor) {
		return t.Visits.Doctor[v]
	}
	return None
}
