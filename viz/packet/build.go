package packet

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/ringlens/ringlens/viz/report"
)

// Names of the files of a packet (besides the seal files).
const (
	ReadmeFile   = "README.txt"
	CaseFile     = "case.json"
	DossierHTML  = "dossier.html"
	DossierPDF   = "dossier.pdf"
	MembersXLSX  = "members.xlsx"
	VisitsXLSX   = "visits.xlsx"
	RuleHitsXLSX = "rule_hits.xlsx"
	TimelineXLSX = "timeline.xlsx"
	LetterFile   = "transfer_letter.html"
	ReportFile   = "investigation_report.html"
)

// Input is what a packet is built from.
type Input struct {
	Case     workspace.Case     // the case record (Workspace.Show)
	Findings *findings.Findings // the detect output (report.ReadFindings, with ReadRingVisits)
	Ring     *findings.Ring     // the case's ring in Findings (RingOf)
	Dataset  string             // name of the detect output, may be empty
	Lang     string             // language of the dossier and workbooks: zh (default) or en
	Fees     []FeeLine          // the fee lines of the ring's visits (FeeLinesOf)
	// FeesKnown says Fees was read from the claims; without it visits.xlsx
	// lists only the fee lines the evidence cites.
	FeesKnown bool
	// AuditHead and AuditEntries are the workspace's audit trail as it
	// stands before the build (Workspace.AuditEntries).
	AuditHead    string
	AuditEntries int64
	By           string    // who builds the packet
	At           time.Time // when (the manifest's created_at)
	Tool         string    // the building program and version
	// PDF prints the dossier's HTML to PDF; nil leaves dossier.pdf out,
	// noted in the manifest with NoPDFNote.
	PDF       func(html []byte) ([]byte, error)
	NoPDFNote string
	Key       ed25519.PrivateKey // the workspace's signing key (LoadOrCreateKey)
	// People masks the personal data in the case record's free text (its
	// title, the notes of its state changes) before any file is written:
	// the names and certificate numbers of the people of the claims
	// (KnownPeople) and anything shaped like an ID or mobile number. Nil
	// masks the shapes only, noted in the manifest with NoNamesNote.
	People *claims.TextMasker
}

// Packet is a built packet.
type Packet struct {
	Zip      []byte   // the ZIP file
	Manifest Manifest // what manifest.json says
	// ManifestSHA256 is the hex SHA-256 of manifest.json, the packet's
	// short name (recorded in the audit trail).
	ManifestSHA256 string
}

// RingOf returns the ring of f that is case c: the ring whose id is the
// clue's last ring id when it shares at least half its members (Jaccard of
// kind:id), else the ring sharing most members, at least half. It fails for
// a clue that is not a ring clue and when no ring of f is the clue's.
func RingOf(f *findings.Findings, c workspace.Clue) (*findings.Ring, error) {
	if c.Source != workspace.SourceRing {
		return nil, fmt.Errorf("packet: case %s is a %s clue: a packet holds one ring, and only ring clues have one", c.ID, c.Source)
	}
	best, bestJ := -1, 0.0
	for i := range f.Rings {
		j := jaccard(c.Members, f.Rings[i].Members)
		if f.Rings[i].ID == c.Ref && j >= workspace.DefaultJaccard {
			return &f.Rings[i], nil
		}
		if j > bestJ {
			best, bestJ = i, j
		}
	}
	if best < 0 || bestJ < workspace.DefaultJaccard {
		return nil, fmt.Errorf("packet: the detect output holds no ring of case %s (ring %s with these members): give the output of the run that recorded it", c.ID, c.Ref)
	}
	return &f.Rings[best], nil
}

// jaccard is the Jaccard similarity of a clue's members (kind:id) and a
// ring's.
func jaccard(clue []string, ms []findings.Member) float64 {
	a := make(map[string]bool, len(clue))
	for _, m := range clue {
		a[m] = true
	}
	inter, union := 0, len(a)
	for _, m := range ms {
		if a[m.Kind+":"+m.ID] {
			inter++
		} else {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// Build writes the packet of in: every file, the manifest of their hashes
// and its signature, as one ZIP in memory. The case record's free text is
// masked (Input.People) before anything is written.
func Build(in Input) (*Packet, error) {
	switch {
	case in.Findings == nil || in.Ring == nil:
		return nil, errors.New("packet: no findings or ring given")
	case len(in.Key) != ed25519.PrivateKeySize:
		return nil, errors.New("packet: no signing key given")
	}
	m := Manifest{Format: Format, Case: in.Case.ID, Ring: in.Ring.ID, Dataset: in.Dataset,
		CreatedAt: in.At.UTC().Format(time.RFC3339), CreatedBy: in.By, Tool: in.Tool,
		AuditHead: in.AuditHead, AuditEntries: in.AuditEntries,
		KeyFingerprint: Fingerprint(in.Key.Public().(ed25519.PublicKey)), Notes: []string{}}
	if in.PDF == nil && in.NoPDFNote != "" {
		m.Notes = append(m.Notes, in.NoPDFNote)
	}
	if !in.FeesKnown {
		m.Notes = append(m.Notes, "visits.xlsx lists only the fee lines the evidence cites: the claims were not given")
	}
	if in.People == nil {
		m.Notes = append(m.Notes, NoNamesNote)
	}
	in.Case = in.Case.Masked(in.People)
	files, err := contents(in, m.KeyFingerprint)
	if err != nil {
		return nil, err
	}
	files = append(files, namedFile{ReadmeFile, readme(m)})
	slices.SortFunc(files, func(a, b namedFile) int { return strings.Compare(a.name, b.name) })
	m.Files = entries(files)
	mb, err := m.encode()
	if err != nil {
		return nil, err
	}
	files = append(files, namedFile{ManifestFile, mb}, namedFile{SignatureFile, sign(in.Key, mb)},
		namedFile{PublicKeyName, EncodePublicKey(in.Key.Public().(ed25519.PublicKey))})
	z, err := zipFiles(files, in.At)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(mb)
	return &Packet{Zip: z, Manifest: m, ManifestSHA256: hex.EncodeToString(s[:])}, nil
}

// contents writes the packet's documents: the case record, the dossier
// (and its PDF), the workbooks, then the report skeleton and the transfer
// letter, which list the files before them.
func contents(in Input, fingerprint string) ([]namedFile, error) {
	l := languageOf(in.Lang)
	var files []namedFile
	add := func(name string, b []byte) { files = append(files, namedFile{name, b}) }
	caseJSON, err := json.MarshalIndent(in.Case, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("packet: case record: %w", err)
	}
	add(CaseFile, append(caseJSON, '\n'))
	var html bytes.Buffer
	if err := report.WriteDossier(&html, in.Findings, in.Ring.ID, in.Dataset, l.code()); err != nil {
		return nil, fmt.Errorf("packet: dossier: %w", err)
	}
	add(DossierHTML, html.Bytes())
	if in.PDF != nil {
		pdf, err := in.PDF(html.Bytes())
		if err != nil {
			return nil, fmt.Errorf("packet: dossier PDF: %w", err)
		}
		add(DossierPDF, pdf)
	}
	for _, b := range []struct {
		name  string
		build func(Input, language) ([]byte, error)
	}{{MembersXLSX, membersBook}, {VisitsXLSX, visitsBook}, {RuleHitsXLSX, ruleHitsBook}, {TimelineXLSX, timelineBook}} {
		x, err := b.build(in, l)
		if err != nil {
			return nil, fmt.Errorf("packet: %s: %w", b.name, err)
		}
		add(b.name, x)
	}
	for _, d := range []struct{ name, tmpl string }{{ReportFile, reportTemplate}, {LetterFile, letterTemplate}} {
		b, err := writeLetter(d.tmpl, in, fingerprint, entries(files))
		if err != nil {
			return nil, fmt.Errorf("packet: %s: %w", d.name, err)
		}
		add(d.name, b)
	}
	return files, nil
}

// namedFile is one file of a packet.
type namedFile struct {
	name string
	b    []byte
}

// entries lists the manifest entries of files.
func entries(files []namedFile) []FileEntry {
	out := make([]FileEntry, len(files))
	for i, f := range files {
		out[i] = entryOf(f.name, f.b)
	}
	return out
}

// zipFiles writes files into a ZIP, deflated, each dated at.
func zipFiles(files []namedFile, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return nil, fmt.Errorf("packet: zip %s: %w", f.name, err)
		}
		if _, err := w.Write(f.b); err != nil {
			return nil, fmt.Errorf("packet: zip %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("packet: zip: %w", err)
	}
	return buf.Bytes(), nil
}
