package check

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/findings"
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
	for _, e := range f.Entities.All() {
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

// TestRingIndexUpdate: the index of the next findings shares the map when
// the rings list the same members in the same places (and reads their new
// scores), and is built anew when they do not.
func TestRingIndexUpdate(t *testing.T) {
	x, _ := fixtureClaims(t, 1)
	f, err := rings.Detect(context.Background(), x.Graph(), rings.Options{Rules: rules.Defaults(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rings) == 0 || len(f.Rings[0].Members) < 2 {
		t.Fatal("the fixture reports no ring of two members")
	}
	idx := NewRingIndex(f)
	// Re-scored: new rings (a findings never changes its own), same members.
	rescored := &findings.Findings{Rings: make([]findings.Ring, len(f.Rings))}
	for i, r := range f.Rings {
		r.Members = slices.Clone(r.Members)
		rescored.Rings[i] = r
	}
	m := &rescored.Rings[0].Members[1]
	m.Score += 0.25
	next := idx.Update(rescored)
	if reflect.ValueOf(next.byKey).UnsafePointer() != reflect.ValueOf(idx.byKey).UnsafePointer() {
		t.Error("re-scored rings: the map was built again")
	}
	if rc, ok := next.Lookup(m.Kind, m.ID); !ok || rc.Score != m.Score || rc.Ring != rescored.Rings[0].ID {
		t.Errorf("re-scored member: %+v %v, want score %.4f", rc, ok, m.Score)
	}
	if rc, _ := idx.Lookup(m.Kind, m.ID); rc.Score == m.Score {
		t.Error("the index of the findings before reads the new score")
	}
	// A member leaves: built anew.
	left := &findings.Findings{Rings: slices.Clone(rescored.Rings)}
	gone := left.Rings[0].Members[1]
	left.Rings[0].Members = slices.Delete(slices.Clone(left.Rings[0].Members), 1, 2)
	after := next.Update(left)
	if reflect.ValueOf(after.byKey).UnsafePointer() == reflect.ValueOf(idx.byKey).UnsafePointer() {
		t.Error("a member left: the map was shared")
	}
	if rc, ok := after.Lookup(gone.Kind, gone.ID); ok && rc.Ring == left.Rings[0].ID {
		t.Errorf("the member who left is still placed in %s", rc.Ring)
	}
	if (*RingIndex)(nil).Update(f) == nil || NewRingIndex(nil).Update(f) == nil {
		t.Error("Update of no index")
	}
}
