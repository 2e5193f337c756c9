package ingest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reasons for rows of a UTF-8 file that hold invalid UTF-8, when the
// encoding was detected and when it was given, and for rows of a GB18030
// file that hold byte sequences GB18030 does not define.
const (
	reasonInvalidUTF8Detected = "invalid utf-8 in a file that looked like utf-8; pass --encoding gb18030"
	reasonInvalidUTF8         = "invalid utf-8"
	reasonInvalidGB18030      = "invalid gb18030 byte sequence"
)

// replacement is U+FFFD as UTF-8, which the GB18030 decoder puts in place
// of bytes it cannot decode.
const replacement = "\uFFFD"

// parseChunk splits b.c into records and parses each into b.rows. kinds
// gives the kind of each contract column.
func parseChunk[R any](src *source, sp *spec[R], colOf []int, kinds []colKind, b *batch[R]) {
	c := b.c
	b.rows, b.lines, b.errs, b.blank = b.rows[:0], b.lines[:0], b.errs[:0], 0
	b.memo = refMemo{}
	if len(b.vals) != len(sp.cols) {
		b.vals = make([]string, len(sp.cols))
	}
	if n := c.breaks + 1; cap(b.rows) < n {
		b.rows = make([]R, 0, n)
		b.lines = make([]int64, 0, n)
		b.errs = make([]rowErr, 0, n)
	}
	checkUTF8 := src.utf8Check && !utf8.Valid(c.buf)
	checkGB := src.encoding == encGB18030 && bytes.Contains(c.buf, []byte(replacement))
	// JSON escapes may stand for any character.
	escapes := src.format == formatJSONL && bytes.IndexByte(c.buf, '\\') >= 0
	sus := newSuspects()
	checkChars := escapes || sus.suspicious(c.buf)
	scratch := c.scratch[:0]
	b.json.scratch = scratch
	buf := c.buf
	line := c.line
	// plain: no record of the chunk holds a double quote, so that each is
	// one physical line, found once and split at its commas.
	plain := src.format == formatCSV && bytes.IndexByte(c.buf, '"') < 0
	var zero R
	for len(buf) > 0 {
		end := bytes.IndexByte(buf, '\n')
		// physical is the line without its newline, next the line with it.
		physical, next := buf, len(buf)
		if end >= 0 {
			physical, next = buf[:end], end+1
		}
		if blankLine(physical) {
			b.blank++
			line++
			buf = buf[next:]
			continue
		}
		for i := range b.vals {
			b.vals[i] = ""
		}
		var rec []byte
		var e rowErr
		var n int
		if src.format == formatCSV {
			var stray bool
			if plain {
				n = next
			} else {
				n, stray = csvNext(buf, len(colOf))
			}
			rec = buf[:n]
			b.fields = b.fields[:0]
			if stray {
				e = bad(-1, reasonStrayQuote, "")
			} else {
				if plain || bytes.IndexByte(rec, '"') < 0 {
					b.fields = csvPlain(rec, b.fields)
				} else {
					b.fields, scratch, _, _ = csvRecord(rec, b.fields, scratch)
				}
				if len(b.fields) != len(colOf) {
					e = bad(-1, fmt.Sprintf("row has %d fields, header has %d", len(b.fields), len(colOf)), "")
				} else {
					for i, f := range b.fields {
						if col := colOf[i]; col >= 0 {
							b.vals[col] = trimSpace(f)
						}
					}
				}
			}
		} else {
			n = next
			rec = physical
			b.fields = b.fields[:0]
			b.json.scratch = scratch
			if je, ok := b.json.parse(physical); !ok {
				e = bad(colIndex(sp.cols, je.key), je.reason, "")
			} else if dup := b.fillJSON(sp.cols); dup >= 0 {
				e = bad(dup, "duplicate key", "")
			}
			scratch = b.json.scratch
		}
		if e.reason == "" && checkUTF8 && !utf8.Valid(rec) {
			reason := reasonInvalidUTF8
			if src.detected {
				reason = reasonInvalidUTF8Detected
			}
			e = b.encodingErr(reason, colOf, func(v string) bool { return !utf8.ValidString(v) })
		}
		if e.reason == "" && checkGB && bytes.Contains(rec, []byte(replacement)) {
			e = b.encodingErr(reasonInvalidGB18030, colOf, func(v string) bool { return strings.Contains(v, replacement) })
		}
		// Values are checked when the chunk holds a suspicious byte, or
		// the record breaks lines inside quotes (an id may not).
		if e.reason == "" && (escapes || checkChars && sus.suspicious(rec) || !plain && n > 1 && bytes.IndexByte(buf[:n-1], '\n') >= 0) {
			for i, v := range b.vals {
				if why := checkText(v, kinds[i]); why != "" {
					e = bad(i, why, visible(v))
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
		if plain {
			line++ // one physical line, up to its newline or the chunk's end
		} else {
			line += int64(bytes.Count(buf[:n], []byte{'\n'}))
			if buf[n-1] != '\n' {
				line++
			}
		}
		buf = buf[n:]
	}
	c.scratch = scratch
	if sp.resolve != nil {
		sp.resolve(b.rows, b.errs, &b.memo)
	}
}

// encodingErr returns the rejection of a row that fails an encoding check:
// for the first contract column whose value fails bad, that column and
// value; else (CSV) the 1-based position of the first failing field, which
// is not a contract column; else the whole row.
func (b *batch[R]) encodingErr(reason string, colOf []int, bad func(string) bool) rowErr {
	for i, v := range b.vals {
		if bad(v) {
			return rowErr{col: i, reason: reason, value: v}
		}
	}
	for i, f := range b.fields {
		if bad(f) && i < len(colOf) && colOf[i] < 0 {
			return rowErr{col: -1, reason: reason + " in field " + strconv.Itoa(i+1) + " (not a contract column)"}
		}
	}
	if len(b.fields) == 0 {
		for _, k := range b.json.keys {
			if bad(k) {
				return rowErr{col: -1, reason: reason + " in a key"}
			}
		}
	}
	return rowErr{col: -1, reason: reason}
}

// fillJSON maps the keys of the parsed object to columns, remembering the
// key order of the previous object to skip most name comparisons. It
// returns the column of the first contract key given twice, or -1.
func (b *batch[R]) fillJSON(cols []column) int {
	p := &b.json
	var seen uint64 // contract columns given; tables have fewer than 64
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
			if seen&(1<<col) != 0 {
				return col
			}
			seen |= 1 << col
			b.vals[col] = trimSpace(p.vals[i])
		}
	}
	return -1
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
