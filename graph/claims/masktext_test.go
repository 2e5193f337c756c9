package claims

import (
	"strings"
	"testing"
)

func TestMaskText(t *testing.T) {
	m := NewTextMasker([]string{"何旭", "李萍", "王小明", "王小", "刘", " ", ""}, []string{"350203198705278296", "G1234567", "A12"})
	for _, tc := range []struct {
		name, in, want string
		patternsOnly   string // MaskText (nil masker) of in; "" when the same as want
	}{
		{"empty", "", "", ""},
		{"nothing personal", "飞行检查已完成，涉及 3 名医师", "飞行检查已完成，涉及 3 名医师", ""},
		{"known name", "约谈何旭，本人承认", "约谈何*，本人承认", "约谈何旭，本人承认"},
		{"longer name wins", "王小明与王小", "王**与王*", "王小明与王小"},
		{"one-character name left", "刘某", "刘某", ""},
		{"known certno", "证件 350203198705278296。", "证件 350*************96。", ""},
		{"known passport", "护照G1234567", "护照G12***67", "护照G1234567"},
		{"short certno left", "A12 室", "A12 室", ""},
		{"id with X", "身份证11010119900307123X号", "身份证110*************3X号", ""},
		{"id with x", "id:11010119900307123x", "id:110*************3x", ""},
		{"mobile", "电话13812345678联系", "电话138******78联系", ""},
		{"mobile +86", "tel +8613812345678", "tel +86138******78", ""},
		{"mobile 86 space", "tel 86 13812345678", "tel 86 138******78", ""},
		{"mobile groups hyphen", "138-1234-5678", "138-****-**78", ""},
		{"mobile groups space", "call 139 1234 5678.", "call 139 **** **78.", ""},
		{"mixed separators left", "138-1234 5678", "138-1234 5678", ""},
		{"not a mobile prefix", "12812345678", "12812345678", ""},
		{"landline left", "0592-5551234", "0592-5551234", ""},
		{"mdtrt_id left", "visit 20253705565479807769", "visit 20253705565479807769", ""},
		{"19 digits left", "1101011990030712345", "1101011990030712345", ""},
		{"17 digits left", "11010119900307123", "11010119900307123", ""},
		{"staff code left", "D350203001842", "D350203001842", ""},
		{"letter prefix masked", "ID350203198705278296", "ID350*************96", ""},
		{"two numbers", "13812345678/13987654321", "138******78/139******21", ""},
		{"name and id", "何旭（350203198705278296，电话15900001111）", "何*（350*************96，电话159******11）", "何旭（350*************96，电话159******11）"},
		{"all of it", "李萍 李萍", "李* 李*", "李萍 李萍"},
	} {
		if got := m.Mask(tc.in); got != tc.want {
			t.Errorf("%s: Mask(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		want := tc.patternsOnly
		if want == "" {
			want = tc.want
		}
		var none *TextMasker
		if got := none.Mask(tc.in); got != want {
			t.Errorf("%s: nil Mask(%q) = %q, want %q", tc.name, tc.in, got, want)
		}
		if got := MaskText(tc.in); got != want {
			t.Errorf("%s: MaskText(%q) = %q, want %q", tc.name, tc.in, got, want)
		}
	}
	if n := m.Known(); n != 6 { // 何旭 李萍 王小明 王小 and two certificate numbers
		t.Errorf("Known() = %d, want 6", n)
	}
	if n := (*TextMasker)(nil).Known(); n != 0 {
		t.Errorf("nil Known() = %d", n)
	}
}

func FuzzMaskText(f *testing.F) {
	for _, s := range []string{"13812345678", "350203198705278296", "138-1234-5678", "+8613812345678", "王小明"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskText(s)
		if len(got) != len(s) {
			t.Fatalf("MaskText changed the length: %q → %q", s, got)
		}
		if again := MaskText(got); again != got {
			t.Fatalf("MaskText not idempotent: %q → %q → %q", s, got, again)
		}
		if strings.Count(got, "*") < strings.Count(s, "*") {
			t.Fatalf("stars removed: %q → %q", s, got)
		}
	})
}
