package rules

import (
	"context"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// scratch holds reusable buffers of one rule run.
type scratch struct {
	keys  []uint64
	rows  []uint32
	vis   []uint32
	share []claims.Money
}

// forEachPersonItem calls group once per (person, catalogue item) with the
// person's live fee lines of that item that want accepts, in fee-row order.
// The fees slice is reused between calls.
func forEachPersonItem(ctx context.Context, e *env, want func(p, v, f uint32) bool,
	group func(p, item uint32, fees []uint32)) error {
	var s scratch
	g, ft := e.g, &e.t.Fees
	for p := 0; p < e.t.Persons.Len(); p++ {
		if err := cancelled(ctx, p); err != nil {
			return err
		}
		s.keys = s.keys[:0]
		for _, v := range g.VisitsOf(g.PatientNode(uint32(p))) {
			if !e.live(v) {
				continue
			}
			for _, f := range g.FeesOf(v) {
				if ft.Amount[f] > 0 && want(uint32(p), v, f) {
					s.keys = append(s.keys, uint64(ft.Item[f])<<32|uint64(f))
				}
			}
		}
		if len(s.keys) == 0 {
			continue
		}
		slices.Sort(s.keys)
		for i := 0; i < len(s.keys); {
			item := uint32(s.keys[i] >> 32)
			s.rows = s.rows[:0]
			for ; i < len(s.keys) && uint32(s.keys[i]>>32) == item; i++ {
				s.rows = append(s.rows, uint32(s.keys[i]))
			}
			group(uint32(p), item, s.rows)
		}
	}
	return nil
}

// addFees adds fee rows (distinct) to fd with their visits, times and fund
// shares, and returns the fund share added. vis is scratch.
func addFees(e *env, fd *finding, fees []uint32, limit int, vis []uint32) ([]uint32, claims.Money) {
	ft := &e.t.Fees
	var sum claims.Money
	vis = vis[:0]
	for _, f := range fees {
		fd.fee(f, limit)
		sum += e.feeFund(f)
		fd.when(ft.Time[f])
		vis = append(vis, ft.Visit[f])
	}
	vis = sortedUnique(vis)
	for _, v := range vis {
		fd.visit(v, limit)
		fd.insts = append(fd.insts, e.t.Visits.Institution[v])
	}
	fd.amount += sum
	return vis, sum
}

// addVisits adds distinct visit rows to fd with their institutions, times
// and net fund amounts, and returns the fund added.
func addVisits(e *env, fd *finding, visits []uint32, limit int) claims.Money {
	vt := &e.t.Visits
	var sum claims.Money
	for _, v := range visits {
		fd.visit(v, limit)
		sum += max(vt.FundPay[v], 0)
		fd.when(vt.Begin[v])
		if len(fd.insts) < limit {
			fd.insts = append(fd.insts, vt.Institution[v])
		}
	}
	fd.amount += sum
	return sum
}
