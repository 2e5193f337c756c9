package main

import (
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/claims"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		code     string
		want     string // exact, or prefix when hashed
		prefixed bool
	}{
		{"H35020618145", "H35020618145", false},
		{"D-1_a", "D-1_a", false},
		{"../etc/passwd", "___etc_passwd-", true},
		{"", "-", true},
		{"医生1", "__1-", true},
		{strings.Repeat("a", 80), strings.Repeat("a", 32) + "-", true},
	}
	for _, tc := range tests {
		got := safeName(tc.code)
		if tc.prefixed && (!strings.HasPrefix(got, tc.want) || len(got) != len(tc.want)+8) || !tc.prefixed && got != tc.want {
			t.Errorf("safeName(%q) = %q, want %q (hashed %v)", tc.code, got, tc.want, tc.prefixed)
		}
		if strings.ContainsAny(got, `/\.`) {
			t.Errorf("safeName(%q) = %q holds a path character", tc.code, got)
		}
	}
	if safeName("a/b") == safeName("a_b") {
		t.Error("a cleaned code collides with a clean one")
	}
}

// TestPassedText checks that every rule of the library says, in both
// languages, what would have passed, with its parameters in force.
func TestPassedText(t *testing.T) {
	set := rules.Defaults()
	for i := range set.Rules {
		r := &set.Rules[i]
		if r.ID == rules.IDPlaceholderDoctor {
			continue
		}
		for _, lang := range []string{"zh", "en"} {
			got := passedText(r, lang)
			if strings.HasPrefix(got, tr(lang, "参数范围内", "within the parameters")) {
				t.Errorf("%s (%s): no sentence of its own: %q", r.ID, lang, got)
			}
			if strings.Contains(got, "%!") {
				t.Errorf("%s (%s): bad format: %q", r.ID, lang, got)
			}
		}
	}
	r, _ := set.Rule(rules.IDSplitAdmission)
	r.Params["max_gap_days"] = 14
	if got := passedText(r, "en"); !strings.Contains(got, "14 days") {
		t.Errorf("parameters in force not used: %q", got)
	}
}

func TestMonth(t *testing.T) {
	tests := []struct {
		month string
		ok    bool
	}{{"2025-10", true}, {"2025-1", false}, {"2025-13", false}, {"2025-00", false}, {"25-10", false}, {"2025-10-01", false}}
	for _, tc := range tests {
		if monthPattern.MatchString(tc.month) != tc.ok {
			t.Errorf("month %q: ok %v", tc.month, !tc.ok)
		}
	}
	at := claims.Date(20376).Time() // 2025-10-15 00:00 China time
	if !inMonth(at, at.Day().String()[:7]) || inMonth(at, "2025-11") {
		t.Errorf("inMonth of %s", at.Day())
	}
}

func TestMdCell(t *testing.T) {
	if got := mdCell("a|b\nc"); got != `a\|b c` {
		t.Errorf("mdCell = %q", got)
	}
}
