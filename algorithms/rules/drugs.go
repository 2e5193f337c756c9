package rules

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// runTraceDuplicate (R-TRACE-DUP) flags drug trace codes (drug_trac_codg)
// on at least min_sales live fee lines: one box sold more than once, the
// signature of drugs coming back into the market (回流药). Fee rows are
// grouped by trace code (traceGroups). One hit per trace code; the
// amount is the fund share of every sale after the first.
func runTraceDuplicate(ctx context.Context, e *env, c *collector) error {
	ft := &e.t.Fees
	if ft.Traces == nil || ft.Traces.Len() == 0 {
		return nil
	}
	minSales := uint32(c.rule.P("min_sales"))
	var fd finding
	var vis []uint32
	return traceGroups(ctx, e, minSales, func(t uint32, grp []uint32) error {
		slices.SortFunc(grp, func(a, b uint32) int { return cmp.Or(cmp.Compare(ft.Time.At(a), ft.Time.At(b)), cmp.Compare(a, b)) })
		if c.skip(feesFund(e, grp) - e.feeFund(grp[0])) {
			return nil
		}
		fd.reset()
		vis, _ = addFees(e, &fd, grp, c.maxRows, vis)
		fd.amount -= e.feeFund(grp[0])
		for _, v := range vis {
			fd.persons = append(fd.persons, e.t.Visits.Person[v])
		}
		for _, f := range grp {
			fd.items = append(fd.items, ft.Item.At(f))
		}
		code := ft.Traces.String(t)
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("trace code %s sold %d times in %d visits", code, len(grp), len(vis)),
				fmt.Sprintf("药品追溯码%s被销售%d次（%d次结算）", code, len(grp), len(vis))
		})
		return nil
	})
}

// traceGroups calls fn, in ascending order of trace code, with the live
// fee lines of each trace code sold at least minSales times (ascending
// rows; fn may reorder them). Where the city's trace codes far outnumber
// the traced lines (the neighbourhood of an incremental update, whose
// tables share the city's dictionary of codes), the lines are sorted by
// code instead of counted into an array with one slot per code.
func traceGroups(ctx context.Context, e *env, minSales uint32, fn func(t uint32, grp []uint32) error) error {
	ft := &e.t.Fees
	nt := uint32(ft.Traces.Len())
	traced := 0
	for _, t := range ft.Trace.All() {
		if t < nt {
			traced++
		}
	}
	if int(nt) > sparseKeys*traced {
		lines := make([]keyedRow, 0, traced)
		for f, t := range ft.Trace.All() {
			if t < nt && e.feeLive(f) {
				lines = append(lines, keyedRow{key: uint64(t), row: f})
			}
		}
		for t, grp := range groupsByKey(lines) {
			if uint32(len(grp)) >= minSales {
				if err := fn(uint32(t), grp); err != nil {
					return err
				}
			}
		}
		return nil
	}
	counts := make([]uint32, nt)
	for f, t := range ft.Trace.All() {
		if t < nt && e.feeLive(f) {
			counts[t]++
		}
	}
	// Turn counts into start offsets for the duplicated traces only.
	const skip = ^uint32(0)
	total := uint32(0)
	for t, n := range counts {
		if n >= minSales {
			counts[t] = total
			total += n
		} else {
			counts[t] = skip
		}
	}
	if total == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rows := make([]uint32, total)
	for f, t := range ft.Trace.All() {
		if t < nt && counts[t] != skip && e.feeLive(f) {
			rows[counts[t]] = f
			counts[t]++
		}
	}
	start := uint32(0)
	for t := uint32(0); t < nt; t++ {
		if counts[t] == skip {
			continue
		}
		if err := cancelled(ctx, int(t)); err != nil {
			return err
		}
		grp := rows[start:counts[t]]
		start = counts[t]
		if err := fn(t, grp); err != nil {
			return err
		}
	}
	return nil
}

// runRoundQuantity (R-ROUND-QTY) looks at cheap drugs (unit price at most
// max_price_yuan) sold at pharmacies and flags (pharmacy, drug) pairs with
// at least min_purchases purchases of a round quantity (a multiple of
// round_base and at least min_qty) making up at least min_round_share of the
// drug's purchases there: daily goods settled as boxes of a cheap drug
// (串换, 套现). One hit per (pharmacy, drug); the amount is the fund share of
// the round-quantity lines.
func runRoundQuantity(ctx context.Context, e *env, c *collector) error {
	ft, vt := &e.t.Fees, &e.t.Visits
	r := c.rule
	rq := newRoundQty(r)
	minPurchases, minShare := int(r.P("min_purchases")), r.P("min_round_share")
	var lines []keyedRow
	for f := range ft.Len() {
		if err := cancelled(ctx, f); err != nil {
			return err
		}
		if !rq.cheap(ft.Price.At(uint32(f))) || !e.feeLive(uint32(f)) || !e.pharmacyVisit(ft.Visit.At(uint32(f))) {
			continue
		}
		lines = append(lines, keyedRow{key: uint64(vt.Institution[ft.Visit.At(uint32(f))])<<32 | uint64(ft.Item.At(uint32(f))), row: uint32(f)})
	}
	var round []uint32
	var fd finding
	var vis []uint32
	for key, rows := range groupsByKey(lines) {
		round = round[:0]
		for _, f := range rows {
			if rq.round(ft.Count.At(f)) {
				round = append(round, f)
			}
		}
		n := len(rows)
		inst, item := uint32(key>>32), uint32(key)
		if len(round) < minPurchases || float64(len(round)) < minShare*float64(n) || c.skip(feesFund(e, round)) {
			continue
		}
		fd.reset()
		vis, _ = addFees(e, &fd, round, c.maxRows, vis)
		for _, v := range vis {
			if len(fd.persons) < c.maxRows {
				fd.persons = append(fd.persons, vt.Person[v])
			}
		}
		fd.items = append(fd.items, item)
		fd.insts = append(fd.insts[:0], inst)
		for _, f := range round {
			if d := e.t.FeeDoctor(f); d != graph.None && len(fd.doctors) < c.maxRows {
				fd.doctors = append(fd.doctors, d)
			}
		}
		code := e.itemCode(item)
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("%d of %d purchases of cheap drug %s at this pharmacy were round quantities (multiples of %.0f, at least %.0f)", len(round), n, code, rq.base, rq.minQty),
				fmt.Sprintf("本药店低价药品%s共%d次购药中%d次为整数量（%.0f的倍数，不少于%.0f）", e.itemZh(item), n, len(round), rq.base, rq.minQty)
		})
	}
	return nil
}

// roundQty is R-ROUND-QTY's test of a fee line: a cheap drug (unit price
// above zero and at most max_price_yuan) bought in a round quantity (a
// whole multiple of round_base, at least min_qty).
type roundQty struct {
	maxPrice     claims.Price
	base, minQty float64
}

// newRoundQty reads the test's parameters from rule r.
func newRoundQty(r *Rule) roundQty {
	return roundQty{maxPrice: claims.Price(math.Round(r.P("max_price_yuan") * 1e6)), base: r.P("round_base"), minQty: r.P("min_qty")}
}

// cheap reports whether unit price p is cheap enough to count.
func (q roundQty) cheap(p claims.Price) bool { return p > 0 && p <= q.maxPrice }

// round reports whether quantity n is round.
func (q roundQty) round(n float64) bool {
	return q.base > 0 && n >= q.minQty && n == math.Trunc(n) && math.Mod(n, q.base) == 0
}

// roundQtyFees is R-ROUND-QTY's ContextFees: the fee lines buying a cheap
// drug in a round quantity, whose share among the drug's purchases at the
// pharmacy the rule judges.
func roundQtyFees(r *Rule, ft *graph.FeeTable) func(f uint32) bool {
	q := newRoundQty(r)
	return func(f uint32) bool { return q.cheap(ft.Price.At(f)) && q.round(ft.Count.At(f)) }
}
