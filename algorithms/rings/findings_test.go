package rings

import "testing"

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
