package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPointsE2E runs the points flow on the Huli fixture: detect --state,
// a ring case and a rule case worked to confirmed, proposals (a site
// pattern attributed to the institution, a first offence of scope
// warned, fraud scored), confirmation with and without a reason, the
// staff file and standing, repair, appeal, export to and import into a
// second region (twice, then a conflict), the audit chain, and the
// monthly feedback; no personal data anywhere.
func TestPointsE2E(t *testing.T) {
	in := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	state, other, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	var logs strings.Builder
	run := func(want int, args ...string) result {
		t.Helper()
		return runExpect(t, &logs, want, args...)
	}
	run(exitOK, "detect", "--in", in, "--out", t.TempDir(), "--state", state, "--clue-min-amount", "100")
	var clues []struct{ ID, Source, Rule string }
	if err := json.Unmarshal([]byte(run(exitOK, "case", "list", "--state", state, "--json").stdout), &clues); err != nil {
		t.Fatal(err)
	}
	var ringCase, ruleCase string
	for _, c := range clues {
		switch {
		case c.Source == "ring" && ringCase == "":
			ringCase = c.ID
		case c.Rule == "R-REPEAT-RX" && ruleCase == "":
			ruleCase = c.ID
		}
	}
	if ringCase == "" || ruleCase == "" {
		t.Fatalf("no ring or R-REPEAT-RX clue: %+v", clues)
	}
	propose := func(want int, args ...string) result {
		t.Helper()
		return run(want, append([]string{"points", "propose", "--state", state, "--by", "li", "--date", "2026-03-01"}, args...)...)
	}
	propose(exitUsage, "--case", ringCase, "--sanction", "penalty")
	for _, id := range []string{ringCase, ruleCase} {
		for _, s := range []string{"assigned", "verifying", "confirmed"} {
			run(exitOK, "case", "update", "--state", state, "--case", id, "--status", s, "--by", "li")
		}
	}
	propose(exitUsage, "--case", ringCase)
	propose(exitUsage, "--case", ringCase, "--sanction", "fine")

	// The fixture's site H35020618145: 18 of its 20 doctors have
	// R-REPEAT-RX hits (chronic refills), so the pattern is the site's.
	r := propose(exitOK, "--case", ruleCase, "--sanction", "penalty", "--in", in,
		"--staff", "D350206180754:main,D350203725373", "--scope-unaware", "D350203725373")
	if !strings.Contains(r.stdout, "D350206180754: institutional") || !strings.Contains(r.stdout, "doctors of site H35020618145") {
		t.Errorf("site pattern not attributed to the institution:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "D350203725373: warning") {
		t.Errorf("first offence of scope not warned:\n%s", r.stdout)
	}
	r = propose(exitOK, "--case", ringCase, "--sanction", "penalty", "--staff", "D350206085589:main")
	uid := regexp.MustCompile(`[0-9a-f]+/PT-[0-9]+`).FindString(r.stdout)
	if uid == "" || !strings.Contains(r.stdout, "points 12 (band 10-12, main)") || !strings.Contains(r.stdout, "not checked") {
		t.Fatalf("ring proposal:\n%s", r.stdout)
	}
	if r := propose(exitOK, "--case", ringCase, "--sanction", "penalty", "--staff", "D350206085589:main"); !strings.Contains(r.stdout, "already proposed") {
		t.Errorf("second proposal: %s", r.stdout)
	}
	confirm := []string{"points", "confirm", "--state", state, "--entry", uid, "--by", "wang"}
	run(exitUsage, append(confirm, "--points", "11")...)
	run(exitOK, append(confirm, "--points", "12", "--suspend-months", "3")...)
	run(exitUsage, confirm...)
	r = run(exitOK, "points", "show", "--state", state, "--staff", "D350206085589", "--on", "2026-06-01")
	if !strings.Contains(r.stdout, "terminated, 12 points this year") || !strings.Contains(r.stdout, "re-registration possible from 2029-03-01") {
		t.Errorf("show after 12 points:\n%s", r.stdout)
	}
	run(exitOK, "points", "repair", "--state", state, "--entry", uid, "--by", "wang", "--reason", "training", "--points", "9")
	r = run(exitOK, "points", "show", "--state", state, "--staff", "D350206085589", "--on", "2026-04-01", "--json")
	var file struct {
		Status     string
		YearPoints int `json:"year_points"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &file); err != nil || file.Status != "suspended" || file.YearPoints != 9 {
		t.Errorf("after repair to 9: %+v %v", file, err)
	}

	ledger := filepath.Join(tmp, "ledger.json")
	run(exitOK, "points", "export", "--state", state, "--out", ledger, "--by", "li")
	for _, want := range []string{"1 added, 0 updated, 0 already present, 0 conflicts", "0 added, 0 updated, 1 already present, 0 conflicts"} {
		if r := run(exitOK, "points", "import", "--state", other, "--file", ledger, "--by", "wu"); !strings.Contains(r.stdout, want) {
			t.Errorf("import: %q, want %q", r.stdout, want)
		}
	}
	if r := run(exitOK, "points", "show", "--state", other, "--staff", "D350206085589", "--on", "2026-04-01"); !strings.Contains(r.stdout, "suspended") {
		t.Errorf("other region does not see the suspension:\n%s", r.stdout)
	}
	run(exitOK, "points", "appeal", "--state", state, "--entry", uid, "--by", "zhao", "--reason", "peer review", "--outcome", "annulled")
	run(exitOK, "points", "export", "--state", state, "--out", ledger, "--by", "li")
	if r := run(exitOK, "points", "import", "--state", other, "--file", ledger, "--by", "wu"); !strings.Contains(r.stdout, "1 updated") {
		t.Errorf("import of the appeal: %s", r.stdout)
	}
	b, _ := os.ReadFile(ledger)
	forged := filepath.Join(tmp, "forged.json")
	os.WriteFile(forged, []byte(strings.Replace(string(b), `"points": 0`, `"points": 0, "kind2": 1`, 1)), 0o644)
	run(exitError, "points", "import", "--state", other, "--file", forged)
	os.WriteFile(forged, []byte(strings.Replace(string(b), `"event_date": "2026-03-01"`, `"event_date": "2026-03-02"`, 1)), 0o644)
	if r := run(exitOK, "points", "import", "--state", other, "--file", forged, "--by", "wu"); !strings.Contains(r.stdout, "conflict "+uid) {
		t.Errorf("conflict not reported: %s", r.stdout)
	}
	trail := filepath.Join(tmp, "audit.jsonl")
	run(exitOK, "audit", "export", "--state", state, "--out", trail)
	run(exitOK, "audit", "verify", trail)
	if tb, _ := os.ReadFile(trail); strings.Contains(string(tb), "D350206085589") || !strings.Contains(string(tb), `"points_appeal"`) {
		t.Errorf("audit trail names the staff code or lacks the appeal")
	}
	run(exitOK, "points", "show", "--state", state, "--case", ruleCase)

	fb := filepath.Join(tmp, "feedback")
	r = run(exitOK, "feedback", "--in", in, "--month", "2025-10", "--out", fb)
	if !strings.Contains(r.stdout, "feedback 2025-10:") {
		t.Errorf("feedback: %s", r.stdout)
	}
	run(exitUsage, "feedback", "--in", in, "--month", "2025-13", "--out", fb)
	index, err := os.ReadFile(filepath.Join(fb, "index.md"))
	if err != nil || !strings.Contains(string(index), "institutions/") {
		t.Fatalf("index.md: %v\n%s", err, index)
	}
	doc, err := os.ReadFile(filepath.Join(fb, "doctors", "D350206180754.md"))
	if err != nil || !strings.Contains(string(doc), "R-REPEAT-RX") || !strings.Contains(string(doc), "| 2025") {
		t.Errorf("doctor report: %v\n%s", err, doc)
	}
	checkNoPII(t, in, logs.String()+string(index)+string(b), filepath.Join(fb, "institutions"))
	checkNoPII(t, in, "", filepath.Join(fb, "doctors"))
	checkNoPII(t, in, "", state)
}
