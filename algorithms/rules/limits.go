package rules

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph/claims"
)

// runSexItem (R-SEX-ITEM) flags catalogue items limited to one sex (lmt_gend)
// billed for a person of the other sex: one hit per (person, item).
func runSexItem(ctx context.Context, e *env, c *collector) error {
	ct, pt := &e.t.Catalog, &e.t.Persons
	minLines := int(c.rule.P("min_lines"))
	var fd finding
	var vis []uint32
	want := func(p, _, f uint32) bool {
		it := e.t.Fees.Item.At(f)
		if int(it) >= ct.Len() || !ct.Known[it] || ct.LimitSex[it] == claims.SexUnknown {
			return false
		}
		s := pt.Sex[p]
		return s != claims.SexUnknown && s != ct.LimitSex[it]
	}
	return forEachPersonItem(ctx, e, want, func(p, item uint32, fees []uint32) {
		if len(fees) < minLines {
			return
		}
		code, lim, sex := e.itemCode(item), ct.LimitSex[item], pt.Sex[p]
		vis = emitPersonItem(e, c, &fd, p, item, fees, feesFund(e, fees), vis, func() (string, string) {
			return fmt.Sprintf("item %s is limited to %s patients but was billed %d times for a %s patient", code, lim, len(fees), sex),
				fmt.Sprintf("限%s项目%s为%s参保人结算%d次", sexZh(lim), e.itemZh(item), sexZh(sex), len(fees))
		})
	})
}

// runAgeItem (R-AGE-ITEM) flags catalogue items limited to an age range
// (lmt_age_min, lmt_age_max) billed for a person outside it, tolerance_years
// allowed: one hit per (person, item).
func runAgeItem(ctx context.Context, e *env, c *collector) error {
	ct, vt := &e.t.Catalog, &e.t.Visits
	tol := int(c.rule.P("tolerance_years"))
	minLines := int(c.rule.P("min_lines"))
	var fd finding
	var vis []uint32
	want := func(p, v, f uint32) bool {
		it := e.t.Fees.Item.At(f)
		if int(it) >= ct.Len() || !ct.Known[it] || ct.AgeMin[it] < 0 && ct.AgeMax[it] < 0 {
			return false
		}
		age, ok := e.ageAt(p, vt.Begin.At(v).Day())
		return ok && outsideAge(age, int(ct.AgeMin[it]), int(ct.AgeMax[it]), tol)
	}
	return forEachPersonItem(ctx, e, want, func(p, item uint32, fees []uint32) {
		if len(fees) < minLines {
			return
		}
		age, _ := e.ageAt(p, vt.Begin.At(e.t.Fees.Visit.At(fees[0])).Day())
		code, rng := e.itemCode(item), ageRange(int(ct.AgeMin[item]), int(ct.AgeMax[item]))
		vis = emitPersonItem(e, c, &fd, p, item, fees, feesFund(e, fees), vis, func() (string, string) {
			return fmt.Sprintf("item %s is limited to ages %s but was billed %d times for a patient aged %d", code, rng, len(fees), age),
				fmt.Sprintf("限年龄（%s岁）项目%s为%d岁参保人结算%d次", rng, e.itemZh(item), age, len(fees))
		})
	})
}

// runSexDiagnosis (R-SEX-DISE) flags visits whose main diagnosis is limited
// to the other sex by Set.DiagnosisLimits: one hit per person.
func runSexDiagnosis(ctx context.Context, e *env, c *collector) error {
	pt := &e.t.Persons
	return forEachPersonDiagnosis(ctx, e, c, e.dise.sexLim, func(p uint32, _ uint32, l *DiagnosisLimit) bool {
		s := pt.Sex[p]
		return s != claims.SexUnknown && s != l.Sex
	}, func(p uint32, l *DiagnosisLimit, n int) (string, string) {
		return fmt.Sprintf("%d visits of a %s patient diagnosed %s–%s (%s), limited to %s patients", n, pt.Sex[p], l.From, l.To, l.Note, l.Sex),
			fmt.Sprintf("%s参保人%d次就诊诊断为限%s疾病（%s–%s）", sexZh(pt.Sex[p]), n, sexZh(l.Sex), l.From, l.To)
	})
}

// runAgeDiagnosis (R-AGE-DISE) flags visits whose main diagnosis is limited
// to an age range by Set.DiagnosisLimits, tolerance_years allowed: one hit
// per person.
func runAgeDiagnosis(ctx context.Context, e *env, c *collector) error {
	vt := &e.t.Visits
	tol := int(c.rule.P("tolerance_years"))
	return forEachPersonDiagnosis(ctx, e, c, e.dise.ageLim, func(p, v uint32, l *DiagnosisLimit) bool {
		age, ok := e.ageAt(p, vt.Begin.At(v).Day())
		return ok && outsideAge(age, l.AgeMin, l.AgeMax, tol)
	}, func(p uint32, l *DiagnosisLimit, n int) (string, string) {
		rng := ageRange(l.AgeMin, l.AgeMax)
		return fmt.Sprintf("%d visits diagnosed %s–%s (%s), limited to ages %s, for a patient outside that age", n, l.From, l.To, l.Note, rng),
			fmt.Sprintf("%d次就诊诊断为限年龄（%s岁）疾病（%s–%s），与参保人年龄不符", n, rng, l.From, l.To)
	})
}

// forEachPersonDiagnosis scans the visit column for live visits whose
// diagnosis has a limit in lim (indexed by Strings id) that bad reports as
// violated, and emits one hit per person with at least min_visits of them.
func forEachPersonDiagnosis(ctx context.Context, e *env, c *collector, lim []int16,
	bad func(p, v uint32, l *DiagnosisLimit) bool, detail func(p uint32, l *DiagnosisLimit, n int) (string, string)) error {
	vt := &e.t.Visits
	np := e.t.Persons.Len()
	minVisits := int(c.rule.P("min_visits"))
	limitOf := func(v uint32) *DiagnosisLimit {
		d := vt.Dise.At(v)
		if !e.dise.of(d) || lim[d] < 0 || int(lim[d]) >= len(e.set.DiagnosisLimits) {
			return nil
		}
		return &e.set.DiagnosisLimits[lim[d]]
	}
	var cand []uint32
	for v := range vt.Person {
		if err := cancelled(ctx, v); err != nil {
			return err
		}
		if int(vt.Person[v]) >= np || !e.live(uint32(v)) {
			continue
		}
		if l := limitOf(uint32(v)); l != nil && bad(vt.Person[v], uint32(v), l) {
			cand = append(cand, uint32(v))
		}
	}
	if len(cand) == 0 {
		return nil
	}
	var fd finding
	return forEachPerson(ctx, cand, np, func(v uint32) uint32 { return vt.Person[v] }, func(p uint32, hits []uint32) error {
		if len(hits) < minVisits || c.skip(visitsFund(e, hits)) {
			return nil
		}
		fd.reset()
		fd.persons = append(fd.persons, p)
		addVisits(e, &fd, hits, c.maxRows)
		first := limitOf(hits[0])
		c.emit(&fd, func() (string, string) { return detail(p, first, len(hits)) })
		return nil
	})
}

// outsideAge reports whether age lies outside [lo-tol, hi+tol]; a negative
// bound is no bound.
func outsideAge(age, lo, hi, tol int) bool {
	return lo >= 0 && age < lo-tol || hi >= 0 && age > hi+tol
}

// ageRange formats an age range with open ends.
func ageRange(lo, hi int) string {
	switch {
	case lo >= 0 && hi >= 0:
		return fmt.Sprintf("%d–%d", lo, hi)
	case lo >= 0:
		return fmt.Sprintf("%d+", lo)
	case hi >= 0:
		return fmt.Sprintf("0–%d", hi)
	}
	return "any"
}

// sexZh names a sex in Chinese.
func sexZh(s claims.Sex) string {
	switch s {
	case claims.Male:
		return "男性"
	case claims.Female:
		return "女性"
	}
	return "性别不详"
}
