package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyValid copies testdata/valid into a fresh directory and applies edits:
// a nil value removes the file, otherwise it is (re)written.
func copyValid(t *testing.T, edits map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "valid")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range edits {
		path := filepath.Join(dir, name)
		if data == nil {
			os.Remove(path)
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSchemaErrors(t *testing.T) {
	mdtrtNoBegin := strings.Replace(validFiles["mdtrt.csv"], "begntime", "begin_time", 1)
	tests := []struct {
		name  string
		edits map[string][]byte
		want  SchemaError
		msg   string
	}{
		{"missing column", map[string][]byte{"mdtrt.csv": []byte(mdtrtNoBegin)},
			SchemaError{File: "mdtrt.csv", Column: "begntime", Reason: "missing required column"},
			`mdtrt.csv: missing required column "begntime"`},
		{"missing jsonl key", map[string][]byte{"catalog.jsonl": []byte(`{"med_list_codg":"X"}` + "\n")},
			SchemaError{File: "catalog.jsonl", Column: "med_list_name", Reason: "missing required column"}, ""},
		{"missing file", map[string][]byte{"staff.csv.gz": nil},
			SchemaError{File: "staff.csv", Reason: "required file missing (also looked for .csv.gz, .jsonl, .jsonl.gz, .ndjson)"}, ""},
		{"ambiguous", map[string][]byte{"mdtrt.jsonl": []byte("{}\n")},
			SchemaError{File: "mdtrt.csv", Reason: "ambiguous input: mdtrt.csv and mdtrt.jsonl are all present"}, ""},
		{"empty file", map[string][]byte{"psn.csv": []byte("")},
			SchemaError{File: "psn.csv", Reason: "unreadable header: empty file"}, ""},
		{"bad gzip", map[string][]byte{"staff.csv.gz": []byte("this is certainly not a gzip stream")},
			SchemaError{File: "staff.csv.gz", Reason: "unreadable gzip: gzip: invalid header"}, ""},
		{"undecodable", map[string][]byte{"psn.csv": []byte("psn_no,gend,brdy\n\x80\x80\xff\n")},
			SchemaError{File: "psn.csv", Reason: "undecodable encoding: neither utf-8 (byte 0x80 at line 2, column 1) nor gb18030 (line 2, column 3)"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyValid(t, tc.edits)
			rows := 0
			_, err := Load(context.Background(), dir, Options{Progress: func(p Progress) { rows += int(p.Rows) }},
				func(Reject) error { rows++; return nil })
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SchemaError", err)
			}
			if *se != tc.want {
				t.Errorf("err = %+v, want %+v", *se, tc.want)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tc.msg)
			}
			if rows != 0 {
				t.Errorf("rows were read before the schema error")
			}
		})
	}
}

func TestCatalogOptional(t *testing.T) {
	dir := copyValid(t, map[string][]byte{"catalog.jsonl": nil})
	res, _ := loadDir(t, dir, Options{})
	if len(res.Files) != 5 {
		t.Errorf("got %d files, want 5", len(res.Files))
	}
}

func TestStrict(t *testing.T) {
	var sunk []Reject
	_, err := Load(context.Background(), filepath.Join("testdata", "malformed"), Options{Strict: true},
		func(r Reject) error { sunk = append(sunk, r); return nil })
	var re *RowError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *RowError", err)
	}
	if want := "psn.csv:4: column psn_no: empty required value"; re.Error() != want {
		t.Errorf("Error() = %q, want %q", re.Error(), want)
	}
	if len(sunk) != 1 {
		t.Errorf("sink got %d rejects, want 1", len(sunk))
	}
	e := RowError{Reject{File: "mdtrt.csv", Line: 17, Column: "begntime", Reason: "unparseable time", Value: "2024-13-01"}}
	if want := `mdtrt.csv:17: column begntime: unparseable time "2024-13-01"`; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestSinkError(t *testing.T) {
	boom := errors.New("disk full")
	_, err := Load(context.Background(), filepath.Join("testdata", "malformed"), Options{},
		func(Reject) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapping %v", err, boom)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, filepath.Join("testdata", "valid"), Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestProgress(t *testing.T) {
	var ps []Progress
	_, err := Load(context.Background(), filepath.Join("testdata", "valid"), Options{Progress: func(p Progress) { ps = append(ps, p) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, p := range ps {
		if p.Done {
			done++
			if p.Bytes != p.TotalBytes || p.TotalBytes == 0 {
				t.Errorf("%s: done at %d of %d bytes", p.Table, p.Bytes, p.TotalBytes)
			}
		}
	}
	if done != 6 {
		t.Errorf("%d Done reports, want 6", done)
	}
}

// TestInvalidUTF8Later checks that a row with invalid UTF-8 after the
// detection sample of a UTF-8 file is rejected with a hint.
func TestInvalidUTF8Later(t *testing.T) {
	var b strings.Builder
	b.WriteString(validFiles["psn.csv"])
	for i := 0; b.Len() < 2*sampleSize; i++ {
		b.WriteString("Q")
		b.WriteString(strings.Repeat("0", 8))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(",1,1980-01-01,,张三,,,\n")
	}
	b.WriteString("Z001,1,1980-01-01,,\xd5\xc5\xc8\xfd,,,\n")
	// Unique psn_no values keep the duplicate check out of the way.
	lines := strings.Split(b.String(), "\n")
	for i := 5; i < len(lines)-2; i++ {
		lines[i] = strings.Replace(lines[i], "Q", "Q"+itoa(i), 1)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(lines, "\n")))
	zw.Close()
	dir := copyValid(t, map[string][]byte{"psn.csv": nil, "psn.csv.gz": gz.Bytes()})
	_, rejects := loadDir(t, dir, Options{})
	if len(rejects) != 1 {
		t.Fatalf("rejects = %+v, want 1", rejects)
	}
	r := rejects[0]
	if r.Column != "psn_name" || r.Reason != reasonInvalidUTF8Detected || r.Value != "<1 chars: ?>" || r.Line != int64(len(lines)-1) {
		t.Errorf("reject = %+v (line want %d)", r, len(lines)-1)
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

func TestRejectWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewRejectWriter(&b)
	w.Write(Reject{File: "a.csv", Line: 3, Column: "x", Reason: "bad, really", Value: "say \"hi\"\nthere"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "file,line,column,reason,value\na.csv,3,x,\"bad, really\",\"say \"\"hi\"\"\nthere\"\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	NewRejectWriter(&b).Flush()
	if b.String() != "file,line,column,reason,value\n" {
		t.Errorf("empty writer wrote %q", b.String())
	}
}

func TestFormatsAndForcedEncoding(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(validFiles["catalog.jsonl"]))
	zw.Close()
	dir := copyValid(t, map[string][]byte{"catalog.jsonl": nil, "catalog.ndjson.gz": gz.Bytes()})
	res, rejects := loadDir(t, dir, Options{Encoding: "gbk"})
	// Forcing GB18030 reads the GB18030 file right; UTF-8 Chinese text in
	// the other files holds sequences GB18030 does not define, and their
	// rows are rejected naming line and column (or, in cascade, rows that
	// refer to them).
	for _, r := range rejects {
		if r.File == "fixmedins.csv" || r.Reason != reasonInvalidGB18030 && !strings.HasPrefix(r.Reason, "unknown") && !strings.HasPrefix(r.Reason, "refund") {
			t.Errorf("forced gb18030 reject: %+v", r)
		}
		if r.Reason == reasonInvalidGB18030 && (r.Line < 2 || r.Column == "") {
			t.Errorf("encoding reject without line or column: %+v", r)
		}
	}
	cat := res.Files[3]
	if cat.Format != "jsonl" || !cat.Compressed || cat.Read != 3 || cat.Encoding != "gb18030" {
		t.Errorf("catalog report %+v", cat)
	}
	if res.Files[0].Encoding != "utf-8-bom" {
		t.Errorf("BOM file under forced encoding reported as %q", res.Files[0].Encoding)
	}
	// Forcing UTF-8 on the GB18030 file rejects its Chinese rows (and,
	// in cascade, what refers to those institutions).
	_, rejects = loadDir(t, copyValid(t, nil), Options{Encoding: "utf-8"})
	if len(rejects) < 3 {
		t.Fatalf("forced utf-8 rejects: %+v", rejects)
	}
	for _, r := range rejects[:3] {
		if r.Reason != reasonInvalidUTF8 || r.File != "fixmedins.csv" || r.Column != "fixmedins_name" {
			t.Errorf("forced utf-8 reject: %+v", r)
		}
	}
}
