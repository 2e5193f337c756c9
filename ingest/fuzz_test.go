package ingest

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ringlens/ringlens/graph/claims"
)

// FuzzCSVRecord checks that splitting never panics; that csvCut, given any
// prefix of the input, cuts at a record boundary of the whole input as the
// parsers split it (csvNext), so that chunking cannot change the records;
// and that fields written by encoding/csv come back unchanged.
func FuzzCSVRecord(f *testing.F) {
	for _, s := range []string{"a,b\n", "\"a,\"\"b\"\"\nc\",d\n", "x\r\n\"", `"ab"cd,e`, "中,文\n",
		"a,\"b\nc\nd,\"e\",f\n", "\"unclosed,x\ny,z\n"} {
		f.Add(s, uint8(2), uint16(3))
	}
	f.Fuzz(func(t *testing.T, s string, nf uint8, at uint16) {
		buf := []byte(s)
		nfields := int(nf % 5)
		// The records of the whole input, as the parser of the last
		// chunk splits them.
		bounds := map[int]bool{0: true}
		for pos := 0; pos < len(buf); {
			n, _ := csvNext(buf[pos:], nfields)
			if n <= 0 || pos+n > len(buf) {
				t.Fatalf("csvNext consumed %d of %d", n, len(buf)-pos)
			}
			pos += n
			if pos < len(buf) && buf[pos-1] != '\n' {
				t.Fatalf("record of %q ends at %d, not after a newline", s, pos)
			}
			bounds[pos] = true
		}
		prefix := buf[:int(at)%(len(buf)+1)]
		cut := csvCut(prefix, nfields, false)
		if cut < 0 || cut > len(prefix) || (cut > 0 && prefix[cut-1] != '\n') {
			t.Fatalf("csvCut(%q) = %d", prefix, cut)
		}
		if !bounds[cut] {
			t.Fatalf("csvCut(%q, %d) = %d, not a record boundary of %q", prefix, nfields, cut, s)
		}
		// The cut prefix, parsed as a chunk, splits into the same records.
		for pos := 0; pos < cut; {
			n, _ := csvNext(buf[pos:cut], nfields)
			pos += n
			if !bounds[pos] {
				t.Fatalf("chunk %q split at %d, not a record boundary of %q", buf[:cut], pos, s)
			}
		}
		if !bounds[csvCut(buf, nfields, true)] {
			t.Fatalf("csvCut at EOF is not a boundary")
		}
		// csvRecord consumes the records of csvNext exactly.
		scratch := make([]byte, 0, len(buf))
		for pos := 0; pos < len(buf); {
			n, stray := csvNext(buf[pos:], nfields)
			if !stray {
				var m int
				_, scratch, m, _ = csvRecord(buf[pos:pos+n], nil, scratch)
				if m != n {
					t.Fatalf("csvRecord consumed %d of record %q", m, buf[pos:pos+n])
				}
			}
			pos += n
		}
		// Round trip: a record encoded by encoding/csv splits back.
		if !utf8.ValidString(s) {
			return
		}
		fields := strings.Split(s, ",")
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(fields)
		w.Flush()
		enc := b.Bytes()
		if csvCut(enc, len(fields), false) != len(enc) {
			t.Fatalf("csvCut of encoded %q = %d, want %d", enc, csvCut(enc, len(fields), false), len(enc))
		}
		if n, stray := csvNext(enc, len(fields)); n != len(enc) || stray {
			t.Fatalf("csvNext of encoded %q = %d, %v", enc, n, stray)
		}
		got, _, n, _ := csvRecord(enc, nil, make([]byte, 0, len(enc)))
		if n != len(enc) {
			t.Fatalf("consumed %d of %d", n, len(enc))
		}
		if len(got) != len(fields) {
			t.Fatalf("split %q = %q, want %q", enc, got, fields)
		}
		for i := range got {
			want := fields[i]
			// encoding/csv writes "\r\n" inside quoted fields as is; a
			// trailing "\r" of an unquoted last field is a line ending.
			if got[i] != want && !(i == len(got)-1 && strings.TrimRight(want, "\r") == got[i]) {
				t.Fatalf("field %d of %q = %q, want %q", i, enc, got[i], want)
			}
		}
	})
}

// FuzzParseTime checks that parseTime never panics and that accepted
// times format back to an equivalent string.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-03-01 09:05:07", "2024-03-01T09:05:07", "20240301090507", "2024-02-30 00:00:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := parseTime(s)
		if !ok {
			return
		}
		canon := s
		if len(s) == 14 {
			canon = s[0:4] + "-" + s[4:6] + "-" + s[6:8] + " " + s[8:10] + ":" + s[10:12] + ":" + s[12:14]
		}
		canon = strings.Replace(canon, "T", " ", 1)
		if got := tm.String(); got != canon {
			t.Fatalf("parseTime(%q) = %s", s, got)
		}
	})
}

// FuzzParseDate checks parseDate against Date.String.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1990-12-31", "19901231", "2000-02-29 00:00:00", "1900-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if !ok {
			return
		}
		got := d.String()
		want := s
		if len(s) == 8 || len(s) == 14 {
			want = s[0:4] + "-" + s[4:6] + "-" + s[6:8]
		} else {
			want = s[:10]
		}
		if got != want {
			t.Fatalf("parseDate(%q) = %s", s, got)
		}
	})
}

// FuzzParseMoney checks that accepted amounts and prices format back to the
// same value.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.34", "-0.5", "1.234", ".5", "999999999999.99", "0.123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, _, ok := parseMoney(s); ok {
			back, _, ok2 := parseMoney(m.String())
			if !ok2 || back != m {
				t.Fatalf("parseMoney(%q) = %d; String %q parses to %d", s, m, m.String(), back)
			}
		}
		if p, _, ok := parsePrice(s); ok {
			back, _, ok2 := parsePrice(p.String())
			if !ok2 || back != p {
				t.Fatalf("parsePrice(%q) = %d; String %q parses to %d", s, p, p.String(), back)
			}
		}
		parseFloat(s)
		parseInt(s)
	})
}

// FuzzDetectEncoding checks that detection never panics, that valid UTF-8
// is always detected as UTF-8, and that the error locators and the CR-only
// test agree with the text.
func FuzzDetectEncoding(f *testing.F) {
	f.Add([]byte("a,b\n"), true)
	f.Add([]byte("\xc4\xe3\xba\xc3"), false)
	f.Add([]byte("中文"), false)
	f.Fuzz(func(t *testing.T, b []byte, atEOF bool) {
		enc := detectEncoding(b, atEOF)
		if utf8.Valid(b) && !bytes.HasPrefix(b, []byte(bom)) && enc != encUTF8 {
			t.Fatalf("valid UTF-8 %q detected as %s", b, enc)
		}
		if !atEOF && len(b) > 1 && utf8.Valid(b[:len(b)-1]) && !bytes.HasPrefix(b, []byte(bom)) {
			// One byte cut from a valid text keeps it UTF-8 when that byte
			// starts a multibyte sequence.
			if c := b[len(b)-1]; c >= 0xC2 && c <= 0xF4 && enc != encUTF8 {
				t.Fatalf("%q with cut tail detected as %s", b, enc)
			}
		}
		decodableGB18030(b, atEOF)
		if d := describeUTF8Error(b); (d == "valid") != utf8.Valid(b) {
			t.Fatalf("describeUTF8Error(%q) = %q", b, d)
		}
		describeGB18030Error(b, atEOF)
		if i := bytes.IndexAny(b, "\r\n"); crOnly(b) && (b[i] != '\r' || b[i+1] == '\n') {
			t.Fatalf("crOnly(%q) but the first line does not end in a lone CR", b)
		}
	})
}

// FuzzJSONObject checks that the flat-object parser never panics and
// agrees with strconv-quoted round trips of its own output.
func FuzzJSONObject(f *testing.F) {
	for _, s := range []string{`{"a":"b","c":1.5,"d":null}`, `{"a":{"b":1}}`, `{"a":"\u4e2d\ud83d\ude00"}`, `{`, `{"a":"x"} `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := jsonParser{scratch: make([]byte, 0, len(s))}
		if _, ok := p.parse([]byte(s)); !ok {
			return
		}
		if len(p.keys) != len(p.vals) {
			t.Fatal("keys and values differ in length")
		}
		// Re-encode and parse again: values must survive.
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range p.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsonQuote(k) + ":" + jsonQuote(p.vals[i]))
		}
		b.WriteByte('}')
		q := jsonParser{scratch: make([]byte, 0, b.Len())}
		if bad, ok := q.parse([]byte(b.String())); !ok {
			t.Fatalf("re-encoded %s does not parse: %+v", b.String(), bad)
		}
		for i := range p.vals {
			if q.keys[i] != p.keys[i] || q.vals[i] != p.vals[i] {
				t.Fatalf("round trip of %q: %q=%q, want %q=%q", s, q.keys[i], q.vals[i], p.keys[i], p.vals[i])
			}
		}
	})
}

// jsonQuote quotes s as a JSON string, escaping only what JSON requires.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var _ = claims.NoTime

// FuzzParseRow feeds ParseVisit and ParseFee values split from one string
// ('|' between columns, in contract order): they never panic, a refusal
// names a contract column (or none) with a reason, and an accepted row
// holds its required values.
func FuzzParseRow(f *testing.F) {
	f.Add("V1||P1|H1|11|2024-03-01 09:00:00||D1|J06.9|感冒|100.00|60.00|01|0")
	f.Add("V2||P1|H1|21|20240301090000|2024-03-01T08:00:00||||1.005|-1|9|2")
	f.Add("1|V1|XA01|阿莫西林|101|2|12.5|25.00|2024-03-01 09:10:00|D1|7|T1")
	f.Add("1|V1|XA01||x|-2|1e3|-25|2024-02-30 09:10:00||-1|\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		vals := strings.Split(s, "|")
		get := func(cols []string) func(string) string {
			return func(c string) string {
				for i, name := range cols {
					if name == c && i < len(vals) {
						return vals[i]
					}
				}
				return ""
			}
		}
		check := func(cols []string, e *FieldError) {
			if e == nil {
				return
			}
			if e.Reason == "" || e.Column != "" && !slices.Contains(cols, e.Column) {
				t.Fatalf("refusal %+v", e)
			}
		}
		vc := VisitColumns()
		if v, e := ParseVisit(get(vc)); e != nil {
			check(vc, e)
		} else if v.MdtrtID == "" || v.PsnNo == "" || v.InstitutionCode == "" || v.Begin == claims.NoTime {
			t.Fatalf("accepted a visit without its required values: %+v", v)
		}
		fc := FeeColumns()
		if fl, e := ParseFee(get(fc)); e != nil {
			check(fc, e)
		} else if fl.FeedetlSn == "" || fl.MdtrtID == "" || fl.ItemCode == "" {
			t.Fatalf("accepted a fee line without its required values: %+v", fl)
		}
	})
}
