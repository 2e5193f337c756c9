package main

import "strings"

// The visits of a crossing doctor the boundary data set takes. A doctor on
// the claims of several partitions is mostly a hospital doctor of one
// partition whose prescriptions are filled in others, or who also sits at
// a clinic elsewhere: taking every one of the doctor's visits (the
// doctors' rule of step 4 of docs/scale.md's design, --doctor-visits all)
// brings the doctor's whole home practice into the boundary. What the
// boundary needs of it is the home visits that can clash with the work
// elsewhere: those on the days the doctor also works, bills or prescribes
// in another partition (--doctor-visits window, the default). A borrowed
// qualification bills elsewhere at the hours of the home visits, so both
// sides are kept; the rest of the home practice stays home.

// Doctor-visit selections of the boundary data set.
const (
	doctorVisitsWindow = "window" // visits outside the main partition, and the main partition's on those days
	doctorVisitsAll    = "all"    // every visit of a crossing doctor
)

// dayBits is the number of day bits per doctor and partition. A day is
// numbered from its date, y×372 + m×31 + d, modulo dayBits: the days of
// one year never share a bit (m×31 + d spans 32–403, whose top wraps below
// 32); days of different years may, which only selects a few more visits.
const (
	dayBits  = 384
	dayWords = dayBits / 64
)

// doctorDays is where and when one doctor works: per partition, the rows
// naming the doctor (attended visits and billed fee lines) and the days of
// those rows.
type doctorDays struct {
	rows []int32  // per partition
	days []uint64 // per partition, dayWords words
	main int      // the partition with the most rows, the first of equals (settleDays)
}

// dayOf returns the day number of a timestamp or date beginning
// YYYY-MM-DD, and whether it has one.
func dayOf(s string) (int, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return (y*372 + m*31 + d) % dayBits, true
}

// note records a row naming doctor d in partition part on day (a
// timestamp; rows without a readable day count only towards the rows).
func (k *crossKeys) note(d string, part int, day string) {
	w := k.days[d]
	if w == nil {
		w = &doctorDays{rows: make([]int32, k.parts), days: make([]uint64, k.parts*dayWords)}
		k.days[strings.Clone(d)] = w
	}
	w.rows[part]++
	if n, ok := dayOf(day); ok {
		w.days[part*dayWords+n/64] |= 1 << (n % 64)
	}
}

// settleDays finds every doctor's main partition once all partitions
// are noted.
func (k *crossKeys) settleDays() {
	for _, w := range k.days {
		w.main = 0
		for p, n := range w.rows {
			if n > w.rows[w.main] {
				w.main = p
			}
		}
	}
}

// takeDoctorVisit reports whether the boundary takes a row of crossing
// doctor d in partition part on day: with the window, any row outside the
// doctor's main partition (the one with most of the doctor's rows, the
// first of equals), and the main partition's rows on a day the doctor has
// rows in another partition or without a readable day.
func (k *crossKeys) takeDoctorVisit(d string, part int, day string) bool {
	w := k.days[d]
	if k.doctorVisits == doctorVisitsAll || w == nil || part != w.main {
		return true
	}
	n, ok := dayOf(day)
	if !ok {
		return true
	}
	word, bit := n/64, uint64(1)<<(n%64)
	for p := range w.rows {
		if p != part && w.days[p*dayWords+word]&bit != 0 {
			return true
		}
	}
	return false
}
