package ingest

import (
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestParseTime(t *testing.T) {
	base := claims.DateOf(2024, 3, 1).Time() + 9*3600 + 5*60 + 7
	tests := []struct {
		in   string
		want claims.Time
		ok   bool
	}{
		{"2024-03-01 09:05:07", base, true},
		{"2024-03-01T09:05:07", base, true},
		{"20240301090507", base, true},
		{"2024-02-29 00:00:00", claims.DateOf(2024, 2, 29).Time(), true},
		{"1970-01-01 00:00:00", 0, true},
		{"2023-02-29 00:00:00", claims.NoTime, false},
		{"2024-13-01 00:00:00", claims.NoTime, false},
		{"2024-04-31 00:00:00", claims.NoTime, false},
		{"2024-03-01 24:00:00", claims.NoTime, false},
		{"2024-03-01 23:60:00", claims.NoTime, false},
		{"2024-03-01 23:59:60", claims.NoTime, false},
		{"2024-03-01", claims.NoTime, false},
		{"2024/03/01 09:05:07", claims.NoTime, false},
		{"2024-03-01x09:05:07", claims.NoTime, false},
		{"2024030109050", claims.NoTime, false},
		{"0000-01-01 00:00:00", claims.NoTime, false},
		{"", claims.NoTime, false},
		{"２０２４-03-01 09:05:07", claims.NoTime, false},
	}
	for _, tc := range tests {
		got, ok := parseTime(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	d := claims.DateOf(1990, 12, 31)
	tests := []struct {
		in   string
		want claims.Date
		ok   bool
	}{
		{"1990-12-31", d, true},
		{"19901231", d, true},
		{"1990-12-31 23:59:59", d, true},
		{"1990-12-31T00:00:00", d, true},
		{"19901231120000", d, true},
		{"2000-02-29", claims.DateOf(2000, 2, 29), true},
		{"1900-02-29", claims.NoDate, false},
		{"1990-02-30", claims.NoDate, false},
		{"1990-1-1", claims.NoDate, false},
		{"19901301", claims.NoDate, false},
		{"1990-12-3a", claims.NoDate, false},
		{"", claims.NoDate, false},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want claims.Money
		ok   bool
	}{
		{"0", 0, true}, {"12", 1200, true}, {"12.3", 1230, true}, {"12.34", 1234, true},
		{"12.340", 1234, true}, {"-5.5", -550, true}, {"+1", 100, true}, {".5", 50, true},
		{"5.", 500, true}, {"-0.01", -1, true}, {"999999999999.99", 99999999999999, true},
		{"12.345", 0, false}, {"abc", 0, false}, {"", 0, false}, {"-", 0, false}, {".", 0, false},
		{"1,000", 0, false}, {"1e3", 0, false}, {"1.2.3", 0, false}, {"9999999999999", 0, false}, {" 1", 0, false},
	}
	for _, tc := range tests {
		got, reason, ok := parseMoney(tc.in)
		if ok != tc.ok || (ok && got != tc.want) || (!ok && reason == "") {
			t.Errorf("parseMoney(%q) = %v, %q, %v; want %v, %v", tc.in, got, reason, ok, tc.want, tc.ok)
		}
	}
	if _, reason, _ := parseMoney("1.234"); reason != "amount has more than 2 decimals" {
		t.Errorf("reason = %q", reason)
	}
}

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in   string
		want claims.Price
		ok   bool
	}{
		{"12.5", 12500000, true}, {"0.123456", 123456, true}, {"0.0000010", 1, true},
		{"-3", -3000000, true}, {"1.1234567", 0, false}, {"x", 0, false},
	}
	for _, tc := range tests {
		got, _, ok := parsePrice(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parsePrice(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseFloatIntGend(t *testing.T) {
	floats := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"2", 2, true}, {"0.1", 0.1, true}, {"-4", -4, true}, {"1e3", 1000, true},
		{"1.23456789", 1.23456789, true}, {"NaN", 0, false}, {"Inf", 0, false}, {"", 0, false}, {"0x10", 0, false},
	}
	for _, tc := range floats {
		got, ok := parseFloat(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseFloat(%q) = %v, %v", tc.in, got, ok)
		}
	}
	ints := []struct {
		in   string
		want int64
		ok   bool
	}{{"0", 0, true}, {"-12", -12, true}, {"+7", 7, true}, {"1.0", 0, false}, {"", 0, false}, {"-", 0, false}, {"1234567890123456789", 0, false}}
	for _, tc := range ints {
		got, ok := parseInt(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseInt(%q) = %v, %v", tc.in, got, ok)
		}
	}
	gends := []struct {
		in   string
		want claims.Sex
		ok   bool
	}{{"1", claims.Male, true}, {"2", claims.Female, true}, {"男", claims.Male, true}, {"女", claims.Female, true}, {"0", 0, false}, {"M", 0, false}, {"", 0, false}}
	for _, tc := range gends {
		got, ok := parseGend(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseGend(%q) = %v, %v", tc.in, got, ok)
		}
	}
}

func TestRejectValue(t *testing.T) {
	tests := []struct{ table, col, in, want string }{
		{"psn", "psn_name", "张三丰", "<3 CJK chars>"},
		{"psn", "certno", "110101199003071234", "<18 digits>"},
		{"staff", "dr_name", "刘医生", "<3 CJK chars>"},
		{"psn", "psn_no", "P001", "<4 chars: A999>"},
		{"psn", "brdy", "11010119900101888X", "<18 chars: 17 digits + X>"},
		{"psn", "brdy", "1990-02-30", "<10 chars: 9999-99-99>"},
		{"staff", "dr_code", "D001", "<4 chars: A999>"},
		{"mdtrt", "psn_no", "P001", "P001"},
		{"mdtrt", "begntime", "2024-13-01", "2024-13-01"},
		{"mdtrt", "begntime", "张三", "<2 CJK chars>"},
		{"mdtrt", "med_type", "110101900101888", "<15 digits>"},
		{"mdtrt", "mdtrt_id", "V110101199003071234x", "<20 chars: A999999999999999999a>"},
		{"mdtrt", "dise_name", "\xff\xfe", "<1 chars: ?>"},
		{"mdtrt", "dise_name", "阑尾炎", "<3 CJK chars>"},
		{"fee_list", "mdtrt_id", "V\x00\u202e1", "V<U+0000><U+202E>1"},
		{"fee_list", "x", string(make([]byte, 100)), strings.Repeat("<U+0000>", 8)},
		{"fee_list", "x", strings.Repeat("a", 100), strings.Repeat("a", 64)},
	}
	for _, tc := range tests {
		if got := rejectValue(tc.table, tc.col, tc.in); got != tc.want {
			t.Errorf("rejectValue(%s, %s, %q) = %q, want %q", tc.table, tc.col, tc.in, got, tc.want)
		}
	}
}
