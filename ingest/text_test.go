package ingest

import "testing"

// TestSuspicious checks the word-at-a-time scan against a byte-at-a-time
// one, at every offset of inputs that put suspicious bytes at every
// position of a word.
func TestSuspicious(t *testing.T) {
	naive := func(b []byte) bool {
		for i, c := range b {
			switch {
			case c == '\n':
			case c == '\r' && i+1 < len(b) && b[i+1] == '\n':
			case c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xd8 || c == 0xe1 || c == 0xe2 || c == 0xef:
				return true
			}
		}
		return false
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"plain ascii", "0001,20253705565479807769,001101000010000,201,1,10.00\n"},
		{"cjk", "普通门诊诊查费,急性上呼吸道感染\n"},
		{"crlf", "a,b\r\nc,d\r\n"},
		{"lone cr", "a,b\rc,d\n"},
		{"cr at end", "abcdefghijk\r"},
		{"tab", "abcdefghij\tk\n"},
		{"del", "abcdefghijklmnop\x7f"},
		{"c1 lead", "abc\xc2\x85def"},
		{"zero width", "abcdefgh\xe2\x80\x8b"},
		{"bom inside", "abcdefghijkl\xef\xbb\xbf"},
		{"arabic lead", "\xd8\x9c"},
		{"mongolian", "x\xe1\xa0\x8e"},
		{"nul", "abcdefg\x00"},
	}
	sus := newSuspects()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.in)
			for from := 0; from <= len(b); from++ {
				for to := from; to <= len(b); to++ {
					if got, want := sus.suspicious(b[from:to]), naive(b[from:to]); got != want {
						t.Fatalf("suspicious(%q) = %v; want %v", b[from:to], got, want)
					}
				}
			}
		})
	}
}
