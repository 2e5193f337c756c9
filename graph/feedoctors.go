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
//
// The column's codes are not Doctors rows (a line billed by its visit's
// doctor holds visitsDoctor), so that it has no At of its own.
type FeeDoctors struct {
	codes Sparse // a line's own doctor, visitsDoctor for its visit's
}

// visitsDoctor is what a line billed by its visit's doctor holds in the
// column: a code no Doctors row reaches, distinct from None.
const visitsDoctor = None - 1

// NewFeeDoctors returns a column with room for n fee lines.
func NewFeeDoctors(n int) FeeDoctors { return FeeDoctors{codes: NewSparse(n, n/16, visitsDoctor)} }

// Len returns the number of lines.
func (c *FeeDoctors) Len() int { return c.codes.Len() }

// Append adds a line billed by doctor whose visit's doctor is visitDoctor.
func (c *FeeDoctors) Append(doctor, visitDoctor uint32) {
	if doctor == visitDoctor {
		doctor = visitsDoctor
	}
	c.codes.Append(doctor)
}

// Of returns the doctor of line i, whose visit's doctor is visitDoctor:
// for loops that hold the visit already (Tables.FeeDoctor looks it up).
func (c *FeeDoctors) Of(i, visitDoctor uint32) uint32 {
	if d := c.codes.At(i); d != visitsDoctor {
		return d
	}
	return visitDoctor
}

// code returns what line i holds: its own doctor, or visitsDoctor.
func (c *FeeDoctors) code(i uint32) uint32 { return c.codes.At(i) }

// appendCoded adds a line holding what another column's line holds
// (code): for a line whose visit's doctor is the same in both tables.
func (c *FeeDoctors) appendCoded(code uint32) { c.codes.Append(code) }

// Own returns the number of lines billed by a doctor other than their
// visit's (or by none on a visit with one).
func (c *FeeDoctors) Own() int { return c.codes.Present() }

// reset empties the column, keeping its memory.
func (c *FeeDoctors) reset() { c.codes.reset() }

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *FeeDoctors) snapshot() FeeDoctors { return FeeDoctors{codes: c.codes.snapshot()} }

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *FeeDoctors) trim() { c.codes.trim() }

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *FeeDoctors) bytes() (used, reserved int64) { return c.codes.bytes() }

// FeeDoctor returns the Doctors row of fee line f (None when the line has
// no doctor): the line's own, or its visit's.
func (t *Tables) FeeDoctor(f uint32) uint32 {
	return t.Fees.Doctor.Of(f, t.visitDoctor(t.Fees.Visit.At(f)))
}

// visitDoctor returns the Doctors row of visit v, None for a visit out of
// range (a line a test points elsewhere): the doctor a fee line of v is
// kept against (FeeDoctors).
func (t *Tables) visitDoctor(v uint32) uint32 {
	if int(v) < len(t.Visits.Doctor) {
		return t.Visits.Doctor[v]
	}
	return None
}
