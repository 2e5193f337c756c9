package ingest

import (
	"bytes"
	"unsafe"
)

// CSV follows RFC 4180 with the usual leniencies: a field is quoted only if
// its first byte is a double quote; inside, "" is a quote and commas and
// newlines are literal; bytes after the closing quote up to the next comma
// are kept literally; quotes inside an unquoted field are literal. Records
// end at "\n" (a preceding "\r" is dropped).

// view returns b as a string without copying. The string aliases b.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// csvCut returns the length of the longest prefix of buf that consists of
// complete records (each ending in a newline outside quotes).
func csvCut(buf []byte) int {
	if bytes.IndexByte(buf, '"') < 0 {
		return bytes.LastIndexByte(buf, '\n') + 1
	}
	last := -1
	atStart := true // at the start of a field
	for i := 0; i < len(buf); i++ {
		c := buf[i]
		if atStart && c == '"' {
			// Quoted field: find its closing quote.
			for {
				j := bytes.IndexByte(buf[i+1:], '"')
				if j < 0 {
					return last + 1
				}
				i += j + 1
				if i+1 < len(buf) && buf[i+1] == '"' {
					i++
					continue
				}
				if i+1 == len(buf) {
					return last + 1 // cannot tell yet whether "" follows
				}
				break
			}
			atStart = false
			continue
		}
		switch c {
		case ',':
			atStart = true
		case '\n':
			last = i
			atStart = true
		default:
			atStart = false
		}
	}
	return last + 1
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
