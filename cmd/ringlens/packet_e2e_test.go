package main

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/viz/packet"
)

// TestPacketE2E records the Huli fixture's ring as a case, works it to
// confirmed, builds its packet (refused before), verifies it with and
// without the workspace's public key, finds the build in the audit trail,
// then tampers with the packet (a file altered, dropped, added, the
// manifest altered, the key swapped) and checks verify names each; no
// personal data in any file of the packet, workbooks included.
func TestPacketE2E(t *testing.T) {
	city := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	state, out, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	var logs strings.Builder
	run := func(want int, args ...string) result { t.Helper(); return runExpect(t, &logs, want, args...) }
	run(exitOK, "detect", "--in", city, "--out", out, "--state", state)
	zipPath := filepath.Join(tmp, "CL-000001.zip")
	buildArgs := []string{"packet", "build", "--state", state, "--in", out, "--case", "CL-000001", "--out", zipPath, "--by", "wang", "--data", city}
	if r := run(exitUsage, buildArgs...); !strings.Contains(r.stderr, "is new") {
		t.Errorf("build of a new case: %s", r.stderr)
	}
	// The investigator's last note names a person of the claims with ID and
	// mobile number: the packet must hold them masked only.
	person := columnValues(t, filepath.Join(city, "psn.csv"), []string{"psn_name", "certno"})
	name, certNo := person[0], person[1]
	notes := map[string]string{"confirmed": "step confirmed: 约谈" + name + "，身份证" + certNo + "，电话13812345678"}
	for _, s := range []string{"assigned", "verifying", "confirmed"} {
		note := cmp.Or(notes[s], "step "+s)
		run(exitOK, "case", "update", "--state", state, "--case", "CL-000001", "--status", s, "--by", "wang", "--note", note)
	}
	_, chromiumErr := exec.LookPath("chromium")
	if chromiumErr != nil {
		buildArgs = append(buildArgs, "--no-pdf")
	}
	if r := run(exitOK, buildArgs...); !strings.Contains(r.stdout, "manifest sha256") {
		t.Errorf("build printed %q", r.stdout)
	}
	if st, err := os.Stat(filepath.Join(state, packet.KeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("signing key: %v", err)
	}
	pubkey := filepath.Join(state, packet.PublicKeyFile)
	if r := run(exitOK, "packet", "verify", zipPath); !strings.HasPrefix(r.stdout, "ok: ") || !strings.Contains(r.stdout, "--pubkey") {
		t.Errorf("verify: %q", r.stdout)
	}
	if r := run(exitOK, "packet", "verify", zipPath, "--pubkey", pubkey); !strings.Contains(r.stdout, "trusted key") {
		t.Errorf("verify --pubkey: %q", r.stdout)
	}
	var rep packet.Report
	r := run(exitOK, "packet", "verify", "--json", zipPath, "--pubkey", pubkey)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || !rep.Trusted || !rep.OK() || rep.Manifest == nil || rep.Manifest.Case != "CL-000001" {
		t.Errorf("verify --json: %v %+v", err, rep)
	}

	files := unzipAll(t, zipPath)
	var m packet.Manifest
	if err := json.Unmarshal(files[packet.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{packet.DossierHTML, packet.MembersXLSX, packet.VisitsXLSX, packet.RuleHitsXLSX, packet.TimelineXLSX, packet.LetterFile, packet.ReportFile} {
		if _, ok := files[n]; !ok {
			t.Errorf("packet lacks %s", n)
		}
	}
	if _, ok := files[packet.DossierPDF]; ok != (chromiumErr == nil) {
		t.Errorf("dossier.pdf in packet: %v, chromium on PATH: %v", ok, chromiumErr == nil)
	}
	if !strings.Contains(string(files[packet.LetterFile]), "step confirmed") {
		t.Error("the transfer letter lacks the case record")
	}
	for _, f := range []string{packet.LetterFile, packet.ReportFile, packet.CaseFile} {
		for _, masked := range []string{claims.MaskName(name), claims.MaskCertNo(certNo), "138******78"} {
			if !strings.Contains(string(files[f]), masked) {
				t.Errorf("%s lacks the masked note's %q", f, masked)
			}
		}
		if strings.Contains(string(files[f]), "13812345678") {
			t.Errorf("%s holds the note's mobile number", f)
		}
	}
	visits := unzipBytes(t, files[packet.VisitsXLSX])
	if n := strings.Count(string(visits["xl/worksheets/sheet3.xml"]), "<row "); n < 100 {
		t.Errorf("fee-line sheet has %d rows: the claims' fee lines are missing", n)
	}

	trail := filepath.Join(tmp, "audit.jsonl")
	run(exitOK, "audit", "export", "--state", state, "--out", trail)
	run(exitOK, "audit", "verify", trail)
	b, _ := os.ReadFile(trail)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `"action":"export"`) || !strings.Contains(last, `"subject":"CL-000001"`) || !strings.Contains(last, `"evidence_packet"`) {
		t.Errorf("last audit entry is not the packet's export: %s", last)
	}

	pii := filepath.Join(tmp, "unpacked")
	os.Mkdir(pii, 0o755)
	for n, b := range files {
		os.WriteFile(filepath.Join(pii, n), b, 0o644)
		if strings.HasSuffix(n, ".xlsx") {
			for inner, ib := range unzipBytes(t, b) {
				os.WriteFile(filepath.Join(pii, n+"-"+strings.ReplaceAll(inner, "/", "_")), ib, 0o644)
			}
		}
	}
	checkNoPII(t, city, logs.String(), pii)

	otherPub, other, _ := ed25519.GenerateKey(rand.Reader)
	resigned := func(fs map[string][]byte) map[string][]byte {
		fs[packet.PublicKeyName] = packet.EncodePublicKey(otherPub)
		fs[packet.SignatureFile] = ed25519.Sign(other, fs[packet.ManifestFile])
		return fs
	}
	for _, tc := range []struct {
		name   string
		edit   func(map[string][]byte) map[string][]byte
		pubkey bool
		want   []string
	}{
		{"altered file", func(fs map[string][]byte) map[string][]byte {
			fs[packet.LetterFile] = bytes.Replace(fs[packet.LetterFile], []byte("847"), []byte("747"), 1)
			return fs
		}, false, []string{"altered: transfer_letter.html"}},
		{"dropped file", func(fs map[string][]byte) map[string][]byte { delete(fs, packet.RuleHitsXLSX); return fs },
			false, []string{"missing: rule_hits.xlsx"}},
		{"extra file", func(fs map[string][]byte) map[string][]byte { fs["extra.txt"] = []byte("x"); return fs },
			false, []string{"extra: extra.txt"}},
		{"altered manifest", func(fs map[string][]byte) map[string][]byte {
			fs[packet.ManifestFile] = bytes.Replace(fs[packet.ManifestFile], []byte(`"created_by": "wang"`), []byte(`"created_by": "li"`), 1)
			return fs
		}, false, []string{"signature: manifest.json"}},
		{"swapped key", resigned, true, []string{"key: public_key.pem", "swapped", "signature: manifest.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := map[string][]byte{}
			for n, b := range files {
				fs[n] = b
			}
			bad := filepath.Join(t.TempDir(), "bad.zip")
			writeZip(t, bad, tc.edit(fs))
			args := []string{"packet", "verify", bad}
			if tc.pubkey {
				args = append(args, "--pubkey", pubkey)
			}
			r := runBinary(t, args...)
			if r.code != exitError || !strings.Contains(r.stderr, "not as sealed") {
				t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("verify output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"packet", "build", "--state", state, "--in", out, "--out", zipPath}, exitUsage, "--case"},
		{[]string{"packet", "build", "--state", state, "--in", out, "--case", "CL-999999", "--out", zipPath}, exitError, "no such case"},
		{[]string{"packet", "verify"}, exitUsage, "packet file"},
		{[]string{"packet", "verify", zipPath, "--bogus"}, exitUsage, "bogus"},
		{[]string{"packet", "verify", filepath.Join(tmp, "audit.jsonl")}, exitError, "not a ZIP"},
		{[]string{"packet", "verify", zipPath, "--pubkey", trail}, exitError, "public key"},
	} {
		if r := runBinary(t, tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d (want %d)\n%s", tc.args, r.code, tc.code, r.stderr)
		}
	}
}

// runExpect runs the binary with args, keeps its output in logs (for the
// personal-data check) and fails the test unless it exits with want.
func runExpect(t *testing.T, logs *strings.Builder, want int, args ...string) result {
	t.Helper()
	r := runBinary(t, args...)
	logs.WriteString(r.stdout + r.stderr)
	if r.code != want {
		t.Fatalf("%v: exit %d, want %d\n%s%s", args, r.code, want, r.stdout, r.stderr)
	}
	return r
}

// unzipAll reads every file of the ZIP at path.
func unzipAll(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return unzipBytes(t, b)
}

// unzipBytes reads every file of a ZIP in memory (a packet, a workbook).
func unzipBytes(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// writeZip writes files into a ZIP at path.
func writeZip(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
