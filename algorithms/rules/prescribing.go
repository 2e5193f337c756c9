package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// drugLine reports whether fee row f is an outpatient or pharmacy drug line
// with a known supply: a drug (list_type 101–103, or unknown) with prd_days
// set, in a visit that is not an inpatient stay (ward medication carries no
// prescription supply).
func drugLine(e *env, v, f uint32) bool {
	ft, ct := &e.t.Fees, &e.t.Catalog
	if ft.SupplyDays.At(f) <= 0 || e.is(v, vInpatient) {
		return false
	}
	it := ft.Item.At(f)
	if int(it) >= ct.Len() {
		return false
	}
	lt := ct.ListType[it]
	return lt == 0 || lt >= 101 && lt <= 103
}

// chronicVisit reports whether visit v is chronic care: med_type 14 or a
// chronic main diagnosis.
func chronicVisit(e *env, v uint32) bool {
	return e.is(v, vChronic)
}

// supplyLimit returns the longest supply (days) one prescription of item it
// may cover in visit v (R-OVER-SUPPLY): 处方管理办法 art. 19 gives 7 days
// (normal_days), 3 for emergencies (emergency_days) and up to 12 weeks for
// stable chronic disease (chronic_days). The catalogue's max_days, when
// set, replaces the normal limit, caps the emergency one, and for chronic
// care raises the limit (or, with catalog_binds_chronic, replaces it).
func supplyLimit(e *env, r *Rule, v, it uint32, chronic bool) int {
	ct := &e.t.Catalog
	cat := 0
	if ct.Known[it] && ct.MaxDays[it] > 0 {
		cat = int(ct.MaxDays[it])
	}
	switch {
	case chronic:
		lim := int(r.P("chronic_days"))
		if cat > 0 {
			if r.P("catalog_binds_chronic") != 0 {
				return cat
			}
			lim = max(lim, cat)
		}
		return lim
	case e.is(v, vEmergency):
		lim := int(r.P("emergency_days"))
		if cat > 0 {
			lim = min(lim, cat)
		}
		return lim
	case cat > 0:
		return cat
	}
	return int(r.P("normal_days"))
}

// runOverSupply (R-OVER-SUPPLY) flags drug lines whose prd_days exceed the
// supply limit plus tolerance_days: one hit per (person, drug). A line is
// chronic care when its visit is (med_type 14 or a chronic diagnosis), or
// when its visit carries no diagnosis (a pharmacy fill) and the person got
// the same drug in a chronic visit: chronic patients refilling a long
// prescription at a pharmacy are not over-prescribed. The amount is the
// fund share of the excess days of each line.
func runOverSupply(ctx context.Context, e *env, c *collector) error {
	ft := &e.t.Fees
	tol := int(c.rule.P("tolerance_days"))
	// Candidates: lines over the acute limit, and every drug line of a
	// chronic visit (evidence that the person's drug is chronic care).
	want := func(_, v, f uint32) bool {
		return drugLine(e, v, f) && (chronicVisit(e, v) || int(ft.SupplyDays.At(f)) > supplyLimit(e, c.rule, v, ft.Item.At(f), false)+tol)
	}
	var fd finding
	var vis, over []uint32
	return forEachPersonItem(ctx, e, want, func(p, item uint32, fees []uint32) {
		chronicItem := false
		for _, f := range fees {
			if chronicVisit(e, ft.Visit.At(f)) {
				chronicItem = true
				break
			}
		}
		limit := func(f uint32) int {
			v := ft.Visit.At(f)
			chronic := chronicVisit(e, v) || chronicItem && !e.is(v, vHasDise)
			return supplyLimit(e, c.rule, v, item, chronic)
		}
		over = over[:0]
		var excess claims.Money
		longest, lim := 0, 0
		for _, f := range fees {
			d, l := int(ft.SupplyDays.At(f)), limit(f)
			if d <= l+tol {
				continue
			}
			over = append(over, f)
			excess += claims.Money(float64(e.feeFund(f)) * float64(d-l) / float64(d))
			if d > longest {
				longest, lim = d, l
			}
		}
		if len(over) == 0 {
			return
		}
		code := e.itemCode(item)
		vis = emitPersonItem(e, c, &fd, p, item, over, excess, vis, func() (string, string) {
			return fmt.Sprintf("%d prescriptions of %s beyond the supply limit (longest %d days against %d allowed)", len(over), code, longest, lim),
				fmt.Sprintf("药品%s超量开药%d次（最长%d天，限%d天）", e.itemZh(item), len(over), longest, lim)
		})
	})
}

// runRepeatRx (R-REPEAT-RX) follows each person's fills of each drug in time
// order, across visits, doctors and pharmacies, as a stockpile: a fill adds
// its prd_days to the supply left (the longest of its lines' when one visit
// bills the drug on several lines: they are one prescription). A fill in
// another visit while more supply is left than tolerated is a repeat; the
// tolerance is the larger of tolerance_days and tolerance_share of the
// running supply (the days obtained since the stock last ran out), so that
// a chronic patient given 35 days every month, five days ahead each time,
// is not flagged once the days add up, while one who takes a month's
// supply every three weeks is. One hit per (person, drug) with at least
// min_repeats repeats; the amount is the fund share of the overlapping
// days.
func runRepeatRx(ctx context.Context, e *env, c *collector) error {
	ft, vt := &e.t.Fees, &e.t.Visits
	tolDays, tolShare := c.rule.P("tolerance_days"), c.rule.P("tolerance_share")
	minRepeats := int(c.rule.P("min_repeats"))
	want := func(_, v, f uint32) bool { return drugLine(e, v, f) }
	start := func(f uint32) int64 {
		t := ft.Time.At(f)
		if t == claims.NoTime {
			t = vt.Begin.At(ft.Visit.At(f))
		}
		return int64(t.Day())
	}
	var keys []uint64
	var cited []uint32
	var fd finding
	var vis []uint32
	return forEachPersonItem(ctx, e, want, func(p, item uint32, fees []uint32) {
		if len(fees) < 2 {
			return
		}
		keys = keys[:0]
		for i, f := range fees {
			keys = append(keys, uint64(start(f)-int64(claims.NoDate))<<32|uint64(i))
		}
		slices.Sort(keys)
		cited = cited[:0]
		repeats, maxLeft := 0, int64(0)
		var excess claims.Money
		prev := fees[keys[0]&0xffffffff]
		end := start(prev) + int64(ft.SupplyDays.At(prev))
		// run is the running supply: the days obtained since the stock
		// last ran out.
		run := int64(ft.SupplyDays.At(prev))
		for _, k := range keys[1:] {
			f := fees[k&0xffffffff]
			s, d := start(f), int64(ft.SupplyDays.At(f))
			if ft.Visit.At(f) == ft.Visit.At(prev) {
				// A second line of the same fill: one prescription, whose
				// boxes are often billed a line each (each with its own
				// trace code) and each line carrying the prescription's
				// prd_days. Adding them up made every chronic patient with
				// three boxes a month look three months ahead.
				if e2 := max(end, s+d); e2 > end {
					run += e2 - end
					end = e2
				}
				continue
			}
			left := end - s
			allowed := max(tolDays, tolShare*float64(run))
			if float64(left) > allowed {
				repeats++
				maxLeft = max(maxLeft, left)
				cited = append(cited, prev, f)
				excess += claims.Money(float64(e.feeFund(f)) * float64(min(left, d)) / float64(d))
			}
			if s >= end {
				run = 0
			}
			end = max(end, s) + d
			run += d
			prev = f
		}
		if repeats < minRepeats {
			return
		}
		cited = sortedUnique(cited)
		code := e.itemCode(item)
		vis = emitPersonItem(e, c, &fd, p, item, cited, excess, vis, func() (string, string) {
			return fmt.Sprintf("%s refilled %d times while supply was left (up to %d days); %d fills cited", code, repeats, maxLeft, len(cited)),
				fmt.Sprintf("药品%s在余量未用完时重复开药%d次（最多剩余%d天），涉及%d次取药", e.itemZh(item), repeats, maxLeft, len(cited))
		})
	})
}
