package rings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/intern"
)

// overuseGroup is one item at one site: the people who take far more of
// the item than its other buyers and get most of it there.
type overuseGroup struct {
	site   graph.NodeID
	item   uint32
	people []uint32
	visits []uint32
}

// overuseCandidates is the discovery path of quantities: a pharmacy where
// more people than chance explains take far more of one item than the
// item's other buyers do. Supply days and trace codes are not needed: for
// every item bought by at least overuse_min_buyers people, a person
// over-uses it when the units billed to them over the data's period
// (boxes sold again to a later buyer left out) reach overuse_ratio times
// the item's overuse_quantile among its buyers, and the person's relation with the site that billed most of
// those units is costly (excessCandidates' judgement against the peers of
// the site's class). A chronic patient on a dear drug takes what the
// drug's other chronic patients take; a recruit whose card buys boxes to
// be sold again takes several times as much, whatever the drug costs.
// Only pharmacies are tested: the residents of a nursing home take its
// consultations far more often than anyone else, as a group (measured:
// with clinics tested, nursing homes were reported as rings).
// Over-users concentrate at a pharmacy when their count there reaches
// min_ring_people and overuse_lift times what the item's rate of
// over-users among its buyers elsewhere predicts for the site's buyers of
// it, at the family-wise significance min_significance + log10(pairs
// tested). The items of one pharmacy form one candidate; its typology is
// settled after scoring. It needs the relation peers of excessCandidates,
// which must run first.
func (s *state) overuseCandidates(ctx context.Context) ([]*candidate, error) {
	if !s.relPeersSet {
		return nil, nil
	}
	p := &s.opt.Params
	ov := s.newOveruse()
	// Pass 1: every buyer's units of every item.
	byItem := make([][]float32, s.t.Catalog.Len())
	err := ov.eachPerson(ctx, func(x uint32, vs []uint32) {
		for _, it := range ov.touched {
			byItem[it] = append(byItem[it], float32(ov.units[it]))
		}
	})
	if err != nil {
		return nil, err
	}
	limit := make([]float32, len(byItem))
	for it, qs := range byItem {
		limit[it] = float32(math.Inf(1))
		if len(qs) == 0 || len(qs) < p.OveruseMinBuyers {
			continue
		}
		slices.Sort(qs)
		limit[it] = float32(p.OveruseRatio) * qs[int(p.OveruseQuantile*float64(len(qs)-1))]
	}
	// Pass 2: the over-users, at the site that billed most of their units.
	type key struct {
		site graph.NodeID
		item uint32
	}
	groups := make(map[key]*overuseGroup)
	overusers := make([]int, len(byItem))
	var buf []float32
	var rel []uint32
	err = ov.eachPerson(ctx, func(x uint32, vs []uint32) {
		for _, it := range ov.touched {
			if float32(ov.units[it]) < limit[it] {
				continue
			}
			h := ov.mainSite(vs, it)
			if s.g.Kind(h) != graph.KindPharmacy {
				continue
			}
			rel = rel[:0]
			for _, v := range vs {
				if s.instNode(v) == h {
					rel = append(rel, v)
				}
			}
			cost, shr := s.relationZ(rel, &buf)
			if !s.costly(h, cost, shr) {
				continue
			}
			overusers[it]++
			k := key{h, it}
			g := groups[k]
			if g == nil {
				g = &overuseGroup{site: h, item: it}
				groups[k] = g
			}
			g.people = append(g.people, x)
			for _, v := range rel {
				if ov.bills(v, it) {
					g.visits = append(g.visits, v)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	list := make([]*overuseGroup, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	slices.SortFunc(list, func(a, b *overuseGroup) int {
		return cmp.Or(cmp.Compare(a.site, b.site), cmp.Compare(a.item, b.item))
	})
	sig := p.MinSignificance + math.Log10(float64(max(1, len(list))))
	sites := newSiteGroups(SourceItemOveruse)
	for _, g := range list {
		n := len(g.people)
		if n < p.MinRingPeople {
			continue
		}
		buyers := s.buyersAt(g.site, g.item)
		lift, exp, ok := siteExcess(n, float64(buyers), float64(overusers[g.item]-n), float64(len(byItem[g.item])-buyers), p.OveruseLift, sig)
		if !ok {
			continue
		}
		if s.overused == nil {
			s.overused = make(map[uint32]float64)
		}
		for _, x := range g.people {
			s.overused[x] = max(s.overused[x], lift)
		}
		slices.Sort(g.visits)
		g.visits = slices.Compact(g.visits)
		code := s.t.Catalog.IDs.String(intern.ID(g.item))
		sites.add(s, g.site, g.people, g.visits, lift, fact{id: SourceItemOveruse, visits: g.visits,
			params: map[string]float64{"overuse_ratio": p.OveruseRatio, "overuse_quantile": p.OveruseQuantile,
				"units_limit": float64(limit[g.item]), "flagged_lift": lift, "expected": exp},
			detail: fmt.Sprintf("%d people get far more of item %s here than its other buyers take (at least %.0f units, %.0f× its %.0fth percentile): %.1f× what its rate elsewhere predicts (%.1f)",
				n, code, limit[g.item], p.OveruseRatio, 100*p.OveruseQuantile, lift, exp),
			detailZh: fmt.Sprintf("%d人在此处取得的%s远多于其他购买者（至少%.0f单位，为其第%.0f百分位数的%.0f倍）：为其他机构比例预期（%.1f人）的%.1f倍",
				n, code, limit[g.item], 100*p.OveruseQuantile, p.OveruseRatio, exp, lift)})
	}
	return sites.candidates(), nil
}

// overuse is the scratch space of overuseCandidates: one person's units
// of each item, dense over the catalogue, the items touched, and where
// each trace code was first sold.
type overuse struct {
	s       *state
	units   []float64
	touched []uint32
	sales   saleIndex
}

// newOveruse returns the scratch space for s's catalogue and trace codes.
func (s *state) newOveruse() *overuse {
	return &overuse{s: s, units: make([]float64, s.t.Catalog.Len()), sales: s.saleIndexOf()}
}

// saleIndex holds, per trace code, the first live fee line that sold it
// (graph.None when none did); nil when the data carry no trace codes.
type saleIndex []uint32

// saleIndexOf returns the index of the first sale of every trace code of
// s's live fee lines, built at the first call (the generators run one
// after another; lockstep peeling beside them does not ask for it).
func (s *state) saleIndexOf() saleIndex {
	if !s.salesSet {
		s.sales, s.salesSet = s.newSaleIndex(), true
	}
	return s.sales
}

// newSaleIndex indexes the first sale of every trace code of s's live
// fee lines.
func (s *state) newSaleIndex() saleIndex {
	ft := &s.t.Fees
	if ft.Traces == nil || ft.Traces.Len() == 0 {
		return nil
	}
	first := make(saleIndex, ft.Traces.Len())
	for i := range first {
		first[i] = graph.None
	}
	for f, tr := range ft.Trace.All() {
		if !s.live(ft.Visit.At(f)) {
			continue
		}
		if g := first[tr]; g == graph.None || ft.Time.At(f) < ft.Time.At(g) {
			first[tr] = f
		}
	}
	return first
}

// resold reports whether fee line f of fees sells a box whose trace code
// an earlier line sold: the box came back, and its later buyer is neither
// the one who took too much of it nor a recruit.
func (x saleIndex) resold(fees *graph.FeeTable, f uint32) bool {
	tr := fees.Trace.At(f)
	return tr != graph.None && x != nil && x[tr] != f
}

// eachPerson calls fn for every person with live visits, after filling
// o.units and o.touched with the units of each item billed on them (fee
// lines with a positive count, boxes sold again left out); vs are the
// person's live visits.
func (o *overuse) eachPerson(ctx context.Context, fn func(x uint32, vs []uint32)) error {
	s := o.s
	ft := &s.t.Fees
	var vs []uint32
	for x := 0; x < s.g.NumKind(graph.KindPatient); x++ {
		if x%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n := s.g.PatientNode(uint32(x))
		if n == graph.NoNode {
			continue
		}
		for _, it := range o.touched {
			o.units[it] = 0
		}
		o.touched = o.touched[:0]
		vs = vs[:0]
		for _, v := range s.visitsOf(n) {
			if !s.live(v) {
				continue
			}
			vs = append(vs, v)
			for f := range s.feesOf(v).All() {
				if q := ft.Count.At(f); q > 0 && !o.sales.resold(ft, f) {
					it := ft.Item.At(f)
					if o.units[it] == 0 {
						o.touched = append(o.touched, it)
					}
					o.units[it] += q
				}
			}
		}
		if len(o.touched) > 0 {
			fn(uint32(x), vs)
		}
	}
	return nil
}

// mainSite returns the site that billed most units of item it on the
// visits vs (the lowest node on a tie).
func (o *overuse) mainSite(vs []uint32, it uint32) graph.NodeID {
	s := o.s
	ft := &s.t.Fees
	type share struct {
		site  graph.NodeID
		units float64
	}
	var sites []share
	for _, v := range vs {
		h := s.instNode(v)
		for f := range s.feesOf(v).All() {
			if ft.Item.At(f) != it || ft.Count.At(f) <= 0 {
				continue
			}
			i := slices.IndexFunc(sites, func(x share) bool { return x.site == h })
			if i < 0 {
				sites = append(sites, share{site: h})
				i = len(sites) - 1
			}
			sites[i].units += ft.Count.At(f)
		}
	}
	best := sites[0]
	for _, x := range sites[1:] {
		if x.units > best.units || (x.units == best.units && x.site < best.site) {
			best = x
		}
	}
	return best.site
}

// bills reports whether visit v bills item it.
func (o *overuse) bills(v, it uint32) bool {
	for f := range o.s.feesOf(v).All() {
		if o.s.t.Fees.Item.At(f) == it {
			return true
		}
	}
	return false
}

// buyersAt returns the number of people billed item it at site h.
func (s *state) buyersAt(h graph.NodeID, it uint32) int {
	ft := &s.t.Fees
	seen := make(map[uint32]bool)
	for _, v := range s.visitsOf(h) {
		if !s.live(v) {
			continue
		}
		for f := range s.feesOf(v).All() {
			if ft.Item.At(f) == it && ft.Count.At(f) > 0 {
				seen[s.t.Visits.Person[v]] = true
				break
			}
		}
	}
	return len(seen)
}
