package ingest

import (
	"fmt"
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
