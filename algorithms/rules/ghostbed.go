package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// runGhostBed (R-GHOST-BED) looks at every live inpatient stay with a
// discharge time and flags stays with min_gap_hours or more without any fee
// line between admission and discharge (挂床住院: a patient not really
// there). Many exports stamp every fee line with the settlement time, so
// stays whose fee lines fall on fewer than min_fee_days distinct days are
// skipped as uninformative. One hit per stay; the amount is the stay's
// fund.
func runGhostBed(ctx context.Context, e *env, c *collector) error {
	vt, ft := &e.t.Visits, &e.t.Fees
	minGap := claims.Time(c.rule.P("min_gap_hours") * 3600)
	minDays := int(c.rule.P("min_fee_days"))
	var times []claims.Time
	var fd finding
	for v := 0; v < vt.Len(); v++ {
		if err := cancelled(ctx, v); err != nil {
			return err
		}
		b, en := vt.Begin.At(uint32(v)), vt.End.At(uint32(v))
		if !e.is(uint32(v), vLive|vInpatient) || en == claims.NoTime || en-b < minGap {
			continue
		}
		times = times[:0]
		for f := range e.g.FeesOf(uint32(v)).All() {
			if t := ft.Time.At(f); ft.AmountAt(f) > 0 && t != claims.NoTime && t >= b && t <= en {
				times = append(times, t)
			}
		}
		slices.Sort(times)
		days := 0
		for i, t := range times {
			if i == 0 || t.Day() != times[i-1].Day() {
				days++
			}
		}
		if days < minDays {
			continue
		}
		gap, from := times[0]-b, b
		for i := 1; i < len(times); i++ {
			if d := times[i] - times[i-1]; d > gap {
				gap, from = d, times[i-1]
			}
		}
		if d := en - times[len(times)-1]; d > gap {
			gap, from = d, times[len(times)-1]
		}
		if gap < minGap {
			continue
		}
		vs := []uint32{uint32(v)}
		if c.skip(visitsFund(e, vs)) {
			continue
		}
		fd.reset()
		fd.persons = append(fd.persons, vt.Person[v])
		addVisits(e, &fd, vs, c.maxRows)
		hours := int64(gap) / 3600
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("no charge for %d hours during the stay, from %s", hours, from),
				fmt.Sprintf("住院期间自%s起%d小时无任何收费记录", from, hours)
		})
	}
	return nil
}
