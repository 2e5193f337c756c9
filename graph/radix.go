package graph

import (
	"math/bits"
	"slices"
)

// maxRadixBits is the widest digit radixSort uses: with 12-bit digits the
// histograms stay in the L2 cache and 36-bit keys sort in three passes.
const maxRadixBits = 12

// radixSort sorts a by key with a stable LSD radix sort, using tmp
// (len(tmp) >= len(a)) as scratch, and returns the sorted slice, which is
// either a or tmp. The digit width adapts to the largest key (at most
// maxRadixBits, as few passes as possible) and digits where every key
// agrees are skipped.
func radixSort[T any](a, tmp []T, key func(*T) uint64) []T {
	return radixSortFrom(a, tmp, key, 0)
}

// radixSortFrom is radixSort ordering by the key bits from lowBit up only;
// lower bits keep their input order (the sort is stable).
func radixSortFrom[T any](a, tmp []T, key func(*T) uint64, lowBit uint) []T {
	n := len(a)
	if n < 2 {
		return a
	}
	if n <= 64 {
		insertionSort(a, func(x *T) uint64 { return key(x) >> lowBit })
		return a
	}
	var maxKey uint64
	for i := range a {
		maxKey = max(maxKey, key(&a[i])>>lowBit)
	}
	if maxKey == 0 {
		return a
	}
	passes, width, buckets, mask := radixPlan(maxKey)
	count := make([]int, int(passes)*buckets)
	for i := range a {
		k := key(&a[i]) >> lowBit
		for d := uint(0); d < passes; d++ {
			count[int(d)*buckets+int((k>>(width*d))&mask)]++
		}
	}
	src, dst := a, tmp[:n]
	for d := uint(0); d < passes; d++ {
		c := count[int(d)*buckets : int(d+1)*buckets]
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
		shift := lowBit + width*d
		for i := range src {
			b := (key(&src[i]) >> shift) & mask
			dst[c[b]] = src[i]
			c[b]++
		}
		src, dst = dst, src
	}
	return src
}

// radixPlan chooses the digits for keys up to maxKey > 0: as few passes as
// digits of at most maxRadixBits allow, of equal width.
func radixPlan(maxKey uint64) (passes, width uint, buckets int, mask uint64) {
	keyBits := uint(bits.Len64(maxKey))
	passes = (keyBits + maxRadixBits - 1) / maxRadixBits
	width = (keyBits + passes - 1) / passes
	buckets = 1 << width
	return passes, width, buckets, uint64(buckets - 1)
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

// keyedSorter sorts (key, value) pairs stably by key. When the key and value
// bits fit in 64 it packs each pair in a uint64 and sorts only the key bits
// (half the memory traffic of 16-byte records); otherwise it sorts records.
type keyedSorter struct {
	valBits uint
	packed  []uint64
	recs    []edgeRec
	usePack bool
}

// newKeyedSorter prepares for about n pairs of keys below 1<<keyBits and
// values below 1<<valBits.
func newKeyedSorter(n int, keyBits, valBits uint) *keyedSorter {
	s := &keyedSorter{valBits: valBits, usePack: keyBits+valBits <= 64}
	if s.usePack {
		s.packed = make([]uint64, 0, n)
	} else {
		s.recs = make([]edgeRec, 0, n)
	}
	return s
}

// add appends a pair; with zero value bits the value is dropped.
func (s *keyedSorter) add(key uint64, val uint32) {
	if s.usePack {
		s.packed = append(s.packed, key<<s.valBits|uint64(val)&(1<<s.valBits-1))
	} else {
		s.recs = append(s.recs, edgeRec{key, val})
	}
}

// sort sorts the pairs by key, stably.
func (s *keyedSorter) sort() {
	if s.usePack {
		s.packed = radixSortU64(s.packed, make([]uint64, len(s.packed)), s.valBits)
	} else {
		s.recs = radixSort(s.recs, make([]edgeRec, len(s.recs)), edgeRecKey)
	}
}

// len returns the number of pairs.
func (s *keyedSorter) len() int {
	if s.usePack {
		return len(s.packed)
	}
	return len(s.recs)
}

// at returns pair i.
func (s *keyedSorter) at(i int) (key uint64, val uint32) {
	if s.usePack {
		x := s.packed[i]
		return x >> s.valBits, uint32(x & (1<<s.valBits - 1))
	}
	return s.recs[i].key, s.recs[i].visit
}

// radixSortU64 is radixSortFrom specialised for plain uint64 keys, without
// a key function call per element and pass.
func radixSortU64(a, tmp []uint64, lowBit uint) []uint64 {
	n := len(a)
	if n <= 64 {
		return radixSortFrom(a, tmp, keyU64, lowBit)
	}
	var maxKey uint64
	for _, k := range a {
		maxKey = max(maxKey, k>>lowBit)
	}
	if maxKey == 0 {
		return a
	}
	passes, width, buckets, mask := radixPlan(maxKey)
	count := make([]int, int(passes)*buckets)
	for _, k := range a {
		k >>= lowBit
		for d := uint(0); d < passes; d++ {
			count[int(d)*buckets+int((k>>(width*d))&mask)]++
		}
	}
	src, dst := a, tmp[:n]
	for d := uint(0); d < passes; d++ {
		c := count[int(d)*buckets : int(d+1)*buckets]
		if slices.Contains(c, n) {
			continue // every key has this digit
		}
		sum := 0
		for b, v := range c {
			c[b] = sum
			sum += v
		}
		shift := lowBit + width*d
		for _, k := range src {
			b := (k >> shift) & mask
			dst[c[b]] = k
			c[b]++
		}
		src, dst = dst, src
	}
	return src
}
