package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary is the ringlens binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ringlens-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ringlens")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ringlens:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func runBinary(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

func TestUsageAndVersion(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout+stderr
	}{
		{"version", []string{"version"}, exitOK, "ringlens"},
		{"help", []string{"--help"}, exitOK, "detect"},
		{"detect help has example", []string{"detect", "--help"}, exitOK, "ringlens detect --in"},
		{"generate help has example", []string{"generate", "--help"}, exitOK, "ringlens generate --preset"},
		{"unknown command", []string{"nosuch"}, exitUsage, "unknown command"},
		{"unknown flag", []string{"detect", "--bogus"}, exitUsage, "bogus"},
		{"missing in", []string{"detect", "--out", t.TempDir()}, exitUsage, "--in"},
		{"bad scale", []string{"generate", "--scale", "lots", "--out", t.TempDir()}, exitUsage, "--scale"},
		{"bad preset", []string{"generate", "--preset", "nope", "--out", t.TempDir()}, exitUsage, "preset"},
		{"bad log format", []string{"detect", "--in", "x", "--out", t.TempDir(), "--log-format", "xml"}, exitUsage, "log-format"},
		{"missing dataset", []string{"detect", "--in", filepath.Join(t.TempDir(), "none"), "--out", t.TempDir()}, exitError, "psn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runBinary(t, tc.args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tc.wantOut) {
				t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", tc.wantOut, r.stdout, r.stderr)
			}
		})
	}
}

// TestDetectMalformed runs detect on the committed malformed dataset and
// checks rejects.csv line by line against the expected file, and that the
// summary reconciles every file.
func TestDetectMalformed(t *testing.T) {
	in := filepath.Join("..", "..", "ingest", "testdata", "malformed")
	out := t.TempDir()
	r := runBinary(t, "detect", "--in", in, "--out", out, "--log-format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := readLines(t, filepath.Join(out, "rejects.csv"))
	want := readLines(t, filepath.Join(in, "want_rejects.csv"))
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("rejects.csv line %d:\n got  %q\n want %q", i+1, g, w)
		}
	}
	rep := readReport(t, filepath.Join(out, "summary.json"))
	var rejected int64
	for _, f := range rep.Files {
		if f.Read != f.Accepted+f.Rejected {
			t.Errorf("%s: read %d != accepted %d + rejected %d", f.File, f.Read, f.Accepted, f.Rejected)
		}
		rejected += f.Rejected
	}
	if rejected == 0 || rejected != int64(len(got)-1) {
		t.Errorf("summary rejects %d, rejects.csv rows %d", rejected, len(got)-1)
	}
	if rep.Rows.Rejected != rejected {
		t.Errorf("total rejected %d, sum of files %d", rep.Rows.Rejected, rejected)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("--log-format json wrote a non-JSON line: %q", line)
		}
	}
}

func TestDetectStrict(t *testing.T) {
	in := filepath.Join("..", "..", "ingest", "testdata", "malformed")
	r := runBinary(t, "detect", "--in", in, "--out", t.TempDir(), "--strict")
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r.stderr)
	}
	if !regexp.MustCompile(`[a-z_]+\.(csv|jsonl)(\.gz)?:\d+`).MatchString(r.stderr) {
		t.Fatalf("strict error does not name file:line: %s", r.stderr)
	}
}

// TestDetectMissingColumn: a missing required column stops the run before
// any row is read, naming the file and the column.
func TestDetectMissingColumn(t *testing.T) {
	in := t.TempDir()
	src := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	for _, name := range []string{"psn.csv", "fixmedins.csv", "staff.csv", "catalog.csv", "mdtrt.csv", "fee_list.csv"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Skipf("fixture not available: %v", err)
		}
		if name == "mdtrt.csv" {
			b = dropColumn(t, b, "begntime")
		}
		if err := os.WriteFile(filepath.Join(in, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	r := runBinary(t, "detect", "--in", in, "--out", out)
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r.stderr)
	}
	if !strings.Contains(r.stderr, "mdtrt.csv") || !strings.Contains(r.stderr, "begntime") {
		t.Fatalf("error does not name file and column: %s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err == nil {
		t.Fatal("summary written although the schema check failed")
	}
}

// TestDetectGolden checks summary.json and summary.txt of the committed Huli
// fixture against golden files (go test -run Golden -update rewrites them).
func TestDetectGolden(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	out := t.TempDir()
	r := runBinary(t, "detect", "--in", in, "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"summary.json", "summary.txt"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "huli-small."+name+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; rerun with -update if the change is intended\n%s", name, golden, firstDiff(got, want))
		}
	}
	if !strings.Contains(r.stdout, "read = accepted + rejected") {
		t.Errorf("summary not printed on stdout:\n%s", r.stdout)
	}
}

// TestGenerateThenDetect: a generated city in every contract format is read
// with no rejected row, and no personal data reaches any output or log.
func TestGenerateThenDetect(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"csv", nil},
		{"jsonl gzip", []string{"--format", "jsonl", "--gzip"}},
		{"gb18030", []string{"--encoding", "gb18030"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			city, out := t.TempDir(), t.TempDir()
			args := append([]string{"generate", "--preset", "default", "--seed", "7", "--scale", "4000", "--out", city}, tc.args...)
			r := runBinary(t, args...)
			if r.code != exitOK {
				t.Fatalf("generate exit %d\n%s", r.code, r.stderr)
			}
			d := runBinary(t, "detect", "--in", city, "--out", out, "--log-level", "debug")
			if d.code != exitOK {
				t.Fatalf("detect exit %d\n%s", d.code, d.stderr)
			}
			rep := readReport(t, filepath.Join(out, "summary.json"))
			if rep.Rows.Rejected != 0 || rep.Rows.Read == 0 {
				t.Fatalf("generated city: read %d, rejected %d\n%s", rep.Rows.Read, rep.Rows.Rejected, strings.Join(readLines(t, filepath.Join(out, "rejects.csv")), "\n"))
			}
			if len(tc.args) == 0 {
				checkNoPII(t, city, d.stdout+d.stderr, out)
			}
		})
	}
}

// checkNoPII fails if any name or certificate number of the city appears in
// the logs or in any output file.
func checkNoPII(t *testing.T, city, logs, out string) {
	t.Helper()
	var secrets []string
	for file, cols := range map[string][]string{"psn.csv": {"psn_name", "certno"}, "staff.csv": {"dr_name"}} {
		secrets = append(secrets, columnValues(t, filepath.Join(city, file), cols)...)
	}
	if len(secrets) == 0 {
		t.Fatal("generated city has no personal data to check")
	}
	texts := map[string]string{"logs": logs}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts[e.Name()] = string(b)
	}
	for where, text := range texts {
		for _, s := range secrets {
			if len([]rune(s)) >= 2 && strings.Contains(text, s) {
				t.Errorf("personal data %q found in %s", maskForTest(s), where)
			}
		}
	}
}

func maskForTest(s string) string {
	r := []rune(s)
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}

func columnValues(t *testing.T, path string, cols []string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(bufio.NewReader(f))
	header, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	for i, h := range header {
		for _, c := range cols {
			if strings.TrimPrefix(h, "\ufeff") == c {
				idx = append(idx, i)
			}
		}
	}
	var vals []string
	for {
		rec, err := rd.Read()
		if err != nil {
			break
		}
		for _, i := range idx {
			if rec[i] != "" {
				vals = append(vals, rec[i])
			}
		}
	}
	return vals
}

func dropColumn(t *testing.T, csvText []byte, col string) []byte {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(csvText))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	drop := -1
	for i, h := range recs[0] {
		if h == col {
			drop = i
		}
	}
	if drop < 0 {
		t.Fatalf("column %s not in fixture", col)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, r := range recs {
		w.Write(append(r[:drop:drop], r[drop+1:]...))
	}
	w.Flush()
	return buf.Bytes()
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func readReport(t *testing.T, path string) runSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep runSummary
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, a, b)
		}
	}
	return ""
}

// TestDetectSpill: moving the columns read only at the end out of memory
// (the default, into the output directory) changes no output, leaves no
// file behind, and a spill directory that cannot be written stops the run
// with an error that names the flag.
func TestDetectSpill(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	outs := map[string]string{}
	for _, mode := range []string{"default", spillOff, "dir"} {
		out := t.TempDir()
		args := []string{"detect", "--in", in, "--out", out, "--log-format", "json"}
		switch mode {
		case spillOff:
			args = append(args, "--spill-dir", spillOff)
		case "dir":
			args = append(args, "--spill-dir", t.TempDir())
		}
		r := runBinary(t, args...)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", mode, r.code, r.stderr)
		}
		if moved := strings.Contains(r.stderr, "moved out of memory"); moved == (mode == spillOff) {
			t.Errorf("%s: columns moved %v\n%s", mode, moved, r.stderr)
		}
		left, err := filepath.Glob(filepath.Join(out, "ringlens-spill-*"))
		if err != nil || len(left) > 0 {
			t.Errorf("%s: spill files left behind: %v %v", mode, left, err)
		}
		outs[mode] = out
	}
	for _, name := range []string{"rings.json", "entities.csv", "single_hits.csv", "ring_visits.csv", "summary.json"} {
		want, err := os.ReadFile(filepath.Join(outs[spillOff], name))
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"default", "dir"} {
			if got, err := os.ReadFile(filepath.Join(outs[mode], name)); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %s differs from the run without spilling (%v)\n%s", mode, name, err, firstDiff(got, want))
			}
		}
	}
	r := runBinary(t, "detect", "--in", in, "--out", t.TempDir(), "--spill-dir", filepath.Join(t.TempDir(), "absent"))
	if r.code == exitOK || !strings.Contains(r.stderr, "--spill-dir") {
		t.Errorf("absent spill directory: exit %d\n%s", r.code, r.stderr)
	}
	// The default directory failing (here the system's temporary one, for
	// bench detect) keeps the columns in memory with a warning.
	cmd := exec.Command(binary, "bench", "detect", "--dir", in, "--log-format", "json")
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(t.TempDir(), "absent"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kept in memory") {
		t.Errorf("default spill directory absent: %v\n%s", err, out)
	}
}

// TestDetectRegion runs detect on the small Huli city, whose rings stand
// in Xiamen (3502), with --region: its own region reports every ring, the
// distant city's (4201) none, and a malformed region is a usage error.
func TestDetectRegion(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	type result struct {
		Rings      []json.RawMessage     `json:"rings"`
		SinglesN   int                   `json:"single_hits_total"`
		Scope      *findings.RegionScope `json:"region_scope"`
		entities   [][]string            // entities.csv without its header
		fromRegion int                   // clinics and pharmacies of 4201 in entities
	}
	detect := func(args ...string) result {
		t.Helper()
		out := t.TempDir()
		r := runBinary(t, append([]string{"detect", "--in", in, "--out", out, "--log-format", "json"}, args...)...)
		if r.code != exitOK {
			t.Fatalf("detect %v: exit %d\n%s", args, r.code, r.stderr)
		}
		var f result
		b, err := os.ReadFile(filepath.Join(out, "rings.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		b, err = os.ReadFile(filepath.Join(out, "entities.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("entities.csv: %d rows, %v", len(rows), err)
		}
		f.entities = rows[1:]
		for _, e := range f.entities {
			if wuhanSite(e) {
				f.fromRegion++
			}
		}
		return f
	}
	all := detect()
	if len(all.Rings) == 0 || all.Scope != nil {
		t.Fatalf("the Huli city: %d rings, scope %+v; want rings and no scope", len(all.Rings), all.Scope)
	}
	cases := []struct {
		region                string
		rings                 int
		ringsOut              int
		someEntitiesLeft      bool
		onlyRegionSites       bool
		allSingles, noSingles bool
	}{
		// Xiamen: every ring; Wuhan's sites, and the people and doctors
		// seen only there, are left out.
		{region: "3502", rings: len(all.Rings), someEntitiesLeft: true},
		// Wuhan's two districts: no ring (the ring is Xiamen's), its
		// sites and theirs only.
		{region: "4201", ringsOut: len(all.Rings), someEntitiesLeft: true, onlyRegionSites: true},
		{region: "3503", ringsOut: len(all.Rings), someEntitiesLeft: true, noSingles: true},
	}
	for _, c := range cases {
		got := detect("--region", c.region)
		sc := got.Scope
		if sc == nil || sc.Region != c.region {
			t.Fatalf("--region %s: scope %+v", c.region, sc)
		}
		if len(got.Rings) != c.rings || sc.Rings != c.ringsOut {
			t.Errorf("--region %s: %d rings, %d outside; want %d, %d", c.region, len(got.Rings), sc.Rings, c.rings, c.ringsOut)
		}
		// Nothing is lost: what is listed and what is left out add up to
		// the whole city's, for the entities; the single hits gain the
		// hits of the rings not reported.
		if len(got.entities)+sc.Entities != len(all.entities) || (sc.Entities > 0) != c.someEntitiesLeft {
			t.Errorf("--region %s: %d entities + %d left out; the city has %d", c.region, len(got.entities), sc.Entities, len(all.entities))
		}
		if got.SinglesN+sc.SingleHits < all.SinglesN || c.rings == len(all.Rings) && got.SinglesN+sc.SingleHits != all.SinglesN {
			t.Errorf("--region %s: %d single hits + %d left out; the city has %d", c.region, got.SinglesN, sc.SingleHits, all.SinglesN)
		}
		if c.noSingles && (got.SinglesN != 0 || len(got.entities) != 0) {
			t.Errorf("--region %s (no site): %d single hits, %d entities; want none", c.region, got.SinglesN, len(got.entities))
		}
		if c.onlyRegionSites {
			for _, e := range got.entities {
				if e[0] != "patient" && e[0] != "doctor" && !wuhanSite(e) {
					t.Errorf("--region %s lists site %s", c.region, e[1])
				}
			}
			if got.fromRegion != all.fromRegion || got.fromRegion == 0 {
				t.Errorf("--region %s lists %d of its %d sites", c.region, got.fromRegion, all.fromRegion)
			}
		}
	}
	for _, bad := range []string{"3", "35A2", "3502031"} {
		if r := runBinary(t, "detect", "--in", in, "--out", t.TempDir(), "--region", bad); r.code != exitUsage || !strings.Contains(r.stderr, "--region") {
			t.Errorf("--region %q: exit %d\n%s", bad, r.code, r.stderr)
		}
	}
}

// wuhanSite reports whether entities.csv row e is a site of the Huli
// city's Wuhan districts (4201): their codes carry the region.
func wuhanSite(e []string) bool {
	return e[0] != "patient" && e[0] != "doctor" && len(e[1]) > 5 && e[1][1:5] == "4201"
}
