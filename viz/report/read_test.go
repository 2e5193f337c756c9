package report

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
)

// writeDir writes rings.json and entities.csv of f into a temporary
// directory.
func writeDir(t *testing.T, f *findings.Findings) string {
	t.Helper()
	dir := t.TempDir()
	var rj, ec bytes.Buffer
	if err := WriteRingsJSON(&rj, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteEntitiesCSV(&ec, f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, RingsFile), rj.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, EntitiesFile), ec.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadFindingsRoundTrip(t *testing.T) {
	capped := sample()
	capped.RingsNotReported = 7
	for name, f := range map[string]*findings.Findings{"sample": sample(), "empty": {}, "capped": capped} {
		t.Run(name, func(t *testing.T) {
			dir := writeDir(t, f)
			got, err := ReadFindings(dir)
			if err != nil {
				t.Fatal(err)
			}
			// Writing what was read gives the same bytes.
			again := writeDir(t, got)
			for _, file := range []string{RingsFile, EntitiesFile} {
				a, _ := os.ReadFile(filepath.Join(dir, file))
				b, _ := os.ReadFile(filepath.Join(again, file))
				if !bytes.Equal(a, b) {
					t.Errorf("%s: rewrite after read differs", file)
				}
			}
			if got.RingsNotReported != f.RingsNotReported {
				t.Errorf("read %d rings not reported, wrote %d", got.RingsNotReported, f.RingsNotReported)
			}
			if len(got.Rings) != len(f.Rings) || got.Entities.Len() != f.Entities.Len() ||
				len(got.SingleHits) != len(f.SingleHits) || len(got.DataQuality) != len(f.DataQuality) {
				t.Fatalf("read %d rings, %d entities, %d hits, %d dq; want %d, %d, %d, %d", len(got.Rings), got.Entities.Len(),
					len(got.SingleHits), len(got.DataQuality), len(f.Rings), f.Entities.Len(), len(f.SingleHits), len(f.DataQuality))
			}
			for i, e := range f.Entities.All() {
				g := got.Entities.At(i)
				if g.Kind != e.Kind || g.ID != e.ID || g.RingID != e.RingID || !reflect.DeepEqual(g.Reasons, e.Reasons) ||
					g.Score != round(e.Score, scoreDecimals) {
					t.Errorf("entity %d: read %+v; wrote %+v", i, g, e)
				}
			}
			for i, r := range f.Rings {
				g := got.Rings[i]
				if g.ID != r.ID || g.Rank != r.Rank || g.Score != round(r.Score, scoreDecimals) ||
					!reflect.DeepEqual(g.Members[0], normRing(r).Members[0]) || len(g.Evidence) != len(r.Evidence) ||
					len(g.Timeline) != len(r.Timeline) || g.Article != r.Article {
					t.Errorf("ring %d: read %+v", i, g)
				}
			}
		})
	}
}

func TestReadFindingsErrors(t *testing.T) {
	good := writeDir(t, sample())
	ringsJSON, _ := os.ReadFile(filepath.Join(good, RingsFile))
	tests := []struct {
		name, rings, entities string
		want                  string // in the error
	}{
		{"missing rings.json", "", "kind,id,score,ring_id,reasons\n", RingsFile},
		{"bad rings.json", "{", "kind,id,score,ring_id,reasons\n", RingsFile},
		{"missing entities.csv", string(ringsJSON), "", EntitiesFile},
		{"bad header", string(ringsJSON), "kind,id,score\n", "header"},
		{"bad score", string(ringsJSON), "kind,id,score,ring_id,reasons\npatient,a,high,,\n", "line 2"},
		{"empty entities", string(ringsJSON), "-", "empty file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.rings != "" {
				os.WriteFile(filepath.Join(dir, RingsFile), []byte(tc.rings), 0o644)
			}
			switch tc.entities {
			case "":
			case "-":
				os.WriteFile(filepath.Join(dir, EntitiesFile), nil, 0o644)
			default:
				os.WriteFile(filepath.Join(dir, EntitiesFile), []byte(tc.entities), 0o644)
			}
			_, err := ReadFindings(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadFindings: %v; want an error naming %q", err, tc.want)
			}
		})
	}
}
