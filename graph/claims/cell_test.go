package claims

import "testing"

func TestSafeCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"P0001", "P0001"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'quoted", "''quoted"},
		{"a=b", "a=b"},
		{"张三", "张三"},
	} {
		got := SafeCell(c.in)
		if got != c.want {
			t.Errorf("SafeCell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := PlainCell(got); back != c.in {
			t.Errorf("PlainCell(SafeCell(%q)) = %q", c.in, back)
		}
	}
}

func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"", "=1", "''", "'=", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := SafeCell(s)
		if PlainCell(c) != s {
			t.Fatalf("PlainCell(SafeCell(%q)) = %q", s, PlainCell(c))
		}
		if c != "" && c[0] != '\'' && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
			t.Fatalf("SafeCell(%q) = %q starts a formula", s, c)
		}
	})
}
