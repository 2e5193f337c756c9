package rules

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph/claims"
)

// runDoctorCapacity (R-DOCTOR-CAPACITY) counts each doctor code's attended
// live outpatient visits (pharmacies excluded) per slot of slot_minutes of
// wall-clock time and flags slots with more than max_per_slot visits: more
// records than one doctor can give (虚构医疗服务). Placeholder codes are
// skipped. One hit per doctor with at least min_slots such slots; the
// amount is the fund of the visits in those slots.
func runDoctorCapacity(ctx context.Context, e *env, c *collector) error {
	vt := &e.t.Visits
	slotLen := int64(c.rule.P("slot_minutes")) * 60
	maxPer := int(c.rule.P("max_per_slot"))
	minSlots := int(c.rule.P("min_slots"))
	var slot, cited []uint32
	var fd finding
	return forEachDoctor(ctx, e, func(d uint32, visits []uint32) {
		cited = cited[:0]
		slots, peak := 0, 0
		var peakAt claims.Time
		cur := int64(-1 << 62)
		flush := func() {
			if len(slot) > maxPer {
				slots++
				cited = append(cited, slot...)
				if len(slot) > peak {
					peak, peakAt = len(slot), claims.Time(cur*slotLen)
				}
			}
			slot = slot[:0]
		}
		for _, v := range visits {
			if vt.Doctor[v] != d || !outpatientLive(e, v) || e.pharmacyVisit(v) {
				continue
			}
			s := floorDiv(int64(vt.Begin.At(v)), slotLen)
			if s != cur {
				flush()
				cur = s
			}
			slot = append(slot, v)
		}
		flush()
		if slots < minSlots || slots == 0 {
			return
		}
		code := e.t.Doctors.IDs.String(d)
		mins := slotLen / 60
		emitVisits(e, c, &fd, cited, true, d, func() (string, string) {
			return fmt.Sprintf("doctor %s has %d slots of %d minutes with more than %d visits; peak %d visits at %s", code, slots, mins, maxPer, peak, peakAt),
				fmt.Sprintf("医师%s有%d个%d分钟时段接诊超过%d人次，最高%d人次（%s）", code, slots, mins, maxPer, peak, peakAt)
		})
	})
}

// floorDiv divides rounding towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
