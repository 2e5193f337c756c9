package rings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// reportable reports whether c stands above the report line: its score
// reaches report_score, or it is a lockstep block or a co-visit cohort
// (inStep) whose strength × evidence reaches lockstep_report_evidence
// (people visiting together far beyond their sites' ordinary traffic are
// the ring, however few they are and however little they bill), unless
// their synchrony is a site's routine (routine: a follow-up day's people
// come together by appointment, and only the score decides). The full run
// and a live refresh both ask it.
func (s *state) reportable(c *candidate) bool {
	pr := &s.opt.Params
	return c.score >= pr.ReportScore ||
		c.inStep() && !routine(&c.feat, pr) && c.strength*c.feat.Evidence >= pr.LockstepReportEvidence
}

// inRegion reports whether c holds an institution of Options.Region, or
// no institution, or no region is set.
func (s *state) inRegion(c *candidate) bool {
	if s.opt.Region == "" || len(c.insts) == 0 {
		return true
	}
	return slices.ContainsFunc(c.insts, s.siteInRegion)
}

// siteInRegion reports whether institution or pharmacy node h is of
// Options.Region: its admdvs, else the region digits of its code
// (claims.InstitutionRegion), begin with it.
func (s *state) siteInRegion(h graph.NodeID) bool {
	var admdvs string
	if r := s.instRegion(h); r != graph.None {
		admdvs = s.t.Str(r)
	}
	return strings.HasPrefix(claims.InstitutionRegion(s.g.Key(h), admdvs), s.opt.Region)
}

// regionNodes marks the nodes of Options.Region: its institutions and
// pharmacies (siteInRegion), and the doctors and people linked to one of
// them by an edge (a visit, a billed fee line, a registration or a
// purchase). A sample of other regions' people, detected on as peers,
// has none: they are left out of the region's entities (unless a reported
// ring holds them) and single hits.
func (s *state) regionNodes() []bool {
	g := s.g
	in := make([]bool, g.NumNodes())
	for i := range in {
		if k := g.Kind(graph.NodeID(i)); k == graph.KindInstitution || k == graph.KindPharmacy {
			in[i] = s.siteInRegion(graph.NodeID(i))
		}
	}
	for i := range in {
		x := graph.NodeID(i)
		if k := g.Kind(x); k != graph.KindPatient && k != graph.KindDoctor {
			continue
		}
		nb, _ := g.Neighbors(x)
		in[i] = slices.ContainsFunc(nb, func(y graph.NodeID) bool {
			k := g.Kind(y)
			return (k == graph.KindInstitution || k == graph.KindPharmacy) && in[y]
		})
	}
	return in
}

// hitInRegion reports whether rule hit h concerns a node of the region
// (regionNodes): one of its institutions, its cited visits' sites, its
// doctors or its people.
func (s *state) hitInRegion(h *findings.RuleHit, in []bool) bool {
	g := s.g
	anyIn := func(rows []uint32, node func(uint32) graph.NodeID) bool {
		return slices.ContainsFunc(rows, func(r uint32) bool {
			x := node(r)
			return int(x) < len(in) && in[x]
		})
	}
	return anyIn(h.Institutions, g.InstitutionNode) || anyIn(h.Visits, s.instNode) ||
		anyIn(h.Doctors, g.DoctorNode) || anyIn(h.Persons, g.PatientNode)
}

// findings ranks the scored candidates (sorting cands), reports those above
// report_score and fills every part of Findings. It returns the individual
// signals of the entities too.
func (s *state) findings(cands []*candidate) (*findings.Findings, *individual) {
	g := s.g
	rank(cands)
	// The entities' own scores are gathered beside the rings' building
	// (individuals reads the state only; buildRing writes its candidate
	// and the cited ids).
	var ind *individual
	var wg sync.WaitGroup
	if s.opt.workers(2) > 1 {
		wg.Go(func() { ind = s.individuals() })
	} else {
		ind = s.individuals()
	}
	ringOf := make([]int32, g.NumNodes())
	for i := range ringOf {
		ringOf[i] = -1
	}
	roleOf := make([]string, g.NumNodes())
	var reported, unreported []*candidate
	notReported := 0
	// inRegion marks the region's nodes when the findings are restricted
	// to one (Options.Region); scope counts what that leaves out.
	var inRegion []bool
	var scope *findings.RegionScope
	if s.opt.Region != "" {
		inRegion = s.regionNodes()
		scope = &findings.RegionScope{Region: s.opt.Region}
	}
	for _, c := range cands {
		if s.reportable(c) {
			switch {
			case !s.inRegion(c):
				scope.Rings++
			case len(reported) < s.opt.Params.MaxRings:
				reported = append(reported, c)
				continue
			default:
				notReported++
			}
		}
		unreported = append(unreported, c)
	}
	f := &findings.Findings{Rings: make([]findings.Ring, 0, len(reported)), RuleHits: s.ruleHits(), RingsNotReported: notReported, Scope: scope}
	ringVisit := make(map[uint32]bool)
	for i, c := range reported {
		c.id = fmt.Sprintf("R%03d", i+1)
		r := s.buildRing(c, c.id, i+1)
		for _, x := range members(c) {
			if ringOf[x] < 0 {
				ringOf[x] = int32(i)
				roleOf[x] = s.roleOf(c, r.Typology, x)
			}
		}
		for _, v := range c.visits {
			ringVisit[v] = true
		}
		f.Rings = append(f.Rings, r)
	}
	wg.Wait()
	for _, c := range unreported {
		for _, x := range members(c) {
			ind.candSc[x] = max(ind.candSc[x], c.score)
		}
	}
	// Rule hits: those resting on ring visits or generating a ring go to
	// the ring, the rest are single hits.
	perRing := make([][]int, len(reported))
	var singles []int
	// hitRing holds, for each rule hit some reported ring was generated
	// by, the first such ring.
	hitRing := make(map[int]int32)
	for ri, c := range reported {
		for _, i := range c.hits {
			if _, ok := hitRing[i]; !ok {
				hitRing[i] = int32(ri)
			}
		}
	}
	for i := range s.hits {
		h := &s.hits[i]
		best := int32(-1)
		for _, v := range h.Visits {
			if ringVisit[v] {
				best = ringOf[g.PatientNode(s.t.Visits.Person[v])]
				if best < 0 {
					best = ringOf[s.instNode(v)]
				}
				break
			}
		}
		if best < 0 {
			if ri, ok := hitRing[i]; ok {
				best = ri
			}
		}
		switch {
		case best >= 0:
			perRing[best] = append(perRing[best], i)
		case inRegion != nil && !s.hitInRegion(h, inRegion):
			scope.SingleHits++
		default:
			singles = append(singles, i)
		}
	}
	byAmount := func(a, b int) int {
		return cmp.Or(cmp.Compare(s.hits[b].Amount, s.hits[a].Amount), cmp.Compare(a, b))
	}
	for ri, c := range reported {
		hs := perRing[ri]
		slices.SortFunc(hs, byAmount)
		c.ruleEv = make([]findings.Evidence, 0, min(len(hs), maxRuleEvidence))
		for _, i := range hs[:min(len(hs), maxRuleEvidence)] {
			c.ruleEv = append(c.ruleEv, s.ruleEvidence(i))
		}
		c.ruleHits = len(hs)
		c.ringHits = hs
		s.addRuleEvidence(&f.Rings[ri], c)
		s.memberScores(c)
	}
	slices.SortFunc(singles, byAmount)
	f.SingleHitsTotal = len(singles)
	f.SingleHits = make([]findings.Evidence, 0, min(len(singles), maxSingleHits))
	for _, i := range singles[:min(len(singles), maxSingleHits)] {
		f.SingleHits = append(f.SingleHits, s.ruleEvidence(i))
	}
	s.nearRings(ind, ringOf)
	s.registeredSites(ind)
	s.countDoctorSites(ind)
	f.Entities = s.entities(ind, ringOf, f.Rings, reported, roleOf)
	for ri, c := range reported {
		s.fillMembers(&f.Rings[ri], c, f.Entities)
	}
	if inRegion != nil {
		// A reported ring's members stay, of whatever region. The rows
		// are no longer a node's each: Options.Region is for a batch
		// detection only, never a Live.
		f.Entities, scope.Entities = f.Entities.Keep(func(i int) bool { return inRegion[i] || ringOf[i] >= 0 })
	}
	f.DataQuality = make([]findings.DataQualityFinding, 0, len(s.rr.DataQuality))
	for _, d := range s.rr.DataQuality {
		f.DataQuality = append(f.DataQuality, findings.DataQualityFinding{Kind: d.Kind, Code: d.Code, Visits: d.Visits,
			Institutions: d.Institutions, Patients: d.Patients, Amount: d.Amount.Yuan(), Detail: d.Detail})
	}
	return f, ind
}

// members lists the members of c: institutions, doctors, then patients.
func members(c *candidate) []graph.NodeID {
	out := make([]graph.NodeID, 0, c.members())
	out = append(out, c.insts...)
	out = append(out, c.doctors...)
	return append(out, c.patients...)
}

// buildRing returns the ring of candidate c with id and rank, without its
// rule-hit evidence and members: typology, roles, article, features,
// timeline, amount at risk and the evidence of its graph facts.
func (s *state) buildRing(c *candidate, id string, rank int) findings.Ring {
	typ := typologyOf(c, &s.opt.Params)
	s.specialRoles(c, typ)
	art, artEn := articleOf(typ)
	r := findings.Ring{ID: id, Rank: rank, Score: round4(c.score), Typology: typ,
		AmountAtRisk: round2(s.fund(c.visits).Yuan()), Visits: len(c.visits), Article: art, ArticleEn: artEn,
		Features: make(map[string]float64)}
	for k, v := range c.feat.named() {
		r.Features[k] = round4(v)
	}
	pts, first, last := s.timeline(c.visits)
	r.Timeline, r.First, r.Last = pts, first.String(), last.String()
	r.VisitRows = s.ringVisits(c.visits)
	for j := range c.facts {
		r.Evidence = append(r.Evidence, s.factEvidence(&c.facts[j], art, artEn))
	}
	return r
}

// addRuleEvidence appends the rule-hit evidence kept for c to r, which
// completes r's evidence, and lists why c is a ring, citing it.
func (s *state) addRuleEvidence(r *findings.Ring, c *candidate) {
	r.EvidenceTotal = len(r.Evidence) + c.ruleHits
	r.Evidence = append(r.Evidence, c.ruleEv...)
	r.Features["rule_hits"] = float64(c.ruleHits)
	r.Why = s.why(c, r)
}

// fillMembers lists c's members in r with their roles, their statistics
// over the ring's visits and rule hits (c.stats) and their entity scores
// (memberScore in the best-ranked ring holding them).
func (s *state) fillMembers(r *findings.Ring, c *candidate, entities *findings.Entities) {
	g := s.g
	r.Members = make([]findings.Member, 0, c.members())
	for _, x := range members(c) {
		m := findings.Member{Kind: MemberKind(g.Kind(x)), ID: g.Key(x), Role: s.roleOf(c, r.Typology, x),
			Score: entities.Score(int(x)), Label: g.Label(x)}
		if st := c.stats[x]; st != nil {
			m.Visits, m.Fund, m.RuleHits = st.visits, round2(st.fund.Yuan()), st.hits
			m.First, m.Last = st.first.String(), st.last.String()
		}
		r.Members = append(r.Members, m)
	}
	if r.Evidence == nil {
		r.Evidence = []findings.Evidence{}
	}
}

// rank sorts candidates best first: by score, then fund at risk, then
// members.
func rank(cands []*candidate) {
	slices.SortStableFunc(cands, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.feat.FundYuan, a.feat.FundYuan), cmpNodes(a, b))
	})
}
