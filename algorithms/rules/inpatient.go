package rules

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// maxStayDays clips implausibly long stays in the census.
const maxStayDays = 366

// maxCensusDay bounds admission days (days since 1970) the census accepts,
// so that a corrupt date cannot blow up its day array.
const maxCensusDay = 1 << 16

// stayDays returns the admission day and the day after the last census
// night of inpatient visit v (at least admission + 1), or false when the
// discharge time is missing or before admission.
func stayDays(vt *graph.VisitTable, v uint32) (adm, dis int64, ok bool) {
	b, en := vt.Begin.At(v), vt.End.At(v)
	if en == claims.NoTime || en < b {
		return 0, 0, false
	}
	adm, dis = int64(b.Day()), int64(en.Day())
	if adm < 0 || adm > maxCensusDay {
		return 0, 0, false
	}
	dis = min(max(dis, adm+1), adm+maxStayDays)
	return adm, dis, true
}

// runSplitAdmission (R-SPLIT-ADMIT) flags readmissions within max_gap_days
// of the previous discharge (to the same institution when
// same_institution is 1) whose main diagnosis shares its first match_prefix
// characters with the previous stay's: 分解住院. When the data carry no
// diagnosis at all and without_diagnosis is 1, every such readmission
// counts. One hit per person; the amount is the fund of the readmission
// stays.
func runSplitAdmission(ctx context.Context, e *env, c *collector) error {
	vt := &e.t.Visits
	maxGap := int64(c.rule.P("max_gap_days"))
	prefix := int(c.rule.P("match_prefix"))
	sameInst := c.rule.P("same_institution") != 0
	noDiagnoses := e.dise.nCat == 0 && c.rule.P("without_diagnosis") != 0
	var stays, readmits, cited []uint32
	var fd finding
	for p := range e.persons() {
		if err := cancelled(ctx, int(p)); err != nil {
			return err
		}
		stays, readmits, cited = stays[:0], readmits[:0], cited[:0]
		minGap := int64(-1)
		for _, v := range e.personVisits(uint32(p)) {
			if !e.is(v, vLive|vInpatient) {
				continue
			}
			for i := len(stays) - 1; i >= 0; i-- {
				a := stays[i]
				if sameInst && vt.Institution[a] != vt.Institution[v] {
					continue
				}
				if vt.End.At(a) == claims.NoTime {
					break
				}
				gap := int64(vt.Begin.At(v).Day()) - int64(vt.End.At(a).Day())
				if gap >= 0 && gap <= maxGap && (noDiagnoses || e.dise.samePrefix(vt.Dise.At(a), vt.Dise.At(v), prefix)) {
					readmits = append(readmits, v)
					cited = append(cited, a, v)
					if minGap < 0 || gap < minGap {
						minGap = gap
					}
				}
				break
			}
			stays = append(stays, v)
		}
		if len(readmits) == 0 {
			continue
		}
		fd.reset()
		fd.persons = append(fd.persons, uint32(p))
		cited = sortedUnique(cited)
		addVisits(e, &fd, cited, c.maxRows)
		fd.amount = 0
		for _, v := range readmits {
			fd.amount += max(vt.FundPay.At(v), 0)
		}
		for _, v := range cited {
			if d := vt.Doctor[v]; d != graph.None {
				fd.doctors = append(fd.doctors, d)
			}
		}
		c.emit(&fd, func() (string, string) {
			if noDiagnoses {
				return fmt.Sprintf("%d readmissions within %d days of discharge (shortest gap %d days; the data carry no diagnosis)", len(readmits), maxGap, minGap),
					fmt.Sprintf("出院后%d天内再次入院%d次（最短间隔%d天；数据无诊断）", maxGap, len(readmits), minGap)
			}
			return fmt.Sprintf("%d readmissions with the same diagnosis within %d days of discharge (shortest gap %d days)", len(readmits), maxGap, minGap),
				fmt.Sprintf("出院后%d天内以相同诊断再次入院%d次（最短间隔%d天）", maxGap, len(readmits), minGap)
		})
	}
	return nil
}

// runCensusBeds (R-CENSUS-BEDS) computes each institution's midnight
// inpatient census from the live stays (admission day counted, discharge day
// not; same-day stays count once) and flags institutions with approved beds
// whose census exceeded bed_cnt × over_ratio on at least min_days days. One
// hit per institution; the amount is the fund of the stays present on any
// flagged day.
func runCensusBeds(ctx context.Context, e *env, c *collector) error {
	vt, it := &e.t.Visits, &e.t.Institutions
	ratio := c.rule.P("over_ratio")
	minDays := int(c.rule.P("min_days"))
	var diff []int32
	var flagged []int32 // prefix counts of flagged days
	var cited []uint32
	var fd finding
	for i := 0; i < it.Len(); i++ {
		if err := cancelled(ctx, i); err != nil {
			return err
		}
		if it.Beds[i] <= 0 || it.Type[i] == claims.Pharmacy {
			continue
		}
		vs := e.g.VisitsOf(e.g.InstitutionNode(uint32(i)))
		lo, hi := int64(0), int64(-1)
		for _, v := range vs {
			if adm, dis, ok := inpatientStay(e, vt, v); ok {
				if hi < lo {
					lo, hi = adm, dis
				}
				lo, hi = min(lo, adm), max(hi, dis)
			}
		}
		if hi < lo {
			continue
		}
		span := int(hi - lo + 1)
		diff = resize(diff, span+1)
		for _, v := range vs {
			if adm, dis, ok := inpatientStay(e, vt, v); ok {
				diff[adm-lo]++
				diff[dis-lo]--
			}
		}
		limit := float64(it.Beds[i]) * ratio
		flagged = resize(flagged, span+1)
		days, peak, peakDay, census := 0, int32(0), int64(0), int32(0)
		for d := 0; d < span; d++ {
			census += diff[d]
			flagged[d+1] = flagged[d]
			if float64(census) > limit {
				days++
				flagged[d+1]++
				if census > peak {
					peak, peakDay = census, lo+int64(d)
				}
			}
		}
		if days < minDays {
			continue
		}
		cited = cited[:0]
		for _, v := range vs {
			if adm, dis, ok := inpatientStay(e, vt, v); ok && flagged[dis-lo] > flagged[adm-lo] {
				cited = append(cited, v)
			}
		}
		fd.reset()
		addVisits(e, &fd, cited, c.maxRows)
		fd.insts = append(fd.insts[:0], uint32(i))
		day := claims.Date(peakDay)
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("inpatient census above %d approved beds (×%.2f) on %d days; peak %d on %s", it.Beds[i], ratio, days, peak, day),
				fmt.Sprintf("在院人数超过核定床位%d张（×%.2f）共%d天，%s最高%d人", it.Beds[i], ratio, days, day, peak)
		})
	}
	return nil
}

// inpatientStay returns the census days of v if it is a live inpatient stay.
func inpatientStay(e *env, vt *graph.VisitTable, v uint32) (adm, dis int64, ok bool) {
	if !e.is(v, vLive|vInpatient) {
		return 0, 0, false
	}
	return stayDays(vt, v)
}

// resize returns s with length n, zeroed.
func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	s = s[:n]
	clear(s)
	return s
}
