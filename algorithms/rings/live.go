package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// Live is a finished detection kept in memory, so that visits appended to
// the graph's tables afterwards (graph.Tables.AddVisit) are scored without
// re-running the city.
//
// Add scores each new visit against the peer statistics of the full run,
// attaches it to the candidate rings (reported or not) whose institution it
// is at and whose patients it concerns (for rings without patients, whose
// doctors it concerns), and lets it recruit its patient into a
// repeat-patient ring (fabricated outpatient care, card collection) when the
// patient now meets that ring's signature at one of its institutions: at
// least the repeat-visit count there, billed far above peers or card-based.
// Only the candidates touched are re-scored; rings are re-ranked, rings
// crossing the report threshold appear or go, and the rings and entities
// concerned are rebuilt. The cost grows with the new rows and the rings they
// touch, not with the city.
//
// The rule library runs on the neighbourhood of the new rows (their
// patients' histories, their doctors' days, the census of their hospitals,
// their pharmacies, the sales of their trace codes; see neighbourhood), with
// the placeholder doctor codes of the full run; hits citing a new row are
// added, given to the entities they name and to the candidates holding the
// visits they cite, else reported as single hits.
//
// What a full run does and Add does not: R-FREQ-VISIT, whose peer groups
// span the city, is not run on new rows; no new candidates are formed
// outside the existing ones; peer statistics and baselines stay those of
// the full run; a finding the full run made and a new row extends is
// reported again as a new hit beside the old one. A server runs a full pass
// now and then to catch up.
//
// Live is not safe for concurrent use. Add returns new Findings with new
// Rings and SingleHits, but shares Entities with the findings before it and
// updates the entities it re-scores in place (copying a city's entities on
// every update would cost more than the rest of it): a caller that reads
// Entities while Add runs must hold a lock that Add's caller holds too.
// Add only reads the graph and its tables.
type Live struct {
	s       *state
	cands   []*candidate // every scored candidate, ranked
	ind     *individual
	f       *findings.Findings
	byInst  map[graph.NodeID][]*candidate
	rules   rules.Set // the rules run on new rows (liveRuleSet)
	maxRows int       // rows listed per hit

	fees      int                 // fee rows scored
	feesAfter map[uint32][]uint32 // visit row -> fee rows appended after the graph was built
	traces    traceIndex          // trace code -> fee rows, built by Prepare or the first Add needing it
	// subset holds the tables and neighbours builds the graph of each
	// update's neighbourhood of new rows (runRules), in the memory of the
	// one before.
	subset     *graph.Tables
	neighbours graph.Rebuilder
	// places is refresh's map of each reported ring member to its ring.
	places map[graph.NodeID]memberPlace
}

// memberPlace is the best-ranked reported ring of a member (its index in
// the findings) and the member's role there.
type memberPlace struct {
	ring int
	role string
}

// newLive keeps the state of a full run whose findings f were computed from
// the ranked candidates cands.
func newLive(s *state, cands []*candidate, f *findings.Findings, ind *individual) *Live {
	l := &Live{s: s, cands: cands, ind: ind, f: f, byInst: make(map[graph.NodeID][]*candidate),
		fees: s.t.Fees.Len(), feesAfter: make(map[uint32][]uint32)}
	l.rules, l.maxRows = liveRuleSet(s.opt.Rules)
	s.feesOf = l.feesOf
	for _, c := range cands {
		for _, h := range c.insts {
			l.byInst[h] = append(l.byInst[h], c)
		}
	}
	return l
}

// Prepare builds what the first Add would otherwise build when it needs
// it (the index of fee rows by trace code, a sort of every traced fee
// line: about a second at 10M visits), so that a server pays for it with
// the full run, which runs apart, rather than with its first update,
// beside checks waiting for the processor.
func (l *Live) Prepare() { l.traces.catchUp(&l.s.t.Fees) }

// UseTables makes l and its graph read t instead of the tables the full
// run was detected on (graph.Graph.UseTables): a server that detected on
// a Snapshot of its tables, while claims were appended to them, goes on
// with its own tables, and Add then scores the rows appended since the
// snapshot. t must hold every row of the full run's tables unchanged; on
// an error nothing is changed. Call it before Add, and before the graph
// is shared.
func (l *Live) UseTables(t *graph.Tables) error {
	if err := l.s.g.UseTables(t); err != nil {
		return fmt.Errorf("rings: %w", err)
	}
	l.s.t = t
	return nil
}

// Findings returns the current findings.
func (l *Live) Findings() *findings.Findings { return l.f }

// Scored returns the number of visit rows of the tables scored so far.
func (l *Live) Scored() int { return len(l.s.visitZ) }

// SyncIDs takes the ring ids of the current findings, after the caller
// renamed them in place (to keep ids stable across full runs), as the ids
// of the reported rings; Add keeps them and names new rings with newID.
func (l *Live) SyncIDs() {
	i := 0
	for _, c := range l.cands {
		if c.id != "" && i < len(l.f.Rings) {
			c.id = l.f.Rings[i].ID
			i++
		}
	}
}

// Update reports what one call of Add did.
type Update struct {
	// Rows is the number of visit rows scored, FeeLines the number of fee
	// lines; RuleHits counts the rule hits found on them.
	Rows, FeeLines, RuleHits int
	// Attached counts the new visits that joined a candidate ring,
	// Recruited the patients that joined one.
	Attached, Recruited int
	// Touched is the number of candidate rings re-scored; Rebuilt the
	// number of reported rings rebuilt (changed, new or re-ranked rings
	// are rebuilt or copied, untouched ones keep their content).
	Touched, Rebuilt int
	// Findings are the findings after the update: a new value when rows
	// were scored, the previous one otherwise.
	Findings *findings.Findings
}

// Add scores the visit rows and fee lines appended to the graph's tables
// since the last call (or since detection) and returns the updated
// findings; rings reported for the first time are named by newID. It is
// cancelled with ctx; after an error the Live is half updated and must not
// be used again (run a full detection instead).
func (l *Live) Add(ctx context.Context, newID func() string) (*Update, error) {
	s := l.s
	vt := &s.t.Visits
	n0, n1 := len(s.visitZ), vt.Len()
	f0, f1 := l.fees, s.t.Fees.Len()
	up := &Update{Rows: n1 - n0, FeeLines: f1 - f0, Findings: l.f}
	if n1 <= n0 && f1 <= f0 {
		return up, nil
	}
	s.visitZ = s.amount.extend(s.visitZ)
	s.shareZ = s.share.extend(s.shareZ)
	s.hitVisit = append(s.hitVisit, make([]uint8, n1-n0)...)
	if s.delta == nil {
		s.delta = make(map[graph.NodeID][]uint32)
		s.deltaLive = make(map[graph.NodeID]uint32)
	}
	touched := make(map[*candidate]bool)
	affected := make(map[graph.NodeID]bool)
	recruits, err := l.attach(ctx, n0, n1, touched, affected, up)
	if err != nil {
		return nil, err
	}
	l.recruit(recruits, n0, touched, up)
	hits, err := l.runRules(ctx, n0, n1, f0, f1)
	if err != nil {
		return nil, err
	}
	l.fees, s.checked = f1, n1
	up.RuleHits = len(hits)
	singles := l.placeHits(hits, touched, affected)
	for c := range touched {
		s.finish(c)
		s.score(c)
	}
	up.Touched = len(touched)
	up.Findings, up.Rebuilt = l.refresh(touched, affected, singles, newID)
	l.f = up.Findings
	return up, nil
}

// liveRecruit is a patient p whose new visits at site h may make them a
// member of relation-excess candidate c.
type liveRecruit struct {
	c *candidate
	p graph.NodeID
	h graph.NodeID
}

// attach indexes the new visit rows n0..n1 by their patient, site and
// doctor (delta, the entity statistics), attaches each to the candidates
// of its site that hold its patient (or, for rings without patients, its
// doctor), marking them touched, and returns the patients who may be
// recruited into relation-excess candidates of their site.
func (l *Live) attach(ctx context.Context, n0, n1 int, touched map[*candidate]bool, affected map[graph.NodeID]bool, up *Update) ([]liveRecruit, error) {
	s := l.s
	vt := &s.t.Visits
	var recruits []liveRecruit
	seen := make(map[liveRecruit]bool)
	for v := n0; v < n1; v++ {
		if (v-n0)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("rings: incremental scoring cancelled: %w", err)
			}
		}
		row := uint32(v)
		p, h, d := s.g.PatientNode(vt.Person[v]), s.instNode(row), graph.NoNode
		if doc := vt.Doctor[v]; s.doctorOK(doc) {
			d = s.g.DoctorNode(doc)
		}
		live := s.live(row)
		if live && d != graph.NoNode && h != graph.NoNode && l.ind.sites != nil && s.g.Kind(h) == graph.KindInstitution {
			l.ind.sites.add(d, h)
		}
		for _, x := range [...]graph.NodeID{p, h, d} {
			if x == graph.NoNode {
				continue
			}
			s.delta[x] = append(s.delta[x], row)
			affected[x] = true
			if live && int(x) < len(l.ind.zN) {
				s.deltaLive[x]++
				l.ind.zSum[x] += clipZ(s.visitZ[v])
				l.ind.zN[x]++
			}
		}
		if h == graph.NoNode || !live {
			continue
		}
		for _, c := range l.byInst[h] {
			switch {
			case len(c.patients) > 0 && p != graph.NoNode && contains(c.patients, p),
				len(c.patients) == 0 && d != graph.NoNode && contains(c.doctors, d):
				if !touched[c] {
					// The list may share its array with a fact's rows.
					c.visits = slices.Clip(c.visits)
				}
				c.visits = append(c.visits, row)
				c.added = append(c.added, row)
				touched[c] = true
				up.Attached++
			case recruiting(s, c) && p != graph.NoNode:
				r := liveRecruit{c, p, h}
				if !seen[r] {
					seen[r] = true
					recruits = append(recruits, r)
				}
			}
		}
	}
	return recruits, nil
}

// recruit adds to their candidates the recruits whose relation with the
// site is now flagged as the candidate's are (recruitVisits), with their
// visits there; rows from n0 on count as added.
func (l *Live) recruit(recruits []liveRecruit, n0 int, touched map[*candidate]bool, up *Update) {
	for _, r := range recruits {
		at, found := slices.BinarySearch(r.c.patients, r.p)
		if found {
			continue // recruited at another of its institutions
		}
		if vs := l.recruitVisits(r.c, r.p, r.h); vs != nil {
			// Fresh arrays: the lists may share theirs with facts.
			r.c.patients = slices.Insert(slices.Clip(r.c.patients), at, r.p)
			r.c.visits = append(slices.Clip(r.c.visits), vs...)
			for _, v := range vs {
				if int(v) >= n0 {
					r.c.added = append(r.c.added, v)
				}
			}
			r.c.recruited++
			touched[r.c] = true
			up.Recruited++
		}
	}
}

// recruiting reports whether c is a relation-excess ring that new patients
// can join (see excessCandidates).
func recruiting(s *state, c *candidate) bool {
	if len(c.patients) == 0 || c.source != SourceRelationExcess {
		return false
	}
	// Pharmacy rings keep only people filling across several of their
	// pharmacies (see core): one new relation cannot tell.
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindPharmacy {
			return true
		}
	}
	return false
}

// recruitVisits returns the live visits of patient node p at site h when
// their relation is flagged as the full run would flag it (see judge),
// else nil.
func (l *Live) recruitVisits(c *candidate, p, h graph.NodeID) []uint32 {
	s := l.s
	var vs []uint32
	for _, v := range s.visitsOf(p) {
		if s.live(v) && s.instNode(v) == h {
			vs = append(vs, v)
		}
	}
	if len(vs) < s.opt.Params.MinRelationVisits {
		return nil
	}
	if s.judge(uint32(s.g.Row(p)), h, vs)&c.flags != 0 {
		return vs
	}
	return nil
}

// contains reports whether sorted xs holds x.
func contains(xs []graph.NodeID, x graph.NodeID) bool {
	_, ok := slices.BinarySearch(xs, x)
	return ok
}

// refresh re-ranks the candidates after the touched ones were re-scored and
// returns new findings: reported rings that were touched, or newly
// reported, are rebuilt, the others copied with their new rank; entities
// of the affected nodes and of the members of every candidate whose score
// or standing changed are re-scored.
func (l *Live) refresh(touched map[*candidate]bool, affected map[graph.NodeID]bool, singles []findings.Evidence, newID func() string) (*findings.Findings, int) {
	s, old := l.s, l.f
	oldRing := make(map[string]*findings.Ring, len(old.Rings))
	for i := range old.Rings {
		oldRing[old.Rings[i].ID] = &old.Rings[i]
	}
	rank(l.cands)
	f := &findings.Findings{Rings: make([]findings.Ring, 0, len(old.Rings)+1), SingleHits: old.SingleHits, SingleHitsTotal: old.SingleHitsTotal + len(singles),
		DataQuality: old.DataQuality, RuleHits: s.ruleHits()}
	if len(singles) > 0 {
		f.SingleHits = append(slices.Clone(old.SingleHits), singles...)
		slices.SortStableFunc(f.SingleHits, func(a, b findings.Evidence) int { return cmp.Compare(b.Amount, a.Amount) })
		f.SingleHits = slices.Clip(f.SingleHits[:min(len(f.SingleHits), maxSingleHits)])
	}
	var reported []*candidate
	for _, c := range l.cands {
		if s.reportable(c) {
			if len(reported) < s.opt.Params.MaxRings {
				reported = append(reported, c)
				if c.id == "" {
					c.id = newID()
					l.ruleEvidenceOf(c)
					touched[c] = true // newly reported: rebuilt, members re-scored
				}
				continue
			}
			f.RingsNotReported++
		}
		if c.id != "" {
			c.id = "" // no longer reported
			touched[c] = true
		}
	}
	for c := range touched {
		for _, x := range members(c) {
			affected[x] = true
		}
	}
	// Unreported candidates lift their members' own scores.
	clear(l.ind.candSc)
	for _, c := range l.cands {
		if c.id == "" {
			for _, x := range members(c) {
				l.ind.candSc[x] = max(l.ind.candSc[x], c.score)
			}
		}
	}
	rebuilt := 0
	for i, c := range reported {
		if o := oldRing[c.id]; o != nil && !touched[c] {
			r := *o
			r.Rank = i + 1
			f.Rings = append(f.Rings, r)
			continue
		}
		r := s.buildRing(c, c.id, i+1)
		if len(c.added) > 0 {
			fa := l.addedFact(c)
			r.Evidence = append(r.Evidence, s.factEvidence(&fa, r.Article, r.ArticleEn))
			r.Changed = &findings.Change{Visits: len(c.added), Fund: round2(s.fund(c.added).Yuan())}
			if o := oldRing[c.id]; o != nil && o.Changed != nil {
				r.Changed.Since = o.Changed.Since
			}
		}
		s.addRuleEvidence(&r, c)
		s.memberScores(c)
		f.Rings = append(f.Rings, r)
		rebuilt++
	}
	for _, c := range reported {
		if c.share == nil {
			s.memberScores(c)
		}
	}
	// Ring of each member, the best-ranked ring first; the map is kept
	// from one update to the next (cleared, not reallocated: at 10M visits
	// the rings hold megabytes of members).
	if l.places == nil {
		l.places = make(map[graph.NodeID]memberPlace)
	}
	clear(l.places)
	placeOf := l.places
	for i, c := range reported {
		for _, x := range members(c) {
			if _, ok := placeOf[x]; !ok {
				placeOf[x] = memberPlace{i, s.roleOf(c, f.Rings[i].Typology, x)}
			}
		}
	}
	f.Entities = old.Entities // updated in place (see Live)
	for x := range affected {
		if int(x) >= f.Entities.Len() {
			continue
		}
		var ring *findings.Ring
		pl, ok := placeOf[x]
		if ok {
			ring = &f.Rings[pl.ring]
		}
		share := 0.0
		if ok {
			share = reported[pl.ring].share[x]
		}
		f.Entities.Set(int(x), s.entity(l.ind, x, ring, pl.role, share))
	}
	for i, c := range reported {
		if touched[c] || slices.ContainsFunc(members(c), func(x graph.NodeID) bool { return affected[x] }) {
			s.fillMembers(&f.Rings[i], c, f.Entities)
		}
	}
	return f, rebuilt
}

// placeHits gives the new rule hits (indexes into the rule result) to the
// entities they name and to the candidates holding a visit they cite
// (touched); it returns the evidence of the hits no candidate holds.
func (l *Live) placeHits(hits []int, touched map[*candidate]bool, affected map[graph.NodeID]bool) []findings.Evidence {
	s, ind := l.s, l.ind
	note := func(x graph.NodeID, rule string) {
		if x == graph.NoNode || int(x) >= len(ind.hits) {
			return
		}
		ind.hits[x]++
		if ind.rule[x] == "" {
			ind.rule[x] = rule
		}
		affected[x] = true
	}
	var singles []findings.Evidence
	for _, i := range hits {
		h := &s.hits[i]
		s.hitNodes(h, func(x graph.NodeID) { note(x, h.Rule) })
		placed := false
		for _, v := range h.Visits {
			for _, c := range l.byInst[s.instNode(v)] {
				if slices.Contains(c.hits, i) || !slices.Contains(c.visits, v) {
					continue
				}
				c.hits = append(slices.Clip(c.hits), i)
				c.ringHits = append(slices.Clip(c.ringHits), i)
				c.ruleHits++
				if len(c.ruleEv) < maxRuleEvidence {
					c.ruleEv = append(slices.Clip(c.ruleEv), s.ruleEvidence(i))
				}
				touched[c] = true
				placed = true
			}
		}
		if !placed {
			singles = append(singles, s.ruleEvidence(i))
		}
	}
	return singles
}

// ruleEvidenceOf sets the rule evidence of a candidate reported for the
// first time by Add: the rule hits it was formed from.
func (l *Live) ruleEvidenceOf(c *candidate) {
	s := l.s
	hs := slices.Clone(c.hits)
	slices.SortFunc(hs, func(a, b int) int {
		return cmp.Or(cmp.Compare(s.hits[b].Amount, s.hits[a].Amount), cmp.Compare(a, b))
	})
	c.ruleEv = c.ruleEv[:0]
	for _, i := range hs[:min(len(hs), maxRuleEvidence)] {
		c.ruleEv = append(c.ruleEv, s.ruleEvidence(i))
	}
	c.ruleHits = len(hs)
	c.ringHits = hs
}

// addedFact is the graph fact of the visits that joined c since the full
// run, and of the patients it recruited.
func (l *Live) addedFact(c *candidate) fact {
	fund := l.s.fund(c.added).Yuan()
	return fact{id: FactNewRows, visits: c.added,
		params: map[string]float64{"visits": float64(len(c.added)), "recruited": float64(c.recruited)},
		detail: fmt.Sprintf("%d visits arrived after the last full run at the ring's institutions for its members (%.2f yuan of fund; %d patients newly recruited), scored against the same peers",
			len(c.added), fund, c.recruited),
		detailZh: fmt.Sprintf("上次全量检测后新到%d条本团伙机构、成员的就诊记录（基金%.2f元；新增招募人员%d名），按同一同类基线评分",
			len(c.added), fund, c.recruited)}
}
