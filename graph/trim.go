package graph

import (
	"reflect"
)

// trimSpare is the share of a column's capacity left unused that
// Tables.Trim gives back (1/trimSpare).
const trimSpare = 16

// trimmer is a compact column (Narrow, Counts, Lines, Sparse), which trims
// its own slices.
type trimmer interface{ trim() }

// Trim gives back the memory the tables hold beyond their rows: ingest
// reserves room for the rows it expects from the files' sizes, and appends
// grow a column by a quarter at a time, so that a tenth or more of a
// loaded city's columns is capacity no row uses. Every column with more
// than 1/trimSpare of its capacity unused is copied to a slice of its
// length, and every string table trimmed (intern.Table.Trim: an index
// reserved for many more strings is rebuilt smaller). Rows, ids and values
// do not change.
//
// Trim is for tables that are read from here on, as detect's are: a column
// trimmed to its length grows by a quarter at the next row appended to it.
// The tables must not be read by others while they are trimmed; snapshots
// taken before keep what they share. Trim walks the tables by reflection,
// so that a column added later is trimmed too.
func (t *Tables) Trim() { trimValue(reflect.ValueOf(t).Elem()) }

// DropIngestIndexes gives back the hash indexes only ingest needs: those
// of the visit ids (which place each fee line, refund and duplicate on its
// visit), of the drug trace codes (which intern each code once), about 12
// bytes a visit, and of the fee lines' prices (Prices). A batch command reads the tables by row once they are
// loaded; a server keeps them, for intake looks visits up. A later lookup
// still finds its id, by comparing rows (intern.PackedTable.DropIndex).
func (t *Tables) DropIngestIndexes() {
	if t.Visits.IDs != nil {
		t.Visits.IDs.DropIndex()
	}
	if t.Fees.Traces != nil {
		t.Fees.Traces.DropIndex()
	}
	if t.Fees.Serials != nil {
		t.Fees.Serials.DropIndex()
	}
	t.Fees.Price.dropIndex()
}

// trimValue trims v, an addressable column, table or struct of them.
func trimValue(v reflect.Value) {
	if tr, ok := v.Addr().Interface().(trimmer); ok {
		tr.trim()
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				trimValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		// A string table or list (intern.Table, List, PackedTable,
		// PackedList) trims itself.
		if p, ok := v.Interface().(interface{ Trim() }); ok && !v.IsNil() {
			p.Trim()
		}
	case reflect.Slice:
		if spare := v.Cap() - v.Len(); spare > v.Cap()/trimSpare {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(s, v)
			v.Set(s)
		}
	}
}

// trimmed returns s, copied to a slice of its own length when more than
// 1/trimSpare of its capacity is unused.
func trimmed[T any](s []T) []T {
	if cap(s)-len(s) <= cap(s)/trimSpare {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *column[C]) trim() { c.vals, c.wide = trimmed(c.vals), trimmed(c.wide) }

// trim is column.trim for Lines.
func (c *Lines) trim() { c.runs = trimmed(c.runs) }

// trim is column.trim for Sparse.
func (c *Sparse) trim() {
	c.words, c.before, c.vals = trimmed(c.words), trimmed(c.before), trimmed(c.vals)
}
