package graph

// radixBits is the digit width of radixSort: 11-bit digits sort 44-bit keys
// in four passes with a histogram that stays in the L1 cache.
const (
	radixBits    = 11
	radixBuckets = 1 << radixBits
	radixDigits  = (64 + radixBits - 1) / radixBits
)

// radixSort sorts a by key with a stable LSD radix sort over 11-bit digits, using tmp
// (len(tmp) >= len(a)) as scratch, and returns the sorted slice, which is
// either a or tmp. Digits where every key agrees are skipped, so small keys
// cost few passes.
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
	count := new([radixDigits][radixBuckets]int)
	for i := range a {
		k := key(&a[i])
		k >>= lowBit
		for d := 0; d < radixDigits; d++ {
			count[d][(k>>(radixBits*d))&(radixBuckets-1)]++
		}
	}
	src, dst := a, tmp[:n]
	for d := 0; d < radixDigits; d++ {
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
		shift := lowBit + uint(radixBits*d)
		if shift >= 64 {
			break
		}
		for i := range src {
			b := (key(&src[i]) >> shift) & (radixBuckets - 1)
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

// add appends a pair.
func (s *keyedSorter) add(key uint64, val uint32) {
	if s.usePack {
		s.packed = append(s.packed, key<<s.valBits|uint64(val))
	} else {
		s.recs = append(s.recs, edgeRec{key, val})
	}
}

// sort sorts the pairs by key, stably.
func (s *keyedSorter) sort() {
	if s.usePack {
		s.packed = radixSortFrom(s.packed, make([]uint64, len(s.packed)), keyU64, s.valBits)
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
