package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// visitRows returns the header and n valid, distinct visit rows of the
// valid dataset's person P001 at C001.
func visitRows(n int) string {
	var b strings.Builder
	b.WriteString(strings.SplitN(validFiles["mdtrt.csv"], "\n", 2)[0] + "\n")
	for i := range n {
		fmt.Fprintf(&b, "W%06d,S%06d,P001,C001,11,2024-03-01 09:00:00,,D421003007628,J06.9,感冒%d,100.00,60.00,01,0\n", i, i, i)
	}
	return b.String()
}

func gzipBytes(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// damageLine is the line of the first line of gz's text that a gzip reader
// cannot deliver whole.
func damageLine(gz []byte) int64 {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 1
	}
	data, _ := io.ReadAll(zr)
	return int64(bytes.Count(data, []byte{'\n'})) + 1
}

// TestDamagedGzip checks that a truncated or corrupt compressed file is an
// error naming the file and the line where the damage starts, whatever the
// chunk size, and never a short, successful read.
func TestDamagedGzip(t *testing.T) {
	text := visitRows(20018)
	gz := gzipBytes(t, text)
	corrupt := bytes.Clone(gz)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0x5a
	}
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-6] ^= 0xff // CRC-32 of the trailer
	tests := []struct {
		name string
		data []byte
		want string
		line int64 // 0: damageLine(data)
	}{
		{"cut in half", gz[:len(gz)/2], "compressed data truncated", 0},
		{"cut before the trailer", gz[:len(gz)-4], "compressed data truncated", 0},
		{"cut within the first 64 KiB", gz[:2000], "compressed data truncated", 0},
		{"cut within the header", gz[:40], "compressed data truncated", 1},
		{"corrupt", corrupt, "compressed data corrupt", 0},
		{"bad checksum", badCRC, "checksum", 20020},
	}
	for _, tc := range tests {
		for _, chunk := range []int{defaultChunkSize, 4096} {
			t.Run(fmt.Sprintf("%s/chunk %d", tc.name, chunk), func(t *testing.T) {
				dir := copyValid(t, map[string][]byte{"mdtrt.csv": nil, "mdtrt.csv.gz": tc.data})
				_, err := load(context.Background(), dir, Options{Workers: 2}, nil, chunk)
				var re *ReadError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want *ReadError", err)
				}
				want := tc.line
				if want == 0 {
					want = damageLine(tc.data)
				}
				if re.File != "mdtrt.csv.gz" || re.Line != want || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v (line %d), want %q at line %d", err, re.Line, tc.want, want)
				}
				if !strings.HasPrefix(err.Error(), fmt.Sprintf("mdtrt.csv.gz: line %d: ", want)) {
					t.Errorf("message %q does not lead with file and line", err)
				}
			})
		}
	}
	// The whole file reads whole, every byte accounted for.
	dir := copyValid(t, map[string][]byte{"mdtrt.csv": nil, "mdtrt.csv.gz": gz})
	res, _ := loadDir(t, dir, Options{})
	f := res.Files[4]
	if f.Read != 20018 || f.BytesRead != int64(len(gz)) || f.Size != int64(len(gz)) {
		t.Errorf("whole file: %+v", f)
	}
}

// TestStrayQuotes checks that a quote that never closes, or closes lines
// later in a row of the wrong shape, costs its row only: the row is
// rejected at its line and reading resumes on the next line.
func TestStrayQuotes(t *testing.T) {
	rows := strings.Split(strings.TrimSuffix(visitRows(300), "\n"), "\n")
	withQuote := func(at int, dise string) []string {
		r := append([]string(nil), rows...)
		r[at] = strings.Replace(r[at], fmt.Sprintf("感冒%d", at-1), dise, 1)
		return r
	}
	quoted := withQuote(150, `"上呼吸道感染,急性"`) // a proper quoted field later on
	tests := []struct {
		name   string
		lines  []string
		reject []int64
	}{
		{"unclosed, no other quote", withQuote(101, `"感冒`), []int64{102}},
		{"unclosed at the last line", withQuote(300, `"感冒`), []int64{301}},
		{"stray, closed by a later quote", func() []string {
			r := append([]string(nil), quoted...)
			r[101] = strings.Replace(r[101], "感冒100", `"感冒`, 1)
			return r
		}(), []int64{102}},
		{"multiline field of the right shape", func() []string {
			r := append([]string(nil), rows...)
			r[101] = strings.Replace(r[101], "感冒100", "\"感冒\n续\"", 1)
			return r
		}(), nil},
	}
	for _, tc := range tests {
		for _, chunk := range []int{defaultChunkSize, 7, 256} {
			t.Run(fmt.Sprintf("%s/chunk %d", tc.name, chunk), func(t *testing.T) {
				text := strings.Join(tc.lines, "\n") + "\n"
				dir := copyValid(t, map[string][]byte{"mdtrt.csv": []byte(text)})
				var rejects []Reject
				res, err := load(context.Background(), dir, Options{Workers: 3}, func(r Reject) error {
					rejects = append(rejects, r)
					return nil
				}, chunk)
				if err != nil {
					t.Fatal(err)
				}
				f := res.Files[4]
				if f.Read != 300 || f.Rejected != int64(len(tc.reject)) {
					t.Errorf("read %d rejected %d, want 300 and %d", f.Read, f.Rejected, len(tc.reject))
				}
				var mine []Reject
				for _, r := range rejects {
					if r.File == "mdtrt.csv" {
						mine = append(mine, r)
					}
				}
				for i, r := range mine {
					if i >= len(tc.reject) || r.Line != tc.reject[i] || r.Reason != reasonStrayQuote {
						t.Errorf("reject %+v", r)
					}
				}
			})
		}
	}
}

// TestUnclosedQuoteLimit checks the 1 MiB bound of a quoted field: a field
// just within it is read whole, one beyond it is cut at its line end.
func TestUnclosedQuoteLimit(t *testing.T) {
	head := strings.SplitN(validFiles["mdtrt.csv"], "\n", 2)[0] + "\n"
	row := func(id, dise string) string {
		return id + ",S1,P001,C001,11,2024-03-01 09:00:00,,,J06.9," + dise + ",100.00,60.00,01,0\n"
	}
	long := strings.Repeat("长", maxField/3-4) // just under 1 MiB of text
	within := head + row("A1", `"`+long+"\n"+`续"`) + row("A2", "x")
	beyond := head + row("A1", `"`+long+strings.Repeat("x", 64)) + strings.Repeat(row("A2", "x"), 2) + row("A3", `x"`)
	for _, tc := range []struct {
		name           string
		text           string
		read, rejected int64
	}{
		{"within", within, 2, 0},
		{"beyond", beyond, 4, 3}, // A1 cut; A2 twice (duplicate); A3 read
	} {
		dir := copyValid(t, map[string][]byte{"mdtrt.csv": []byte(tc.text)})
		var rejects []Reject
		res, err := Load(context.Background(), dir, Options{}, func(r Reject) error { rejects = append(rejects, r); return nil })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if f := res.Files[4]; f.Read != tc.read {
			t.Errorf("%s: read %d, want %d; rejects %+v", tc.name, f.Read, tc.read, rejects)
		}
		if tc.name == "beyond" && (len(rejects) == 0 || rejects[0].Line != 2 || rejects[0].Reason != reasonStrayQuote) {
			t.Errorf("%s: rejects %+v", tc.name, rejects)
		}
	}
}

// TestCROnly checks that files whose lines end in a lone CR read as if
// they ended in LF.
func TestCROnly(t *testing.T) {
	want, wantRejects := loadDir(t, copyValid(t, nil), Options{})
	edits := map[string][]byte{}
	for _, name := range []string{"psn.csv", "mdtrt.csv", "fee_list.csv"} {
		edits[name] = []byte(strings.ReplaceAll(validFiles[name], "\n", "\r"))
	}
	edits["catalog.jsonl"] = []byte(strings.ReplaceAll(validFiles["catalog.jsonl"], "\n", "\r"))
	got, gotRejects := loadDir(t, copyValid(t, edits), Options{})
	if summary(got) != summary(want) || len(gotRejects) != len(wantRejects) {
		t.Errorf("CR-only files read differently:\n got %s %v\nwant %s %v", summary(got), gotRejects, summary(want), wantRejects)
	}
	for _, i := range []int{0, 3, 4, 5} {
		if !got.Files[i].CROnly {
			t.Errorf("%s not reported CR-only", got.Files[i].Table)
		}
	}
	if got.Files[1].CROnly {
		t.Error("CRLF file reported CR-only")
	}
}

// TestCRReader checks the line-ending conversion across read boundaries.
func TestCRReader(t *testing.T) {
	for _, in := range []string{"a\rb\r", "a\r\nb\r\n", "a\r\r\nb", "\r", "\n\r\n", "x"} {
		for _, size := range []int{1, 2, 3, 64} {
			r := &crReader{r: &smallReader{s: in, n: size}}
			got, err := io.ReadAll(r)
			want := strings.ReplaceAll(strings.ReplaceAll(in, "\r\n", "\n"), "\r", "\n")
			if err != nil || string(got) != want {
				t.Errorf("crReader(%q, reads of %d) = %q, %v; want %q", in, size, got, err, want)
			}
		}
	}
}

// smallReader returns at most n bytes a read.
type smallReader struct {
	s string
	n int
}

func (r *smallReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[k:]
	return k, nil
}

// TestDuplicateColumns checks that a column named twice is a schema error
// naming the file and the column (its shape when it is not a contract
// column of a personal file).
func TestDuplicateColumns(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string][]byte
		want  SchemaError
	}{
		{"csv", map[string][]byte{"mdtrt.csv": []byte(strings.Replace(validFiles["mdtrt.csv"], "endtime,", "endtime,begntime,", 1))},
			SchemaError{File: "mdtrt.csv", Column: "begntime", Reason: "duplicate column"}},
		{"trimmed", map[string][]byte{"fee_list.csv": []byte(strings.Replace(validFiles["fee_list.csv"], "cnt,", " cnt ,cnt,", 1))},
			SchemaError{File: "fee_list.csv", Column: "cnt", Reason: "duplicate column"}},
		{"jsonl", map[string][]byte{"catalog.jsonl": []byte(`{"med_list_codg":"A","med_list_name":"B","med_list_codg":"C"}` + "\n")},
			SchemaError{File: "catalog.jsonl", Column: "med_list_codg", Reason: "duplicate column"}},
		{"personal", map[string][]byte{"psn.csv": []byte("psn_no,gend,brdy,张三,张三\n")},
			SchemaError{File: "psn.csv", Column: "<2 CJK chars>", Reason: "duplicate column"}},
	}
	for _, tc := range tests {
		_, err := Load(context.Background(), copyValid(t, tc.edits), Options{}, nil)
		var se *SchemaError
		if !errors.As(err, &se) || *se != tc.want {
			t.Errorf("%s: err = %v, want %+v", tc.name, err, tc.want)
		}
	}
	// Unnamed columns (trailing commas) are not duplicates.
	loadDir(t, copyValid(t, map[string][]byte{"fee_list.csv": []byte(strings.ReplaceAll(validFiles["fee_list.csv"], "\n", ",,\n"))}), Options{})
}

// TestLyingCharacters checks that control, bidi and zero-width characters
// in ids and codes, and control characters other than tab and line breaks
// in free text, reject their row with a reason naming the character.
func TestLyingCharacters(t *testing.T) {
	tests := []struct {
		name, file, from, to string
		col, reason          string
	}{
		{"NUL in mdtrt_id", "mdtrt.csv", "V003,S003", "V0\x003,S003", "mdtrt_id", "control character U+0000 in id"},
		{"RLO in psn_no", "mdtrt.csv", "V003,S003,P002", "V003,S003,P\u202e002", "psn_no", "bidi control character U+202E in id"},
		{"isolate in fixmedins_code", "mdtrt.csv", "P002,H001", "P002,H\u2066001", "fixmedins_code", "bidi control character U+2066 in id"},
		{"zero-width in atddr_no", "mdtrt.csv", "20240310120000,D421003007628", "20240310120000,D42100300\u200b7628", "atddr_no", "zero-width character U+200B in id"},
		{"C1 in setl_id", "mdtrt.csv", "S003", "S0\u008503", "setl_id", "control character U+0085 in id"},
		{"tab in id", "mdtrt.csv", "V003,S003", "V0\t3,S003", "mdtrt_id", "control character U+0009 in id"},
		{"BEL in text", "mdtrt.csv", "阑尾炎", "阑尾\a炎", "dise_name", "control character U+0007 in text"},
		{"DEL in feedetl_sn", "fee_list.csv", "3,V003", "3\x7f,V003", "feedetl_sn", "control character U+007F in id"},
		{"bidi in med_list_codg", "fee_list.csv", "3,V003,C001", "3,V003,C\u202d001", "med_list_codg", "bidi control character U+202D in id"},
		{"zero-width in drug_trac_codg", "fee_list.csv", "28,TRC0001", "28,TRC\ufeff0001", "drug_trac_codg", "zero-width character U+FEFF in id"},
		{"word joiner in bilg_dr_codg", "fee_list.csv", "09:10:00,D421003007628", "09:10:00,D42\u20601003007628", "bilg_dr_codg", "zero-width character U+2060 in id"},
		{"escaped NUL in json id", "catalog.jsonl", `"C001"`, `"C\u0000001"`, "med_list_codg", "control character U+0000 in id"},
		{"RLO in code", "mdtrt.csv", ",K35.8,", ",K\u202e35.8,", "dise_codg", "bidi control character U+202E in code"},
	}
	for _, tc := range tests {
		text := validFiles[tc.file]
		if !strings.Contains(text, tc.from) {
			t.Fatalf("%s: %q not in %s", tc.name, tc.from, tc.file)
		}
		dir := copyValid(t, map[string][]byte{tc.file: []byte(strings.Replace(text, tc.from, tc.to, 1))})
		_, rejects := loadDir(t, dir, Options{})
		found := false
		for _, r := range rejects {
			if r.File == tc.file && r.Column == tc.col && r.Reason == tc.reason {
				found = true
				if mayHoldBadRune(r.Value) && strings.ContainsAny(r.Value, "\x00\u202e\u2066\u200b\u0085\t\a\x7f\u202d\ufeff\u2060") {
					t.Errorf("%s: reject value carries the character: %q", tc.name, r.Value)
				}
			}
		}
		if !found {
			t.Errorf("%s: no reject %s/%s; got %+v", tc.name, tc.col, tc.reason, rejects)
		}
	}
	// Tabs and line breaks stay allowed in free text.
	dir := copyValid(t, map[string][]byte{"mdtrt.csv": []byte(strings.Replace(validFiles["mdtrt.csv"], "阑尾炎", "\"阑尾\t炎\r\n续\"", 1))})
	if _, rejects := loadDir(t, dir, Options{}); len(rejects) != 0 {
		t.Errorf("tab and line break in text rejected: %+v", rejects)
	}
}

// TestJSONDuplicateKey checks that an object giving a contract key twice is
// rejected rather than letting the last value win.
func TestJSONDuplicateKey(t *testing.T) {
	text := validFiles["catalog.jsonl"] + `{"med_list_codg":"D001","med_list_name":"x","med_list_codg":"D002"}` + "\n"
	_, rejects := loadDir(t, copyValid(t, map[string][]byte{"catalog.jsonl": []byte(text)}), Options{})
	if len(rejects) != 1 || rejects[0].Reason != "duplicate key" || rejects[0].Column != "med_list_codg" || rejects[0].Line != 5 {
		t.Errorf("rejects %+v", rejects)
	}
}

// TestEncodingErrorsLocated checks that rows with bytes their encoding does
// not define are rejected naming line and column.
func TestEncodingErrorsLocated(t *testing.T) {
	var pad strings.Builder
	pad.WriteString(validFiles["fixmedins.csv"])
	for i := range 3000 { // past the detection sample
		fmt.Fprintf(&pad, "Z%05d,沙市区诊所,1,,421003,,,\r\n", i)
	}
	gbText := gb(t, pad.String())
	gbText = append(gbText, []byte("Z001,\x81\x20,1,,421003,,,\r\n")...)
	_, rejects := loadDir(t, copyValid(t, map[string][]byte{"fixmedins.csv": gbText}), Options{})
	if len(rejects) != 1 || rejects[0].Reason != reasonInvalidGB18030 || rejects[0].Column != "fixmedins_name" || rejects[0].Line != 3005 {
		t.Errorf("gb18030 rejects %+v", rejects)
	}
	utf := strings.ReplaceAll(validFiles["mdtrt.csv"], "\n", ",\n")
	utf = strings.Replace(utf, "01,0,\n", "01,0,\xff\n", 1)
	_, rejects = loadDir(t, copyValid(t, map[string][]byte{"mdtrt.csv": []byte(utf)}), Options{Encoding: "utf-8"})
	for len(rejects) > 0 && rejects[0].File != "mdtrt.csv" {
		rejects = rejects[1:]
	}
	if len(rejects) == 0 || rejects[0].Reason != reasonInvalidUTF8+" in field 15 (not a contract column)" || rejects[0].Line != 2 {
		t.Errorf("utf-8 rejects %+v", rejects)
	}
}

// TestShape checks the shapes given for personal values.
func TestShape(t *testing.T) {
	for in, want := range map[string]string{
		"11010119900101888X":    "<18 chars: 17 digits + X>",
		"110101199001018881":    "<18 digits>",
		"110101900101888":       "<15 digits>",
		"张三丰":                   "<3 CJK chars>",
		"欧阳娜娜":                  "<4 CJK chars>",
		"P001":                  "<4 chars: A999>",
		"Zhang San":             "<9 chars: Aaaaa Aaa>",
		"1990-02-30":            "<10 chars: 9999-99-99>",
		"买买提·艾力":                "<6 chars: 汉汉汉?汉汉>",
		strings.Repeat("a", 30): "<30 chars: " + strings.Repeat("a", maxShape) + "…>",
	} {
		if got := shape(in); got != want {
			t.Errorf("shape(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRedact checks that a redacted value never carries a run of 15
// digits, a Han character outside free text, or any character of a
// personal file's value, and that shapes are short.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"11010119900101888X", "张三", "P001", "1990-02-30", "V\x00\u202e1", ""} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, v string, which uint8) {
		tables := []string{tablePsn, tableStaff, tableFixmedins, tableCatalog, tableMdtrt, tableFee}
		table := tables[int(which)%len(tables)]
		k := colKind(which / 8 % 3)
		got := rejectValue(table, []string{"mdtrt_id", "begntime", "dise_name"}[k], v)
		if strings.Contains(got, "\x00") || strings.Contains(got, "\u202e") {
			t.Fatalf("redacted %q = %q carries a control", v, got)
		}
		if looksPersonal(got, kindCode) && !strings.HasPrefix(got, "<") {
			t.Fatalf("redacted %q = %q looks personal", v, got)
		}
		if personalTable(table) && got != "" && (!strings.HasPrefix(got, "<") || !strings.HasSuffix(got, ">")) {
			t.Fatalf("%s value %q shown as %q", table, v, got)
		}
		if len([]rune(got)) > maxValueRunes {
			t.Fatalf("redacted %q = %q too long", v, got)
		}
		checkText(v, k)
	})
}

// FuzzCRReader checks the line-ending conversion against a direct
// replacement, for any split of the input into reads.
func FuzzCRReader(f *testing.F) {
	f.Add("a\rb\r\nc\n", uint8(1))
	f.Add("\r\r\n\n", uint8(2))
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		r := &crReader{r: &smallReader{s: s, n: int(n%16) + 1}}
		got, err := io.ReadAll(r)
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if err != nil || string(got) != want {
			t.Fatalf("crReader(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestLineBreakInID checks that a quoted id holding a line break or a lone
// CR is refused, though the rest of the file is plain ASCII.
func TestLineBreakInID(t *testing.T) {
	for _, id := range []string{"\"V0\n03\"", "\"V0\r03\""} {
		text := strings.Replace(validFiles["mdtrt.csv"], "V003,", id+",", 1)
		_, rejects := loadDir(t, copyValid(t, map[string][]byte{"mdtrt.csv": []byte(text)}), Options{})
		if len(rejects) == 0 || rejects[0].Column != "mdtrt_id" || !strings.HasPrefix(rejects[0].Reason, reasonControl) {
			t.Errorf("id %q: rejects %+v", id, rejects)
		}
	}
}
