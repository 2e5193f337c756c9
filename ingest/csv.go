package ingest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// CSV follows RFC 4180 with the usual leniencies: a field is quoted only if
// its first byte is a double quote; inside, "" is a quote and commas and
// newlines are literal; bytes after the closing quote up to the next comma
// are kept literally; quotes inside an unquoted field are literal. Records
// end at "\n" (a preceding "\r" is dropped). A quote that does not close
// properly (see csvSpan) makes its row one rejected line.

// view returns b as a string without copying. The string aliases b.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// maxField bounds a quoted field: a quote not closed within maxField bytes
// of its opening is taken as a stray, unclosed quote.
const maxField = 1 << 20

// reasonStrayQuote rejects a row cut at the end of its first line because
// of a quote that does not close properly.
const reasonStrayQuote = "unclosed or stray quote (not closed within 1 MiB, or closed lines later in a row of the wrong number of fields); row cut at the end of its line"

// csvSpan returns the length n of the record at the start of buf, with its
// newline. nfields is the number of fields of the header (0 skips the
// check); atEOF reports that buf ends the input. ok is false if buf does not
// yet show where the record ends (never when atEOF).
//
// A record normally ends at the first newline outside quotes. When one of
// its quoted fields is not closed within maxField bytes (or before the end
// of the input), or spans lines but the record then has other than nfields
// fields, the record is instead only its first physical line and cut is
// true, so that one stray quote costs one row and reading resumes on the
// next line. The decision depends only on the
// record's own bytes, so the chunk reader and the parsers, which see
// different amounts of input, always agree on where records start.
func csvSpan(buf []byte, nfields int, atEOF bool) (n int, cut, ok bool) {
	firstLine := func() (int, bool, bool) {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			return i + 1, true, true
		}
		if atEOF {
			return len(buf), true, true
		}
		return 0, false, false
	}
	fields, multiline := 1, false
	atStart := true
	for i := 0; i < len(buf); i++ {
		c := buf[i]
		if atStart && c == '"' {
			// Quoted field: find its closing quote within the limit.
			limit := min(len(buf), i+1+maxField)
			j := i + 1
			for {
				k := -1
				if j < limit {
					k = bytes.IndexByte(buf[j:limit], '"')
				}
				if k < 0 {
					if atEOF || limit == i+1+maxField {
						return firstLine()
					}
					return 0, false, false
				}
				j += k
				if j+1 < len(buf) && buf[j+1] == '"' {
					j += 2
					continue
				}
				if j+1 == len(buf) && !atEOF {
					return 0, false, false // cannot tell yet whether "" follows
				}
				break
			}
			if !multiline && bytes.IndexByte(buf[i+1:j], '\n') >= 0 {
				multiline = true
			}
			i = j
			atStart = false
			continue
		}
		switch c {
		case ',':
			fields++
			atStart = true
		case '\n':
			if multiline && nfields > 0 && fields != nfields {
				return firstLine()
			}
			return i + 1, false, true
		default:
			atStart = false
		}
	}
	if !atEOF {
		return 0, false, false
	}
	if multiline && nfields > 0 && fields != nfields {
		return firstLine()
	}
	return len(buf), false, true
}

// csvNext returns the length of the record at the start of buf, which
// ends at a record boundary (a chunk, or the end of the input), and whether
// it is a row cut at the end of its line for a stray quote. It agrees with
// csvCut on every boundary.
func csvNext(buf []byte, nfields int) (n int, stray bool) {
	line := buf
	if end := bytes.IndexByte(buf, '\n'); end >= 0 {
		line = buf[:end+1]
	}
	if bytes.IndexByte(line, '"') < 0 {
		return len(line), false
	}
	n, stray, _ = csvSpan(buf, nfields, true)
	return n, stray
}

// csvCut returns the length of the longest prefix of buf that consists of
// complete records as csvSpan delimits them, for a header of nfields
// fields; atEOF reports that buf ends the input.
func csvCut(buf []byte, nfields int, atEOF bool) int {
	if bytes.IndexByte(buf, '"') < 0 {
		if atEOF {
			return len(buf)
		}
		return bytes.LastIndexByte(buf, '\n') + 1
	}
	cut := 0
	for cut < len(buf) {
		rest := buf[cut:]
		// Records without quotes end at their newline.
		nl := bytes.IndexByte(rest, '\n')
		if nl >= 0 && bytes.IndexByte(rest[:nl], '"') < 0 {
			cut += nl + 1
			continue
		}
		n, _, ok := csvSpan(rest, nfields, atEOF)
		if !ok {
			break
		}
		cut += n
	}
	return cut
}

// csvRecord splits the record at the start of buf into fields appended to
// dst. Fields alias buf, or scratch when they had to be unescaped; scratch
// must have capacity for len(buf) more bytes so that it never reallocates.
// It returns the fields, the updated scratch, the bytes consumed (with the
// terminating newline) and the number of newlines inside quoted fields.
func csvRecord(buf []byte, dst []string, scratch []byte) (fields []string, scr []byte, n int, inner int) {
	i := 0
	for {
		if i < len(buf) && buf[i] == '"' {
			// Quoted field.
			start := i + 1
			j := start
			escaped := false
			for {
				k := bytes.IndexByte(buf[j:], '"')
				if k < 0 {
					j = len(buf) // unterminated: take the rest
					break
				}
				j += k
				if j+1 < len(buf) && buf[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			body := buf[start:j]
			inner += bytes.Count(body, []byte{'\n'})
			i = j + 1
			if i > len(buf) {
				i = len(buf)
			}
			// Literal bytes after the closing quote, up to the separator.
			tail := i
			for i < len(buf) && buf[i] != ',' && buf[i] != '\n' {
				i++
			}
			rest := buf[tail:i]
			if len(rest) > 0 && rest[len(rest)-1] == '\r' && (i == len(buf) || buf[i] == '\n') {
				rest = rest[:len(rest)-1]
			}
			if !escaped && len(rest) == 0 {
				dst = append(dst, view(body))
			} else {
				from := len(scratch)
				if escaped {
					for p := 0; p < len(body); p++ {
						scratch = append(scratch, body[p])
						if body[p] == '"' && p+1 < len(body) && body[p+1] == '"' {
							p++
						}
					}
				} else {
					scratch = append(scratch, body...)
				}
				scratch = append(scratch, rest...)
				dst = append(dst, view(scratch[from:]))
			}
		} else {
			start := i
			for i < len(buf) && buf[i] != ',' && buf[i] != '\n' {
				i++
			}
			f := buf[start:i]
			if len(f) > 0 && f[len(f)-1] == '\r' && (i == len(buf) || buf[i] == '\n') {
				f = f[:len(f)-1]
			}
			dst = append(dst, view(f))
		}
		if i >= len(buf) {
			return dst, scratch, len(buf), inner
		}
		if buf[i] == '\n' {
			return dst, scratch, i + 1, inner
		}
		i++ // comma
	}
}

// Word constants of csvPlain.
const (
	commaWord = ',' * 0x0101010101010101
	low7Word  = 0x7f7f7f7f7f7f7f7f
)

// csvPlain is csvRecord for a record without double quotes: rec is one
// line, with or without its newline. It splits rec at its commas into
// fields appended to dst, aliasing rec, and drops a CR that ends the line
// as csvRecord does. It finds the commas eight bytes at a time.
func csvPlain(rec []byte, dst []string) []string {
	line := rec
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		// x has a zero byte where the line has a comma; m has the high
		// bit of exactly those bytes set (no borrow between bytes).
		x := binary.LittleEndian.Uint64(line[i:]) ^ commaWord
		m := ^((x&low7Word + low7Word) | x | low7Word)
		for m != 0 {
			p := i + bits.TrailingZeros64(m)>>3
			dst = append(dst, view(line[start:p]))
			start = p + 1
			m &= m - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == ',' {
			dst = append(dst, view(line[start:i]))
			start = i + 1
		}
	}
	return append(dst, view(line[start:]))
}

// blankLine reports whether line (without its newline) holds only spaces,
// tabs or a carriage return.
func blankLine(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
