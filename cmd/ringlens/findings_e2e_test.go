package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectFindings runs detection on the committed Huli fixture twice and
// checks the outputs: byte-identical rings.json, the contract's
// entities.csv header, a self-contained report, and the terminal table.
func TestDetectFindings(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	outA, outB := t.TempDir(), t.TempDir()
	a := runBinary(t, "detect", "--in", in, "--out", outA)
	if a.code != exitOK {
		t.Fatalf("exit %d\n%s", a.code, a.stderr)
	}
	b := runBinary(t, "detect", "--in", in, "--out", outB, "--lang", "en")
	if b.code != exitOK {
		t.Fatalf("exit %d\n%s", b.code, b.stderr)
	}
	ja, jb := readFile(t, outA, "rings.json"), readFile(t, outB, "rings.json")
	if !bytes.Equal(ja, jb) {
		t.Error("rings.json differs between two runs on the same data, rules and seed")
	}
	var doc struct {
		Rings []map[string]json.RawMessage `json:"rings"`
	}
	if err := json.Unmarshal(ja, &doc); err != nil {
		t.Fatalf("rings.json: %v", err)
	}
	for _, r := range doc.Rings {
		for _, key := range []string{"id", "rank", "score", "typology", "members", "amount_at_risk", "evidence"} {
			if _, ok := r[key]; !ok {
				t.Errorf("ring %s lacks %q", r["id"], key)
			}
		}
	}
	ents := strings.SplitN(string(readFile(t, outA, "entities.csv")), "\n", 2)
	if ents[0] != "kind,id,score,ring_id,reasons" {
		t.Errorf("entities.csv header %q", ents[0])
	}
	for _, out := range []string{outA, outB} {
		html := string(readFile(t, out, "report.html"))
		if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
			t.Errorf("%s/report.html refers to the network", out)
		}
	}
	if !strings.Contains(a.stdout, "report: "+filepath.Join(outA, "report.html")) {
		t.Errorf("stdout does not end with the report path:\n%s", a.stdout)
	}
	if !bytes.Equal(readFile(t, outA, "entities.csv"), readFile(t, outB, "entities.csv")) {
		t.Error("entities.csv differs between runs")
	}
}

func TestDetectFlagsChecked(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"bad lang", []string{"--lang", "fr"}, exitUsage, "--lang"},
		{"missing rules file", []string{"--rules", filepath.Join(t.TempDir(), "none.json")}, exitError, "none.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			r := runBinary(t, append([]string{"detect", "--in", in, "--out", out}, tc.args...)...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", r.code, tc.wantCode, tc.want, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(out, "rejects.csv")); err == nil {
				t.Error("work started although a flag was wrong")
			}
		})
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectRingsNotReported: with max_rings below the rings a city holds,
// detect reports the best max_rings, says how many more there were (on
// stdout, in the log and in rings.json), and those are the rest of the
// uncapped run's rings.
func TestDetectRingsNotReported(t *testing.T) {
	city := t.TempDir()
	if r := runBinary(t, "generate", "--preset", "default", "--seed", "3", "--scale", "20000", "--out", city); r.code != exitOK {
		t.Fatalf("generate exit %d\n%s", r.code, r.stderr)
	}
	params := filepath.Join(t.TempDir(), "params.json")
	if err := os.WriteFile(params, []byte(`{"max_rings": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(out string) (doc struct {
		Rings       []json.RawMessage `json:"rings"`
		NotReported *int              `json:"rings_not_reported"`
	}) {
		b, err := os.ReadFile(filepath.Join(out, "rings.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	all, capped := t.TempDir(), t.TempDir()
	if r := runBinary(t, "detect", "--in", city, "--out", all); r.code != exitOK {
		t.Fatalf("detect exit %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, "detect", "--in", city, "--out", capped, "--ring-params", params, "--log-format", "json")
	if r.code != exitOK {
		t.Fatalf("capped detect exit %d\n%s", r.code, r.stderr)
	}
	full, short := read(all), read(capped)
	if len(full.Rings) <= 2 {
		t.Fatalf("the city holds %d rings: too few to cap", len(full.Rings))
	}
	if full.NotReported != nil {
		t.Errorf("uncapped run: rings_not_reported %d, want absent", *full.NotReported)
	}
	want := len(full.Rings) - 2
	if len(short.Rings) != 2 || short.NotReported == nil || *short.NotReported != want {
		t.Fatalf("capped run: %d rings, rings_not_reported %v, want 2 and %d", len(short.Rings), short.NotReported, want)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf("%d more rings", want)) || !strings.Contains(r.stderr, `"not_reported":`+fmt.Sprint(want)) {
		t.Errorf("the cap is not said:\n%s\n%s", r.stdout, r.stderr)
	}
}
