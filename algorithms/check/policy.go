package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/vocab"
)

// Decision is a check's answer, or what one hit asks for: pass, remind
// (shown to the doctor or clerk, settlement goes on), review (held for a
// reviewer before the fund pays) or reject (the fund does not pay). The
// codes and their labels are graph/vocab's (category CheckDecisions).
type Decision string

// Decisions, weakest first.
const (
	Pass   Decision = vocab.DecisionPass
	Remind Decision = vocab.DecisionRemind
	Review Decision = vocab.DecisionReview
	Reject Decision = vocab.DecisionReject
)

// rank orders decisions by strength (-1 for an unknown one).
func (d Decision) rank() int { return slices.Index([]Decision{Pass, Remind, Review, Reject}, d) }

// Valid reports whether d is one of the four decisions.
func (d Decision) Valid() bool { return d.rank() >= 0 }

// stronger returns the stronger of a and b.
func stronger(a, b Decision) Decision {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Policy keys besides rule and signal ids: the fallbacks by result type
// and the cap of checks before settlement.
const (
	// KeyDefinite is the action of a hit of a definite rule without a row
	// of its own.
	KeyDefinite = "definite"
	// KeySuspicious is the action of a hit of a suspicious rule without a
	// row of its own.
	KeySuspicious = "suspicious"
	// KeyBeforeCap is the strongest decision of a check run before
	// settlement only: a reminder to the doctor cannot refuse a payment
	// that is not asked for yet.
	KeyBeforeCap = "before-cap"
)

// PolicyRow is one row of the decision policy: what a hit of rule or
// signal Key asks for (or, for KeyBeforeCap, the strongest decision of a
// check before settlement).
type PolicyRow struct {
	Key    string
	Action Decision
	Doc    string // why, in one line
}

// Policy is the decision policy of checks: which hits remind, which send
// the claim to review and which reject it. A check's decision is the
// strongest action of its hits (pass without hits), capped by KeyBeforeCap
// for checks before settlement only. A hit's action is the row of its rule
// or signal id, else the row of its rule's result type (KeyDefinite,
// KeySuspicious). DefaultPolicy documents the defaults (docs/api.md);
// Override changes rows from a JSON object {"key": "action"}, and
// LoadPolicy reads such an object from a file (serve --check-policy).
type Policy struct {
	Rows []PolicyRow
}

// DefaultPolicy returns the decision policy in force out of the box.
func DefaultPolicy() Policy {
	return Policy{Rows: []PolicyRow{
		{KeyDefinite, Reject, "a definite rule's hit is a violation on its face"},
		{KeySuspicious, Review, "a suspicious rule's hit is a lead a reviewer verifies"},
		{KeyBeforeCap, Remind, "before settlement the doctor is reminded; nothing is refused yet"},
		{rules.IDOverSupply, Remind, "the doctor can shorten the prescription to the limit"},
		{rules.IDRepeatRx, Remind, "an early refill is often legitimate (travel, lost drugs): remind"},
		{rules.IDAgeDiagnosis, Review, "a diagnosis coding slip is likelier than fraud"},
		{rules.IDSexDiagnosis, Review, "a diagnosis coding slip is likelier than fraud"},
		{vocab.CheckRingPerson, Review, "the person is in a reported ring"},
		{vocab.CheckRingSite, Review, "the institution is in a reported ring"},
		{vocab.CheckRingDoctor, Review, "the attending doctor is in a reported ring"},
		{vocab.CheckStaffSuspended, Reject, "a suspended or terminated doctor may not bill the fund"},
		{vocab.CheckOpenCase, Review, "an open case names the person, site or doctor"},
		{vocab.CheckAlreadySettled, Remind, "the claim id is settled already: a second settlement would pay twice"},
	}}
}

// signalIDs returns the non-rule hit ids a check reports.
func signalIDs() []string {
	return []string{vocab.CheckRingPerson, vocab.CheckRingSite, vocab.CheckRingDoctor,
		vocab.CheckStaffSuspended, vocab.CheckOpenCase, vocab.CheckAlreadySettled}
}

// Clone returns a copy of p whose rows can be changed without touching p.
func (p Policy) Clone() Policy { return Policy{Rows: slices.Clone(p.Rows)} }

// action returns the action of key and whether p has a row for it.
func (p *Policy) action(key string) (Decision, bool) {
	for _, r := range p.Rows {
		if r.Key == key {
			return r.Action, true
		}
	}
	return Pass, false
}

// forHit returns the action of a hit of id whose result type is result.
func (p *Policy) forHit(id string, result rules.ResultType) Decision {
	if a, ok := p.action(id); ok {
		return a
	}
	key := KeySuspicious
	if result == rules.Definite {
		key = KeyDefinite
	}
	a, _ := p.action(key)
	return a
}

// Override returns p with the rows of the JSON object data ({"key":
// "action"}) changed or added; keys must be rule ids of set, signal ids
// or the policy keys, actions decisions, and no key may be given twice.
// An error names the entry at fault.
func (p Policy) Override(data []byte, set *rules.Set) (Policy, error) {
	out, err := p.override(data, set)
	if err != nil {
		return Policy{}, fmt.Errorf("check policy: %w", err)
	}
	return out, nil
}

// LoadPolicy returns the default policy overridden by the JSON object of
// file path ({"key": "action"}, as Override reads it); an error names the
// file and the entry at fault.
func LoadPolicy(path string, set *rules.Set) (Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("check policy: %w", err)
	}
	out, err := DefaultPolicy().override(data, set)
	if err != nil {
		return Policy{}, fmt.Errorf("check policy %s: %w", path, err)
	}
	return out, nil
}

// override is Override without the prefix of its errors.
func (p Policy) override(data []byte, set *rules.Set) (Policy, error) {
	entries, err := policyEntries(data)
	if err != nil {
		return Policy{}, err
	}
	out := p.Clone()
	for _, e := range entries {
		k, d := e[0], Decision(e[1])
		if !d.Valid() {
			return Policy{}, fmt.Errorf("entry %q: action %q is not pass, remind, review or reject", k, e[1])
		}
		if _, ok := set.Rule(k); !ok && !slices.Contains(signalIDs(), k) && k != KeyDefinite && k != KeySuspicious && k != KeyBeforeCap {
			return Policy{}, fmt.Errorf("entry %q: unknown key (want a rule id, a signal id, %s, %s or %s)", k, KeyDefinite, KeySuspicious, KeyBeforeCap)
		}
		if i := slices.IndexFunc(out.Rows, func(r PolicyRow) bool { return r.Key == k }); i >= 0 {
			out.Rows[i].Action, out.Rows[i].Doc = d, "overridden"
			continue
		}
		out.Rows = append(out.Rows, PolicyRow{Key: k, Action: d, Doc: "overridden"})
	}
	return out, nil
}

// policyEntries reads the JSON object data of string values as its
// key/value pairs in their order, refusing a key given twice.
func policyEntries(data []byte) ([][2]string, error) {
	notObject := errors.New(`not a JSON object of strings such as {"R-PRICE-CAP": "review"}`)
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, notObject
	}
	var out [][2]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notObject
		}
		k, _ := tok.(string) // object keys are strings
		tok, err = dec.Token()
		if err != nil {
			return nil, notObject
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("entry %q: the action must be a string (pass, remind, review or reject)", k)
		}
		if seen[k] {
			return nil, fmt.Errorf("entry %q: given twice", k)
		}
		seen[k] = true
		out = append(out, [2]string{k, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, notObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return out, nil
}

// Table renders p as a Markdown table (docs/api.md).
func (p Policy) Table() string {
	var b strings.Builder
	b.WriteString("| key | action | why |\n|---|---|---|\n")
	for _, r := range p.Rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Key, r.Action, r.Doc)
	}
	return b.String()
}
