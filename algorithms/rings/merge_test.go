package rings

import (
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestSame checks when two candidates describe the same ring: half of the
// smaller one's people shared, or a lockstep block whose sites and doctors
// all belong to the other (one of its cohorts); sharing a site alone, or a
// block with a doctor of its own, is not enough.
func TestSame(t *testing.T) {
	ring := &candidate{source: SourceRelationExcess, patients: []graph.NodeID{1, 2, 3, 4, 5, 6}, doctors: []graph.NodeID{20, 21}, insts: []graph.NodeID{30, 31}}
	nodes := func(xs ...graph.NodeID) []graph.NodeID { return xs }
	cases := []struct {
		name string
		b    candidate
		want bool
	}{
		{"half the people shared", candidate{source: SourceLockstep, patients: nodes(1, 2, 3, 90, 91, 92), doctors: nodes(29), insts: nodes(39)}, true},
		{"a cohort block at its site with its doctor", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31)}, true},
		{"a block with a doctor of its own", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21, 22), insts: nodes(31)}, false},
		{"a block at another site", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31, 32)}, false},
		{"a block naming no doctor", candidate{source: SourceLockstep, patients: nodes(90, 91, 92, 93, 94), insts: nodes(31)}, false},
		{"another generator's group at its site with its doctor", candidate{source: SourceRelationExcess, patients: nodes(90, 91, 92, 93, 94), doctors: nodes(21), insts: nodes(31)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.b
			if got := same(ring, &b); got != c.want {
				t.Errorf("same(ring, b) = %v, want %v", got, c.want)
			}
			if got := same(&b, ring); got != c.want {
				t.Errorf("same(b, ring) = %v, want %v", got, c.want)
			}
		})
	}
}
