package ingest

import (
	"reflect"
	"testing"
)

func splitAll(data string) (recs [][]string, lines []int) {
	buf := []byte(data)
	scratch := make([]byte, 0, len(buf))
	line := 1
	for len(buf) > 0 {
		var f []string
		var n, inner int
		f, scratch, n, inner = csvRecord(buf, nil, scratch)
		recs = append(recs, f)
		lines = append(lines, line)
		line += 1 + inner
		buf = buf[n:]
	}
	return recs, lines
}

func TestCSVRecord(t *testing.T) {
	tests := []struct {
		in    string
		want  [][]string
		lines []int
	}{
		{"a,b,c\n", [][]string{{"a", "b", "c"}}, []int{1}},
		{"a,b,c", [][]string{{"a", "b", "c"}}, []int{1}},
		{"a,,\r\n1,2,3\r\n", [][]string{{"a", "", ""}, {"1", "2", "3"}}, []int{1, 2}},
		{`"a,b","c""d",e` + "\n", [][]string{{"a,b", `c"d`, "e"}}, []int{1}},
		{"\"multi\nline\",x\ny,z\n", [][]string{{"multi\nline", "x"}, {"y", "z"}}, []int{1, 3}},
		{`"",""` + "\n", [][]string{{"", ""}}, []int{1}},
		{`a"b,c` + "\n", [][]string{{`a"b`, "c"}}, []int{1}},
		{`"ab"cd,e` + "\n", [][]string{{"abcd", "e"}}, []int{1}},
		{`"unterminated,x`, [][]string{{"unterminated,x"}}, []int{1}},
		{"\"crlf\"\r\n", [][]string{{"crlf"}}, []int{1}},
		{"中文,\"引号,逗号\"\n", [][]string{{"中文", "引号,逗号"}}, []int{1}},
	}
	for _, tc := range tests {
		got, lines := splitAll(tc.in)
		if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(lines, tc.lines) {
			t.Errorf("split(%q) = %q at %v, want %q at %v", tc.in, got, lines, tc.want, tc.lines)
		}
	}
}

func TestCSVCut(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"a,b\nc,d\ne", 8},
		{"a,b\n", 4},
		{"abc", 0},
		{"\"a\nb\",c\nd", 8},
		{"\"a\nb", 0},
		{"x,\"a\"\"\n\",y\nz", 11},
		{"x\n\"", 2},
		{"x\n\"a\"", 2},
		{`a"b` + "\nc", 4},
	}
	for _, tc := range tests {
		if got := csvCut([]byte(tc.in), 0, false); got != tc.want {
			t.Errorf("csvCut(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestCSVPlain checks that csvPlain splits records without quotes as
// csvRecord does.
func TestCSVPlain(t *testing.T) {
	tests := []string{
		"", "\n", "\r\n", "a", "a\n", "a,b,c\n", "a,b,c", "a,,\r\n", ",", ",,,,,,,,,,\n",
		"abcdefg,hijklmn,opq\n", "abcdefgh,ijklmnop\r\n", "a\rb,c\n", "x,\r", "\r",
		"0001,20253705565479807769,001101000010000,普通门诊诊查费,201,1,10.00,10.00,2025-04-18 13:39:59,D350205682914,,\n",
		"-,-5,,-,--,,,,-\n", "\x00,\x01\x2c\x2d,\xff\xfe\n", "中文,逗号,,\n",
	}
	// Generated lines from an alphabet that stresses the word arithmetic.
	alphabet := []byte{',', '-', '+', 'a', '\r', 0x00, 0x01, 0x7f, 0x80, 0xac, 0xff}
	state := uint32(1)
	for n := 0; n < 2000; n++ {
		line := make([]byte, n%41)
		for i := range line {
			state = state*1664525 + 1013904223
			line[i] = alphabet[state>>24%uint32(len(alphabet))]
		}
		if n%3 == 0 {
			line = append(line, '\n')
		}
		tests = append(tests, string(line))
	}
	for _, in := range tests {
		want, _, _, _ := csvRecord([]byte(in), nil, make([]byte, 0, len(in)))
		got := csvPlain([]byte(in), nil)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("csvPlain(%q) = %q; csvRecord gives %q", in, got, want)
		}
	}
}
