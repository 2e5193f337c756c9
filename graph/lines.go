package graph

import "sort"

// Lines is a column of source line numbers (the line of the input file a
// row was read from), kept as runs instead of four bytes a row. Rows are
// appended in file order, so their lines mostly rise by one from row to
// row; a run is a first row, its line and the step from row to row (1 as a
// rule, more where a record spans lines, 0 for rows without a line, such
// as claims posted to the server), and a rejected or merged row only starts
// a new run. A file of N rows with R rejected ones takes about R runs of
// 12 bytes instead of 4N bytes.
//
// Rows are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded). The run rows are appended to is kept in the column
// itself, not in runs, which holds only runs that no append changes again,
// so that a copy of the column (runs capped) is a snapshot of it that
// shares no memory an append writes.
type Lines struct {
	runs []lineRun // the runs before last, by first row
	last lineRun   // the run rows are appended to (from row n when n is 0)
	n    uint32    // rows
}

// lineRun is a run of rows whose lines rise by step from row to row.
type lineRun struct {
	row, line uint32
	step      int32
}

// Len returns the number of rows.
func (c *Lines) Len() int { return int(c.n) }

// At returns the line of row i.
func (c *Lines) At(i uint32) uint32 {
	if i >= c.last.row {
		return c.last.lineOf(i)
	}
	k := sort.Search(len(c.runs), func(k int) bool { return c.runs[k].row > i }) - 1
	return c.runs[k].lineOf(i)
}

// lineOf returns the line of row i of the run (i at or after its first row).
func (r *lineRun) lineOf(i uint32) uint32 {
	return uint32(int64(r.line) + int64(r.step)*int64(i-r.row))
}

// Append adds a row read from line.
func (c *Lines) Append(line uint32) {
	r := &c.last
	switch {
	case c.n == 0:
		*r = lineRun{line: line}
	case c.n-r.row == 1 && int64(line)-int64(r.line) == int64(int32(int64(line)-int64(r.line))):
		r.step = int32(int64(line) - int64(r.line))
	case r.lineOf(c.n) != line:
		c.runs = append(c.runs, *r)
		*r = lineRun{row: c.n, line: line}
	}
	c.n++
}

// reset empties the column, keeping its memory.
func (c *Lines) reset() { *c = Lines{runs: c.runs[:0]} }

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Lines) snapshot() Lines { return Lines{runs: capped(c.runs), last: c.last, n: c.n} }

// lineCursor reads the lines of rows in rising order without a search.
type lineCursor struct {
	c *Lines
	k int // the run of the last row read (len(c.runs): c.last)
}

// at returns the line of row i, at or after the row read before.
func (r *lineCursor) at(i uint32) uint32 {
	if i >= r.c.last.row {
		return r.c.last.lineOf(i)
	}
	for r.k+1 < len(r.c.runs) && r.c.runs[r.k+1].row <= i {
		r.k++
	}
	return r.c.runs[r.k].lineOf(i)
}

// bytes returns the bytes in use and allocated (for memory accounting): the
// runs before the last, which is part of the column's own struct.
func (c *Lines) bytes() (used, reserved int64) { return size(c.runs) }
