package ingest

import (
	"reflect"
	"testing"
)

func TestJSONParser(t *testing.T) {
	tests := []struct {
		in     string
		keys   []string
		vals   []string
		reason string
	}{
		{`{"a":"x","b":12.5,"c":null,"d":true,"e":false}`, []string{"a", "b", "c", "d", "e"}, []string{"x", "12.5", "", "true", "false"}, ""},
		{` { "a" : "中文" } `, []string{"a"}, []string{"中文"}, ""},
		{`{}`, []string{}, []string{}, ""},
		{`{"a":"q\"\\\/\n\u4e2d\ud83d\ude00"}`, []string{"a"}, []string{"q\"\\/\n中😀"}, ""},
		{`{"a":{"b":1}}`, nil, nil, "nested value"},
		{`{"a":[1]}`, nil, nil, "nested value"},
		{`[1]`, nil, nil, "not a json object"},
		{`{"a":1`, nil, nil, "invalid json"},
		{`{"a":1} x`, nil, nil, "trailing data after json object"},
		{`{"a":"\x"}`, nil, nil, "invalid json string"},
		{`{"a":nul}`, nil, nil, "invalid json"},
		{`{a:1}`, nil, nil, "invalid json key"},
	}
	for _, tc := range tests {
		p := jsonParser{scratch: make([]byte, 0, len(tc.in))}
		bad, ok := p.parse([]byte(tc.in))
		if tc.reason != "" {
			if ok || bad.reason != tc.reason {
				t.Errorf("parse(%s) = %+v, %v; want reason %q", tc.in, bad, ok, tc.reason)
			}
			continue
		}
		if !ok {
			t.Errorf("parse(%s) failed: %+v", tc.in, bad)
			continue
		}
		if len(p.keys) == 0 && len(tc.keys) == 0 {
			continue
		}
		if !reflect.DeepEqual(p.keys, tc.keys) || !reflect.DeepEqual(p.vals, tc.vals) {
			t.Errorf("parse(%s) = %q %q, want %q %q", tc.in, p.keys, p.vals, tc.keys, tc.vals)
		}
	}
}
