package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runNeo4jCLI runs `ringlens neo4j ARGS` in process and returns the exit
// code and outputs.
func runNeo4jCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app, _ := newApp(&stdout, &stderr)
	err := app.RunContext(context.Background(), append([]string{"ringlens", "neo4j"}, args...))
	code := exitOK
	var ue usageError
	switch {
	case errors.As(err, &ue):
		code = exitUsage
	case err != nil:
		code = exitError
	}
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return code, stdout.String(), stderr.String()
}

func TestNeo4jExportCLI(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	out := t.TempDir()
	code, stdout, stderr := runNeo4jCLI(t, "export", "--in", in, "--out", out, "--log-format", "json", "--log-level", "warn")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Log(strings.SplitN(stdout, "\n", 2)[0])
	if !strings.Contains(stdout, "neo4j-admin database import full") {
		t.Errorf("no import command printed:\n%s", stdout)
	}
	for _, name := range []string{"README.md", "nodes_patient.csv", "nodes_clinic.csv", "rels_visited.csv", "nodes_ring.csv", "rels_member_of_patient.csv",
		"nodes_feeline.csv", "nodes_item.csv", "rels_billed.csv", "rels_evidence_of.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	f, err := os.Open(filepath.Join(out, "nodes_patient.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatal(err)
	}
	if h[0] != "psn_no:ID(Patient)" || h[len(h)-1] != ":LABEL" {
		t.Errorf("patient header %v", h)
	}
}

func TestNeo4jUsageErrors(t *testing.T) {
	t.Setenv(neo4jPasswordEnv, "x")
	os.Unsetenv(neo4jPasswordEnv)
	for _, args := range [][]string{
		{"push", "--in", "x"},                                      // no NEO4J_PASSWORD
		{"push", "--in", "x", "--password", "secret"},              // no password flag
		{"push", "--in", "x", "--uri", "http://localhost:7474"},    // wrong scheme
		{"export", "--in", "x"},                                    // no --out
		{"export", "--out", t.TempDir()},                           // no --in
		{"export", "--in", "x", "--out", t.TempDir(), "--run", ""}, // empty run
	} {
		if code, _, stderr := runNeo4jCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}

func TestNeo4jSourceFlags(t *testing.T) {
	names := map[string]bool{}
	for _, f := range neo4jSourceFlags() {
		for _, n := range f.Names() {
			if names[n] {
				t.Errorf("duplicate flag %s", n)
			}
			names[n] = true
		}
	}
	for _, n := range []string{"uri", "user", "database", "neo4j-page", "neo4j-gds"} {
		if !names[n] {
			t.Errorf("missing flag --%s", n)
		}
	}
	if names["password"] {
		t.Error("password must not be a flag")
	}
}
