package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encodings reported in FileReport.Encoding.
const (
	encUTF8    = "utf-8"
	encUTF8BOM = "utf-8-bom"
	encGB18030 = "gb18030"
)

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// normEncoding maps an Options.Encoding value to "" (detect), encUTF8 or
// encGB18030.
func normEncoding(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return "", nil
	case "utf-8", "utf8":
		return encUTF8, nil
	case "gb18030", "gbk", "gb2312":
		return encGB18030, nil
	}
	return "", fmt.Errorf("unknown encoding %q (want auto, utf-8 or gb18030)", s)
}

// detectEncoding guesses the encoding of a file from sample, the start of
// its decompressed content; atEOF reports that sample is the whole file. A
// BOM gives utf-8-bom; valid UTF-8 (ignoring a multibyte sequence cut by the
// end of the sample) gives utf-8; anything else gb18030.
func detectEncoding(sample []byte, atEOF bool) string {
	if len(sample) >= 3 && string(sample[:3]) == bom {
		return encUTF8BOM
	}
	if validUTF8Prefix(sample, atEOF) {
		return encUTF8
	}
	return encGB18030
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing (unless atEOF)
// an incomplete sequence at its very end.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if atEOF {
		return false
	}
	// Back up over at most three continuation bytes to a lead byte.
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return false
		}
		if c >= 0xC0 {
			tail := b[len(b)-k:]
			return !utf8.FullRune(tail) && utf8.Valid(b[:len(b)-k])
		}
	}
	return false
}

// decodableGB18030 reports whether sample decodes as GB18030 without
// replacement characters (a sequence cut at the end is allowed).
func decodableGB18030(sample []byte, atEOF bool) bool {
	dec := simplifiedchinese.GB18030.NewDecoder()
	dst := make([]byte, 4*len(sample)+16)
	n, _, err := dec.Transform(dst, sample, atEOF)
	if err != nil && atEOF {
		return false
	}
	// The decoder replaces invalid bytes with U+FFFD; genuine U+FFFD in the
	// input is vanishingly rare in claims exports.
	return !strings.ContainsRune(string(dst[:n]), utf8.RuneError)
}

// describeUTF8Error locates the first byte of sample that is not valid
// UTF-8 as "byte 0x80 at line 2, column 5" (column in bytes, 1-based).
func describeUTF8Error(sample []byte) string {
	i := 0
	for i < len(sample) {
		r, size := utf8.DecodeRune(sample[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	if i >= len(sample) {
		return "valid"
	}
	line, col := lineCol(sample, i)
	return fmt.Sprintf("byte 0x%02X at line %d, column %d", sample[i], line, col)
}

// describeGB18030Error locates the first sequence of sample that GB18030
// does not decode as "line 2, column 5" (column in characters of the
// decoded line, 1-based).
func describeGB18030Error(sample []byte, atEOF bool) string {
	dec := simplifiedchinese.GB18030.NewDecoder()
	dst := make([]byte, 4*len(sample)+16)
	n, _, _ := dec.Transform(dst, sample, atEOF)
	text := dst[:n]
	i := bytes.Index(text, []byte("\uFFFD"))
	if i < 0 {
		return "valid"
	}
	line, _ := lineCol(text, i)
	start := bytes.LastIndexByte(text[:i], '\n') + 1
	return fmt.Sprintf("line %d, column %d", line, utf8.RuneCount(text[start:i])+1)
}

// lineCol returns the 1-based line and byte column of offset i of b.
func lineCol(b []byte, i int) (line, col int) {
	line = 1 + bytes.Count(b[:i], []byte{'\n'})
	col = i - (bytes.LastIndexByte(b[:i], '\n') + 1) + 1
	return line, col
}

// crOnly reports whether sample, the start of a file, ends its first line
// with a lone carriage return (old Mac line endings).
func crOnly(sample []byte) bool {
	i := bytes.IndexAny(sample, "\r\n")
	return i >= 0 && sample[i] == '\r' && i+1 < len(sample) && sample[i+1] != '\n'
}

// crReader turns every line ending of its reader into LF: a lone CR becomes
// LF and the LF of a CRLF pair is dropped after its CR was turned into LF.
// CR and LF bytes never occur inside multibyte characters of UTF-8 or
// GB18030 text, so the conversion is safe on the decoded text.
type crReader struct {
	r      io.Reader
	lastCR bool // the last byte returned was a CR turned into LF
}

func (c *crReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		out := 0
		for _, b := range p[:n] {
			if b == '\n' && c.lastCR {
				c.lastCR = false
				continue
			}
			c.lastCR = b == '\r'
			if b == '\r' {
				b = '\n'
			}
			p[out] = b
			out++
		}
		if out > 0 || err != nil || n == 0 {
			return out, err
		}
	}
}
