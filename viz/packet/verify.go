package packet

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Kinds of Problem.
const (
	ProblemMissing   = "missing"   // a file of the manifest is not in the packet
	ProblemExtra     = "extra"     // a file in the packet is not in the manifest
	ProblemAltered   = "altered"   // a file's bytes differ from its manifest entry
	ProblemSignature = "signature" // the manifest's signature does not hold, or is absent
	ProblemKey       = "key"       // the signing key is absent, unreadable or not the trusted one
	ProblemManifest  = "manifest"  // the manifest is absent or unreadable
	ProblemDuplicate = "duplicate" // a name twice in the ZIP or the manifest
)

// Problem is one way a packet differs from what was sealed.
type Problem struct {
	Kind   string `json:"kind"`
	Path   string `json:"path,omitempty"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Kind + ": " + p.Detail
	}
	return p.Kind + ": " + p.Path + ": " + p.Detail
}

// Report is what Verify found.
type Report struct {
	Manifest *Manifest `json:"manifest"` // nil when the manifest is absent or unreadable
	// KeyFingerprint is the fingerprint of the key the signature was
	// checked with: the trusted key when one was given, else the packet's.
	KeyFingerprint string    `json:"key_fingerprint"`
	Trusted        bool      `json:"trusted"` // the signature was checked with a trusted key
	Files          int       `json:"files"`   // files the manifest lists
	Problems       []Problem `json:"problems"`
}

// OK reports whether the packet is as sealed.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(kind, path, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Kind: kind, Path: path, Detail: fmt.Sprintf(format, args...)})
}

// Verify checks the packet in z (size bytes): the manifest's signature with
// trusted (the key the bureau gave apart; nil to use the key the packet
// carries, which shows only that the packet is whole, not who sealed it),
// the packet's key against trusted, and every file against the manifest.
// It returns every problem found; an error only when z is not a ZIP.
func Verify(z io.ReaderAt, size int64, trusted ed25519.PublicKey) (*Report, error) {
	if trusted != nil && len(trusted) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("packet: trusted key of %d bytes, want %d", len(trusted), ed25519.PublicKeySize)
	}
	zr, err := zip.NewReader(z, size)
	if err != nil {
		return nil, fmt.Errorf("packet: not a ZIP file: %w", err)
	}
	rep := &Report{Problems: []Problem{}}
	files := map[string]FileEntry{} // every entry's size and hash
	seals := map[string][]byte{}    // the seal files' bytes
	unreadable := map[string]bool{}
	var names []string
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			rep.add(ProblemDuplicate, f.Name, "the name is in the ZIP twice")
			continue
		}
		seal := f.Name == ManifestFile || f.Name == SignatureFile || f.Name == PublicKeyName
		e, b, err := readEntry(f, seal)
		switch {
		case err != nil:
			rep.add(ProblemAltered, f.Name, "cannot be read: %v", err)
			unreadable[f.Name] = true
		case seal:
			seals[f.Name] = b
		}
		files[f.Name] = e
		names = append(names, f.Name)
	}
	pub, hasPub := seals[PublicKeyName]
	key := checkKey(rep, pub, hasPub, trusted)
	mb, ok := seals[ManifestFile]
	if !ok {
		rep.add(ProblemManifest, ManifestFile, "absent: nothing can be checked")
		return rep, nil
	}
	switch sig, has := seals[SignatureFile]; {
	case !has:
		rep.add(ProblemSignature, SignatureFile, "absent: the manifest is not signed")
	case key == nil:
		rep.add(ProblemSignature, SignatureFile, "not checked: no key")
	case !ed25519.Verify(key, mb, sig):
		rep.add(ProblemSignature, ManifestFile, "the signature does not hold: manifest.json was altered, or signed with another key")
	}
	m, err := decodeManifest(mb)
	if err != nil {
		rep.add(ProblemManifest, ManifestFile, "%v", err)
		return rep, nil
	}
	rep.Manifest, rep.Files = m, len(m.Files)
	if key != nil && m.KeyFingerprint != Fingerprint(key) {
		rep.add(ProblemKey, ManifestFile, "names key %s, checked with key %s", m.KeyFingerprint, Fingerprint(key))
	}
	listed := map[string]bool{ManifestFile: true, SignatureFile: true, PublicKeyName: true}
	for _, e := range m.Files {
		if listed[e.Path] {
			rep.add(ProblemDuplicate, e.Path, "listed twice in the manifest, or a seal file listed")
			continue
		}
		listed[e.Path] = true
		switch got, ok := files[e.Path]; {
		case !ok:
			rep.add(ProblemMissing, e.Path, "in the manifest, not in the packet")
		case unreadable[e.Path]:
			// reported above
		case got.SHA256 != e.SHA256 || got.Size != e.Size:
			rep.add(ProblemAltered, e.Path, "SHA-256 %s (%d bytes), the manifest says %s (%d bytes)", got.SHA256, got.Size, e.SHA256, e.Size)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if !listed[n] {
			rep.add(ProblemExtra, n, "in the packet, not in the manifest")
		}
	}
	return rep, nil
}

// checkKey returns the key to check the signature with and records key
// problems: the packet's key absent or unreadable, or not the trusted one.
func checkKey(rep *Report, pem []byte, present bool, trusted ed25519.PublicKey) ed25519.PublicKey {
	var carried ed25519.PublicKey
	switch {
	case !present:
		rep.add(ProblemKey, PublicKeyName, "absent")
	default:
		k, err := ParsePublicKey(pem)
		if err != nil {
			rep.add(ProblemKey, PublicKeyName, "%v", err)
		}
		carried = k
	}
	if trusted == nil {
		if carried != nil {
			rep.KeyFingerprint = Fingerprint(carried)
		}
		return carried
	}
	rep.Trusted, rep.KeyFingerprint = true, Fingerprint(trusted)
	if carried != nil && !carried.Equal(trusted) {
		rep.add(ProblemKey, PublicKeyName, "the packet carries key %s, not the trusted key %s (the key was swapped)", Fingerprint(carried), Fingerprint(trusted))
	}
	return trusted
}

// MaxSealSize bounds the bytes of a seal file (manifest, signature, key).
const MaxSealSize = 16 << 20

// readEntry hashes one ZIP entry (the ZIP reader checks its CRC-32) and,
// when keep is set, returns its bytes too (at most MaxSealSize).
func readEntry(f *zip.File, keep bool) (FileEntry, []byte, error) {
	e := FileEntry{Path: f.Name}
	if keep && f.UncompressedSize64 > MaxSealSize {
		return e, nil, fmt.Errorf("%d bytes, more than a seal file may have (%d)", f.UncompressedSize64, MaxSealSize)
	}
	rc, err := f.Open()
	if err != nil {
		return e, nil, err
	}
	defer rc.Close()
	h := sha256.New()
	var buf bytes.Buffer
	r, w := io.Reader(rc), io.Writer(h)
	if keep {
		r, w = io.LimitReader(rc, MaxSealSize+1), io.MultiWriter(h, &buf)
	}
	if e.Size, err = io.Copy(w, r); err != nil {
		return e, nil, err
	}
	if e.Size > MaxSealSize && keep {
		return e, nil, errors.New("larger than its header says")
	}
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	return e, buf.Bytes(), nil
}
