package rings

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// TestCohortShare checks the lockstep density of a ring whose six people
// come to a clinic together at nine on eight mornings, among forty
// ordinary patients coming alone: nearly all of the ring's visits and
// hardly any of the others' fall in columns of several of its people,
// whether the visits name their doctor or not (an export without doctor
// columns); and a ring whose people come on their own days has none.
func TestCohortShare(t *testing.T) {
	cases := []struct {
		name     string
		doctor   string // doctor code on every visit ("" = none)
		together bool   // the ring's people come together
		min, max float64
	}{
		{"together, one doctor", "D1", true, 0.9, 1},
		{"together, no doctor column", "", true, 0.9, 1},
		{"apart, no doctor column", "", false, 0, 0.01},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := graph.NewTables(0, 0)
			site, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某某诊所", Type: claims.Medical, Beds: -1})
			n := 0
			visit := func(person uint32, day, hour, minute int) uint32 {
				n++
				at := claims.DateOf(2025, 3, 1).Time() + claims.Time(day*86400+hour*3600+minute*60)
				v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: claims.MedOutpatient,
					Begin: at, End: claims.NoTime, DoctorCode: c.doctor, MedFee: 10000, FundPay: 8000}, person, site, uint32(n))
				return v
			}
			var ring []uint32
			for i := range 6 {
				p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("r%d", i), Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
				for k := range 8 {
					day, hour := 14*k, 9
					if !c.together {
						day, hour = 14*k+i+1, 8+i
					}
					ring = append(ring, visit(p, day, hour, 5*i))
				}
			}
			for i := range 40 {
				p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("o%d", i), Sex: claims.Male, Birth: claims.DateOf(1960, 1, 1)})
				for k := range 3 {
					visit(p, (i*7+k*37)%120, 8+(i+k)%9, (i*13)%60)
				}
			}
			g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := newTestState(t, g)
			share, baseline := s.cohortShare(candidateAt(g, tb, site, ring))
			if share < c.min || share > c.max {
				t.Errorf("ring's share in cohorts %.2f, want [%.2f, %.2f]", share, c.min, c.max)
			}
			if baseline > 0.1 {
				t.Errorf("others' share in cohorts %.2f, want at most 0.1", baseline)
			}
		})
	}
}

// TestMonthlyShare checks the share of a group's successive visit days a
// calendar month apart on the same day of the month: a follow-up day on
// the 4th (moved by a day or two when it falls badly) against a schedule
// of every 14 days, and against a mix.
func TestMonthlyShare(t *testing.T) {
	monthly := func(k int) claims.Date { return claims.DateOf(2025, 1+k, 4+k%3) }
	fortnight := func(k int) claims.Date { return claims.DateOf(2025, 1, 4) + claims.Date(14*k) }
	cases := []struct {
		name     string
		day      func(person, k int) claims.Date
		min, max float64
	}{
		{"the 4th of every month, a day or two late", func(_, k int) claims.Date { return monthly(k) }, 1, 1},
		{"every 14 days", func(_, k int) claims.Date { return fortnight(k) }, 0, 0},
		{"half of the people monthly", func(p, k int) claims.Date {
			if p%2 == 0 {
				return monthly(k)
			}
			return fortnight(k)
		}, 0.45, 0.55},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := graph.NewTables(0, 0)
			site, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "某社区卫生服务站", Type: claims.Medical, Beds: -1})
			var visits []uint32
			n := 0
			for p := range 6 {
				row, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%d", p), Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
				for k := range 10 {
					n++
					v, _ := tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("v%d", n), InstitutionCode: "H1", MedType: claims.MedOutpatient,
						Begin: c.day(p, k).Time() + 9*3600, End: claims.NoTime, MedFee: 5000, FundPay: 4000}, row, site, uint32(n))
					visits = append(visits, v)
				}
			}
			g := graphOf(t, tb)
			s := newTestState(t, g)
			if got := s.monthlyShare(candidateAt(g, tb, site, visits)); got < c.min || got > c.max {
				t.Errorf("monthly share %.2f, want [%.2f, %.2f]", got, c.min, c.max)
			}
		})
	}
}

// TestReportable checks the report line: a score of report_score, or a
// lockstep block or co-visit cohort strong enough on its synchrony alone,
// unless that synchrony is a site's routine (a follow-up day).
func TestReportable(t *testing.T) {
	pr := DefaultParams()
	s := &state{opt: &Options{Params: pr}}
	follow := features{MonthlyShare: 0.85, PeerZ: 0.2, ShareZ: -0.1, LocalShare: 0.9, Evidence: 0.45}
	swiping := features{MonthlyShare: 0.05, PeerZ: 0.2, ShareZ: -0.1, LocalShare: 0.9, Evidence: 0.45}
	cases := []struct {
		name string
		c    candidate
		want bool
	}{
		{"scored above the line", candidate{source: SourceRelationExcess, score: pr.ReportScore}, true},
		{"scored below the line", candidate{source: SourceRelationExcess, score: pr.ReportScore - 0.01, strength: 1, feat: swiping}, false},
		{"a block in step, below the line", candidate{source: SourceLockstep, score: 0.3, strength: 0.9, feat: swiping}, true},
		{"a follow-up day's block, below the line", candidate{source: SourceLockstep, score: 0.3, strength: 0.9, feat: follow}, false},
		{"a follow-up day's block, above the line", candidate{source: SourceLockstep, score: pr.ReportScore, strength: 0.9, feat: follow}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.reportable(&c.c); got != c.want {
				t.Errorf("reportable = %v, want %v", got, c.want)
			}
		})
	}
}

// TestCareOf checks the kind of care of a relation: chronic when most of
// its visits are chronic or special outpatient visits, or when they come a
// calendar month apart on the same day of the month (a chronic patient's
// refills written as ordinary visits); ordinary otherwise, on a schedule
// of 14 or 21 days as much as at random, and with monthly_share at 0
// whatever the rhythm.
func TestCareOf(t *testing.T) {
	monthly := func(k int) claims.Date { return claims.DateOf(2025, 1+k, 4+k%3) }
	cases := []struct {
		name  string
		days  []claims.Date
		med   func(k int) claims.MedType
		share float64
		want  int
	}{
		{"chronic visits, irregular", []claims.Date{claims.DateOf(2025, 1, 3), claims.DateOf(2025, 1, 20), claims.DateOf(2025, 3, 9)},
			func(int) claims.MedType { return claims.MedChronic }, 0.5, careChronic},
		{"ordinary visits on the 4th of each month", []claims.Date{monthly(0), monthly(1), monthly(2), monthly(3), monthly(4)},
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careChronic},
		{"ordinary visits every 14 days", []claims.Date{claims.DateOf(2025, 1, 4), claims.DateOf(2025, 1, 18), claims.DateOf(2025, 2, 1), claims.DateOf(2025, 2, 15)},
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
		{"ordinary visits every 21 days", []claims.Date{claims.DateOf(2025, 1, 4), claims.DateOf(2025, 1, 25), claims.DateOf(2025, 2, 15), claims.DateOf(2025, 3, 8)},
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
		{"ordinary visits on the 4th, then a visit after six weeks", []claims.Date{monthly(0), monthly(1), monthly(1) + 44, monthly(1) + 58},
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
		{"two monthly visits: too few to tell", []claims.Date{monthly(0), monthly(1)},
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
		{"monthly, the rhythm not read", []claims.Date{monthly(0), monthly(1), monthly(2), monthly(3)},
			func(int) claims.MedType { return claims.MedOutpatient }, 0, careOther},
		// A month's supply runs out a few days early: the day of the
		// month drifts (the 4th, 31st, 26th, 24th, 22nd, 17th), and no
		// gap keeps to it within monthDayDrift.
		{"refills 26 to 28 days apart, drifting", gapDays(claims.DateOf(2025, 1, 4), 27, 26, 27, 28, 26),
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careChronic},
		{"refills, one gap in two a month", gapDays(claims.DateOf(2025, 1, 4), 30, 12, 29, 50),
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careChronic},
		{"visits every 40 days", gapDays(claims.DateOf(2025, 1, 4), 40, 40, 40, 40),
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
		{"visits 20 to 25 days apart", gapDays(claims.DateOf(2025, 1, 4), 20, 25, 22, 24),
			func(int) claims.MedType { return claims.MedOutpatient }, 0.5, careOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vt graph.VisitTable
			var vs []uint32
			for k, d := range c.days {
				vt.MedType = append(vt.MedType, c.med(k))
				vt.Begin.Append(d.Time() + 9*3600)
				vs = append(vs, uint32(k))
			}
			if got := careOf(&vt, vs, c.share, nil); got != c.want {
				t.Errorf("careOf = %d, want %d", got, c.want)
			}
		})
	}
}

// gapDays returns first and the days after it at the given gaps.
func gapDays(first claims.Date, gaps ...int) []claims.Date {
	out := []claims.Date{first}
	for _, g := range gaps {
		out = append(out, out[len(out)-1]+claims.Date(g))
	}
	return out
}

// TestRoutine checks when a group's synchrony counts as a site's routine:
// monthly, billed like its peers, its people local, and no onset or offset.
func TestRoutine(t *testing.T) {
	pr := DefaultParams()
	follow := features{MonthlyShare: 0.85, PeerZ: 0.2, ShareZ: -0.1, LocalShare: 0.9}
	cases := []struct {
		name   string
		change func(f *features, p *Params)
		want   bool
	}{
		{"a station's follow-up day", func(*features, *Params) {}, true},
		{"every 14 days", func(f *features, _ *Params) { f.MonthlyShare = 0.05 }, false},
		{"billed far above peers", func(f *features, _ *Params) { f.PeerZ = 3.5 }, false},
		{"a chronic clientele without diagnoses, two scales up", func(f *features, _ *Params) { f.PeerZ = 2 }, true},
		{"fund share far above peers", func(f *features, _ *Params) { f.ShareZ = 3.2 }, false},
		{"people from elsewhere", func(f *features, _ *Params) { f.LocalShare = 0.2 }, false},
		{"began together", func(f *features, _ *Params) { f.OnsetShare = 0.4 }, false},
		{"stopped together", func(f *features, _ *Params) { f.OffsetShare = 0.4 }, false},
		{"a few newcomers began together", func(f *features, _ *Params) { f.OnsetShare = 0.08 }, true},
		{"a few left together", func(f *features, _ *Params) { f.OffsetShare = 0.25 }, true},
		{"a few newcomers, no cohort tolerated", func(f *features, p *Params) { f.OnsetShare, p.RoutineOnsetShare = 0.08, 0 }, false},
		{"discount off", func(_ *features, p *Params) { p.RoutineMonthlyShare = 0 }, false},
		// Billed far above peers, but each their own regimen: refills
		// dearer than acute visits, no package.
		{"billed far above peers, own regimens", func(f *features, _ *Params) { f.PeerZ, f.PackageShare, f.packaged = 4, 0.05, true }, true},
		{"billed far above peers, a package", func(f *features, _ *Params) { f.PeerZ, f.PackageShare, f.packaged = 4, 0.9, true }, false},
		{"billed far above peers, own regimens, package test off", func(f *features, p *Params) {
			f.PeerZ, f.PackageShare, f.packaged, p.PackageMinShare = 4, 0.05, true, 0
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, p := follow, pr
			c.change(&f, &p)
			if got := routine(&f, &p); got != c.want {
				t.Errorf("routine = %v, want %v", got, c.want)
			}
		})
	}
}
