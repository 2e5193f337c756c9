package rings

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestWindows(t *testing.T) {
	ws := mergeWindows([]window{{50, 60}, {10, 20}, {15, 30}, {30, 35}, {70, 70}})
	if want := []window{{10, 35}, {50, 60}, {70, 70}}; len(ws) != len(want) || ws[0] != want[0] || ws[1] != want[1] || ws[2] != want[2] {
		t.Fatalf("merged %v, want %v", ws, want)
	}
	for _, c := range []struct {
		t    claims.Time
		want bool
	}{{9, false}, {10, true}, {22, true}, {35, true}, {36, false}, {50, true}, {61, false}, {70, true}, {71, false}} {
		if got := inWindows(ws, c.t); got != c.want {
			t.Errorf("inWindows(%d) = %v, want %v", c.t, got, c.want)
		}
	}
	if inWindows(nil, 5) {
		t.Error("inWindows(nil) = true")
	}
}
