package graph

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 64, 65, 1000, 20000} {
		for _, bitsKey := range []uint{3, 20, 44, 64} {
			a := make([]edgeRec, n)
			for i := range a {
				a[i] = edgeRec{key: r.Uint64() >> (64 - bitsKey), visit: uint32(i)}
			}
			want := slices.Clone(a)
			slices.SortStableFunc(want, func(x, y edgeRec) int { return cmp.Compare(x.key, y.key) })
			got := radixSort(slices.Clone(a), make([]edgeRec, n), edgeRecKey)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d bits=%d: radixSort differs from a stable sort", n, bitsKey)
			}
			u := make([]uint64, n)
			for i := range a {
				u[i] = a[i].key
			}
			wantU := slices.Clone(u)
			slices.Sort(wantU)
			if gotU := radixSortU64(u, make([]uint64, n), 0, nil); !slices.Equal(gotU, wantU) {
				t.Fatalf("n=%d bits=%d: radixSortU64 differs from slices.Sort", n, bitsKey)
			}
		}
	}
}

// TestKeyedSorter sorts pairs with values added in ascending order (as the
// build adds visit rows: a comparison sort may serve for few pairs) and in
// descending order, with a fresh and a reused sorter and scratch.
func TestKeyedSorter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var reused keyedSorter
	var buf sortBuffers
	for _, tc := range []struct{ keyBits, valBits uint }{{20, 20}, {44, 20}, {40, 30}, {33, 0}} {
		for _, n := range []int{300, 5000} {
			for _, descending := range []bool{false, true} {
				var fresh keyedSorter
				for _, s := range []*keyedSorter{&fresh, &reused} {
					s.reset(n, tc.keyBits, tc.valBits)
					var want []edgeRec
					for i := 0; i < n; i++ {
						k := r.Uint64() >> (64 - tc.keyBits) >> 8 // many ties
						v := uint32(0)
						if tc.valBits > 0 {
							v = uint32(i)
							if descending {
								v = uint32(n - i)
							}
						}
						s.add(k, v)
						want = append(want, edgeRec{k, v})
					}
					if s.usePack != (tc.keyBits+tc.valBits <= 64) {
						t.Errorf("%+v: usePack %v", tc, s.usePack)
					}
					slices.SortStableFunc(want, func(x, y edgeRec) int { return cmp.Compare(x.key, y.key) })
					if s == &fresh {
						s.sort(nil)
					} else {
						s.sort(&buf)
					}
					if s.len() != n {
						t.Fatalf("len %d", s.len())
					}
					for i := range want {
						if k, v := s.at(i); k != want[i].key || v != want[i].visit {
							t.Fatalf("%+v n=%d descending=%v: pair %d = %d, %d; want %+v", tc, n, descending, i, k, v, want[i])
						}
					}
				}
			}
		}
	}
}

// TestSortKeys checks SortKeys against slices.Sort on keys of every width,
// short and long slices, with repeats.
func TestSortKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, n := range []int{0, 1, 2, 63, 1024, 1025, 5000, 200_000} {
		for _, bitsWide := range []uint{1, 12, 33, 64} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = rng.Uint64() >> (64 - bitsWide)
			}
			want := slices.Clone(a)
			slices.Sort(want)
			b := slices.Clone(a)
			if got := SortKeys(a); !slices.Equal(got, want) {
				t.Errorf("%d keys of %d bits: not sorted", n, bitsWide)
			}
			if SortKeysInPlace(b); !slices.Equal(b, want) {
				t.Errorf("%d keys of %d bits: not sorted in place", n, bitsWide)
			}
		}
	}
}

// BenchmarkSortKeys compares SortKeys with slices.Sort on a million keys
// packed as the peer models pack theirs (group, institution, value).
func BenchmarkSortKeys(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1_000_000)
	for i := range keys {
		keys[i] = uint64(rng.IntN(40))<<54 | uint64(rng.IntN(10_000))<<40 | uint64(rng.IntN(1_000_000))
	}
	for _, sorter := range []struct {
		name string
		sort func([]uint64) []uint64
	}{
		{"SortKeys", SortKeys},
		{"SortKeysInPlace", func(a []uint64) []uint64 { SortKeysInPlace(a); return a }},
		{"slices.Sort", func(a []uint64) []uint64 { slices.Sort(a); return a }},
	} {
		b.Run(sorter.name, func(b *testing.B) {
			a := make([]uint64, len(keys))
			for b.Loop() {
				copy(a, keys)
				sorter.sort(a)
			}
		})
	}
}
