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
