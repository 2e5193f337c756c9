package findings

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// module returns the module path of go.mod at the repository root.
func module(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// imports returns the import paths of every Go file below dir (test files
// included, testdata left out), by file.
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != dir && (n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		out[path] = []string{}
		for _, is := range f.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return err
			}
			out[path] = append(out[path], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGraphImportsNothingAbove keeps the bottom floor at the bottom: no
// package under graph/ (this contract, Neo4j, the claims, in test files
// too) imports the algorithms, the views or the commands built on it.
// A test that needs detection belongs to the command layer (cmd/ringlens).
func TestGraphImportsNothingAbove(t *testing.T) {
	mod := module(t)
	files := imports(t, "..")
	if len(files) < 10 {
		t.Fatalf("only %d Go files under graph/: wrong directory?", len(files))
	}
	for path, ps := range files {
		for _, p := range ps {
			for _, above := range []string{"algorithms", "viz", "cmd"} {
				if p == mod+"/"+above || strings.HasPrefix(p, mod+"/"+above+"/") {
					t.Errorf("%s imports %s: graph/ must not depend on %s/", filepath.ToSlash(path), p, above)
				}
			}
		}
	}
}

// TestFindingsImports keeps the contract free of everything but the
// standard library, graph, graph/claims and graph/vocab.
func TestFindingsImports(t *testing.T) {
	mod := module(t)
	allowed := map[string]bool{mod + "/graph": true, mod + "/graph/claims": true, mod + "/graph/vocab": true}
	for path, ps := range imports(t, ".") {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		for _, p := range ps {
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !allowed[p] {
				t.Errorf("%s imports %s: the findings contract may import only the standard library, graph, graph/claims and graph/vocab", path, p)
			}
		}
	}
}

// TestVocabImportsOnlyStd keeps the vocabulary at the very bottom: every
// package may label its codes with it, so it imports only the standard
// library.
func TestVocabImportsOnlyStd(t *testing.T) {
	for path, ps := range imports(t, filepath.Join("..", "vocab")) {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		for _, p := range ps {
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				t.Errorf("%s imports %s: graph/vocab may import only the standard library", filepath.ToSlash(path), p)
			}
		}
	}
}
