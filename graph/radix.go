package graph

// radixSort sorts a by key with a stable LSD radix sort over bytes, using tmp
// (len(tmp) >= len(a)) as scratch, and returns the sorted slice, which is
// either a or tmp. Byte positions where every key agrees are skipped, so
// small keys cost few passes.
func radixSort[T any](a, tmp []T, key func(*T) uint64) []T {
	n := len(a)
	if n < 2 {
		return a
	}
	if n <= 64 {
		insertionSort(a, key)
		return a
	}
	var count [8][256]int
	for i := range a {
		k := key(&a[i])
		for d := 0; d < 8; d++ {
			count[d][byte(k>>(8*d))]++
		}
	}
	src, dst := a, tmp[:n]
	for d := 0; d < 8; d++ {
		c := &count[d]
		trivial := false
		for _, v := range c {
			if v == n {
				trivial = true
				break
			}
		}
		if trivial {
			continue
		}
		sum := 0
		for b := range c {
			v := c[b]
			c[b] = sum
			sum += v
		}
		shift := uint(8 * d)
		for i := range src {
			b := byte(key(&src[i]) >> shift)
			dst[c[b]] = src[i]
			c[b]++
		}
		src, dst = dst, src
	}
	return src
}

// insertionSort sorts a short slice by key, stably.
func insertionSort[T any](a []T, key func(*T) uint64) {
	for i := 1; i < len(a); i++ {
		x := a[i]
		kx := key(&x)
		j := i
		for j > 0 && key(&a[j-1]) > kx {
			a[j] = a[j-1]
			j--
		}
		a[j] = x
	}
}

// keyU64 is the identity key for radixSort over []uint64.
func keyU64(k *uint64) uint64 { return *k }
