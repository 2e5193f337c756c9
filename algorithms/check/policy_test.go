package check

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/vocab"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// TestPolicy checks the defaults, the fallbacks by result type and
// overrides.
func TestPolicy(t *testing.T) {
	p := DefaultPolicy()
	set := rules.Defaults()
	for _, tc := range []struct {
		id     string
		result rules.ResultType
		want   Decision
	}{
		{rules.IDPriceCap, rules.Definite, Reject},
		{rules.IDDuplicateBilling, rules.Suspicious, Review},
		{rules.IDOverSupply, rules.Definite, Remind},
		{vocab.CheckStaffSuspended, rules.Suspicious, Reject},
		{vocab.CheckAlreadySettled, rules.Suspicious, Remind},
	} {
		if got := p.forHit(tc.id, tc.result); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.id, got, tc.want)
		}
	}
	q, err := p.Override([]byte(`{"R-PRICE-CAP":"review","CHK-RING-PERSON":"pass"}`), &set)
	if err != nil {
		t.Fatal(err)
	}
	if q.forHit(rules.IDPriceCap, rules.Definite) != Review || q.forHit(vocab.CheckRingPerson, rules.Suspicious) != Pass {
		t.Error("override not applied")
	}
	if p.forHit(rules.IDPriceCap, rules.Definite) != Reject {
		t.Error("override changed the original")
	}
	for _, bad := range []string{`{"R-NOPE":"review"}`, `{"R-PRICE-CAP":"maybe"}`, `[1]`} {
		if _, err := p.Override([]byte(bad), &set); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if tab := p.Table(); !strings.Contains(tab, "| `definite` | reject |") {
		t.Errorf("table:\n%s", tab)
	}
	for _, r := range p.Rows {
		if _, ok := vocab.Lookup(vocab.CheckDecisions, string(r.Action)); !ok {
			t.Errorf("action %s not in the vocabulary", r.Action)
		}
	}
	for _, id := range signalIDs() {
		if _, ok := vocab.Lookup(vocab.CheckSignals, id); !ok {
			t.Errorf("signal %s not in the vocabulary", id)
		}
	}
}

// TestPolicyDoc checks that docs/api.md shows the default policy.
func TestPolicyDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), DefaultPolicy().Table()) {
		t.Errorf("docs/api.md does not show the default policy; its table is:\n%s", DefaultPolicy().Table())
	}
}

// TestLoadPolicy reads policy files: overrides apply over the defaults,
// and every refusal names the file and the entry at fault.
func TestLoadPolicy(t *testing.T) {
	set := rules.Defaults()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		want       map[string]Decision // keys and actions of the policy read
		wantErr    []string            // parts of the error
	}{
		{"overrides", `{"R-PRICE-CAP": "review", "CHK-OPEN-CASE": "reject", "before-cap": "pass"}`,
			map[string]Decision{rules.IDPriceCap: Review, vocab.CheckOpenCase: Reject, KeyBeforeCap: Pass, KeyDefinite: Reject}, nil},
		{"empty object", `{}`, map[string]Decision{KeyDefinite: Reject, vocab.CheckStaffSuspended: Reject}, nil},
		{"unknown id", `{"R-PRICE-CAP": "review", "R-NOPE": "review"}`, nil, []string{`entry "R-NOPE"`, "unknown key"}},
		{"unknown decision", `{"CHK-RING-SITE": "maybe"}`, nil, []string{`entry "CHK-RING-SITE"`, `action "maybe"`}},
		{"number", `{"R-PRICE-CAP": 2}`, nil, []string{`entry "R-PRICE-CAP"`, "must be a string"}},
		{"twice", `{"R-PRICE-CAP": "review", "R-PRICE-CAP": "pass"}`, nil, []string{`entry "R-PRICE-CAP"`, "twice"}},
		{"array", `["R-PRICE-CAP"]`, nil, []string{"not a JSON object"}},
		{"two values", `{} {}`, nil, []string{"more than one JSON value"}},
		{"truncated", `{"R-PRICE-CAP": "review"`, nil, []string{"not a JSON object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := dir + "/" + strings.ReplaceAll(tc.name, " ", "-") + ".json"
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := LoadPolicy(path, &set)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("accepted: %+v", p)
				}
				for _, w := range append(tc.wantErr, path) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.want {
				if got, ok := p.action(k); !ok || got != want {
					t.Errorf("%s: %s, want %s", k, got, want)
				}
			}
			if _, err := New(Options{Rules: set, Policy: p}); err != nil {
				t.Errorf("checker of the policy read: %v", err)
			}
		})
	}
	if _, err := LoadPolicy(dir+"/missing.json", &set); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
