package rings

import (
	"context"
	"math"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// state is everything the stages of one Detect call share: the graph, the
// rule hits, per-visit peer statistics and the data period. It is built
// once and read by the candidate generators, scoring and the findings.
type state struct {
	g   *graph.Graph
	t   *graph.Tables
	rr  *rules.Result
	opt *Options

	// excluded[d] is true for Doctors rows that must stay out of rings
	// (placeholder codes).
	excluded []bool
	// visitZ is the robust z-score of each visit's fund amount within its
	// peer group (scenario, institution class, diagnosis category).
	visitZ []float32
	// hitVisit counts, per visit, the rule hits citing it.
	hitVisit []uint8
	// first and last bound the live visits; years is the data period in
	// years (at least a month).
	first, last claims.Time
	years       float64
	// repeat is the number of visits of one patient at one hub that makes
	// the patient a repeat patient there, scaled to the data period.
	repeat int
}

// newState computes the shared statistics.
func newState(ctx context.Context, g *graph.Graph, rr *rules.Result, opt *Options) (*state, error) {
	t := g.Tables()
	s := &state{g: g, t: t, rr: rr, opt: opt, excluded: make([]bool, t.Doctors.Len())}
	for d := range s.excluded {
		s.excluded[d] = rr.IsPlaceholder(uint32(d))
	}
	s.first, s.last = claims.NoTime, claims.NoTime
	for _, v := range g.VisitsByTime() {
		if t.Visits.Flags[v]&graph.VisitReversed != 0 {
			continue
		}
		b := t.Visits.Begin[v]
		if s.first == claims.NoTime {
			s.first = b
		}
		s.last = b
	}
	days := 30.0
	if s.first != claims.NoTime {
		days = max(days, float64(s.last-s.first)/86400)
	}
	s.years = days / 365
	s.repeat = max(4, int(math.Round(6*s.years)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.visitZ = peerZ(g)
	s.hitVisit = make([]uint8, t.Visits.Len())
	for i := range rr.Hits {
		for _, v := range rr.Hits[i].Visits {
			if int(v) < len(s.hitVisit) && s.hitVisit[v] < 255 {
				s.hitVisit[v]++
			}
		}
	}
	return s, ctx.Err()
}

// scenario groups medical types for peer comparison: 0 outpatient, 1
// inpatient, 2 pharmacy purchase.
func scenario(m claims.MedType) int {
	switch {
	case m.Inpatient():
		return 1
	case m.Pharmacy():
		return 2
	}
	return 0
}

// minPeers is the smallest peer group whose statistics are trusted; smaller
// groups fall back to the scenario and institution class alone.
const minPeers = 30

// peerZ returns the robust z-score of every visit's fund amount against its
// peers: visits of the same scenario at institutions of the same class with
// the same diagnosis category (the first three characters of dise_codg),
// falling back to scenario and class when the group is small. The scale is
// 1.4826 × MAD, floored at a tenth of the median and one yuan, so that
// groups of near-identical amounts do not make tiny differences look huge.
func peerZ(g *graph.Graph) []float32 {
	t := g.Tables()
	vt := &t.Visits
	n := vt.Len()
	// Diagnosis categories: Strings id -> dense category index.
	catOf := make(map[uint32]int32)
	catByPrefix := make(map[string]int32)
	cat := make([]int32, n)
	for v := 0; v < n; v++ {
		d := vt.Dise[v]
		if d == graph.None {
			cat[v] = 0
			continue
		}
		c, ok := catOf[d]
		if !ok {
			code := t.Strings.String(d)
			if len(code) > 3 {
				code = code[:3]
			}
			c, ok = catByPrefix[code]
			if !ok {
				c = int32(len(catByPrefix)) + 1
				catByPrefix[code] = c
			}
			catOf[d] = c
		}
		cat[v] = c
	}
	nCat := int32(len(catByPrefix)) + 1
	const nClass = 4
	// Group ids: fine groups (scenario, class, category), then coarse groups
	// (scenario, class) after them.
	fine := func(sc, cl int, c int32) int32 { return (int32(sc)*nClass+int32(cl))*nCat + c }
	nFine := 3 * nClass * nCat
	coarse := func(sc, cl int) int32 { return nFine + int32(sc)*nClass + int32(cl) }
	nGroups := int(nFine) + 3*nClass
	gf := make([]int32, n)
	count := make([]int64, nGroups+1)
	live := func(v int) bool { return vt.Flags[v]&graph.VisitReversed == 0 }
	for v := 0; v < n; v++ {
		gf[v] = -1
		if !live(v) {
			continue
		}
		in := g.InstitutionNode(vt.Institution[v])
		if in == graph.NoNode {
			continue
		}
		sc, cl := scenario(vt.MedType[v]), int(g.Class(in))
		gf[v] = fine(sc, cl, cat[v])
		count[gf[v]+1]++
		count[coarse(sc, cl)+1]++
	}
	off := slices.Clone(count)
	for i := 1; i < len(off); i++ {
		off[i] += off[i-1]
	}
	vals := make([]claims.Money, off[nGroups])
	pos := slices.Clone(off[:nGroups])
	coarseOf := func(f int32) int32 {
		rest := f / nCat
		return nFine + rest
	}
	for v := 0; v < n; v++ {
		if gf[v] < 0 {
			continue
		}
		f := vt.FundPay[v]
		vals[pos[gf[v]]] = f
		pos[gf[v]]++
		c := coarseOf(gf[v])
		vals[pos[c]] = f
		pos[c]++
	}
	med := make([]float64, nGroups)
	scale := make([]float64, nGroups)
	dev := make([]float64, 0, 1024)
	for gi := 0; gi < nGroups; gi++ {
		seg := vals[off[gi]:off[gi+1]]
		if len(seg) == 0 {
			continue
		}
		slices.Sort(seg)
		m := float64(seg[len(seg)/2]) / 100
		dev = dev[:0]
		for _, x := range seg {
			dev = append(dev, math.Abs(float64(x)/100-m))
		}
		slices.Sort(dev)
		mad := dev[len(dev)/2]
		med[gi] = m
		scale[gi] = max(1.4826*mad, 0.1*math.Abs(m), 1)
	}
	z := make([]float32, n)
	for v := 0; v < n; v++ {
		gi := gf[v]
		if gi < 0 {
			continue
		}
		if count[gi+1] < minPeers {
			gi = coarseOf(gi)
		}
		z[v] = float32((vt.FundPay[v].Yuan() - med[gi]) / scale[gi])
	}
	return z
}

// live reports whether visit v carries money (not reversed).
func (s *state) live(v uint32) bool { return s.t.Visits.Flags[v]&graph.VisitReversed == 0 }

// doctorOK reports whether Doctors row d may take part in a ring.
func (s *state) doctorOK(d uint32) bool {
	return d != graph.None && int(d) < len(s.excluded) && !s.excluded[d]
}

// instNode returns the node of visit v's institution.
func (s *state) instNode(v uint32) graph.NodeID { return s.g.InstitutionNode(s.t.Visits.Institution[v]) }

// region returns the Strings id of the region code of an institution node,
// or None.
func (s *state) instRegion(n graph.NodeID) uint32 {
	row := s.g.Row(n)
	if row == graph.None || int(row) >= len(s.t.Institutions.Admdvs) {
		return graph.None
	}
	return s.t.Institutions.Admdvs[row]
}

// elsewhere reports whether person row p is insured in a region other than
// the one of institution node n (both known).
func (s *state) elsewhere(p uint32, n graph.NodeID) bool {
	if int(p) >= len(s.t.Persons.InsuplcAdmdvs) {
		return false
	}
	a, b := s.t.Persons.InsuplcAdmdvs[p], s.instRegion(n)
	return a != graph.None && b != graph.None && a != b
}
