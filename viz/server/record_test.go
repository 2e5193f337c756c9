package server

import (
	"testing"
)

// TestRecord checks lookups in any order, from the place of the last hit
// and wrapping around, absent keys, the least unknown key and recordOf.
func TestRecord(t *testing.T) {
	r := &record{}
	for _, kv := range [][2]string{{"b", "2"}, {"a", "1"}, {"d", ""}, {"c", "3"}} {
		r.add(kv[0], kv[1])
	}
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"b", "2", true}, {"a", "1", true}, {"c", "3", true}, {"b", "2", true}, {"d", "", true},
		{"x", "", false}, {"c", "3", true}, {"", "", false},
	} {
		if got, ok := r.lookup(tc.key); got != tc.want || ok != tc.ok {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
		if r.has(tc.key) != tc.ok || r.get(tc.key) != tc.want {
			t.Errorf("has/get(%q) disagree with lookup", tc.key)
		}
	}
	for _, tc := range []struct {
		known map[string]bool
		want  string
		ok    bool
	}{
		{map[string]bool{"a": true, "b": true, "c": true, "d": true}, "", false},
		{map[string]bool{"a": true}, "b", true},
		{map[string]bool{"b": true, "d": true}, "a", true},
		{nil, "a", true},
	} {
		if got, ok := r.firstUnknown(tc.known); got != tc.want || ok != tc.ok {
			t.Errorf("firstUnknown(%v) = %q, %v; want %q, %v", tc.known, got, ok, tc.want, tc.ok)
		}
	}
	m := map[string]string{"z": "26", "a": "1", "m": ""}
	s := recordOf(m)
	if got := s.asMap(); len(got) != len(m) || got["z"] != "26" || got["a"] != "1" || !s.has("m") {
		t.Errorf("recordOf: %v", got)
	}
	if s.keys[0] != "a" || s.keys[2] != "z" {
		t.Errorf("recordOf keys %v, want sorted", s.keys)
	}
	r.reset()
	if r.has("a") || len(r.asMap()) != 0 {
		t.Error("reset left keys")
	}
}

// asMap returns r as a map (tests compare records with decodeRow's).
func (r *record) asMap() map[string]string {
	m := make(map[string]string, len(r.keys))
	for i, k := range r.keys {
		m[k] = r.vals[i]
	}
	return m
}
