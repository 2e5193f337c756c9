package community

import "math"

// NMI returns the normalised mutual information 2·I(A;B)/(H(A)+H(B)) of two
// labelings of the same items; 1 when both are identical up to renaming
// (including when both put everything in one cluster), 0 for empty input.
func NMI(a, b []int32) float64 {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0
	}
	ca, cb, joint := contingency(a, b)
	fn := float64(n)
	h := func(c map[int32]float64) float64 {
		var s float64
		for _, v := range c {
			p := v / fn
			s -= p * math.Log(p)
		}
		return s
	}
	ha, hb := h(ca), h(cb)
	if ha+hb == 0 {
		return 1
	}
	var mi float64
	for k, v := range joint {
		p := v / fn
		mi += p * math.Log(p/((ca[k[0]]/fn)*(cb[k[1]]/fn)))
	}
	return math.Max(0, math.Min(1, 2*mi/(ha+hb)))
}

// ARI returns the adjusted Rand index of two labelings of the same items
// (Hubert & Arabie, "Comparing partitions", J. Classification 2, 1985): the
// share of item pairs on which they agree, corrected for chance; 1 when
// identical up to renaming, about 0 for independent labelings, 0 for empty
// input or when the index is undefined (both labelings trivial).
func ARI(a, b []int32) float64 {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0
	}
	pairs := func(x float64) float64 { return x * (x - 1) / 2 }
	ca, cb, joint := contingency(a, b)
	var index, sa, sb float64
	for _, v := range joint {
		index += pairs(v)
	}
	for _, v := range ca {
		sa += pairs(v)
	}
	for _, v := range cb {
		sb += pairs(v)
	}
	expected := sa * sb / pairs(float64(n))
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 0
	}
	return (index - expected) / (maxIndex - expected)
}

// contingency counts the items of each label of a, of b, and of each pair
// of labels.
func contingency(a, b []int32) (ca, cb map[int32]float64, joint map[[2]int32]float64) {
	ca, cb = map[int32]float64{}, map[int32]float64{}
	joint = map[[2]int32]float64{}
	for i := range a {
		ca[a[i]]++
		cb[b[i]]++
		joint[[2]int32{a[i], b[i]}]++
	}
	return ca, cb, joint
}
