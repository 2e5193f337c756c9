package server

import "slices"

// record is one decoded row of a batch or a check: its keys, distinct,
// and their values (numbers keep their text, null and "" are ""). Where a
// JSON object repeats a key, the last value counts, as in a map.
//
// A check decodes a visit and its fee lines, a few dozen keys each, and
// must allocate little: a record is two slices that a check reuses from
// row to row, where a map would be a new table of buckets for every row.
type record struct {
	keys, vals []string
	// next is where get looks first: the row after the key found last.
	// Rows list their columns in the contract's order as a rule, which is
	// the order the row parser asks for them, so a lookup is one
	// comparison where a scan from the start would be a dozen.
	next int
}

// recordOf returns the record of m, its keys sorted.
func recordOf(m map[string]string) *record {
	r := &record{keys: make([]string, 0, len(m)), vals: make([]string, 0, len(m))}
	for k := range m {
		r.keys = append(r.keys, k)
	}
	slices.Sort(r.keys)
	for _, k := range r.keys {
		r.vals = append(r.vals, m[k])
	}
	return r
}

// reset empties r, keeping its memory.
func (r *record) reset() { r.keys, r.vals, r.next = r.keys[:0], r.vals[:0], 0 }

// add appends key with its value; the caller keeps keys distinct.
func (r *record) add(key, val string) {
	r.keys = append(r.keys, key)
	r.vals = append(r.vals, val)
}

// lookup returns the value of key and whether r has it.
func (r *record) lookup(key string) (string, bool) {
	n := len(r.keys)
	for k := range n {
		i := r.next + k
		if i >= n {
			i -= n
		}
		if r.keys[i] == key {
			r.next = i + 1
			return r.vals[i], true
		}
	}
	return "", false
}

// get returns the value of key ("" when absent).
func (r *record) get(key string) string {
	v, _ := r.lookup(key)
	return v
}

// has reports whether r has key.
func (r *record) has(key string) bool {
	_, ok := r.lookup(key)
	return ok
}

// firstUnknown returns the least of r's keys that known lacks, in byte
// order ("" and false when none): a row with several unknown keys always
// names the same one, whatever their order in the row.
func (r *record) firstUnknown(known map[string]bool) (string, bool) {
	first, found := "", false
	for _, k := range r.keys {
		if !known[k] && (!found || k < first) {
			first, found = k, true
		}
	}
	return first, found
}
