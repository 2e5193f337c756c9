package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
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
}

// clipZ bounds a visit's peer z before averaging, so that one absurd
// amount does not dominate an entity.
func clipZ(z float32) float64 { return math.Max(-3, math.Min(10, float64(z))) }

// A doctor's share of visits in flagged relations counts above
// flaggedWorkBase (ordinary doctors see a few such people) and is half way
// to full evidence flaggedWorkHalf above it.
const (
	flaggedWorkBase = 0.1
	flaggedWorkHalf = 0.2
)

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
	for v := 0; v < vt.Len(); v++ {
		if !s.live(uint32(v)) {
			continue
		}
		z := clipZ(s.visitZ[v])
		add(g.PatientNode(vt.Person[v]), z)
		add(g.InstitutionNode(vt.Institution[v]), z)
		if d := vt.Doctor[v]; s.doctorOK(d) {
			x := g.DoctorNode(d)
			add(x, z)
			if v < len(s.flaggedVisit) && s.flaggedVisit[v] && int(x) < n {
				ind.flagged[x]++
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
	for i := range s.rr.Hits {
		h := &s.rr.Hits[i]
		s.hitNodes(h, func(x graph.NodeID) { note(x, h.Rule) })
	}
	return ind
}

// hitNodes calls fn with the node of every person, doctor (placeholders
// left out) and institution h names.
func (s *state) hitNodes(h *rules.Hit, fn func(graph.NodeID)) {
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
// and its reasons. The web page translates reasons by their shape
// (viz/web/src/i18n.js, checked by viz/web's browser test): change both
// together.
func (ind *individual) own(x graph.NodeID) (float64, []string) {
	var reasons []string
	peer := 0.0
	if ind.zN[x] > 0 {
		mz := ind.zSum[x] / float64(ind.zN[x])
		peer = squash(mz-0.5, 3)
		if mz >= 2 {
			reasons = append(reasons, fmt.Sprintf("fund per visit above peers (mean robust z %.1f)", mz))
		}
	}
	hit := 0.5 * squash(float64(ind.hits[x]), 3)
	if ind.hits[x] > 0 {
		reasons = append(reasons, fmt.Sprintf("%d rule hits (first: %s)", ind.hits[x], ind.rule[x]))
	}
	cand := ind.candSc[x]
	if cand > 0 {
		reasons = append(reasons, fmt.Sprintf("member of an unreported candidate ring (score %.2f)", cand))
	}
	// A doctor whose work is mostly with people flagged at their sites
	// (billed far above peers, card-based or rhythmic from afar) works for
	// them, whether or not a ring was reported.
	work := 0.0
	if ind.zN[x] > 0 && ind.flagged[x] > 0 {
		share := float64(ind.flagged[x]) / float64(ind.zN[x])
		work = squash(share-flaggedWorkBase, flaggedWorkHalf)
		if work > 0 {
			reasons = append(reasons, fmt.Sprintf("%.0f%% of visits in flagged relations", 100*share))
		}
	}
	v := 1 - (1-peer)*(1-hit)*(1-math.Min(1, cand/ind.reportScore))*(1-work)
	return 0.49 * v, reasons
}

// MemberKind returns the kind an entity of graph kind k has in rings.json
// and entities.csv: patient, doctor, clinic (any medical institution) or
// pharmacy.
func MemberKind(k graph.Kind) string {
	switch k {
	case graph.KindPatient:
		return KindPatient
	case graph.KindDoctor:
		return KindDoctor
	case graph.KindPharmacy:
		return KindPharmacy
	}
	return KindClinic
}

// entities scores every patient, doctor, institution and pharmacy: members
// of reported rings score 0.5 + half their ring's score, the others below
// 0.5 from their own signals.
func (s *state) entities(ind *individual, ringOf []int32, rings []Ring, roleOf []string) []EntityScore {
	g := s.g
	out := make([]EntityScore, 0, g.NumNodes())
	for i := 0; i < g.NumNodes(); i++ {
		x := graph.NodeID(i)
		var ring *Ring
		if r := ringOf[x]; r >= 0 {
			ring = &rings[r]
		}
		out = append(out, s.entity(ind, x, ring, roleOf[x]))
	}
	return out
}

// entity scores node x: 0.5 + half the score of its ring when ring is not
// nil (x holding role there), else from its own signals, below 0.5.
func (s *state) entity(ind *individual, x graph.NodeID, ring *Ring, role string) EntityScore {
	g := s.g
	if g.Kind(x) == graph.KindDoctor && !s.doctorOK(g.Row(x)) {
		// Placeholder codes are data quality: scored 0, never in a ring.
		return EntityScore{Kind: KindDoctor, ID: g.Key(x), Reasons: []string{"placeholder doctor code (data quality)"}}
	}
	sc, reasons := ind.own(x)
	e := EntityScore{Kind: MemberKind(g.Kind(x)), ID: g.Key(x)}
	if ring != nil {
		e.RingID = ring.ID
		sc = 0.5 + 0.5*ring.Score
		reasons = append([]string{fmt.Sprintf("%s of ring %s (%s, score %.2f)", role, ring.ID, ring.Typology, ring.Score)}, reasons...)
	}
	e.Score = round4(math.Max(0, math.Min(1, sc)))
	if len(reasons) > 3 {
		reasons = reasons[:3]
	}
	e.Reasons = slices.Clip(reasons)
	if e.Reasons == nil {
		e.Reasons = []string{}
	}
	return e
}
