package rules

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph/claims"
)

// runDoctorDistant (R-DOCTOR-DISTANT) follows each doctor code's attended
// outpatient visits in time order (placeholder codes, pharmacies and
// inpatient stays excluded) and flags consecutive visits at two
// institutions at least min_km apart whose times are too close to travel
// between them at speed_kmh: one code billing at distant sites at once
// (挂证, fabricated services). One hit per doctor with at least
// min_conflicts such changes; the amount is the fund of the visits
// involved. Sites without a location are apart by other_city_km or
// other_province_km when their region codes name different cities or
// provinces (separationKm); sites with neither are skipped.
func runDoctorDistant(ctx context.Context, e *env, c *collector) error {
	vt := &e.t.Visits
	minKm, speed := c.rule.P("min_km"), c.rule.P("speed_kmh")
	otherCityKm, otherProvinceKm := c.rule.P("other_city_km"), c.rule.P("other_province_km")
	minConflicts := int(c.rule.P("min_conflicts"))
	var cited []uint32
	var fd finding
	located := func(i uint32) bool {
		_, _, ok := e.location(i)
		return ok || e.region(i) != ""
	}
	return forEachDoctor(ctx, e, func(d uint32, visits []uint32) {
		cited = cited[:0]
		conflicts, farthest := 0, 0.0
		prev := uint32(0)
		havePrev := false
		for _, v := range visits {
			if vt.Doctor[v] != d || !e.live(v) || e.vb[v]&(vInpatient|vPharmacy) != 0 {
				continue
			}
			if !located(vt.Institution[v]) {
				continue
			}
			if havePrev && vt.Institution[prev] != vt.Institution[v] {
				km, ok := e.separationKm(vt.Institution[prev], vt.Institution[v], otherCityKm, otherProvinceKm)
				gapH := float64(vt.Begin.At(v)-vt.Begin.At(prev)) / 3600
				if ok && km >= minKm && gapH*speed < km {
					conflicts++
					farthest = max(farthest, km)
					cited = append(cited, prev, v)
				}
			}
			prev, havePrev = v, true
		}
		if conflicts < minConflicts || conflicts == 0 {
			return
		}
		code := e.t.Doctors.IDs.String(d)
		emitVisits(e, c, &fd, cited, true, d, func() (string, string) {
			return fmt.Sprintf("doctor %s attended visits at institutions up to %.0f km apart too close in time to travel (%d times)", code, farthest, conflicts),
				fmt.Sprintf("医师%s在相距最远%.0f公里的机构间接诊时间过近，无法往返（%d次）", code, farthest, conflicts)
		})
	})
}

// runPersonDistant (R-PERSON-DISTANT) follows each person's live visits in
// time order and flags consecutive visits at institutions at least min_km
// apart that began at most max_gap_minutes apart, and, with
// check_inpatient, visits at an institution at least min_km from the one
// where the person was staying as an inpatient at the time (冒名就医, 挂床).
// Pharmacy purchases are left out unless include_pharmacy is 1: carers buy
// for relatives with their card.
// One hit per person with at least min_conflicts conflicts; the amount is
// the fund of the visits involved. Institutions without a location are
// skipped.
func runPersonDistant(ctx context.Context, e *env, c *collector) error {
	vt := &e.t.Visits
	minKm := c.rule.P("min_km")
	maxGap := claims.Time(c.rule.P("max_gap_minutes") * 60)
	checkStay := c.rule.P("check_inpatient") != 0
	skip := vPharmacy
	if c.rule.P("include_pharmacy") != 0 {
		skip = 0
	}
	minConflicts := int(c.rule.P("min_conflicts"))
	var cited []uint32
	var fd finding
	for p := range e.persons() {
		if err := cancelled(ctx, int(p)); err != nil {
			return err
		}
		cited = cited[:0]
		conflicts, farthest := 0, 0.0
		var prev, stay uint32
		havePrev, haveStay := false, false
		for _, v := range e.personVisits(uint32(p)) {
			if !e.live(v) || e.vb[v]&skip != 0 {
				continue
			}
			if _, _, ok := e.location(vt.Institution[v]); !ok {
				continue
			}
			conflict := func(a uint32) {
				km, ok := e.distanceKm(vt.Institution[a], vt.Institution[v])
				if ok && km >= minKm {
					conflicts++
					farthest = max(farthest, km)
					cited = append(cited, a, v)
				}
			}
			inStay := checkStay && haveStay && vt.Institution[stay] != vt.Institution[v] &&
				vt.Begin.At(v) > vt.Begin.At(stay) && vt.Begin.At(v) < vt.End.At(stay)
			switch {
			case inStay:
				conflict(stay)
			case havePrev && vt.Institution[prev] != vt.Institution[v] && vt.Begin.At(v)-vt.Begin.At(prev) <= maxGap:
				conflict(prev)
			}
			prev, havePrev = v, true
			if e.is(v, vInpatient) && vt.End.At(v) != claims.NoTime && (!haveStay || vt.End.At(v) > vt.End.At(stay)) {
				stay, haveStay = v, true
			}
		}
		if conflicts < minConflicts || conflicts == 0 {
			continue
		}
		emitVisits(e, c, &fd, cited, false, uint32(p), func() (string, string) {
			return fmt.Sprintf("the person was billed at places up to %.0f km apart at the same time (%d times)", farthest, conflicts),
				fmt.Sprintf("参保人同一时段在相距最远%.0f公里的两地就医（%d次）", farthest, conflicts)
		})
	}
	return nil
}
