package ingest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/malformed/want_rejects.csv")

// TestMalformedGolden loads testdata/malformed and compares the rejects, as
// RejectWriter writes them, with want_rejects.csv line by line.
func TestMalformedGolden(t *testing.T) {
	dir := filepath.Join("testdata", "malformed")
	var buf bytes.Buffer
	rw := NewRejectWriter(&buf)
	res, err := Load(context.Background(), dir, Options{Workers: 2}, rw.Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if f.Read != f.Accepted+f.Rejected {
			t.Errorf("%s: Read %d != Accepted %d + Rejected %d", f.Path, f.Read, f.Accepted, f.Rejected)
		}
		if f.Rejected == 0 {
			t.Errorf("%s: no rejects", f.Path)
		}
	}
	golden := filepath.Join(dir, "want_rejects.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(buf.String(), "\n")
	wl := strings.Split(string(want), "\n")
	for i := 0; i < len(got) || i < len(wl); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("want_rejects.csv line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}
