package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/vocab"
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

// TestUserDisable disables a user while `ringlens serve` runs on the
// workspace: the user's session ends at once, a new login with the right
// password is refused (403), `user list` shows it, `user enable` lets it
// in again, and each change is in the exported trail, which verifies.
func TestUserDisable(t *testing.T) {
	state := t.TempDir()
	t.Setenv("RINGLENS_PASSWORD", killPassword)
	if r := runBinary(t, "user", "add", "--state", state, "--name", "ivan", "--role", "investigator"); r.code != exitOK {
		t.Fatalf("user add: exit %d\n%s", r.code, r.stderr)
	}
	p := startServe(t, state)
	c, err := loginClient(t, p, "ivan")
	if err != nil {
		t.Fatal(err)
	}
	get := func(c *caseClient, path string) int {
		t.Helper()
		res, err := c.c.Get(c.url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get(c, "api/v1/rings"); code != http.StatusOK {
		t.Fatalf("rings before: %d", code)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no name", []string{"disable", "--state", state}, exitUsage, "--name is required"},
		{"no state", []string{"disable", "--name", "ivan"}, exitUsage, "--state is required"},
		{"unknown user", []string{"disable", "--state", state, "--name", "nobody"}, exitUsage, "no such user"},
		{"long reason", []string{"disable", "--state", state, "--name", "ivan", "--reason", strings.Repeat("x", 501)}, exitUsage, "--reason"},
		{"disable", []string{"disable", "--state", state, "--name", "ivan", "--by", "ada", "--reason", "left the team"}, exitOK, "user ivan: disabled, 1 session(s) ended"},
		{"disable again", []string{"disable", "--state", state, "--name", "ivan", "--by", "ada"}, exitOK, "user ivan: already disabled"},
		{"list", []string{"list", "--state", state}, exitOK, "disabled since"},
	} {
		r := runBinary(t, append([]string{"user"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
	}
	if code := get(c, "api/v1/rings"); code != http.StatusUnauthorized {
		t.Errorf("rings with the session of a disabled user: %d, want 401", code)
	}
	if _, err := loginClient(t, p, "ivan"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("login of a disabled user: %v, want 403", err)
	}
	if r := runBinary(t, "user", "enable", "--state", state, "--name", "ivan", "--by", "ada"); r.code != exitOK || !strings.Contains(r.stdout, "user ivan: enabled") {
		t.Errorf("enable: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	c, err = loginClient(t, p, "ivan")
	if err != nil {
		t.Fatalf("login after enable: %v", err)
	}
	if code := get(c, "api/v1/rings"); code != http.StatusOK {
		t.Errorf("rings after enable: %d", code)
	}

	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	if r := runBinary(t, "audit", "export", "--state", state, "--out", trail); r.code != exitOK {
		t.Fatalf("audit export: exit %d\n%s", r.code, r.stderr)
	}
	if r := runBinary(t, "audit", "verify", trail); r.code != exitOK {
		t.Fatalf("audit verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e workspace.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		switch e.Action {
		case vocab.AuditUserDisable:
			if e.Who != "ada" || e.Subject != "ivan" || e.Why != "left the team" || !strings.Contains(string(e.Detail), `"sessions_ended":1`) {
				t.Errorf("disable audited as %+v", e)
			}
		case vocab.AuditLoginFailed:
			if !strings.Contains(string(e.Detail), `"disabled":true`) {
				t.Errorf("refused login audited as %+v", e)
			}
		}
		actions = append(actions, e.Action)
	}
	want := []string{vocab.AuditUserAdd, vocab.AuditLogin, vocab.AuditViewRing, vocab.AuditUserDisable, vocab.AuditLoginFailed,
		vocab.AuditUserEnable, vocab.AuditLogin, vocab.AuditViewRing}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("trail %v, want %v", actions, want)
	}
}
