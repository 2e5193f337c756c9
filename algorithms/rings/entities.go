package rings

import (
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// individual holds the per-entity signals outside rings.
type individual struct {
	zSum   []float64 // sum of clipped peer z of the entity's visits
	zN     []int32
	hits   []int32 // rule hits naming the entity
	rule   []string
	candSc []float64 // best score of an unreported candidate holding it
	// reportScore is the lowest reported ring score (Params.ReportScore).
	reportScore float64
	// flagged counts, per doctor, the visits that belong to flagged
	// relations (see excessCandidates); zN counts all of them.
	flagged []int32
	// atRing counts, per patient and doctor, the live visits at sites of
	// reported rings, seen the visits counted; regAt and reg count a
	// doctor's registrations at such sites and in all (nearRings).
	atRing, seen []int32
	regAt, reg   []int32
	// regSite is, per doctor no live visit names, the most suspicious
	// site it is registered at (graph.NoNode: none), regSiteScore that
	// site's own score and siteKey the site's code (registeredSites).
	regSite      []graph.NodeID
	regSiteScore []float64
	siteKey      func(graph.NodeID) string
	// sites counts the medical sites of every doctor (doctorSites).
	sites *doctorSites
}

// clipZ bounds a visit's peer z before averaging, so that one absurd
// amount does not dominate an entity.
func clipZ(z float32) float64 { return math.Max(-3, math.Min(10, float64(z))) }

// A doctor's or a person's share of visits in flagged relations counts
// above flaggedWorkBase (ordinary doctors see a few such people, ordinary
// people have a flagged relation now and then) and is half way to full
// evidence flaggedWorkHalf above it.
const (
	flaggedWorkBase = 0.1
	flaggedWorkHalf = 0.2
)

// nearWeight is the most a non-member's closeness to reported rings (its
// share of visits, or of registrations, at their sites) adds as evidence.
const nearWeight = 0.5

// registeredSiteWeight is the share of the own score of the most
// suspicious site a doctor is registered at that the doctor scores when no
// visit names it: without doctor codes on the visits (atddr_no and
// bilg_dr_codg are optional), a doctor is known only by where it is
// registered, and the doctors of a ring's sites are the first to ask.
const registeredSiteWeight = 0.5

// multiSiteWeight is the most a doctor's work at several medical sites adds
// as evidence, reached when at most 10^-multiSiteSurprise of the city's
// doctors work at as many: a ring's clinics share their doctors (the Huli
// clinics did), a borrowed qualification bills at sites the doctor does
// not work at, and most doctors work at one site. Where multi-site
// practice is common, working at two sites says little and adds little.
const (
	multiSiteWeight   = 0.6
	multiSiteSurprise = 2.0
)

// doctorSites counts, per doctor, the distinct medical sites (not
// pharmacies) its live visits are at, or, for a doctor no live visit
// names, the medical sites it is registered at (staff.csv), and how common
// each count is among the city's doctors.
type doctorSites struct {
	first   []graph.NodeID               // per node: the first site seen, NoNode none
	more    map[[2]graph.NodeID]struct{} // further (doctor, site) pairs
	n       []int32                      // per node: distinct sites
	atLeast []float64                    // atLeast[k]: share of the doctors counted with at least k sites
	total   int                          // doctors counted
}

// add counts site h for doctor d (doctors added to the graph since the
// counts were made are not counted).
func (ds *doctorSites) add(d, h graph.NodeID) {
	switch {
	case int(d) >= len(ds.first):
	case ds.first[d] == graph.NoNode:
		ds.first[d] = h
		ds.n[d]++
	case ds.first[d] != h:
		if _, ok := ds.more[[2]graph.NodeID{d, h}]; !ok {
			ds.more[[2]graph.NodeID{d, h}] = struct{}{}
			ds.n[d]++
		}
	}
}

// surprise returns doctor x's evidence from its sites in [0,
// multiSiteWeight], the count and the share of doctors with as many.
func (ds *doctorSites) surprise(x graph.NodeID) (float64, int, float64) {
	if ds == nil || int(x) >= len(ds.n) || ds.n[x] < 2 || ds.total == 0 {
		return 0, 0, 0
	}
	k := int(ds.n[x])
	// A doctor whose count grew past every count of the full run (Live)
	// is as rare as one doctor can be.
	share := 1 / float64(ds.total)
	if k < len(ds.atLeast) {
		share = ds.atLeast[k]
	}
	return multiSiteWeight * math.Min(1, -math.Log10(share)/multiSiteSurprise), k, share
}

// newDoctorSites returns empty counts for a graph of n nodes.
func newDoctorSites(n int) *doctorSites {
	ds := &doctorSites{first: make([]graph.NodeID, n), more: make(map[[2]graph.NodeID]struct{}), n: make([]int32, n)}
	for i := range ds.first {
		ds.first[i] = graph.NoNode
	}
	return ds
}

// countDoctorSites completes ind.sites, whose visits' sites individuals
// counted: the registrations of the doctors no live visit names
// (nearRings must have run) and how common each count is.
func (s *state) countDoctorSites(ind *individual) {
	g, ds := s.g, ind.sites
	e := g.Edges()
	lo, hi := g.EdgeRange(graph.DoctorInstitutionRegistered)
	for i := lo; i < hi; i++ {
		d, h := graph.NodeID(e.U[i]), graph.NodeID(e.V[i])
		if ind.seen[d] == 0 && g.Kind(h) == graph.KindInstitution {
			ds.add(d, h)
		}
	}
	var counts []int
	total := 0
	for x, k := range ds.n {
		if k == 0 || g.Kind(graph.NodeID(x)) != graph.KindDoctor {
			continue
		}
		for len(counts) <= int(k) {
			counts = append(counts, 0)
		}
		counts[k]++
		total++
	}
	ds.atLeast = make([]float64, len(counts))
	for k, above := len(counts)-1, 0; k >= 1; k-- {
		above += counts[k]
		ds.atLeast[k] = float64(above) / float64(total)
	}
	ds.total = total
}

// registeredSites sets, for every doctor no live visit names, the most
// suspicious site it is registered at and that site's own score (own,
// outside rings); nearRings must have run.
func (s *state) registeredSites(ind *individual) {
	g := s.g
	n := g.NumNodes()
	ind.regSite = make([]graph.NodeID, n)
	ind.regSiteScore = make([]float64, n)
	for i := range ind.regSite {
		ind.regSite[i] = graph.NoNode
	}
	ind.siteKey = g.Key
	siteScore := make(map[graph.NodeID]float64)
	e := g.Edges()
	lo, hi := g.EdgeRange(graph.DoctorInstitutionRegistered)
	for i := lo; i < hi; i++ {
		d, h := graph.NodeID(e.U[i]), graph.NodeID(e.V[i])
		if ind.seen[d] > 0 {
			continue
		}
		sc, ok := siteScore[h]
		if !ok {
			sc, _ = ind.own(h)
			siteScore[h] = sc
		}
		if sc > ind.regSiteScore[d] || sc == ind.regSiteScore[d] && sc > 0 && h < ind.regSite[d] {
			ind.regSite[d], ind.regSiteScore[d] = h, sc
		}
	}
}

// nearRings counts, for every patient and doctor, the visits at sites of
// the reported rings (ringOf of the site ≥ 0) and, for doctors, their
// registrations at such sites: whoever works or is treated mostly where a
// ring operates is closer to it than the rest of the city, member or not.
func (s *state) nearRings(ind *individual, ringOf []int32) {
	g, vt := s.g, &s.t.Visits
	n := g.NumNodes()
	ind.atRing, ind.seen = make([]int32, n), make([]int32, n)
	ind.regAt, ind.reg = make([]int32, n), make([]int32, n)
	count := func(x graph.NodeID, at bool) {
		ind.seen[x]++
		if at {
			ind.atRing[x]++
		}
	}
	for v := 0; v < vt.Len(); v++ {
		if !s.live(uint32(v)) {
			continue
		}
		h := s.instNode(uint32(v))
		if h == graph.NoNode {
			continue
		}
		at := ringOf[h] >= 0
		count(g.PatientNode(vt.Person[v]), at)
		if d := vt.Doctor[v]; s.doctorOK(d) {
			count(g.DoctorNode(d), at)
		}
	}
	e := g.Edges()
	lo, hi := g.EdgeRange(graph.DoctorInstitutionRegistered)
	for i := lo; i < hi; i++ {
		d, h := e.U[i], e.V[i]
		ind.reg[d]++
		if ringOf[h] >= 0 {
			ind.regAt[d]++
		}
	}
}

// near returns the closeness of node x to the reported rings as evidence
// in [0, nearWeight]: its share of visits at their sites, or, for a doctor
// whose visits name no doctor code, its share of registrations there.
func (ind *individual) near(x graph.NodeID) float64 {
	if ind.seen == nil {
		return 0
	}
	if ind.seen[x] > 0 {
		return nearWeight * float64(ind.atRing[x]) / float64(ind.seen[x])
	}
	if ind.reg[x] > 0 {
		return nearWeight * float64(ind.regAt[x]) / float64(ind.reg[x])
	}
	return 0
}

// individuals computes the per-entity signals.
func (s *state) individuals() *individual {
	g, vt := s.g, &s.t.Visits
	n := g.NumNodes()
	ind := &individual{zSum: make([]float64, n), zN: make([]int32, n), hits: make([]int32, n), rule: make([]string, n), candSc: make([]float64, n), reportScore: s.opt.Params.ReportScore}
	add := func(x graph.NodeID, z float64) {
		if int(x) < n {
			ind.zSum[x] += z
			ind.zN[x]++
		}
	}
	ind.flagged = make([]int32, n)
	ind.sites = newDoctorSites(n)
	for v := 0; v < vt.Len(); v++ {
		if !s.live(uint32(v)) {
			continue
		}
		z := clipZ(s.visitZ[v])
		pn := g.PatientNode(vt.Person[v])
		add(pn, z)
		if v < len(s.flaggedVisit) && s.flaggedVisit[v] && int(pn) < n {
			ind.flagged[pn]++
		}
		h := g.InstitutionNode(vt.Institution[v])
		add(h, z)
		if d := vt.Doctor[v]; s.doctorOK(d) {
			x := g.DoctorNode(d)
			add(x, z)
			if v < len(s.flaggedVisit) && s.flaggedVisit[v] && int(x) < n {
				ind.flagged[x]++
			}
			if h != graph.NoNode && g.Kind(h) == graph.KindInstitution {
				ind.sites.add(x, h)
			}
		}
	}
	note := func(x graph.NodeID, rule string) {
		if int(x) < n {
			ind.hits[x]++
			if ind.rule[x] == "" {
				ind.rule[x] = rule
			}
		}
	}
	for i := range s.hits {
		h := &s.hits[i]
		s.hitNodes(h, func(x graph.NodeID) { note(x, h.Rule) })
	}
	return ind
}

// hitNodes calls fn with the node of every person, doctor (placeholders
// left out) and institution h names.
func (s *state) hitNodes(h *findings.RuleHit, fn func(graph.NodeID)) {
	g := s.g
	for _, p := range h.Persons {
		fn(g.PatientNode(p))
	}
	for _, d := range h.Doctors {
		if s.doctorOK(d) {
			fn(g.DoctorNode(d))
		}
	}
	for _, r := range h.Institutions {
		fn(g.InstitutionNode(r))
	}
}

// own returns an entity's score outside any reported ring, in [0, 0.5),
// and its reasons: codes of the vocabulary (graph/vocab, category Reasons)
// with parameters formatted as their English templates show them, so that
// entities.csv (the English rendering) reads the same sentences as ever.
func (ind *individual) own(x graph.NodeID) (float64, []findings.Reason) {
	var reasons []findings.Reason
	peer := 0.0
	if ind.zN[x] > 0 {
		mz := ind.zSum[x] / float64(ind.zN[x])
		peer = squash(mz-0.5, 3)
		if mz >= 2 {
			reasons = append(reasons, findings.Reason{Code: vocab.ReasonPeerFund, Params: vocab.Params{{Name: "z", Value: fixed(mz, 1)}}})
		}
	}
	hit := 0.5 * squash(float64(ind.hits[x]), 3)
	if ind.hits[x] > 0 {
		reasons = append(reasons, findings.Reason{Code: vocab.ReasonRuleHits,
			Params: vocab.Params{{Name: "n", Value: fixed(float64(ind.hits[x]), 0)}, {Name: "rule", Value: ind.rule[x]}}})
	}
	cand := ind.candSc[x]
	if cand > 0 {
		reasons = append(reasons, findings.Reason{Code: vocab.ReasonUnreportedCandidate, Params: vocab.Params{{Name: "score", Value: fixed(cand, 2)}}})
	}
	// A doctor whose work is mostly with people flagged at their sites
	// (billed far above peers, card-based or rhythmic from afar) works for
	// them, whether or not a ring was reported.
	near := ind.near(x)
	if near > 0 {
		if ind.seen[x] > 0 && ind.atRing[x] > 0 {
			reasons = append(reasons, findings.Reason{Code: vocab.ReasonRingSites,
				Params: vocab.Params{{Name: "pct", Value: fixed(100*float64(ind.atRing[x])/float64(ind.seen[x]), 0)}}})
		} else {
			reasons = append(reasons, findings.Reason{Code: vocab.ReasonRingRegistered,
				Params: vocab.Params{{Name: "at", Value: fixed(float64(ind.regAt[x]), 0)}, {Name: "of", Value: fixed(float64(ind.reg[x]), 0)}}})
		}
	}
	multi, sites, share := ind.sites.surprise(x)
	if multi > 0 {
		reasons = append(reasons, findings.Reason{Code: vocab.ReasonMultiSite, Params: vocab.Params{
			{Name: "sites", Value: fixed(float64(sites), 0)}, {Name: "pct", Value: fixed(100*share, 1)}}})
	}
	work := 0.0
	if ind.zN[x] > 0 && ind.flagged[x] > 0 {
		share := float64(ind.flagged[x]) / float64(ind.zN[x])
		work = squash(share-flaggedWorkBase, flaggedWorkHalf)
		if work > 0 {
			reasons = append(reasons, findings.Reason{Code: vocab.ReasonFlaggedRelations, Params: vocab.Params{{Name: "pct", Value: pct(share)}}})
		}
	}
	v := 1 - (1-peer)*(1-hit)*(1-math.Min(1, cand/ind.reportScore))*(1-work)*(1-near)*(1-multi)
	sc := 0.49 * v
	if ind.regSiteScore != nil {
		if inherited := registeredSiteWeight * ind.regSiteScore[x]; inherited > sc {
			sc = inherited
			reasons = append([]findings.Reason{{Code: vocab.ReasonRegisteredSite, Params: vocab.Params{
				{Name: "site", Value: ind.siteKey(ind.regSite[x])}, {Name: "score", Value: fixed(ind.regSiteScore[x], 2)}}}}, reasons...)
		}
	}
	return sc, reasons
}

// MemberKind returns the kind an entity of graph kind k has in rings.json
// and entities.csv: patient, doctor, clinic (any medical institution) or
// pharmacy.
func MemberKind(k graph.Kind) string {
	switch k {
	case graph.KindPatient:
		return findings.KindPatient
	case graph.KindDoctor:
		return findings.KindDoctor
	case graph.KindPharmacy:
		return findings.KindPharmacy
	}
	return findings.KindClinic
}

// entities scores every patient, doctor, institution and pharmacy: members
// of reported rings score in [0.5, 1] by their ring's score and their share
// of its evidence (memberScore), the others below 0.5 from their own
// signals. cands are the reported candidates, in the order of rings, with
// their members' shares set (memberScores).
func (s *state) entities(ind *individual, ringOf []int32, rings []findings.Ring, cands []*candidate, roleOf []string) *findings.Entities {
	g := s.g
	out := &findings.Entities{}
	out.Grow(g.NumNodes())
	for i := 0; i < g.NumNodes(); i++ {
		x := graph.NodeID(i)
		var ring *findings.Ring
		share := 0.0
		if r := ringOf[x]; r >= 0 {
			ring, share = &rings[r], cands[r].share[x]
		}
		out.Append(s.entity(ind, x, ring, roleOf[x], share))
	}
	return out
}

// entity scores node x: memberScore of its ring's score and its share of
// the ring's evidence when ring is not nil (x holding role there), else
// from its own signals, below 0.5.
func (s *state) entity(ind *individual, x graph.NodeID, ring *findings.Ring, role string, share float64) findings.EntityScore {
	g := s.g
	if g.Kind(x) == graph.KindDoctor && !s.doctorOK(g.Row(x)) {
		// Placeholder codes are data quality: scored 0, never in a ring.
		return findings.EntityScore{Kind: findings.KindDoctor, ID: g.Key(x),
			Reasons: []findings.Reason{{Code: vocab.ReasonPlaceholderDoctor}}}
	}
	sc, reasons := ind.own(x)
	e := findings.EntityScore{Kind: MemberKind(g.Kind(x)), ID: g.Key(x)}
	if ring != nil {
		e.RingID = ring.ID
		sc = memberScore(ring.Score, share, s.opt.Params.MemberShareHalf)
		reasons = append([]findings.Reason{{Code: vocab.ReasonRingMember, Params: vocab.Params{
			{Name: "ring", Value: ring.ID}, {Name: "role", Value: role}, {Name: "score", Value: fixed(ring.Score, 2)}, {Name: "typology", Value: ring.Typology}}}}, reasons...)
	}
	e.Score = round4(math.Max(0, math.Min(1, sc)))
	if len(reasons) > 3 {
		reasons = reasons[:3]
	}
	e.Reasons = slices.Clip(reasons)
	if e.Reasons == nil {
		e.Reasons = []findings.Reason{}
	}
	return e
}
