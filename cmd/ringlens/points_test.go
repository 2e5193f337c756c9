package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/workspace"
)

func TestCandidates(t *testing.T) {
	tests := []struct {
		name    string
		staff   string
		members []string
		want    string
		usage   bool
	}{
		{"from --staff", "D1:main, D2 ,D3:important", nil, "[D1/main D2/general D3/important]", false},
		{"case doctors", "", []string{"clinic:H1", "doctor:D9", "patient:P1", "doctor:D8"}, "[D9/general D8/general]", false},
		{"no doctor", "", []string{"clinic:H1"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := candidates(tc.staff, tc.members)
			var ue usageError
			if tc.usage != errors.As(err, &ue) {
				t.Fatalf("error %v, usage error wanted %v", err, tc.usage)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.Code+"/"+c.Responsibility)
			}
			if !tc.usage && fmt.Sprint(got) != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestRuleArticle(t *testing.T) {
	set := rules.Defaults()
	tests := []struct {
		rule string
		want int
	}{{rules.IDRepeatRx, 38}, {rules.IDAfterDeath, 40}, {rules.IDPersonDistant, 41}, {"R-NONE", 0}}
	for _, tc := range tests {
		if got := ruleArticle(set, tc.rule); got != tc.want {
			t.Errorf("%s: article %d, want %d", tc.rule, got, tc.want)
		}
	}
}

func TestPointsErr(t *testing.T) {
	var ue usageError
	for _, err := range []error{workspace.ErrEntryState, fmt.Errorf("x: %w", workspace.ErrInvalid)} {
		if !errors.As(pointsErr(err), &ue) {
			t.Errorf("%v is not a usage error", err)
		}
	}
	if errors.As(pointsErr(errors.New("disk")), &ue) {
		t.Error("a plain error became a usage error")
	}
}
