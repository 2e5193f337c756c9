package packet

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyFile is the workspace's private signing key inside the state
// directory: an Ed25519 key, PKCS #8 in PEM, readable by its owner only.
const KeyFile = "packet_ed25519.pem"

// PublicKeyFile is the workspace's public key beside KeyFile (PKIX in PEM),
// the file to hand to whoever verifies the workspace's packets.
const PublicKeyFile = "packet_ed25519.pub.pem"

// LoadOrCreateKey returns the signing key of the workspace in the state
// directory dir, generating it on first use (KeyFile with mode 0600 and
// PublicKeyFile with 0644). Two processes creating it at once end with the
// same key. A key file that others may read or write is refused.
func LoadOrCreateKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := readPrivateKey(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKey(dir); err != nil {
			return nil, err
		}
		key, err = readPrivateKey(path)
	}
	if err != nil {
		return nil, err
	}
	pub := filepath.Join(dir, PublicKeyFile)
	if _, err := os.Stat(pub); errors.Is(err, os.ErrNotExist) {
		if err := WriteFile(pub, EncodePublicKey(key.Public().(ed25519.PublicKey)), 0o644); err != nil {
			return nil, fmt.Errorf("packet: write public key: %w", err)
		}
	}
	return key, nil
}

// createKey generates a key and links it into place, failing on nothing
// when another process did so first.
func createKey(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("packet: create state directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("packet: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("packet: encode key: %w", err)
	}
	tmp, err := writeTemp(dir, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if err != nil {
		return fmt.Errorf("packet: write key: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, filepath.Join(dir, KeyFile)); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("packet: store key: %w", err)
	}
	return nil
}

// readPrivateKey reads KeyFile, refusing one that group or others may use.
func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("packet: key %s has mode %04o: others may read it (chmod 600 it, or remove it to make a new key)", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("packet: read key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("packet: key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("packet: key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("packet: key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// EncodePublicKey returns pub as PEM (PKIX, "PUBLIC KEY"), what openssl
// reads with -pubin.
func EncodePublicKey(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // only for key types x509 does not know
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKey reads an Ed25519 public key in PEM (PKIX).
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an Ed25519 public key")
	}
	return pub, nil
}

// Fingerprint is the hex SHA-256 of the raw 32-byte public key, the short
// name a key is compared by.
func Fingerprint(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:])
}

// WriteFile writes b to path with mode through a temporary file in the
// same directory, synced and renamed into place: a reader sees the old
// file or the whole new one, never a part.
func WriteFile(path string, b []byte, mode os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), b, mode)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, path)
}

// writeTemp writes b to a new temporary file in dir with mode (set before
// any byte is written), synced, and returns its name; the caller moves it
// into place or removes it.
func writeTemp(dir string, b []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", err
	}
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
