package rings

import (
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"

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

// TestTraceIndex checks the fee rows found per trace code, before and
// after rows are appended to the table indexed.
func TestTraceIndex(t *testing.T) {
	none := graph.None
	ft := &graph.FeeTable{Trace: graph.NewSparse(0, 0, none), Visit: graph.OwnersOf(make([]uint32, 7)...)}
	for _, tr := range []uint32{7, none, 3, 7, 3, none, 9} {
		ft.Trace.Append(tr)
	}
	var x traceIndex
	x.catchUp(ft)
	for _, c := range []struct {
		trace uint32
		want  []uint32
	}{{7, []uint32{0, 3}}, {3, []uint32{2, 4}}, {9, []uint32{6}}, {4, nil}} {
		if got := x.rows(c.trace); !slices.Equal(got, c.want) {
			t.Errorf("trace %d: rows %v, want %v", c.trace, got, c.want)
		}
	}
	for _, tr := range []uint32{3, none, 4} {
		ft.Trace.Append(tr)
	}
	ft.Visit = graph.OwnersOf(make([]uint32, 10)...)
	x.catchUp(ft)
	for _, c := range []struct {
		trace uint32
		want  []uint32
	}{{3, []uint32{2, 4, 7}}, {4, []uint32{9}}, {7, []uint32{0, 3}}} {
		if got := x.rows(c.trace); !slices.Equal(got, c.want) {
			t.Errorf("after appending, trace %d: rows %v, want %v", c.trace, got, c.want)
		}
	}
}
