package packet

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/xuri/excelize/v2"
)

// sampleInput is a small ring with two patients, a doctor and a clinic,
// its visits, evidence and timeline, and the case record of its clue.
func sampleInput(t *testing.T) Input {
	t.Helper()
	ring := findings.Ring{ID: "R001", Rank: 1, Score: 0.9, Typology: findings.TypFabricatedOutpatient, AmountAtRisk: 300.5,
		Visits: 3, First: "2025-01-02 09:00:00", Last: "2025-02-03 10:00:00", Article: "《医疗保障基金使用监督管理条例》第四十条",
		Members: []findings.Member{
			{Kind: findings.KindClinic, ID: "H1", Role: "organising_clinic", Label: "某诊所", Visits: 3, Fund: 300.5},
			{Kind: findings.KindDoctor, ID: "D1", Role: "organised_doctor", Label: "李*", Visits: 3, Fund: 300.5},
			{Kind: findings.KindPatient, ID: "P1", Role: "recruited_patient", Label: "王*", Visits: 2, Fund: 200.25},
			{Kind: findings.KindPatient, ID: "P2", Role: "recruited_patient", Label: "张**", Visits: 1, Fund: 100.25},
		},
		Evidence: []findings.Evidence{{Kind: "rule", Rule: "R-FREQ", Version: "1.0", Params: map[string]float64{"min_visits": 8, "window_days": 30},
			Result: "suspicious", Article: "《医疗保障基金使用监督管理条例》第三十八条", Detail: "frequent visits", DetailZh: "频繁就诊",
			Amount: 200.25, Visits: 2, Total: 2, MdtrtIDs: []string{"M1", "M2"}, Fees: []findings.FeeRef{{MdtrtID: "M1", FeedetlSn: "F1"}}}},
		Timeline: []findings.TimelinePoint{{Day: "2025-01-02", Visits: 2, Amount: 200.25}, {Day: "2025-02-03", Visits: 1, Amount: 100.25}},
		Why:      []findings.Signal{{Code: "rule_hits", Zh: "规则命中集中", En: "rule hits concentrate"}},
		VisitRows: []findings.RingVisit{
			{MdtrtID: "M1", Patient: "P1", PatientLabel: "王*", Doctor: "D1", Site: "H1", Begin: "2025-01-02 09:00:00", Fund: 100},
			{MdtrtID: "M2", Patient: "P1", PatientLabel: "王*", Doctor: "D1", Site: "H1", Begin: "2025-01-02 11:00:00", Fund: 100.25},
			{MdtrtID: "M3", Patient: "P2", PatientLabel: "张**", Doctor: "D1", Site: "H1", Begin: "2025-02-03 10:00:00", Fund: 100.25},
		}}
	f := &findings.Findings{Rings: []findings.Ring{ring}, Entities: findings.EntitiesOf([]findings.EntityScore{{Kind: "doctor", ID: "D1", Score: 0.8, RingID: "R001"}})}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := workspace.Case{Clue: workspace.Clue{ID: "CL-000001", Source: workspace.SourceRing, Ref: "R001", Amount: 300.5, Status: "confirmed",
		Members: []string{"clinic:H1", "doctor:D1", "patient:P1", "patient:P2"}, CreatedAt: "2025-03-01T08:00:00Z"},
		Events: []workspace.Event{{At: "2025-03-02T08:00:00Z", By: "wang", From: "verifying", To: "confirmed", Note: "flight check done"}}}
	return Input{Case: c, Findings: f, Ring: &f.Rings[0], Dataset: "huli", By: "wang", At: time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC),
		Tool: "ringlens test", AuditHead: "abc", AuditEntries: 7, Key: key, NoPDFNote: "no PDF in tests",
		Fees: []FeeLine{{MdtrtID: "M1", FeedetlSn: "F1", ItemCode: "X01", ItemName: "针灸", Count: 1, Price: 60, Amount: 60}}, FeesKnown: true,
		People: claims.NewTextMasker(samplePeople.names, samplePeople.certNos)}
}

// samplePeople are the unmasked identities behind sampleInput's members
// (P1, P2, D1), as the claims would hold them.
var samplePeople = struct{ names, certNos []string }{
	names:   []string{"王大伟", "张三丰", "李明"},
	certNos: []string{"350203198705278296", "350203198606252242"},
}

func build(t *testing.T, in Input) *Packet {
	t.Helper()
	p, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func verify(t *testing.T, z []byte, trusted ed25519.PublicKey) *Report {
	t.Helper()
	rep, err := Verify(bytes.NewReader(z), int64(len(z)), trusted)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rezip copies packet z, passing every file through edit (which returns
// the new bytes, or false to drop the file), then adds extra files.
func rezip(t *testing.T, z []byte, edit func(name string, b []byte) ([]byte, bool), extra ...namedFile) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var files []namedFile
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b, keep := edit(f.Name, b); keep {
			files = append(files, namedFile{f.Name, b})
		}
	}
	out, err := zipFiles(append(files, extra...), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifyNamesTampering builds a packet, checks it verifies, then
// tampers with it in every way and checks Verify names each.
func TestVerifyNamesTampering(t *testing.T) {
	in := sampleInput(t)
	p := build(t, in)
	pub := in.Key.Public().(ed25519.PublicKey)
	for _, trusted := range []ed25519.PublicKey{nil, pub} {
		if rep := verify(t, p.Zip, trusted); !rep.OK() || rep.Trusted != (trusted != nil) || rep.Files != len(p.Manifest.Files) {
			t.Fatalf("fresh packet (trusted %v): %+v", trusted != nil, rep)
		}
	}
	otherPub, other, _ := ed25519.GenerateKey(rand.Reader)
	resigned := func(name string, b []byte) ([]byte, bool) {
		switch name {
		case ManifestFile:
			b = bytes.Replace(b, []byte(`"created_by": "wang"`), []byte(`"created_by": "zhao"`), 1)
			return bytes.Replace(b, []byte(Fingerprint(pub)), []byte(Fingerprint(otherPub)), 1), true
		case SignatureFile:
			return nil, false
		case PublicKeyName:
			return EncodePublicKey(otherPub), true
		}
		return b, true
	}
	swapped := rezip(t, p.Zip, resigned)
	// Re-sign the edited manifest with the other key, as a forger would.
	swapped = rezip(t, swapped, func(name string, b []byte) ([]byte, bool) { return b, true },
		namedFile{SignatureFile, ed25519.Sign(other, manifestOf(t, swapped))})

	for _, tc := range []struct {
		name    string
		z       []byte
		trusted ed25519.PublicKey
		want    []string // "kind path" of every problem, in order
	}{
		{"altered file", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) {
			if n == LetterFile {
				return bytes.Replace(b, []byte("公安局"), []byte("检察院"), 1), true
			}
			return b, true
		}), pub, []string{"altered transfer_letter.html"}},
		{"dropped file", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) { return b, n != VisitsXLSX }), nil,
			[]string{"missing visits.xlsx"}},
		{"extra file", rezip(t, p.Zip, func(_ string, b []byte) ([]byte, bool) { return b, true }, namedFile{"notes.txt", []byte("x")}), pub,
			[]string{"extra notes.txt"}},
		{"altered manifest", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) {
			if n == ManifestFile {
				return bytes.Replace(b, []byte(`"audit_entries": 7`), []byte(`"audit_entries": 8`), 1), true
			}
			return b, true
		}), nil, []string{"signature manifest.json"}},
		{"dropped signature", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) { return b, n != SignatureFile }), pub,
			[]string{"signature manifest.sig"}},
		{"dropped manifest", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) { return b, n != ManifestFile }), pub,
			[]string{"manifest manifest.json"}},
		{"swapped key, trusted key given", swapped, pub,
			[]string{"key public_key.pem", "signature manifest.json", "key manifest.json"}},
		// Without a trusted key a packet re-sealed whole with another key
		// is only whole: the key must be compared (docs/packets.md).
		{"swapped key, no trusted key", swapped, nil, nil},
		{"key swapped, manifest kept", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) {
			if n == PublicKeyName {
				return EncodePublicKey(otherPub), true
			}
			return b, true
		}), nil, []string{"signature manifest.json", "key manifest.json"}},
		{"a file listed twice", reseal(t, p.Zip, in.Key, func(m *Manifest) { m.Files = append(m.Files, m.Files[0]) }), pub,
			[]string{"duplicate README.txt"}},
		{"another format", reseal(t, p.Zip, in.Key, func(m *Manifest) { m.Format = "other/1" }), pub,
			[]string{"manifest manifest.json"}},
		{"damaged in the ZIP", damage(t, p.Zip, TimelineXLSX), pub, []string{"altered timeline.xlsx"}},
		{"dropped key", rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) { return b, n != PublicKeyName }), nil,
			[]string{"key public_key.pem", "signature manifest.sig"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := verify(t, tc.z, tc.trusted)
			var got []string
			for _, pr := range rep.Problems {
				got = append(got, pr.Kind+" "+pr.Path)
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("problems %q, want %q\n%v", got, tc.want, rep.Problems)
			}
		})
	}
	if _, err := Verify(bytes.NewReader([]byte("not a zip")), 9, nil); err == nil {
		t.Error("no error for a file that is not a ZIP")
	}
}

// reseal edits the manifest of packet z and signs it again with key, as
// whoever holds the key could.
func reseal(t *testing.T, z []byte, key ed25519.PrivateKey, edit func(*Manifest)) []byte {
	t.Helper()
	var mb []byte
	z = rezip(t, z, func(n string, b []byte) ([]byte, bool) {
		if n != ManifestFile {
			return b, n != SignatureFile
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(&m)
		var err error
		if mb, err = m.encode(); err != nil {
			t.Fatal(err)
		}
		return mb, true
	})
	return rezip(t, z, func(_ string, b []byte) ([]byte, bool) { return b, true }, namedFile{SignatureFile, sign(key, mb)})
}

// damage flips a byte in the middle of file name's compressed data in a
// copy of packet z.
func damage(t *testing.T, z []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(z)
	for _, f := range zr.File {
		if f.Name == name {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			out[off+int64(f.CompressedSize64/2)] ^= 0xff
			return out
		}
	}
	t.Fatalf("no %s in the packet", name)
	return nil
}

// manifestOf returns the manifest bytes of packet z.
func manifestOf(t *testing.T, z []byte) []byte {
	t.Helper()
	var m []byte
	rezip(t, z, func(n string, b []byte) ([]byte, bool) {
		if n == ManifestFile {
			m = b
		}
		return b, true
	})
	return m
}

// TestBuildContents checks the packet's files: the manifest lists every
// file but the seal, the workbooks open with their rows, the letters carry
// the case record, and nothing but masked labels names a person.
func TestBuildContents(t *testing.T) {
	in := sampleInput(t)
	p := build(t, in)
	files := map[string][]byte{}
	rezip(t, p.Zip, func(n string, b []byte) ([]byte, bool) { files[n] = b; return b, true })
	want := []string{ReadmeFile, CaseFile, DossierHTML, ReportFile, MembersXLSX, RuleHitsXLSX, TimelineXLSX, LetterFile, VisitsXLSX}
	if len(p.Manifest.Files) != len(want) {
		t.Errorf("manifest lists %d files, want %d: %+v", len(p.Manifest.Files), len(want), p.Manifest.Files)
	}
	for _, n := range append(want, ManifestFile, SignatureFile, PublicKeyName) {
		if _, ok := files[n]; !ok {
			t.Errorf("packet lacks %s", n)
		}
	}
	if len(p.Manifest.Notes) != 1 || p.Manifest.Notes[0] != "no PDF in tests" {
		t.Errorf("notes %q", p.Manifest.Notes)
	}
	for _, tc := range []struct {
		book, sheet string
		rows        int      // data rows
		cells       []string // some cells' text
	}{
		{MembersXLSX, "成员", 4, []string{"H1", "李*", "张**"}},
		{VisitsXLSX, "就诊", 3, []string{"M3", "王*", "100.25"}},
		{VisitsXLSX, "费用明细", 1, []string{"F1", "针灸", "60"}},
		{VisitsXLSX, "汇总", 7, []string{"300.5"}},
		{RuleHitsXLSX, "证据", 1, []string{"R-FREQ", "min_visits=8; window_days=30", "频繁就诊"}},
		{RuleHitsXLSX, "参数", 2, []string{"window_days"}},
		{RuleHitsXLSX, "引用明细", 2, []string{"F1", "M2"}},
		{TimelineXLSX, "按日", 2, []string{"2025-02-03"}},
		{TimelineXLSX, "按月", 2, []string{"2025-01", "200.25"}},
	} {
		t.Run(tc.book+"/"+tc.sheet, func(t *testing.T) {
			x, err := excelize.OpenReader(bytes.NewReader(files[tc.book]))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			rows, err := x.GetRows(tc.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows)-1 != tc.rows {
				t.Errorf("%d data rows, want %d", len(rows)-1, tc.rows)
			}
			var all []string
			for _, r := range rows {
				all = append(all, r...)
			}
			text := strings.Join(all, "|")
			for _, c := range tc.cells {
				if !strings.Contains(text, c) {
					t.Errorf("no cell %q in %s", c, text)
				}
			}
		})
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{LetterFile, []string{"涉嫌犯罪案件移送函", "CL-000001", "300.50", "flight check done", "wang", "2025年3月3日", p.Manifest.KeyFingerprint, "abc", "抄送"}},
		{ReportFile, []string{"调查报告", "规则命中集中", "R-FREQ", "第四十条", "不少于两人", "D1"}},
		{ReadmeFile, []string{"openssl pkeyutl -verify", p.Manifest.KeyFingerprint}},
	} {
		text := string(files[tc.file])
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", tc.file, w)
			}
		}
	}
	if strings.Contains(string(files[ReportFile]), "P1") {
		t.Error("the investigation report lists patients one by one")
	}
}

// TestBuildOptions covers the PDF printer, its failure, the English
// workbooks, the notes without claims, and refused inputs.
func TestBuildOptions(t *testing.T) {
	in := sampleInput(t)
	in.PDF = func(html []byte) ([]byte, error) { return []byte("%PDF-1.4 test"), nil }
	in.Lang, in.FeesKnown, in.Fees, in.People = "en", false, nil, nil // no claims given
	p := build(t, in)
	var names []string
	for _, e := range p.Manifest.Files {
		names = append(names, e.Path)
	}
	if !strings.Contains(strings.Join(names, ","), DossierPDF) {
		t.Errorf("no %s: %v", DossierPDF, names)
	}
	if len(p.Manifest.Notes) != 2 || !strings.Contains(p.Manifest.Notes[0], "fee lines the evidence cites") || p.Manifest.Notes[1] != NoNamesNote {
		t.Errorf("notes %q", p.Manifest.Notes)
	}
	in.PDF = func([]byte) ([]byte, error) { return nil, errors.New("printer on fire") }
	if _, err := Build(in); err == nil || !strings.Contains(err.Error(), "printer on fire") {
		t.Errorf("PDF failure: %v", err)
	}
	for name, edit := range map[string]func(*Input){
		"no key":      func(in *Input) { in.Key = nil },
		"no ring":     func(in *Input) { in.Ring = nil },
		"no findings": func(in *Input) { in.Findings = nil },
	} {
		in := sampleInput(t)
		edit(&in)
		if _, err := Build(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRingOf(t *testing.T) {
	in := sampleInput(t)
	f := in.Findings
	f.Rings = append(f.Rings, findings.Ring{ID: "R002", Members: []findings.Member{{Kind: "clinic", ID: "H9"}}})
	for _, tc := range []struct {
		name, source, ref string
		members           []string
		want              string // ring id, or "" for an error
	}{
		{"by ref", workspace.SourceRing, "R001", in.Case.Members, "R001"},
		{"renumbered", workspace.SourceRing, "R002", in.Case.Members, "R001"},
		{"most members", workspace.SourceRing, "R007", []string{"clinic:H1", "doctor:D1", "patient:P1"}, "R001"},
		{"too few shared", workspace.SourceRing, "R001", []string{"clinic:H1", "doctor:X", "patient:Y"}, ""},
		{"rule clue", workspace.SourceRule, "R001", in.Case.Members, ""},
		{"no members", workspace.SourceRing, "R001", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := RingOf(f, workspace.Clue{ID: "CL-1", Source: tc.source, Ref: tc.ref, Members: tc.members})
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("ring %s, want an error", r.ID)
			case tc.want != "" && (err != nil || r.ID != tc.want):
				t.Errorf("got %v %v, want %s", r, err, tc.want)
			}
		})
	}
}

// TestKey checks the key is made once with mode 0600, read back the same,
// and refused when others may read it.
func TestKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	k1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, st.Mode())
	}
	k2, err := LoadOrCreateKey(dir)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load: %v, same key %v", err, k1.Equal(k2))
	}
	// Processes racing to make the first key all end with the same one.
	race := t.TempDir()
	keys := make([]ed25519.PrivateKey, 8)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(race) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || !keys[i].Equal(keys[0]) {
			t.Fatalf("racing load %d: %v, same key %v", i, errs[i], keys[i].Equal(keys[0]))
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(b)
	if err != nil || !pub.Equal(k1.Public()) {
		t.Fatalf("public key file: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), EncodePublicKey(pub)[:20]} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q): no error", bad)
		}
	}
	if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); err == nil {
		t.Error("junk key: no error")
	}
}

// unpacked returns the text of every file of packet z by name; a workbook
// (itself a ZIP) as the text of all its parts, so that a cell's text is
// found whatever sheet or shared-strings part holds it.
func unpacked(t *testing.T, z []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	rezip(t, z, func(name string, b []byte) ([]byte, bool) {
		text := string(b)
		if strings.HasSuffix(name, ".xlsx") {
			var parts []string
			rezip(t, b, func(part string, pb []byte) ([]byte, bool) {
				parts = append(parts, string(pb))
				return pb, true
			})
			text = strings.Join(parts, "\n")
		}
		out[name] = text
		return b, true
	})
	return out
}

// TestBuildMasksNotes writes a person's real name, ID number and a mobile
// number into the case record's notes and title, and checks that no file
// of the packet (workbooks opened, the PDF included) holds any of them,
// that the masked forms stand in the case record and the letters, that
// the caller's case is left as it was and that the packet verifies.
func TestBuildMasksNotes(t *testing.T) {
	const (
		name   = "王大伟"
		certNo = "350203198705278296"
		mobile = "13812345678"
		other  = "110101199003071234" // an ID number of nobody in the claims
	)
	note := "约谈" + name + "（身份证" + certNo + "，电话" + mobile + "），另有" + other
	for _, tc := range []struct {
		name   string
		people *claims.TextMasker
		gone   []string // in no file
		masked []string // in case.json and both letters
	}{
		{"with the claims' people", claims.NewTextMasker(samplePeople.names, samplePeople.certNos),
			[]string{name, certNo, mobile, other}, []string{"王**", "350*************96", "138******78", "110*************34"}},
		{"shapes only", nil,
			[]string{certNo, mobile, other}, []string{"350*************96", "138******78", "110*************34"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sampleInput(t)
			in.People = tc.people
			in.PDF = func(html []byte) ([]byte, error) { return html, nil } // a "PDF" of the dossier's text
			in.Case.Title = "举报人称" + name + "持卡"
			in.Case.Events = append(in.Case.Events, workspace.Event{At: "2025-03-02T09:00:00Z", By: "wang", From: "confirmed", To: "confirmed", Note: note})
			p := build(t, in)
			if rep := verify(t, p.Zip, nil); !rep.OK() {
				t.Fatalf("packet does not verify: %+v", rep.Problems)
			}
			files := unpacked(t, p.Zip)
			if len(files) != len(p.Manifest.Files)+3 {
				t.Errorf("%d files, manifest lists %d", len(files), len(p.Manifest.Files))
			}
			for file, text := range files {
				for _, g := range tc.gone {
					if strings.Contains(text, g) {
						t.Errorf("%s holds %q", file, g)
					}
				}
			}
			for _, file := range []string{CaseFile, LetterFile, ReportFile} {
				for _, m := range tc.masked {
					if !strings.Contains(files[file], m) {
						t.Errorf("%s lacks the masked %q", file, m)
					}
				}
			}
			if got := in.Case.Events[len(in.Case.Events)-1].Note; got != note {
				t.Errorf("Build changed the caller's case: %q", got)
			}
		})
	}
}
