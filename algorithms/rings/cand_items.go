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

// itemFillers is one drug item at one pharmacy: the people who fill it
// there again and again, billed far above peers, and those fills.
type itemFillers struct {
	site    graph.NodeID
	item    uint32
	people  []uint32
	visits  []uint32
	returns int32 // the site's returning people (min_relation_visits visits)
	buyers  int32 // the site's people who bought the item at least once
}

// itemCandidates is the discovery path for heavy fills without trace codes
// or supply days: a pharmacy where more people than chance explains fill
// the same item again and again, each billed far beyond peers. For every
// pharmacy and item it counts the item's costly regular fillers there
// (at least min_relation_visits fills of the item whose relation with the
// pharmacy is costly, as excessCandidates judges it, and severe: median z
// at least severe_z), and expects the
// site's returning people times the item's rate of such fillers at the
// other pharmacies. A pair seeds when its count reaches min_ring_people,
// item_lift times that expectation, at the family-wise significance
// min_significance + log10(pairs tested). Chronic patients refilling dear
// drugs cluster near hospitals at a few times their share; many
// unrelated people filling one dear drug at one counter (albumin, costly
// injections) are what a reselling or cash-out ring leaves when the boxes
// carry no trace code and the fills no supply days. A person's fills of
// an item most of whose traced boxes were sold before (saleIndex) count
// nowhere: the customers of a pharmacy where a ring's boxes resurface
// are not the ring. The pairs of one
// pharmacy form one candidate; its typology is settled after scoring.
// Costly relations are judged against peers set by excessCandidates,
// which must run first.
func (s *state) itemCandidates(ctx context.Context) ([]*candidate, error) {
	if !s.relPeersSet {
		return nil, nil
	}
	g := s.g
	p := &s.opt.Params
	lo := s.siteLo()
	nSites := g.NumKind(graph.KindInstitution) + g.NumKind(graph.KindPharmacy)
	var pairs []itemFillers
	var returns int64
	buyers := make(map[uint32]int64) // item -> its buyers, pharmacy by pharmacy
	for i := 0; i < nSites; i++ {
		h := graph.NodeID(lo + i)
		if g.Kind(h) != graph.KindPharmacy {
			continue
		}
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ps, r := s.itemFillersAt(h, buyers)
		returns += int64(r)
		pairs = append(pairs, ps...)
	}
	if len(pairs) == 0 || returns == 0 {
		return nil, nil
	}
	perItem := make(map[uint32]int)
	for _, f := range pairs {
		perItem[f.item] += len(f.people)
	}
	sig := p.MinSignificance + math.Log10(float64(len(pairs)))
	sites := newSiteGroups(SourceItemConcentration)
	for _, f := range pairs {
		n := len(f.people)
		if n < p.MinRingPeople {
			continue
		}
		lift, exp, ok := siteExcess(n, float64(f.returns), float64(perItem[f.item]-n), float64(returns-int64(f.returns)), p.ItemLift, sig)
		if !ok {
			continue
		}
		// Among the item's buyers: a pharmacy designated for a dear drug
		// draws its buyers from the whole city, and as many of them fill it
		// again and again as at any other pharmacy.
		if p.ItemBuyerLift > 0 {
			if bl, _, _ := siteExcess(n, float64(f.buyers), float64(perItem[f.item]-n), float64(buyers[f.item]-int64(f.buyers)), 0, 0); bl < p.ItemBuyerLift {
				continue
			}
		}
		sites.add(s, f.site, f.people, f.visits, lift, fact{id: SourceItemConcentration, visits: f.visits,
			params: map[string]float64{"min_relation_visits": float64(p.MinRelationVisits), "costly_z": p.CostlyZ,
				"flagged_lift": lift, "expected": exp},
			detail: fmt.Sprintf("%d people fill item %s again and again at this pharmacy, billed far above peers: %.1f× what the item's other pharmacies predict (%.1f)",
				n, s.t.Catalog.IDs.String(intern.ID(f.item)), lift, exp),
			detailZh: fmt.Sprintf("%d人在该药店反复购买同一药品%s且费用远高于同类：为其他药店比例预期（%.1f人）的%.1f倍",
				n, s.t.Catalog.IDs.String(intern.ID(f.item)), exp, lift)})
	}
	return sites.candidates(), nil
}

// siteExcess returns the lift of n people at a site over what the rate
// elsewhere predicts for it (rest such people among restBase elsewhere,
// times the site's base), that expectation (at least 0.1), and whether
// the lift reaches minLift with a Poisson tail below 10^−sig.
func siteExcess(n int, base, rest, restBase, minLift, sig float64) (lift, exp float64, ok bool) {
	exp = minExpected
	if restBase > 0 {
		exp = max(exp, base*rest/restBase)
	}
	lift = float64(n) / exp
	return lift, exp, lift >= minLift && poissonTailLog10(n, exp) <= -sig
}

// siteGroups gathers the groups of people that seeded one site (one per
// item) into one candidate per site, in the order sites first seeded.
type siteGroups struct {
	source string
	by     map[graph.NodeID]*candidate
	order  []graph.NodeID
}

// newSiteGroups returns an empty gathering for the generator source.
func newSiteGroups(source string) *siteGroups {
	return &siteGroups{source: source, by: make(map[graph.NodeID]*candidate)}
}

// add adds one seeding group of site h: its people (Persons rows), their
// visits, its lift (the candidate keeps the smallest) and its fact.
func (sg *siteGroups) add(s *state, h graph.NodeID, people, visits []uint32, lift float64, f fact) {
	c := sg.by[h]
	if c == nil {
		c = &candidate{source: sg.source, insts: []graph.NodeID{h}, strength: 1}
		c.feat.FlaggedLift = lift
		sg.by[h] = c
		sg.order = append(sg.order, h)
	}
	c.feat.FlaggedLift = min(c.feat.FlaggedLift, lift)
	for _, x := range people {
		c.patients = append(c.patients, s.g.PatientNode(x))
	}
	c.visits = append(c.visits, visits...)
	c.facts = append(c.facts, f)
}

// candidates returns the gathered candidates, each of people in costly
// relations.
func (sg *siteGroups) candidates() []*candidate {
	out := make([]*candidate, 0, len(sg.order))
	for _, h := range sg.order {
		c := sg.by[h]
		c.normalise()
		c.feat.CostlyRelations = 1
		out = append(out, c)
	}
	return out
}

// itemFillersAt returns, for pharmacy h, every item with at least one
// costly regular filler (itemCandidates) and the number of h's returning
// people; it adds h's buyers of each item to buyers.
func (s *state) itemFillersAt(h graph.NodeID, buyers map[uint32]int64) ([]itemFillers, int32) {
	vt, ft := &s.t.Visits, &s.t.Fees
	p := &s.opt.Params
	type key struct{ person, item uint32 }
	type fill struct {
		visits         []uint32
		traced, resold int32 // fee lines with a trace code, and of those boxes sold before
	}
	sales := s.saleIndexOf()
	fills := make(map[key]*fill)
	visits := make(map[uint32]int)
	var items []uint32
	for _, v := range s.visitsOf(h) {
		if !s.live(v) {
			continue
		}
		x := vt.Person[v]
		visits[x]++
		items = items[:0]
		for f := range s.feesOf(v).All() {
			k := key{x, ft.Item.At(f)}
			fl := fills[k]
			if fl == nil {
				fl = &fill{}
				fills[k] = fl
			}
			if !slices.Contains(items, k.item) {
				items = append(items, k.item)
				fl.visits = append(fl.visits, v)
			}
			if sales != nil && ft.Trace.At(f) != graph.None {
				fl.traced++
				if sales.resold(ft, f) {
					fl.resold++
				}
			}
		}
	}
	var returns int32
	for _, n := range visits {
		if n >= p.MinRelationVisits {
			returns++
		}
	}
	here := make(map[uint32]int32)
	for k := range fills {
		here[k.item]++
		buyers[k.item]++
	}
	byItem := make(map[uint32]*itemFillers)
	var buf []float32
	for k, fl := range fills {
		vs := fl.visits
		if len(vs) < p.MinRelationVisits || 2*fl.resold > fl.traced {
			// Too few fills, or most of the traced boxes were sold before:
			// the customers of a pharmacy where a ring's boxes resurface,
			// not the ring (its first buyers are found where they fill).
			continue
		}
		cost, shr := s.relationZ(vs, &buf)
		if !s.costly(h, cost, shr) || float64(max(cost, shr)) < p.SevereZ {
			continue
		}
		f := byItem[k.item]
		if f == nil {
			f = &itemFillers{site: h, item: k.item, returns: returns, buyers: here[k.item]}
			byItem[k.item] = f
		}
		f.people = append(f.people, k.person)
		f.visits = append(f.visits, vs...)
	}
	out := make([]itemFillers, 0, len(byItem))
	for _, f := range byItem {
		slices.Sort(f.people)
		slices.Sort(f.visits)
		f.visits = slices.Compact(f.visits)
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b itemFillers) int { return cmp.Compare(a.item, b.item) })
	return out, returns
}
