package rings

import (
	"context"
	"strings"
	"testing"
)

// TestInRegion checks the region restriction of the report: a ring whose
// institutions have no region (no admdvs, no national code) is outside
// any region, a ring without institutions inside every one, and without
// a region every ring is reported.
func TestInRegion(t *testing.T) {
	g, groups := operationCity{item: "OTHER", fills: 6, span: 100}.build(t)
	s := newTestState(t, g)
	bare := &candidate{patients: groups[0].patients}
	for _, tc := range []struct {
		region string
		c      *candidate
		want   bool
	}{
		{"", groups[0], true},
		{"3502", groups[0], false},
		{"3502", bare, true},
	} {
		s.opt.Region = tc.region
		if got := s.inRegion(tc.c); got != tc.want {
			t.Errorf("region %q, %d institutions: inRegion %v; want %v", tc.region, len(tc.c.insts), got, tc.want)
		}
	}
}

// TestDetectLiveRegion checks that a live detection refuses a region:
// Live.Add updates the entities by node, and a region's table holds only
// some of them (Detect's region is covered end to end by TestDetectRegion
// in cmd/ringlens).
func TestDetectLiveRegion(t *testing.T) {
	g, _ := operationCity{item: "OTHER", fills: 6, span: 100}.build(t)
	if _, err := DetectLive(context.Background(), g, Options{Region: "3502"}); err == nil || !strings.Contains(err.Error(), "Region") {
		t.Errorf("DetectLive with a region: %v; want an error naming Options.Region", err)
	}
	if _, err := Detect(context.Background(), g, Options{Region: "3502"}); err != nil {
		t.Errorf("Detect with a region: %v", err)
	}
}
