package vocab

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
)

// TestParamsJSON checks that Params write exactly what encoding/json writes
// for the map of the same values (sorted names, escaping as the calling
// encoder asks), read back what they wrote, and write nil as {}.
func TestParamsJSON(t *testing.T) {
	cases := []struct {
		name string
		p    Params
		m    map[string]string
	}{
		{"nil", nil, map[string]string{}},
		{"empty", Params{}, map[string]string{}},
		{"one", Params{{"z", "2.4"}}, map[string]string{"z": "2.4"}},
		{"unsorted", Params{{"role", "organiser"}, {"ring", "R001"}, {"typology", "lockstep_swiping"}, {"score", "0.81"}},
			map[string]string{"role": "organiser", "ring": "R001", "typology": "lockstep_swiping", "score": "0.81"}},
		{"html and quotes", Params{{"fact", `<a & "b">`}, {"名", "湖里"}}, map[string]string{"fact": `<a & "b">`, "名": "湖里"}},
	}
	type wrap struct {
		P any `json:"params"`
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, escape := range []bool{true, false} {
				var got, want bytes.Buffer
				for _, x := range []struct {
					buf *bytes.Buffer
					v   any
				}{{&got, c.p}, {&want, c.m}} {
					enc := json.NewEncoder(x.buf)
					enc.SetEscapeHTML(escape)
					if err := enc.Encode(wrap{x.v}); err != nil {
						t.Fatal(err)
					}
				}
				if got.String() != want.String() {
					t.Errorf("escape %v: %s, the map writes %s", escape, got.String(), want.String())
				}
			}
			b, err := json.Marshal(c.p)
			if err != nil {
				t.Fatal(err)
			}
			var back Params
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(back.Map(), c.m) {
				t.Errorf("read back %v, want %v", back.Map(), c.m)
			}
		})
	}
}

// TestParamsGetWith checks lookups, and that With copies instead of
// changing the Params it was called on (findings are shared between
// snapshots).
func TestParamsGetWith(t *testing.T) {
	p := Params{{"ring", "R001"}, {"role", "organiser"}}
	if v, ok := p.Get("role"); !ok || v != "organiser" {
		t.Errorf("Get(role) = %q, %v", v, ok)
	}
	if v, ok := p.Get("score"); ok || v != "" {
		t.Errorf("Get(score) = %q, %v", v, ok)
	}
	q := p.With("ring", "R007").With("score", "0.5")
	if v, _ := p.Get("ring"); v != "R001" || len(p) != 2 {
		t.Errorf("With changed its receiver: %v", p)
	}
	if !maps.Equal(q.Map(), map[string]string{"ring": "R007", "role": "organiser", "score": "0.5"}) {
		t.Errorf("With gave %v", q)
	}
	if got := RenderParams(Reasons, ReasonPeerFund, Params{{"z", "3.1"}}, LangEn); got != Render(ReasonPeerFund, map[string]string{"z": "3.1"}, LangEn) {
		t.Errorf("RenderParams %q differs from Render", got)
	}
}
