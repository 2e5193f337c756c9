package claims

import (
	"fmt"
	"testing"
	"time"
)

func TestDateCivilRoundTrip(t *testing.T) {
	// Every day from 1900 to 2100 converts to civil and back, and agrees
	// with the standard library.
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := DateOf(1900, 1, 1); d <= DateOf(2100, 12, 31); d++ {
		y, m, dd := d.Civil()
		if DateOf(y, m, dd) != d {
			t.Fatalf("round trip of %d failed: %04d-%02d-%02d", d, y, m, dd)
		}
		want := start.AddDate(0, 0, int(d-DateOf(1900, 1, 1)))
		if want.Year() != y || int(want.Month()) != m || want.Day() != dd {
			t.Fatalf("day %d: got %04d-%02d-%02d, want %s", d, y, m, dd, want.Format("2006-01-02"))
		}
		if d.Weekday() != int(want.Weekday()) {
			t.Fatalf("day %s: weekday %d, want %d", want.Format("2006-01-02"), d.Weekday(), want.Weekday())
		}
	}
}

func TestDateAndTime(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"epoch", DateOf(1970, 1, 1).String(), "1970-01-01"},
		{"leap day", DateOf(2024, 2, 29).String(), "2024-02-29"},
		{"before epoch", DateOf(1949, 10, 1).String(), "1949-10-01"},
		{"no date", NoDate.String(), ""},
		{"no time", NoTime.String(), ""},
		{"time", (DateOf(2024, 3, 5).Time() + 8*3600 + 30*60 + 7).String(), "2024-03-05 08:30:07"},
		{"day of time", (DateOf(2024, 3, 5).Time() + 86399).Day().String(), "2024-03-05"},
		{"day before epoch", (DateOf(1969, 12, 31).Time() + 5).Day().String(), "1969-12-31"},
		{"hour of day", fmt.Sprint((DateOf(2024, 3, 5).Time() + 13*3600 + 59*60).HourOfDay()), "13"},
		{"hour of day before epoch", fmt.Sprint((DateOf(1969, 12, 31).Time() + 23*3600 + 5).HourOfDay()), "23"},
		{"hours since epoch", fmt.Sprint((DateOf(1970, 1, 2).Time() + 3600).Hour()), "25"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	wall := time.Date(2024, 3, 5, 8, 30, 0, 0, Shanghai())
	if got := TimeOf(wall); got != DateOf(2024, 3, 5).Time()+8*3600+30*60 {
		t.Errorf("TimeOf(%v) = %v", wall, got)
	}
	if got := TimeOf(wall).Std(); !got.Equal(wall) {
		t.Errorf("Std round trip: %v != %v", got, wall)
	}
}

func TestAgeAt(t *testing.T) {
	tests := []struct {
		birth, at Date
		want      int
	}{
		{DateOf(1950, 6, 15), DateOf(2024, 6, 14), 73},
		{DateOf(1950, 6, 15), DateOf(2024, 6, 15), 74},
		{DateOf(2020, 2, 29), DateOf(2021, 2, 28), 0},
		{DateOf(2020, 2, 29), DateOf(2021, 3, 1), 1},
	}
	for _, tc := range tests {
		if got := tc.birth.AgeAt(tc.at); got != tc.want {
			t.Errorf("AgeAt(%v, %v) = %d; want %d", tc.birth, tc.at, got, tc.want)
		}
	}
}

func TestMoneyAndPrice(t *testing.T) {
	tests := []struct{ got, want string }{
		{Money(0).String(), "0.00"},
		{Money(5).String(), "0.05"},
		{Money(1230).String(), "12.30"},
		{Money(-1230).String(), "-12.30"},
		{Money(2700000000).String(), "27000000.00"},
		{Price(0).String(), "0"},
		{Price(1_500000).String(), "1.5"},
		{Price(12_345678).String(), "12.345678"},
		{Price(-250000).String(), "-0.25"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if Money(1234).Yuan() != 12.34 || Price(2_500000).Yuan() != 2.5 {
		t.Error("Yuan conversion wrong")
	}
}

func TestMasking(t *testing.T) {
	tests := []struct {
		col, in, want string
	}{
		{"psn_name", "张三丰", "张**"},
		{"psn_name", "李", "*"},
		{"psn_name", "", ""},
		{"dr_name", "欧阳娜娜", "欧***"},
		{"certno", "110101199003071234", "110*************34"},
		{"certno", "12345", "*****"},
		{"psn_no", "43000012345", "43000012345"},
	}
	for _, tc := range tests {
		if got := MaskColumn(tc.col, tc.in); got != tc.want {
			t.Errorf("MaskColumn(%s, %q) = %q; want %q", tc.col, tc.in, got, tc.want)
		}
	}
	for col, want := range map[string]bool{"psn_name": true, "certno": true, "dr_name": true, "psn_no": false, "dr_code": false} {
		if IsPersonalColumn(col) != want {
			t.Errorf("IsPersonalColumn(%s) != %v", col, want)
		}
	}
}

func TestMedType(t *testing.T) {
	for m := MedType(0); m < 100; m++ {
		if m.Inpatient() != (m >= 21 && m <= 28) {
			t.Errorf("Inpatient(%d) wrong", m)
		}
	}
	if !MedPharmacy.Pharmacy() || MedOutpatient.Pharmacy() || !MedChronic.Outpatient() || MedInpatient.Outpatient() {
		t.Error("MedType predicates wrong")
	}
}

func TestWiden(t *testing.T) {
	for _, tc := range []struct {
		first, last, t      Time
		wantFirst, wantLast Time
	}{
		{NoTime, NoTime, 5, 5, 5},
		{5, 5, 3, 3, 5},
		{3, 5, 9, 3, 9},
		{3, 9, 4, 3, 9},
	} {
		if f, l := Widen(tc.first, tc.last, tc.t); f != tc.wantFirst || l != tc.wantLast {
			t.Errorf("Widen(%d, %d, %d) = %d, %d, want %d, %d", tc.first, tc.last, tc.t, f, l, tc.wantFirst, tc.wantLast)
		}
	}
}
