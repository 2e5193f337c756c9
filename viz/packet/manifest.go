package packet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Names of the seal files at the root of a packet; every other file is
// listed in the manifest.
const (
	ManifestFile  = "manifest.json"
	SignatureFile = "manifest.sig"
	PublicKeyName = "public_key.pem"
)

// Format is the manifest's format name; Verify refuses any other.
const Format = "ringlens-evidence-packet/1"

// Manifest describes a packet: what case and ring it is about, who built it
// when, and the SHA-256 and size of every file. Its JSON (two-space
// indented, fields in this order, files by path) is what manifest.sig
// signs, byte for byte.
type Manifest struct {
	Format    string `json:"format"`
	Case      string `json:"case"`       // clue id, CL-000001
	Ring      string `json:"ring"`       // ring id in the detect output
	Dataset   string `json:"dataset"`    // name of the detect output directory
	CreatedAt string `json:"created_at"` // RFC 3339 UTC
	CreatedBy string `json:"created_by"`
	Tool      string `json:"tool"` // the building program and version
	// AuditHead is the hash of the workspace's last audit entry before the
	// build, and AuditEntries their number: the trail as it stood. The
	// build's own entry follows it and names the manifest's SHA-256.
	AuditHead    string `json:"audit_head"`
	AuditEntries int64  `json:"audit_entries"`
	// KeyFingerprint is the SHA-256 (hex) of the raw Ed25519 public key
	// that signs the manifest (Fingerprint).
	KeyFingerprint string `json:"key_fingerprint"`
	// Notes say what the packet lacks and why (no PDF printer, no claims
	// for the fee lines).
	Notes []string    `json:"notes"`
	Files []FileEntry `json:"files"`
}

// FileEntry is one file of a packet.
type FileEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// entryOf returns the manifest entry of a file's bytes.
func entryOf(path string, b []byte) FileEntry {
	s := sha256.Sum256(b)
	return FileEntry{Path: path, Size: int64(len(b)), SHA256: hex.EncodeToString(s[:])}
}

// encode returns the manifest's signed bytes.
func (m *Manifest) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("packet: encode manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeManifest parses manifest bytes strictly: unknown fields, trailing
// data and another format are refused.
func decodeManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a packet manifest: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not a packet manifest: data after the object")
	}
	if m.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", m.Format, Format)
	}
	return &m, nil
}

// sign returns the Ed25519 signature (64 raw bytes) of the manifest bytes.
func sign(key ed25519.PrivateKey, manifest []byte) []byte {
	return ed25519.Sign(key, manifest)
}
