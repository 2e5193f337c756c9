package intern

import "unsafe"

// toBytes views s as a byte slice without copying; callers only read it.
func toBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
