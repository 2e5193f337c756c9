package rings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// hitsOf returns the indexes of the hits of rule id, in result order.
func (s *state) hitsOf(id string) []int {
	var out []int
	for i := range s.hits {
		if s.hits[i].Rule == id {
			out = append(out, i)
		}
	}
	return out
}

// minSplitLift is how many times the split patients a hospital would have
// at the rate of the rest of the city it must have.
const minSplitLift = 4.0

// splitCandidates finds hospitals where early readmissions with the same
// diagnosis (R-SPLIT-ADMIT) concentrate far beyond the rest of the city:
// a hospital's split patients are compared with those expected from its
// inpatients at the rate of all other hospitals (leaving itself out, so
// that a splitting hospital does not raise its own baseline). Isolated
// readmissions scattered over hospitals stay single hits.
func (s *state) splitCandidates(ctx context.Context) ([]*candidate, error) {
	g, vt := s.g, &s.t.Visits
	byInst := make(map[graph.NodeID][]int)
	var insts []graph.NodeID
	for _, i := range s.hitsOf(rules.IDSplitAdmission) {
		h := &s.hits[i]
		if len(h.Institutions) != 1 {
			continue
		}
		n := g.InstitutionNode(h.Institutions[0])
		if n == graph.NoNode {
			continue
		}
		if _, ok := byInst[n]; !ok {
			insts = append(insts, n)
		}
		byInst[n] = append(byInst[n], i)
	}
	if len(insts) == 0 {
		return nil, nil
	}
	// Inpatients per institution.
	lo := g.NumKind(graph.KindPatient) + g.NumKind(graph.KindDoctor)
	inpatients := make(map[graph.NodeID]int)
	totalInp, totalSplit := 0, 0
	for i := 0; i < g.NumKind(graph.KindInstitution); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := graph.NodeID(lo + i)
		seen := make(map[uint32]bool)
		for _, v := range g.VisitsOf(n) {
			if s.live(v) && vt.MedType[v].Inpatient() {
				seen[vt.Person[v]] = true
			}
		}
		inpatients[n] = len(seen)
		totalInp += len(seen)
	}
	for _, n := range insts {
		totalSplit += splitPersons(s, byInst[n])
	}
	slices.Sort(insts)
	var out []*candidate
	for _, n := range insts {
		idx := byInst[n]
		np := splitPersons(s, idx)
		if np < s.opt.Params.MinRingPeople || inpatients[n] == 0 {
			continue
		}
		restRate := float64(totalSplit-np) / float64(max(1, totalInp-inpatients[n]))
		expected := max(restRate*float64(inpatients[n]), 0.5)
		lift := float64(np) / expected
		if lift < minSplitLift {
			continue
		}
		rate := float64(np) / float64(inpatients[n])
		c := &candidate{source: rules.IDSplitAdmission, typology: findings.TypSplitHospitalisation, hits: idx, insts: []graph.NodeID{n},
			strength: squash(lift-1, minSplitLift)}
		for _, i := range idx {
			h := &s.hits[i]
			for _, p := range h.Persons {
				c.patients = append(c.patients, g.PatientNode(p))
			}
			c.visits = append(c.visits, h.Visits...)
		}
		c.normalise()
		c.doctors = s.doctorsOf(c.visits, 0.02, 3)
		c.feat.SplitRate, c.feat.SplitRatePeer, c.feat.SplitLift = rate, restRate, lift
		c.facts = append(c.facts, fact{id: FactSplitConcentration, visits: c.visits,
			params: map[string]float64{"rate": rate, "peer_rate": restRate, "lift": lift},
			detail: fmt.Sprintf("%d of %d inpatients readmitted early with the same diagnosis (%.1f%%, %.1f× the rate of the other hospitals, %.2f%%)",
				np, inpatients[n], 100*rate, lift, 100*restRate),
			detailZh: fmt.Sprintf("%d/%d名住院患者同诊断短期再入院（%.1f%%，为其他医院比例%.2f%%的%.1f倍）", np, inpatients[n], 100*rate, 100*restRate, lift)})
		out = append(out, c)
	}
	return out, nil
}

// splitPersons counts the distinct persons of the given hits.
func splitPersons(s *state, idx []int) int {
	var ps []uint32
	for _, i := range idx {
		ps = append(ps, s.hits[i].Persons...)
	}
	return len(sortedUniq(ps))
}

// robust returns the median and 1.4826 × MAD of xs (0, 0 when empty).
func robust(xs []float64) (med, scale float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	med = ys[len(ys)/2]
	for i, y := range ys {
		ys[i] = math.Abs(y - med)
	}
	slices.Sort(ys)
	return med, 1.4826 * ys[len(ys)/2]
}

// cashoutCandidates turns round-quantity purchases of a cheap drug at a
// pharmacy (R-ROUND-QTY) into a ring of the pharmacy, its pharmacists and
// the customers who buy that way again and again.
func (s *state) cashoutCandidates(ctx context.Context) ([]*candidate, error) {
	g, t := s.g, s.t
	var out []*candidate
	for _, i := range s.hitsOf(rules.IDRoundQuantity) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := &s.hits[i]
		if len(h.Institutions) != 1 {
			continue
		}
		ph := g.InstitutionNode(h.Institutions[0])
		if ph == graph.NoNode {
			continue
		}
		base, minQty := h.Params["round_base"], h.Params["min_qty"]
		maxPrice := h.Params["max_price_yuan"]
		if base <= 0 {
			base = 10
		}
		per := newCounter[uint32]()
		var vs []uint32
		for _, v := range g.VisitsOf(ph) {
			if !s.live(v) {
				continue
			}
			for f := range g.FeesOf(v).All() {
				if !slices.Contains(h.Items, t.Fees.Item.At(f)) {
					continue
				}
				q := t.Fees.Count.At(f)
				if q >= minQty && math.Mod(q, base) == 0 && t.Fees.Price.At(f).Yuan() <= maxPrice {
					per.add(t.Visits.Person[v], 1)
					vs = append(vs, v)
					break
				}
			}
		}
		c := &candidate{source: rules.IDRoundQuantity, typology: findings.TypPharmacyCashout, hits: []int{i}, insts: []graph.NodeID{ph}, strength: 1}
		keep := make(map[uint32]bool)
		for _, p := range per.keys {
			if per.n[p] >= 2 {
				keep[p] = true
				c.patients = append(c.patients, g.PatientNode(p))
			}
		}
		if len(c.patients) < s.opt.Params.MinRingPeople {
			continue
		}
		for _, v := range vs {
			if keep[t.Visits.Person[v]] {
				c.visits = append(c.visits, v)
			}
		}
		c.normalise()
		c.doctors = s.doctorsOf(c.visits, 0.05, 3)
		c.facts = append(c.facts, fact{id: FactRoundCustomers, visits: c.visits,
			params:   map[string]float64{"round_base": base, "min_qty": minQty, "max_price_yuan": maxPrice},
			detail:   fmt.Sprintf("%d customers bought the same cheap drug in round quantities again and again (%d purchases)", len(c.patients), len(c.visits)),
			detailZh: fmt.Sprintf("%d名顾客反复以整数数量购买同一廉价药品（%d次）", len(c.patients), len(c.visits))})
		out = append(out, c)
	}
	return out, nil
}

// borrowedCandidates turns a doctor code billing at distant institutions
// at overlapping times (R-DOCTOR-DISTANT) into a ring of the doctor and the
// institutions of the clashes other than the doctor's main workplace
// (where the code bills most); where visits name no doctor, the staff
// roster stands in (registeredCandidates). The clashes are read from the
// doctor's visits (clashes), not from the hit's cited visits: those are a
// sample of the first rows, and a data set whose rows come region by
// region (a province's boundary data set) cited only the borrowing
// clinic's.
func (s *state) borrowedCandidates(ctx context.Context) ([]*candidate, error) {
	g := s.g
	var out []*candidate
	for _, i := range s.hitsOf(rules.IDDoctorDistant) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := &s.hits[i]
		if len(h.Doctors) != 1 || !s.doctorOK(h.Doctors[0]) {
			continue
		}
		sites, tightness := s.clashes(h.Doctors[0], h)
		if len(sites) < 2 {
			continue
		}
		d := g.DoctorNode(h.Doctors[0])
		per := newCounter[graph.NodeID]()
		for _, v := range g.VisitsOf(d) {
			if s.live(v) {
				per.add(s.instNode(v), 1)
			}
		}
		// The main workplace: the site in the region of the national staff
		// code (D + 6-digit region + serial), else the busiest site.
		home, best := graph.NoNode, -1
		region := codeRegion(g.Key(d))
		for _, n := range per.keys {
			if region != "" && s.t.Str(s.instRegion(n)) == region {
				home, best = n, per.n[n]
				break
			}
		}
		for _, n := range per.keys {
			if home != graph.NoNode && region != "" {
				break
			}
			if per.n[n] > best || per.n[n] == best && n < home {
				home, best = n, per.n[n]
			}
		}
		c := &candidate{source: rules.IDDoctorDistant, typology: findings.TypBorrowedQualif, hits: []int{i}, doctors: []graph.NodeID{d}}
		for _, n := range sites {
			if n != home {
				c.insts = append(c.insts, n)
			}
		}
		if len(c.insts) == 0 {
			continue
		}
		c.normalise()
		for _, v := range g.VisitsOf(d) {
			if s.live(v) && slices.Contains(c.insts, s.instNode(v)) {
				c.visits = append(c.visits, v)
			}
		}
		c.normalise()
		// Strength grows with the visits that clash with the doctor's work
		// elsewhere (a few are a schedule slip, hundreds a borrowed code)
		// and with how far inside the journey's time the clashes fall
		// (clashes).
		km := s.separationKm(home, c.insts, h.Params)
		c.strength = squash(float64(h.NVisits), 50) * tightness
		c.feat.HomeVisits, c.feat.DistanceKm = float64(best), km
		out = append(out, c)
	}
	// Visits that name no doctor leave only the staff roster.
	reg, err := s.registeredCandidates(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, reg...), nil
}

// clashes follows the outpatient visits doctor row d attended, live, in
// time order, as R-DOCTOR-DISTANT (hit h, its parameters) reads them: a
// change of site at least min_km apart sooner than the journey takes at
// speed_kmh is a clash. It returns the sites of the clashes, sorted, and
// their tightness: each clash counts 1 − gap / journey time, and the upper
// quartile is returned (0 when there is none), the share of the journey
// by which two sites' clocks would have to be set apart to explain three
// clashes in four. A code billed at two sites at once clashes by anything
// from the whole journey to none of it, however far apart the sites are,
// half an hour's drive or a day's; a doctor who commutes between two sites
// whose clocks are set a little apart clashes by that little, every time.
func (s *state) clashes(d uint32, h *findings.RuleHit) (sites []graph.NodeID, tightness float64) {
	vt := &s.t.Visits
	var vs []uint32
	for _, v := range s.g.VisitsOf(s.g.DoctorNode(d)) {
		if vt.Doctor[v] == d && s.live(v) && !vt.MedType[v].Inpatient() && !vt.MedType[v].Pharmacy() && s.located(s.instNode(v)) {
			vs = append(vs, v)
		}
	}
	slices.SortStableFunc(vs, func(a, b uint32) int { return cmp.Compare(vt.Begin.At(a), vt.Begin.At(b)) })
	minKm, speed := h.Params["min_km"], h.Params["speed_kmh"]
	if speed <= 0 {
		return nil, 0
	}
	var tight []weighted
	for i := 1; i < len(vs); i++ {
		a, b := s.instNode(vs[i-1]), s.instNode(vs[i])
		if a == b {
			continue
		}
		km := s.separationKm(a, []graph.NodeID{b}, h.Params)
		journey := km / speed * 3600
		if gap := float64(vt.Begin.At(vs[i]) - vt.Begin.At(vs[i-1])); km > 0 && km >= minKm && gap < journey {
			tight = append(tight, weighted{x: 1 - gap/journey, w: 1})
			sites = append(sites, a, b)
		}
	}
	slices.Sort(sites)
	return slices.Compact(sites), weightedQuantile(tight, clashQuantile)
}

// located reports whether institution node n has a location or a region
// code: R-DOCTOR-DISTANT passes over the visits of the others.
func (s *state) located(n graph.NodeID) bool {
	it := &s.t.Institutions
	row := s.g.Row(n)
	return n != graph.NoNode && row != graph.None && int(row) < len(it.HasLoc) && (it.HasLoc[row] || it.Admdvs[row] != graph.None)
}

// clashQuantile is the quantile of the clashes' tightness clashes reads:
// three clashes in four.
const clashQuantile = 0.75

// separationKm returns the largest distance in km between home and the
// sites as R-DOCTOR-DISTANT (its parameters p) takes it: by their
// locations, or, where those are unknown, other_province_km or
// other_city_km when some site's region code names another province or
// city than home's (0 when neither tells).
func (s *state) separationKm(home graph.NodeID, sites []graph.NodeID, p map[string]float64) float64 {
	if km := s.maxDistance(home, sites); km > 0 {
		return km
	}
	switch s.otherRegion(home, sites) {
	case 2:
		return p["other_province_km"]
	case 1:
		return p["other_city_km"]
	}
	return 0
}

// maxDistance returns the largest distance in km between home and the
// sites (0 when locations are unknown).
func (s *state) maxDistance(home graph.NodeID, sites []graph.NodeID) float64 {
	it := &s.t.Institutions
	a := s.g.Row(home)
	if home == graph.NoNode || int(a) >= len(it.HasLoc) || !it.HasLoc[a] {
		return 0
	}
	best := 0.0
	for _, n := range sites {
		b := s.g.Row(n)
		if int(b) < len(it.HasLoc) && it.HasLoc[b] {
			best = max(best, haversineKm(it.Lat[a], it.Lon[a], it.Lat[b], it.Lon[b]))
		}
	}
	return best
}

// otherRegion returns 2 when some of the sites has a region code (admdvs)
// of another province than home's (first two digits), 1 when of another
// city (first four), else 0.
func (s *state) otherRegion(home graph.NodeID, sites []graph.NodeID) int {
	if home == graph.NoNode {
		return 0
	}
	a := s.t.Str(s.instRegion(home))
	out := 0
	for _, n := range sites {
		out = max(out, regionApart(a, s.t.Str(s.instRegion(n))))
	}
	return out
}

// haversineKm is the great-circle distance in km.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	x := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(x)))
}

// codeRegion returns the 6-digit region of a national staff code shaped
// D + 6-digit region + 6-digit serial, or "".
func codeRegion(code string) string {
	if len(code) != 13 || code[0] != 'D' {
		return ""
	}
	for _, r := range code[1:] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return code[1:7]
}
