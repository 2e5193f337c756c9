package ingest

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Reasons for rows of a UTF-8 file that hold invalid UTF-8, when the
// encoding was detected and when it was given.
const (
	reasonInvalidUTF8Detected = "invalid utf-8 in a file that looked like utf-8; pass --encoding gb18030"
	reasonInvalidUTF8         = "invalid utf-8"
)

// parseChunk splits b.c into records and parses each into b.rows.
func parseChunk[R any](src *source, sp *spec[R], colOf []int, b *batch[R]) {
	c := b.c
	b.rows, b.lines, b.errs, b.blank = b.rows[:0], b.lines[:0], b.errs[:0], 0
	b.memo = refMemo{}
	if len(b.vals) != len(sp.cols) {
		b.vals = make([]string, len(sp.cols))
	}
	if n := bytes.Count(c.buf, []byte{'\n'}) + 1; cap(b.rows) < n {
		b.rows = make([]R, 0, n)
		b.lines = make([]int64, 0, n)
		b.errs = make([]rowErr, 0, n)
	}
	checkUTF8 := src.utf8Check && !utf8.Valid(c.buf)
	scratch := c.scratch[:0]
	b.json.scratch = scratch
	buf := c.buf
	line := c.line
	var zero R
	for len(buf) > 0 {
		end := bytes.IndexByte(buf, '\n')
		physical := buf
		if end >= 0 {
			physical = buf[:end]
		}
		if blankLine(physical) {
			b.blank++
			line++
			if end < 0 {
				break
			}
			buf = buf[end+1:]
			continue
		}
		for i := range b.vals {
			b.vals[i] = ""
		}
		var rec []byte
		var e rowErr
		var n, inner int
		if src.format == formatCSV {
			b.fields, scratch, n, inner = csvRecord(buf, b.fields[:0], scratch)
			rec = buf[:n]
			if len(b.fields) != len(colOf) {
				e = bad(-1, fmt.Sprintf("row has %d fields, header has %d", len(b.fields), len(colOf)), "")
			} else {
				for i, f := range b.fields {
					if col := colOf[i]; col >= 0 {
						b.vals[col] = trimSpace(f)
					}
				}
			}
		} else {
			n = len(physical)
			if end >= 0 {
				n++
			}
			rec = physical
			b.json.scratch = scratch
			if je, ok := b.json.parse(physical); !ok {
				e = bad(colIndex(sp.cols, je.key), je.reason, "")
			} else {
				b.fillJSON(sp.cols)
			}
			scratch = b.json.scratch
		}
		if e.reason == "" && checkUTF8 && !utf8.Valid(rec) {
			e = bad(-1, reasonInvalidUTF8, "")
			if src.detected {
				e.reason = reasonInvalidUTF8Detected
			}
			for i, v := range b.vals {
				if !utf8.ValidString(v) {
					e.col, e.value = i, v
					break
				}
			}
		}
		b.rows = append(b.rows, zero)
		r := &b.rows[len(b.rows)-1]
		if e.reason == "" {
			if pe, ok := sp.parse(b.vals, r); !ok {
				e = pe
			}
		}
		b.errs = append(b.errs, e)
		b.lines = append(b.lines, line)
		line += 1 + int64(inner)
		buf = buf[n:]
	}
	c.scratch = scratch
	if sp.resolve != nil {
		sp.resolve(b.rows, b.errs, &b.memo)
	}
}

// fillJSON maps the keys of the parsed object to columns, remembering the
// key order of the previous object to skip most name comparisons.
func (b *batch[R]) fillJSON(cols []column) {
	p := &b.json
	for i, k := range p.keys {
		col := -2
		if i < len(b.keyMemo) {
			if m := b.keyMemo[i]; m >= 0 && cols[m].name == k {
				col = m
			}
		}
		if col == -2 {
			col = colIndex(cols, trimSpace(k))
			if i < len(b.keyMemo) {
				b.keyMemo[i] = col
			} else {
				b.keyMemo = append(b.keyMemo, col)
			}
		}
		if col >= 0 {
			b.vals[col] = trimSpace(p.vals[i])
		}
	}
}

// colIndex returns the index of the column named name, or -1.
func colIndex(cols []column, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}
