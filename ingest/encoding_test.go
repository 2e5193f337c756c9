package ingest

import (
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gb(t testing.TB, s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectEncoding(t *testing.T) {
	utf := []byte("psn_no,姓名\nP1,张三\n")
	tests := []struct {
		name   string
		sample []byte
		atEOF  bool
		want   string
	}{
		{"ascii", []byte("a,b\n1,2\n"), true, encUTF8},
		{"utf8", utf, true, encUTF8},
		{"bom", append([]byte(bom), utf...), true, encUTF8BOM},
		{"gb18030", gb(t, "psn_no,姓名\nP1,张三\n"), true, encGB18030},
		{"utf8 cut mid-rune", utf[:len(utf)-3], false, encUTF8},
		{"utf8 cut at eof", utf[:len(utf)-3], true, encGB18030},
		{"empty", nil, true, encUTF8},
	}
	for _, tc := range tests {
		if got := detectEncoding(tc.sample, tc.atEOF); got != tc.want {
			t.Errorf("%s: detectEncoding = %q, want %q", tc.name, got, tc.want)
		}
	}
	if !decodableGB18030(gb(t, "荆州市中心医院"), true) {
		t.Error("GB18030 text not decodable")
	}
}

func TestNormEncoding(t *testing.T) {
	for in, want := range map[string]string{"": "", "auto": "", "UTF-8": encUTF8, "gbk": encGB18030, "gb18030": encGB18030} {
		if got, err := normEncoding(in); err != nil || got != want {
			t.Errorf("normEncoding(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := normEncoding("latin1"); err == nil {
		t.Error("latin1 accepted")
	}
}
