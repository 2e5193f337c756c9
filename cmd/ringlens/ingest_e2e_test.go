package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// e2ePlanted are personal values planted in the inputs; no output may carry
// them.
var e2ePlanted = []string{"11010119900101888X", "110101900101888", "张三丰", "欧阳娜娜"}

// copyHuli copies the small Huli fixture into a new directory, applying
// edit to each file's text.
func copyHuli(t *testing.T, edit func(name, text string) (string, []byte)) string {
	t.Helper()
	src := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	dir := t.TempDir()
	for _, name := range []string{"psn.csv", "fixmedins.csv", "staff.csv", "catalog.csv", "mdtrt.csv", "fee_list.csv"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Skipf("fixture not available: %v", err)
		}
		out, data := edit(name, string(b))
		if err := os.WriteFile(filepath.Join(dir, out), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDetectTruncatedGzip: a visit file cut in half is a fatal error naming
// the file and the line, with exit code 1, never a short successful run.
func TestDetectTruncatedGzip(t *testing.T) {
	in := copyHuli(t, func(name, text string) (string, []byte) {
		if name != "mdtrt.csv" {
			return name, []byte(text)
		}
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(text))
		zw.Close()
		return name + ".gz", b.Bytes()[:b.Len()/2]
	})
	r := runBinary(t, "detect", "--in", in, "--out", t.TempDir())
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r.stderr)
	}
	if !regexp.MustCompile(`mdtrt\.csv\.gz: line \d+: compressed data truncated`).MatchString(r.stderr) {
		t.Errorf("error does not name file, line and truncation: %s", r.stderr)
	}
}

// TestDetectNoPersonalData plants ID numbers and names in every column of
// every file, in place and shifted one column right, runs detect (and
// detect --strict) and checks that neither rejects.csv, the summaries, nor
// anything printed or logged carries them.
func TestDetectNoPersonalData(t *testing.T) {
	in := copyHuli(t, func(name, text string) (string, []byte) {
		lines := strings.SplitN(text, "\n", 3)
		fields := strings.Split(strings.TrimSuffix(lines[1], "\r"), ",")
		var b strings.Builder
		b.WriteString(text)
		for j := range fields {
			for _, v := range e2ePlanted {
				row := append([]string(nil), fields...)
				row[j] = v
				b.WriteString(strings.Join(row, ",") + "\n")
				shifted := append(append(append([]string(nil), fields[:j]...), v), fields[j:len(fields)-1]...)
				b.WriteString(strings.Join(shifted, ",") + "\n")
			}
		}
		return name, []byte(b.String())
	})
	out := t.TempDir()
	r := runBinary(t, "detect", "--in", in, "--out", out, "--log-format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, name := range []string{"rejects.csv", "summary.json", "summary.txt"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(b)
	}
	if !strings.Contains(texts["rejects.csv"], "<18 chars: 17 digits + X>") {
		t.Errorf("rejects.csv shows no shape of a planted ID number")
	}
	strict := runBinary(t, "detect", "--in", in, "--out", t.TempDir(), "--strict")
	if strict.code != exitError {
		t.Errorf("strict: exit %d", strict.code)
	}
	texts["strict"] = strict.stdout + strict.stderr
	for what, text := range texts {
		for _, v := range e2ePlanted {
			if strings.Contains(text, v) {
				t.Errorf("%s carries planted %q", what, v)
			}
		}
	}
}
