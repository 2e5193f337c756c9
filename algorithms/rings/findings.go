package rings

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
)

// maxRings caps the report: an investigator's short list.
const maxRings = 100

// findings ranks the scored candidates, reports those above reportScore
// and fills every part of Findings.
func (s *state) findings(cands []*candidate) *Findings {
	g := s.g
	slices.SortStableFunc(cands, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.feat["fund_yuan"], a.feat["fund_yuan"]), cmpNodes(a, b))
	})
	ind := s.individuals()
	ringOf := make([]int32, g.NumNodes())
	for i := range ringOf {
		ringOf[i] = -1
	}
	roleOf := make([]string, g.NumNodes())
	var reported []*candidate
	for _, c := range cands {
		if c.score >= reportScore && len(reported) < maxRings {
			reported = append(reported, c)
			continue
		}
		for _, x := range members(c) {
			ind.candSc[x] = max(ind.candSc[x], c.score)
		}
	}
	f := &Findings{Rings: make([]Ring, 0, len(reported)), RuleHits: s.rr.Hits}
	ringVisit := make(map[uint32]bool)
	for i, c := range reported {
		typ := typologyOf(c)
		s.specialRoles(c, typ)
		art, artEn := articleOf(typ)
		r := Ring{ID: fmt.Sprintf("R%03d", i+1), Rank: i + 1, Score: round4(c.score), Typology: typ,
			AmountAtRisk: round2(s.fund(c.visits).Yuan()), Visits: len(c.visits), Article: art, ArticleEn: artEn,
			Features: make(map[string]float64, len(c.feat))}
		for k, v := range c.feat {
			r.Features[k] = round4(v)
		}
		pts, first, last := s.timeline(c.visits)
		r.Timeline, r.First, r.Last = pts, first.String(), last.String()
		for _, x := range members(c) {
			if ringOf[x] < 0 {
				ringOf[x] = int32(i)
				roleOf[x] = s.roleOf(c, typ, x)
			}
		}
		for _, v := range c.visits {
			ringVisit[v] = true
		}
		for j := range c.facts {
			r.Evidence = append(r.Evidence, s.factEvidence(&c.facts[j], art, artEn))
		}
		f.Rings = append(f.Rings, r)
	}
	// Rule hits: those resting on ring visits or generating a ring go to
	// the ring, the rest are single hits.
	perRing := make([][]int, len(reported))
	var singles []int
	for i := range s.rr.Hits {
		h := &s.rr.Hits[i]
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
			for ri, c := range reported {
				if slices.Contains(c.hits, i) {
					best = int32(ri)
					break
				}
			}
		}
		if best >= 0 {
			perRing[best] = append(perRing[best], i)
		} else {
			singles = append(singles, i)
		}
	}
	byAmount := func(a, b int) int {
		return cmp.Or(cmp.Compare(s.rr.Hits[b].Amount, s.rr.Hits[a].Amount), cmp.Compare(a, b))
	}
	for ri := range f.Rings {
		hs := perRing[ri]
		slices.SortFunc(hs, byAmount)
		for _, i := range hs[:min(len(hs), maxRuleEvidence)] {
			f.Rings[ri].Evidence = append(f.Rings[ri].Evidence, s.ruleEvidence(i))
		}
		f.Rings[ri].Features["rule_hits"] = float64(len(hs))
	}
	slices.SortFunc(singles, byAmount)
	f.SingleHits = make([]Evidence, 0, min(len(singles), maxSingleHits))
	for _, i := range singles[:min(len(singles), maxSingleHits)] {
		f.SingleHits = append(f.SingleHits, s.ruleEvidence(i))
	}
	f.Entities = s.entities(ind, ringOf, f.Rings, roleOf)
	for ri, c := range reported {
		r := &f.Rings[ri]
		typ := r.Typology
		for _, x := range members(c) {
			r.Members = append(r.Members, Member{Kind: MemberKind(g.Kind(x)), ID: g.Key(x), Role: s.roleOf(c, typ, x),
				Score: f.Entities[x].Score, Label: g.Label(x)})
		}
		if r.Evidence == nil {
			r.Evidence = []Evidence{}
		}
		if r.Members == nil {
			r.Members = []Member{}
		}
	}
	f.DataQuality = make([]DataQualityFinding, 0, len(s.rr.DataQuality))
	for _, d := range s.rr.DataQuality {
		f.DataQuality = append(f.DataQuality, DataQualityFinding{Kind: d.Kind, Code: d.Code, Visits: d.Visits,
			Institutions: d.Institutions, Patients: d.Patients, Amount: d.Amount.Yuan(), Detail: d.Detail})
	}
	return f
}

// members lists the members of c: institutions, doctors, then patients.
func members(c *candidate) []graph.NodeID {
	out := make([]graph.NodeID, 0, c.members())
	out = append(out, c.insts...)
	out = append(out, c.doctors...)
	return append(out, c.patients...)
}
