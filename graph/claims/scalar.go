package claims

import (
	"strconv"
	"time"
)

// Time is a local (Asia/Shanghai, UTC+8, no daylight saving since 1991) wall
// clock time, counted in seconds since 1970-01-01 00:00:00 UTC+8 read as if
// it were UTC. Keeping wall-clock seconds makes "same day" and "same hour
// slot" integer divisions.
type Time int64

// NoTime marks an absent time.
const NoTime Time = -1 << 63

// Shanghai is the fixed zone the platform's local times are in.
var shanghai = time.FixedZone("CST", 8*3600)

// Shanghai returns the fixed UTC+8 zone the platform's local times are in.
func Shanghai() *time.Location { return shanghai }

// TimeOf returns the wall-clock Time of t in UTC+8.
func TimeOf(t time.Time) Time { return Time(t.Unix() + 8*3600) }

// Std converts t to a time.Time in the UTC+8 zone.
func (t Time) Std() time.Time { return time.Unix(int64(t)-8*3600, 0).In(shanghai) }

// Widen returns the span first..last widened to hold t; a span whose
// first is NoTime is empty.
func Widen(first, last, t Time) (Time, Time) {
	if first == NoTime {
		return t, t
	}
	return min(first, t), max(last, t)
}

// Day returns the calendar date of t.
func (t Time) Day() Date {
	d := int64(t) / 86400
	if int64(t) < 0 && int64(t)%86400 != 0 {
		d--
	}
	return Date(d)
}

// Hour returns the clock hour of t, counted in hours since 1970-01-01
// 00:00 (wall clock, like Day).
func (t Time) Hour() int64 {
	h := int64(t) / 3600
	if int64(t) < 0 && int64(t)%3600 != 0 {
		h--
	}
	return h
}

// HourOfDay returns the hour of the day of t, 0–23.
func (t Time) HourOfDay() int { return int(t.Hour() - int64(t.Day())*24) }

// String formats t as "YYYY-MM-DD HH:MM:SS", or "" for NoTime.
func (t Time) String() string {
	if t == NoTime {
		return ""
	}
	return t.Std().Format("2006-01-02 15:04:05")
}

// Date is a calendar date, counted in days since 1970-01-01.
type Date int32

// NoDate marks an absent date.
const NoDate Date = -1 << 31

// DateOf returns the Date of year, month (1–12) and day (1–31). It does not
// validate its arguments.
func DateOf(year, month, day int) Date { return Date(daysFromCivil(year, month, day)) }

// Weekday returns the day of the week of d, 0 for Sunday to 6 for
// Saturday (as time.Weekday; 1970-01-01 was a Thursday).
func (d Date) Weekday() int { return int((int64(d)%7 + 7 + 4) % 7) }

// Civil returns the year, month and day of d.
func (d Date) Civil() (year, month, day int) { return civilFromDays(int64(d)) }

// Time returns midnight at the start of d.
func (d Date) Time() Time { return Time(int64(d) * 86400) }

// String formats d as "YYYY-MM-DD", or "" for NoDate.
func (d Date) String() string {
	if d == NoDate {
		return ""
	}
	y, m, dd := d.Civil()
	b := make([]byte, 0, 10)
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, m, 2)
	b = append(b, '-')
	b = appendPadded(b, dd, 2)
	return string(b)
}

// AgeAt returns the age in whole years of someone born on d at day at.
func (d Date) AgeAt(at Date) int {
	by, bm, bd := d.Civil()
	ay, am, ad := at.Civil()
	age := ay - by
	if am < bm || (am == bm && ad < bd) {
		age--
	}
	return age
}

func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// daysFromCivil converts a proleptic Gregorian date to days since 1970-01-01
// (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

// Money is an amount in fen (0.01 yuan).
type Money int64

// Yuan returns m in yuan.
func (m Money) Yuan() float64 { return float64(m) / 100 }

// String formats m in yuan with two decimals, e.g. "-12.30".
func (m Money) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	s := strconv.FormatInt(int64(m/100), 10) + "." + strconv.FormatInt(int64(m%100)/10, 10) + strconv.FormatInt(int64(m%10), 10)
	if neg {
		return "-" + s
	}
	return s
}

// Price is a unit price in micro-yuan (1e-6 yuan): the contract allows six
// decimals for unit prices.
type Price int64

// Yuan returns p in yuan.
func (p Price) Yuan() float64 { return float64(p) / 1e6 }

// String formats p in yuan with the fewest decimals (up to six) that show it exactly.
func (p Price) String() string {
	neg := p < 0
	if neg {
		p = -p
	}
	s := strconv.FormatInt(int64(p/1e6), 10)
	if frac := int64(p % 1e6); frac != 0 {
		f := strconv.FormatInt(frac+1e6, 10)[1:]
		for len(f) > 0 && f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	if neg {
		return "-" + s
	}
	return s
}
