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
// either a or tmp. The digit width adapts to the largest key and to the
// number of keys (at most maxRadixBits and bits.Len(len(a)), as few passes
// as possible) and digits where every key agrees are skipped.
func radixSort[T any](a, tmp []T, key func(*T) uint64) []T {
	return radixSortFrom(a, tmp, key, 0, nil)
}

// radixSortFrom is radixSort ordering by the key bits from lowBit up only;
// lower bits keep their input order (the sort is stable). hist, when not
// nil, holds the digit histograms from sort to sort (nil: allocated for
// this sort alone).
func radixSortFrom[T any](a, tmp []T, key func(*T) uint64, lowBit uint, hist *[]int) []T {
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
	passes, width, buckets, mask, count := radixPlan(maxKey, n, hist)
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

// radixPlan chooses the digits for n keys up to maxKey > 0: as few passes
// as digits of at most maxRadixBits and bits.Len(n) bits allow, of equal
// width (the second bound is for few keys, whose passes would otherwise
// spend their time clearing and summing histograms of mostly empty
// buckets).
// It returns the zeroed histograms of the passes, in *buf when buf is not
// nil (grown as needed, kept for the next sort), otherwise newly allocated.
func radixPlan(maxKey uint64, n int, buf *[]int) (passes, width uint, buckets int, mask uint64, count []int) {
	keyBits := uint(bits.Len64(maxKey))
	digit := min(maxRadixBits, uint(bits.Len(uint(n))))
	passes = (keyBits + digit - 1) / digit
	width = (keyBits + passes - 1) / passes
	buckets = 1 << width
	if buf == nil {
		count = make([]int, int(passes)*buckets)
	} else {
		*buf = resize(*buf, int(passes)*buckets)
		count = *buf
	}
	return passes, width, buckets, uint64(buckets - 1), count
}

// resize returns s with length n and its elements zero, reusing its memory
// when it is large enough: make([]T, n) for a nil s.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// insertionSort sorts a short slice by key, stably.
func insertionSort[T any](a []T, key func(*T) uint64) {
	for i := 1; i < len(a); i++ {
		kx := key(&a[i]) // not key(&x): x would escape to the heap
		x := a[i]
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

// reset empties s and prepares it for about n pairs of keys below
// 1<<keyBits and values below 1<<valBits, reusing its memory.
func (s *keyedSorter) reset(n int, keyBits, valBits uint) {
	s.valBits, s.usePack = valBits, keyBits+valBits <= 64
	if s.usePack {
		s.packed = slices.Grow(s.packed[:0], n)
	} else {
		s.recs = slices.Grow(s.recs[:0], n)
	}
}

// add appends a pair; with zero value bits the value is dropped.
func (s *keyedSorter) add(key uint64, val uint32) {
	if s.usePack {
		s.packed = append(s.packed, key<<s.valBits|uint64(val)&(1<<s.valBits-1))
	} else {
		s.recs = append(s.recs, edgeRec{key, val})
	}
}

// sort sorts the pairs by key, stably, with the scratch memory of b (nil:
// allocated for this sort alone).
func (s *keyedSorter) sort(b *sortBuffers) {
	if s.usePack {
		s.packed = b.sortU64(s.packed, s.valBits)
	} else {
		s.recs = b.sortRecs(s.recs)
	}
}

// sortBuffers is the scratch memory of radix sorts kept from sort to sort:
// the second buffer of each element type and the digit histograms. A nil
// *sortBuffers keeps nothing: each sort allocates its own, garbage once it
// returns.
type sortBuffers struct {
	u64   []uint64
	recs  []edgeRec
	count []int
}

// sortU64 sorts a by its bits from lowBit up, as radixSortU64, and returns
// the sorted slice, either a or b's second buffer; the other one becomes
// b's second buffer.
func (b *sortBuffers) sortU64(a []uint64, lowBit uint) []uint64 {
	if b == nil {
		return radixSortU64(a, make([]uint64, len(a)), lowBit, nil)
	}
	tmp := resize(b.u64, len(a))
	sorted := radixSortU64(a, tmp, lowBit, &b.count)
	b.u64 = spare(sorted, a, tmp)
	return sorted
}

// sortRecs is sortU64 for records, sorted by their whole key.
func (b *sortBuffers) sortRecs(a []edgeRec) []edgeRec {
	if b == nil {
		return radixSort(a, make([]edgeRec, len(a)), edgeRecKey)
	}
	tmp := resize(b.recs, len(a))
	sorted := radixSortFrom(a, tmp, edgeRecKey, 0, &b.count)
	b.recs = spare(sorted, a, tmp)
	return sorted
}

// spare returns whichever of a and tmp a radix sort did not return as
// sorted.
func spare[T any](sorted, a, tmp []T) []T {
	if len(sorted) > 0 && &sorted[0] == &tmp[0] {
		return a
	}
	return tmp
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

// maxComparisonSort is the most keys radixSortU64 sorts with a comparison
// sort when it can: for a few hundred keys, a radix sort's passes cost
// more.
const maxComparisonSort = 1024

// lowBitsAscending reports whether the bits of a below lowBit never
// decrease, so that a sort of the whole keys is stable in the bits above.
func lowBitsAscending(a []uint64, lowBit uint) bool {
	mask := uint64(1)<<lowBit - 1
	for i := 1; i < len(a); i++ {
		if a[i]&mask < a[i-1]&mask {
			return false
		}
	}
	return true
}

// radixSortU64 is radixSortFrom specialised for plain uint64 keys, without
// a key function call per element and pass.
func radixSortU64(a, tmp []uint64, lowBit uint, hist *[]int) []uint64 {
	n := len(a)
	if n <= 64 {
		return radixSortFrom(a, tmp, keyU64, lowBit, hist)
	}
	if n <= maxComparisonSort && lowBitsAscending(a, lowBit) {
		// Sorting whole keys keeps equal high bits in input order.
		slices.Sort(a)
		return a
	}
	var maxKey uint64
	for _, k := range a {
		maxKey = max(maxKey, k>>lowBit)
	}
	if maxKey == 0 {
		return a
	}
	passes, width, buckets, mask, count := radixPlan(maxKey, n, hist)
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

// SortKeys sorts a in ascending order and returns the sorted slice (a
// itself, or a new slice of its length): the radix sort the graph builds
// its indexes with, for callers that pack what they sort into uint64 keys.
// On millions of keys it takes a fraction of a comparison sort's time
// (BenchmarkSortKeys).
func SortKeys(a []uint64) []uint64 {
	if len(a) <= maxComparisonSort {
		slices.Sort(a)
		return a
	}
	return radixSortU64(a, make([]uint64, len(a)), 0, nil)
}

// SortKeysInPlace sorts a in ascending order in place, with no memory
// beyond a few counters on the stack: a most-significant-digit radix sort
// that permutes each level in place (the "American flag sort" of McIlroy,
// Bostic and McIlroy, "Engineering radix sort", 1993), a byte at a time
// from the highest bit that differs between keys, and a comparison sort
// for buckets of maxComparisonSort keys or fewer. SortKeys is faster but
// needs a second slice of a's length; this is for the large sorts made
// where memory peaks (BenchmarkSortKeys). The sort is not stable, which
// for plain keys does not matter.
func SortKeysInPlace(a []uint64) {
	if len(a) <= maxComparisonSort {
		slices.Sort(a)
		return
	}
	or, and := uint64(0), ^uint64(0)
	for _, k := range a {
		or, and = or|k, and&k
	}
	if differ := or ^ and; differ != 0 {
		flagSort(a, uint(max(bits.Len64(differ)-8, 0)))
	}
}

// flagSort sorts a, whose keys agree above bit shift+8, by the byte at
// shift and then, bucket by bucket, by the bits below it.
func flagSort(a []uint64, shift uint) {
	if len(a) <= maxComparisonSort {
		slices.Sort(a)
		return
	}
	var count, head [256]int
	for _, k := range a {
		count[(k>>shift)&0xFF]++
	}
	var tail [256]int
	sum := 0
	for b, c := range count {
		head[b], sum = sum, sum+c
		tail[b] = sum
	}
	// Each bucket in turn takes the keys that belong there: a key found
	// in bucket b that belongs to d is put in d's next free place, and the
	// key it displaces carried on, until one belongs to b.
	for b := range 256 {
		for head[b] < tail[b] {
			k := a[head[b]]
			for d := (k >> shift) & 0xFF; d != uint64(b); d = (k >> shift) & 0xFF {
				a[head[d]], k = k, a[head[d]]
				head[d]++
			}
			a[head[b]] = k
			head[b]++
		}
	}
	if shift == 0 {
		return
	}
	next, lo := shift-min(shift, 8), 0
	for _, c := range count {
		if c > 1 {
			flagSort(a[lo:lo+c], next)
		}
		lo += c
	}
}
