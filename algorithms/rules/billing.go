package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// runPriceCap (R-PRICE-CAP) flags live fee lines whose unit price exceeds
// the catalogue's pric_uplmt_amt by more than tolerance_share of it (超标准
// 收费). One hit per (institution, item); the amount is the fund share of
// the part of each line above the cap.
func runPriceCap(ctx context.Context, e *env, c *collector) error {
	ft, vt, ct := &e.t.Fees, &e.t.Visits, &e.t.Catalog
	tol := 1 + c.rule.P("tolerance_share")
	var lines []keyedRow
	for f := range ft.Len() {
		if err := cancelled(ctx, f); err != nil {
			return err
		}
		it := ft.Item.At(uint32(f))
		if int(it) >= ct.Len() || !ct.Known[it] || ct.PriceCap[it] <= 0 {
			continue
		}
		if float64(ft.Price.At(uint32(f))) <= float64(ct.PriceCap[it])*tol || !e.feeLive(uint32(f)) {
			continue
		}
		lines = append(lines, keyedRow{key: uint64(vt.Institution[ft.Visit.At(uint32(f))])<<32 | uint64(it), row: uint32(f)})
	}
	var vis []uint32
	var fd finding
	for key, rows := range groupsByKey(lines) {
		inst, item := uint32(key>>32), uint32(key)
		var excess claims.Money
		maxPrice := claims.Price(0)
		for _, f := range rows {
			p, cp := ft.Price.At(f), ct.PriceCap[item]
			excess += claims.Money(float64(e.feeFund(f)) * float64(p-cp) / float64(p))
			maxPrice = max(maxPrice, p)
		}
		if c.skip(excess) {
			continue
		}
		fd.reset()
		vis, _ = addFees(e, &fd, rows, c.maxRows, vis)
		fd.insts = append(fd.insts[:0], inst)
		fd.items = append(fd.items, item)
		fd.amount = excess
		for _, f := range rows {
			if d := e.t.FeeDoctor(f); d != graph.None && len(fd.doctors) < c.maxRows {
				fd.doctors = append(fd.doctors, d)
			}
		}
		for _, v := range vis {
			if len(fd.persons) < c.maxRows {
				fd.persons = append(fd.persons, vt.Person[v])
			}
		}
		code, cp := e.itemCode(item), ct.PriceCap[item]
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("%d lines of %s priced up to %s yuan above the cap of %s yuan", len(rows), code, maxPrice, cp),
				fmt.Sprintf("项目%s有%d条明细单价超过限价%s元（最高%s元）", e.itemZh(item), len(rows), cp, maxPrice)
		})
	}
	return nil
}

// runDuplicateBilling (R-DUP-BILL) flags fee lines of one visit that repeat
// another line of the same item at the same fee time and unit price (重复
// 收费): services and consumables only, unless include_drugs is 1. One hit
// per (institution, item) with at least min_duplicates duplicate lines; the
// amount is the fund share of the duplicates (every copy after the first).
func runDuplicateBilling(ctx context.Context, e *env, c *collector) error {
	ft, vt, ct := &e.t.Fees, &e.t.Visits, &e.t.Catalog
	drugs := c.rule.P("include_drugs") != 0
	minDup := int(c.rule.P("min_duplicates"))
	var lines []keyedRow
	var keys []uint64
	for v := 0; v < vt.Len(); v++ {
		if err := cancelled(ctx, v); err != nil {
			return err
		}
		fees := e.g.FeesOf(uint32(v))
		if fees.Len() < 2 || !e.live(uint32(v)) {
			continue
		}
		keys = keys[:0]
		for i := range fees.Len() {
			f := fees.At(i)
			it := ft.Item.At(f)
			if ft.AmountAt(f) <= 0 || int(it) >= ct.Len() {
				continue
			}
			if lt := ct.ListType[it]; !drugs && (lt == 0 || lt < 200) {
				continue
			}
			keys = append(keys, uint64(it)<<32|uint64(i))
		}
		if len(keys) < 2 {
			continue
		}
		slices.Sort(keys)
		for i := 1; i < len(keys); i++ {
			f := fees.At(int(uint32(keys[i])))
			// Compare with every earlier line of the same item.
			for j := i - 1; j >= 0 && keys[j]>>32 == keys[i]>>32; j-- {
				g := fees.At(int(uint32(keys[j])))
				if ft.Time.At(f) == ft.Time.At(g) && ft.Price.At(f) == ft.Price.At(g) {
					lines = append(lines, keyedRow{key: uint64(vt.Institution[v])<<32 | keys[i]>>32, row: f})
					break
				}
			}
		}
	}
	var vis []uint32
	var fd finding
	for key, rows := range groupsByKey(lines) {
		inst, item := uint32(key>>32), uint32(key)
		if len(rows) < minDup || c.skip(feesFund(e, rows)) {
			continue
		}
		fd.reset()
		vis, _ = addFees(e, &fd, rows, c.maxRows, vis)
		fd.insts = append(fd.insts[:0], inst)
		fd.items = append(fd.items, item)
		for _, v := range vis {
			if len(fd.persons) < c.maxRows {
				fd.persons = append(fd.persons, vt.Person[v])
			}
		}
		code := e.itemCode(item)
		c.emit(&fd, func() (string, string) {
			return fmt.Sprintf("%d duplicate lines of %s (same visit, time and price) in %d visits", len(rows), code, len(vis)),
				fmt.Sprintf("项目%s在%d次就诊中同一时间同价重复收费%d条", e.itemZh(item), len(vis), len(rows))
		})
	}
	return nil
}
