package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkspaceE2E runs detect --state twice on the Huli fixture (same
// clue ids), works a case through its states, imports a national batch
// twice, and exports and verifies the audit trail, then a tampered copy;
// no personal data in any output, the trail or the database.
func TestWorkspaceE2E(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	state, tmp := t.TempDir(), t.TempDir()
	var logs strings.Builder
	run := func(args ...string) result {
		t.Helper()
		r := runBinary(t, args...)
		logs.WriteString(r.stdout + r.stderr)
		return r
	}
	type clue struct {
		ID, Source, Ref, Status, Due string
		Overdue                      bool
	}
	list := func(args ...string) []clue {
		t.Helper()
		r := run(append([]string{"case", "list", "--state", state, "--json"}, args...)...)
		if r.code != exitOK {
			t.Fatalf("case list: exit %d\n%s", r.code, r.stderr)
		}
		var cs []clue
		if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil {
			t.Fatalf("case list --json: %v\n%s", err, r.stdout)
		}
		return cs
	}
	var first []clue
	for pass := 1; pass <= 2; pass++ {
		r := run("detect", "--in", in, "--out", t.TempDir(), "--state", state, "--clue-min-amount", "100")
		if r.code != exitOK {
			t.Fatalf("detect run %d: exit %d\n%s", pass, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "workspace: run ") {
			t.Errorf("detect run %d printed no workspace line", pass)
		}
		cs := list()
		if pass == 1 {
			first = cs
			continue
		}
		if len(cs) != len(first) || len(cs) == 0 {
			t.Fatalf("run 2: %d clues, run 1: %d", len(cs), len(first))
		}
		for i := range cs {
			if cs[i].ID != first[i].ID || cs[i].Ref != first[i].Ref {
				t.Errorf("clue %d: run 1 %+v, run 2 %+v", i, first[i], cs[i])
			}
		}
	}
	id := first[0].ID
	upd := func(wantCode int, args ...string) result {
		t.Helper()
		r := run(append([]string{"case", "update", "--state", state, "--case", id}, args...)...)
		if r.code != wantCode {
			t.Fatalf("case update %v: exit %d, want %d\n%s", args, r.code, wantCode, r.stderr)
		}
		return r
	}
	upd(exitOK, "--status", "assigned", "--by", "li", "--due", "2000-01-31", "--note", "to team 2")
	upd(exitUsage, "--status", "confirmed", "--by", "li")
	upd(exitUsage, "--status", "verifying")
	upd(exitOK, "--status", "verifying", "--by", "wang", "--note", "flight check")
	upd(exitOK, "--status", "confirmed", "--by", "wang")
	upd(exitOK, "--status", "transferred", "--by", "zhao", "--to", "police", "--note", "approved by bureau head")
	if cs := list("--status", "transferred"); len(cs) != 1 || cs[0].ID != id {
		t.Errorf("transferred: %+v", cs)
	}
	r := run("case", "show", "--state", state, "--case", id)
	if r.code != exitOK || !strings.Contains(r.stdout, "transferred to police") || !strings.Contains(r.stdout, "wang: assigned → verifying: flight check") {
		t.Errorf("case show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run("case", "show", "--state", state, "--case", "CL-999999"); r.code != exitError || !strings.Contains(r.stderr, "no such case") {
		t.Errorf("show unknown case: exit %d %s", r.code, r.stderr)
	}

	batch := filepath.Join(tmp, "batch.json")
	os.WriteFile(batch, []byte(`{"batch":"NHSA-2026-07","issuer":"national","deadline":"2001-06-30","clues":[{"id":"1","title":"outpatient","amount":5000,"members":["clinic:X1"]}]}`), 0o644)
	for i, want := range []string{"1 added, 0 already present", "0 added, 1 already present"} {
		r := run("case", "import", "--state", state, "--file", batch, "--by", "li")
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("import %d: exit %d %q, want %q\n%s", i+1, r.code, r.stdout, want, r.stderr)
		}
	}
	if od := list("--overdue"); len(od) != 1 || od[0].Source != "national" || !od[0].Overdue {
		t.Errorf("overdue: %+v", od)
	}

	trail := filepath.Join(tmp, "audit.jsonl")
	if r := run("audit", "export", "--state", state, "--out", trail); r.code != exitOK {
		t.Fatalf("audit export: exit %d\n%s", r.code, r.stderr)
	}
	if r := run("audit", "verify", trail); r.code != exitOK || !strings.HasPrefix(r.stdout, "ok: 8 entries") {
		t.Fatalf("audit verify: exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	b, _ := os.ReadFile(trail)
	tampered := filepath.Join(tmp, "tampered.jsonl")
	os.WriteFile(tampered, []byte(strings.Replace(string(b), "approved by bureau head", "approved", 1)), 0o644)
	if r := run("audit", "verify", tampered); r.code == exitOK || !strings.Contains(r.stderr, "line 6") {
		t.Errorf("tampered trail: exit %d\n%s", r.code, r.stderr)
	}
	if r := run("audit", "verify"); r.code != exitUsage {
		t.Errorf("verify without file: exit %d", r.code)
	}
	run("case", "show", "--state", state, "--case", id, "--json")
	checkNoPII(t, in, logs.String(), tmp)
	checkNoPII(t, in, "", state)
}
