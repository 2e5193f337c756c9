package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/workspace"
)

// TestUserCommands adds users (the password only from RINGLENS_PASSWORD),
// lists them and puts an investigator on a case; usage errors exit 2 and
// the password is nowhere in the workspace's files.
func TestUserCommands(t *testing.T) {
	state := t.TempDir()
	if r := runBinary(t, "detect", "--in", serveFixture, "--out", t.TempDir(), "--state", state); r.code != exitOK {
		t.Fatalf("detect: exit %d\n%s", r.code, r.stderr)
	}
	const password = "a long test password"
	userCmd := func(env string, args ...string) result {
		t.Helper()
		t.Setenv("RINGLENS_PASSWORD", env) // the binary inherits the environment
		return runBinary(t, append([]string{"user"}, args...)...)
	}
	tests := []struct {
		name, env string
		args      []string
		code      int
		want      string
	}{
		{"no password", "", []string{"add", "--state", state, "--name", "wang", "--role", "investigator"}, exitUsage, "RINGLENS_PASSWORD"},
		{"short password", "short", []string{"add", "--state", state, "--name", "wang", "--role", "investigator"}, exitUsage, "at least"},
		{"unknown role", password, []string{"add", "--state", state, "--name", "wang", "--role", "root"}, exitUsage, "unknown --role"},
		{"bad name", password, []string{"add", "--state", state, "--name", "wang li", "--role", "admin"}, exitUsage, "--name"},
		{"no state", password, []string{"add", "--name", "wang", "--role", "admin"}, exitUsage, "--state is required"},
		{"add", password, []string{"add", "--state", state, "--name", "wang", "--role", "investigator"}, exitOK, "user wang: investigator"},
		{"add reviewer", password, []string{"add", "--state", state, "--name", "zhao", "--role", "reviewer"}, exitOK, "user zhao: reviewer"},
		{"list", "", []string{"list", "--state", state}, exitOK, "wang"},
		{"assign", "", []string{"assign", "--state", state, "--case", "CL-000001", "--name", "wang", "--by", "li"}, exitOK, "wang is on the case"},
		{"assign a reviewer", "", []string{"assign", "--state", state, "--case", "CL-000001", "--name", "zhao"}, exitUsage, "only investigators"},
		{"assign unknown", "", []string{"assign", "--state", state, "--case", "CL-000001", "--name", "nobody"}, exitUsage, "no such user"},
	}
	for _, tc := range tests {
		r := userCmd(tc.env, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
	}
	for _, f := range []string{workspace.FileName, workspace.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(state, f))
		if err != nil {
			continue // the WAL may have been checkpointed away
		}
		if strings.Contains(string(b), password) {
			t.Errorf("%s holds the password in clear", f)
		}
	}
}
