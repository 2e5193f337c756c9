package rules

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/graph/claims"
)

// runAfterDeath (R-AFTER-DEATH) flags visits that began more than
// grace_days after the person's die_date, and fee lines arising after it in
// visits that began before (a stay that went on billing). One hit per
// person; the amount is the fund of those visits plus the fund share of
// those fee lines.
func runAfterDeath(ctx context.Context, e *env, c *collector) error {
	vt, ft, pt := &e.t.Visits, &e.t.Fees, &e.t.Persons
	grace := claims.Date(c.rule.P("grace_days"))
	var visits, fees, vis []uint32
	var fd finding
	for p := range e.persons() {
		if err := cancelled(ctx, int(p)); err != nil {
			return err
		}
		die := pt.DieDate[p]
		if die == claims.NoDate {
			continue
		}
		last := die + grace
		visits, fees = visits[:0], fees[:0]
		for _, v := range e.personVisits(uint32(p)) {
			if !e.live(v) {
				continue
			}
			if vt.Begin.At(v).Day() > last {
				visits = append(visits, v)
				continue
			}
			for f := range e.g.FeesOf(v).All() {
				if ft.AmountAt(f) > 0 && ft.Time.At(f) != claims.NoTime && ft.Time.At(f).Day() > last {
					fees = append(fees, f)
				}
			}
		}
		if len(visits) == 0 && len(fees) == 0 {
			continue
		}
		fd.reset()
		fd.persons = append(fd.persons, uint32(p))
		addVisits(e, &fd, visits, c.maxRows)
		vis, _ = addFees(e, &fd, fees, c.maxRows, vis)
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("%d visits and %d fee lines dated after the death on %s", len(visits), len(fees), die),
				fmt.Sprintf("参保人%s死亡后发生就诊%d次、费用明细%d条", die, len(visits), len(fees))
		})
	}
	return nil
}
