package check

import (
	"context"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
)

// TestRingIndexMatchesEntities checks that the ring index of a detection's
// findings places every ring member as its entity score does: the same
// ring, the same score, and a role in that ring; and no one else.
func TestRingIndexMatchesEntities(t *testing.T) {
	x, _ := fixtureClaims(t, 1)
	f, err := rings.Detect(context.Background(), x.Graph(), rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rings) == 0 {
		t.Fatal("the fixture reports no ring")
	}
	idx := NewRingIndex(f)
	members := 0
	for _, e := range f.Entities {
		rc, ok := idx.Lookup(e.Kind, e.ID)
		if e.RingID == "" {
			if ok {
				t.Errorf("%s %s in no ring by its entity, in %s by the index", e.Kind, e.ID, rc.Ring)
			}
			continue
		}
		members++
		if !ok || rc.Ring != e.RingID || rc.Score != e.Score || rc.Role == "" {
			t.Errorf("%s %s: entity ring %s score %.4f, index %+v (found %v)", e.Kind, e.ID, e.RingID, e.Score, rc, ok)
		}
	}
	if members == 0 {
		t.Fatal("no entity in a ring")
	}
}
