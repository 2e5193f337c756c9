package community

import (
	"math"
	"testing"
)

func TestNMI(t *testing.T) {
	for _, c := range []struct {
		a, b []int32
		want float64
	}{
		{[]int32{0, 0, 1, 1}, []int32{5, 5, 9, 9}, 1},
		{[]int32{0, 0, 0, 0}, []int32{1, 1, 1, 1}, 1},
		{[]int32{0, 0, 1, 1}, []int32{0, 1, 0, 1}, 0},
		{nil, nil, 0},
	} {
		if got := NMI(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("NMI(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := NMI([]int32{0, 0, 1, 1}, []int32{0, 0, 0, 1}); got <= 0 || got >= 1 {
		t.Errorf("partial NMI %v", got)
	}
}

func TestARI(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []int32
		want float64
	}{
		{"identical up to renaming", []int32{0, 0, 1, 1, 2}, []int32{7, 7, 3, 3, 9}, 1},
		// Contingency (2,1 / 0,1,2): index 2, expected 6·3/15 = 1.2, max 4.5.
		{"worked example", []int32{0, 0, 0, 1, 1, 1}, []int32{0, 0, 1, 1, 2, 2}, 0.8 / 3.3},
		{"crossed halves", []int32{0, 0, 1, 1}, []int32{0, 1, 0, 1}, -0.5},
		{"both trivial", []int32{0, 0, 0}, []int32{4, 4, 4}, 0},
		{"empty", nil, nil, 0},
	} {
		if got := ARI(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: ARI(%v, %v) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}
