package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDossier runs detect on the committed Huli fixture, then dossier: the
// HTML in both languages (the first ring's members, why, cited visits and
// the seal of rings.json as sha256sum prints it), the PDF when chromium is
// on PATH, a clear failure of --pdf without it, and usage errors.
func TestDossier(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	out := t.TempDir()
	if r := runBinary(t, "detect", "--in", in, "--out", out); r.code != exitOK {
		t.Fatalf("detect: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"ring_visits.csv", "single_hits.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("detect wrote no %s: %v", name, err)
		}
	}
	var doc struct {
		Rings []struct {
			ID      string `json:"id"`
			Members []struct {
				ID string `json:"id"`
			} `json:"members"`
		} `json:"rings"`
	}
	rj := readFile(t, out, "rings.json")
	if err := json.Unmarshal(rj, &doc); err != nil || len(doc.Rings) == 0 {
		t.Fatalf("rings.json: %v, %d rings", err, len(doc.Rings))
	}
	ring := doc.Rings[0]
	sum := sha256.Sum256(rj)
	for _, lang := range []string{"zh", "en"} {
		file := filepath.Join(t.TempDir(), "d.html")
		if r := runBinary(t, "dossier", "--in", out, "--ring", ring.ID, "--lang", lang, "--out", file); r.code != exitOK {
			t.Fatalf("dossier %s: exit %d\n%s", lang, r.code, r.stderr)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		html := string(b)
		for _, want := range []string{ring.ID, ring.Members[0].ID, hex.EncodeToString(sum[:]), "@page", "counter(page)", `<ol class="why">`} {
			if !strings.Contains(html, want) {
				t.Errorf("%s dossier lacks %q", lang, want)
			}
		}
		if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
			t.Errorf("%s dossier refers to the network", lang)
		}
	}
	if r := runBinary(t, "dossier", "--in", out, "--ring", ring.ID); r.code != exitOK {
		t.Fatalf("dossier default out: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "dossier-"+ring.ID+".html")); err != nil {
		t.Errorf("no default dossier file: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no ring", []string{"dossier", "--in", out}, exitUsage, "--ring"},
		{"unknown ring", []string{"dossier", "--in", out, "--ring", "R999"}, exitError, "R999"},
		{"bad lang", []string{"dossier", "--in", out, "--ring", ring.ID, "--lang", "fr"}, exitUsage, "--lang"},
	} {
		r := runBinary(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%s: exit %d (want %d)\n%s%s", tc.name, r.code, tc.code, r.stdout, r.stderr)
		}
	}
	// --pdf without chromium on PATH fails and says why.
	cmd := exec.Command(binary, "dossier", "--in", out, "--ring", ring.ID, "--pdf", "--out", filepath.Join(t.TempDir(), "d.pdf"))
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "chromium") {
		t.Errorf("--pdf without chromium: %v\n%s", err, b)
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Log("chromium not on PATH: PDF not tested")
		return
	}
	pdf := filepath.Join(t.TempDir(), "d.pdf")
	if r := runBinary(t, "dossier", "--in", out, "--ring", ring.ID, "--pdf", "--out", pdf); r.code != exitOK {
		t.Fatalf("dossier --pdf: exit %d\n%s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("dossier --pdf wrote no PDF: %v", err)
	}
}
