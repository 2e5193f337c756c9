package rings

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/intern"
)

// state is everything the stages of one Detect call share: the graph, the
// rule hits, per-visit peer statistics and the data period. It is built
// once and read by the candidate generators, scoring and the findings.
type state struct {
	g *graph.Graph
	t *graph.Tables
	// rr is the rule library's result, its Hits moved to hits.
	rr  *rules.Result
	opt *Options
	// hits are the rule hits as the findings carry them: rr.Hits
	// converted once (rules.Hit.Finding), then those incremental scoring
	// adds. The list only grows, and it is the only copy: a city's hits
	// are a few hundred thousand structs of a dozen pointers, which a
	// serving process's collector follows in every cycle.
	hits []findings.RuleHit
	// ids holds the visit ids the findings cite (intern.Arena): a few
	// blocks for the collector to mark instead of a string per id.
	ids intern.Arena

	// excluded[d] is true for Doctors rows that must stay out of rings
	// (placeholder codes).
	excluded []bool
	// visitZ is the robust z-score of each visit's fund amount within its
	// peer group (scenario, institution class, diagnosis category).
	visitZ []float32
	// amount and share are the peer models behind visitZ and shareZ, kept
	// to score rows added later.
	amount, share *peerModel
	// shareZ is the robust z-score of each visit's fund share
	// (fund_pay_sumamt / medfee_sumamt) within its peer group (scenario,
	// institution class, insurance scheme).
	shareZ []float32
	// hitVisit counts, per visit, the rule hits citing it.
	hitVisit []uint8
	// ownHit marks the visits cited by a rule hit about the visit's own
	// person: any rule but the re-sold trace code (R-TRACE-DUP), which
	// cites the later buyers of a box as well as its first.
	ownHit []bool
	// suppliesKnown tells whether the data give days of supply (prd_days
	// or the catalogue's max_days) for the rules to judge refills by.
	suppliesKnown bool
	// feesOf returns the fee rows of a visit row: the graph's index, and
	// in a Live state the rows appended since as well.
	feesOf func(v uint32) graph.FeeRows
	// flaggedVisit marks the visits of flagged relations (set by
	// excessCandidates), whatever became of them.
	flaggedVisit []bool
	// closedSite marks, by site index (node − siteLo), the sites serving a
	// closed population (closedSites; set by excessCandidates).
	closedSite []bool
	// infirmary marks, by site index, the institutions whose name states
	// an organisation's own infirmary (graph.Infirmary: a school's, a
	// workplace's, a home's).
	infirmary []bool
	// heavyRef is, by site index, how often the site's returning people
	// of ordinary care come (visits at heavy_quantile, at least
	// min_relation_visits; 0 where no relation is judged heavy): a
	// relation of heavy_ratio times that is heavy (heavyRefs; set by
	// excessCandidates).
	heavyRef []float32
	// first and last bound the live visits; years is the data period in
	// years (at least a month).
	first, last claims.Time
	years       float64
	// repeat is the number of visits of one patient at one hub that makes
	// the patient a repeat patient there, scaled to the data period.
	repeat int

	// checked is the number of visit rows the rule library saw; rows from
	// checked on were appended later and scored incrementally (Live).
	checked int

	// visitDoctors is true when visits name their doctors (atddr_no or
	// bilg_dr_codg present); without, ring doctors are those registered
	// mostly at the ring's sites.
	visitDoctors bool
	// siteArea is, per site (institutions then pharmacies), the part of
	// the city it lies in as inferred from the people it shares with other
	// sites, when region codes are missing (nil otherwise).
	siteArea []int32
	// areas is the number of inferred areas and areaW their k×k matrix of
	// site-to-site weight.
	areas int
	areaW []float64
	// relPeers are, per institution class, the spread of relations' median
	// z (set by excessCandidates, kept to judge relations of rows added
	// later); relPeersSet tells whether they were computed.
	relPeers    [nClasses]relPeer
	relPeersSet bool
	// sales indexes the first sale of every trace code (saleIndexOf),
	// built once by the first generator that asks for it.
	sales    saleIndex
	salesSet bool
	// regulars is, per site index, its regulars and the number its
	// class's ordinary share of regulars predicts (set by
	// excessCandidates, read by growRegulars).
	regulars []siteRegulars
	// overused maps the people found over-using an item at a site that
	// seeded a candidate (overuseCandidates) to that site's lift.
	overused map[uint32]float64
	// lockstep is the lockstep peeling under way (startLockstep), nil
	// when none is or lockstepCandidates took it.
	lockstep *pendingBlocks
	// afterRecords, when not nil, is called once the relation excess
	// generator has gathered its relation records (Detect starts the
	// lockstep peeling there when the memory limit leaves no room to
	// start it earlier).
	afterRecords func()
	// onsets are the relations of onset_min_visits or more live visits
	// with their first visit, and siteFirst each site's first live visit;
	// offsets and siteLast the same on reflected time (their last visit,
	// see reflect), set by excessCandidates, read and released by
	// onsetCandidates. onsetPeople and offsetPeople map the people of the
	// onset and offset cohorts that seeded a candidate to their cohort's
	// lift.
	onsets, offsets     []onsetRel
	siteFirst, siteLast []claims.Time
	onsetPeople         map[uint32]float64
	offsetPeople        map[uint32]float64
	// delta lists, per node, the visit rows appended after the graph was
	// built, which the graph's indexes do not hold; deltaLive counts the
	// non-reversed ones.
	delta     map[graph.NodeID][]uint32
	deltaLive map[graph.NodeID]uint32
}

// ruleHits returns the rule hits as the findings carry them
// (Findings.RuleHits), converting those appended to rr.Hits since the last
// call. The slice is clipped: findings that share it cannot append into
// the hits of later ones.
func (s *state) ruleHits() []findings.RuleHit {
	return slices.Clip(s.hits)
}

// newState computes the shared statistics. excluded, when not nil, is
// called with the state as soon as its excluded doctors are known, before
// the peer models are fitted.
func newState(ctx context.Context, g *graph.Graph, rr *rules.Result, opt *Options, excluded func(*state)) (*state, error) {
	t := g.Tables()
	s := &state{g: g, t: t, rr: rr, opt: opt, excluded: make([]bool, t.Doctors.Len()), checked: t.Visits.Len(),
		hits: make([]findings.RuleHit, len(rr.Hits))}
	for i := range rr.Hits {
		s.hits[i] = rr.Hits[i].Finding()
	}
	rr.Hits = nil
	for d := range s.excluded {
		s.excluded[d] = rr.IsPlaceholder(uint32(d))
	}
	if excluded != nil {
		excluded(s)
	}
	s.first, s.last = g.LiveSpan()
	days := 30.0
	if s.first != claims.NoTime {
		days = max(days, float64(s.last-s.first)/86400)
	}
	s.years = days / 365
	s.repeat = max(4, int(math.Round(6*s.years)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The two peer models read the graph only: one is fitted beside the
	// other (each takes about a third of a second per million visits),
	// unless the memory limit leaves no room for both at once (their
	// models are the same either way).
	if s.opt.workers(2) > 1 && memoryRoom(2*peerModelBytes*int64(t.Visits.Len())) {
		var wg sync.WaitGroup
		wg.Go(func() { s.share, s.shareZ = shareModel(g) })
		s.amount, s.visitZ = amountModel(g)
		wg.Wait()
	} else {
		s.share, s.shareZ = shareModel(g)
		s.amount, s.visitZ = amountModel(g)
	}
	withDoctor := 0
	for _, d := range t.Visits.Doctor {
		if d != graph.None {
			withDoctor++
		}
	}
	s.visitDoctors = 100*withDoctor >= t.Visits.Len()
	lo := s.siteLo()
	s.infirmary = make([]bool, g.NumKind(graph.KindInstitution)+g.NumKind(graph.KindPharmacy))
	for i := range g.NumKind(graph.KindInstitution) {
		if row := g.Row(graph.NodeID(lo + i)); row != graph.None && int(row) < len(t.Institutions.Name) {
			s.infirmary[i] = graph.Infirmary(t.Str(t.Institutions.Name[row]))
		}
	}
	if err := s.inferGeography(ctx); err != nil {
		return nil, err
	}
	s.feesOf = g.FeesOf
	for f := range uint32(t.Fees.Len()) {
		if t.Fees.SupplyDays.At(f) > 0 {
			s.suppliesKnown = true
			break
		}
	}
	for _, d := range t.Catalog.MaxDays {
		s.suppliesKnown = s.suppliesKnown || d > 0
	}
	s.hitVisit = make([]uint8, t.Visits.Len())
	s.ownHit = make([]bool, t.Visits.Len())
	for i := range s.hits {
		own := s.hits[i].Rule != rules.IDTraceDuplicate
		for _, v := range s.hits[i].Visits {
			if int(v) < len(s.hitVisit) && s.hitVisit[v] < 255 {
				s.hitVisit[v]++
				s.ownHit[v] = s.ownHit[v] || own
			}
		}
	}
	return s, ctx.Err()
}

// scenario groups medical types for peer comparison: 0 ordinary
// outpatient and emergency, 1 inpatient, 2 pharmacy purchase, 3 chronic or
// special outpatient (慢特病), whose drug bills are heavier by design.
func scenario(m claims.MedType) int {
	switch {
	case m.Inpatient():
		return 1
	case m.Pharmacy():
		return 2
	case m == claims.MedChronic:
		return 3
	}
	return 0
}

// Peer statistics (see peerZ). A level of peers is used when enough
// institutions vote on its centre (levelVoters).
const (
	nScenarios = 4
	nClasses   = 4
	// minVoters is how many voting institutions a group of the finest
	// level (scenario, class and key) needs: its groups are many and
	// small.
	minVoters = 10
	// minClassVoters is how many voting institutions a class needs for its
	// own statistics (peer level 1, scenario and class; classRates); with
	// fewer it is judged with every class's. A class is a kind of care
	// (hospitals, clinics, stations, pharmacies), so the median of a few
	// of its own sites is a better baseline than the scenario's over all
	// classes: with minVoters here, a city (or a province's partition) of
	// five hospitals judged their outpatient visits and flagged shares
	// against clinics' and stations', and every hospital came out a ring.
	minClassVoters = 3
	minInstVisits  = 5 // visits of a group an institution needs to vote
)

// groupStats are the centre and scale of peer groups, and how many
// institutions voted on each.
type groupStats struct {
	centre, scale []float64
	voters        []int32
}

// peerModel scores a visit's value against its peers with the group
// statistics of the data it was built from. It scores rows appended to the
// tables later with the same, frozen statistics (incremental scoring).
type peerModel struct {
	g     *graph.Graph
	value func(v int) (int64, bool)
	// key returns the finest-level key of visit v in [0, nKey), or -1 when
	// the key was not seen when the statistics were computed.
	key   func(v int) int32
	nKey  int32
	stats [3]groupStats // finest level first
}

// group returns the group of each level for a visit of scenario sc, class
// cl and key k (k < 0: no group at the finest level).
func (m *peerModel) group(level int, sc, cl int8, k int32) int32 {
	switch level {
	case 0:
		return (int32(sc)*nClasses+int32(cl))*m.nKey + k
	case 1:
		return int32(sc)*nClasses + int32(cl)
	}
	return int32(sc)
}

// zOf returns the robust z of value x of a visit of scenario sc, class cl
// and key k: against the finest level with enough voting institutions
// (levelVoters), else the coarsest.
func (m *peerModel) zOf(sc, cl int8, k int32, x int64) float32 {
	for i := range m.stats {
		if i == 0 && k < 0 {
			continue
		}
		gi := m.group(i, sc, cl, k)
		if st := &m.stats[i]; st.voters[gi] >= levelVoters(i) || i == len(m.stats)-1 {
			return float32((float64(x)/100 - st.centre[gi]) / max(st.scale[gi], 1))
		}
	}
	return 0
}

// levelVoters returns how many voting institutions peer level i needs.
func levelVoters(i int) int32 {
	if i == 1 {
		return minClassVoters
	}
	return minVoters
}

// prepare returns the scenario (-1 for visits left out: reversed, no
// institution node, no value), class and value of visit v.
func (m *peerModel) prepare(v int) (sc, cl int8, x int64) {
	vt := &m.g.Tables().Visits
	if vt.Flags[v]&graph.VisitReversed != 0 {
		return -1, 0, 0
	}
	in := m.g.InstitutionNode(vt.Institution[v])
	x, ok := m.value(v)
	if in == graph.NoNode || !ok {
		return -1, 0, 0
	}
	return int8(scenario(vt.MedType[v])), int8(m.g.Class(in)), x
}

// extend appends the z of visits len(z) .. Visits.Len()-1 to z.
func (m *peerModel) extend(z []float32) []float32 {
	for v := len(z); v < m.g.Tables().Visits.Len(); v++ {
		sc, cl, x := m.prepare(v)
		if sc < 0 {
			z = append(z, 0)
			continue
		}
		z = append(z, m.zOf(sc, cl, m.key(v), x))
	}
	return z
}

// amountModel returns the peer model of visits' fund amounts: the finest
// level groups visits by scenario, institution class and diagnosis category
// (the first three characters of dise_codg), with its z for every visit.
func amountModel(g *graph.Graph) (*peerModel, []float32) {
	t := g.Tables()
	vt := &t.Visits
	catOf := make(map[uint32]int32)
	catByPrefix := make(map[string]int32)
	category := func(d uint32, grow bool) int32 {
		if d == graph.None {
			return 0
		}
		c, ok := catOf[d]
		if ok {
			return c
		}
		code := g.Tables().Strings.String(d)
		if len(code) > 3 {
			code = code[:3]
		}
		c, ok = catByPrefix[code]
		if !ok {
			if !grow {
				return -1
			}
			c = int32(len(catByPrefix)) + 1
			catByPrefix[code] = c
		}
		catOf[d] = c
		return c
	}
	// The categories of the visits fitted, two bytes a visit as a rule
	// (graph.Small): the model keeps them for as long as it scores.
	cat := graph.NewSmall(vt.Len())
	for v := range vt.Len() {
		cat.Append(uint32(category(vt.Dise.At(uint32(v)), true)))
	}
	m := &peerModel{g: g, nKey: int32(len(catByPrefix)) + 1,
		// The functions read the graph's tables when called: a served
		// city's Live goes on with tables that have grown since
		// (Live.UseTables).
		value: func(v int) (int64, bool) { return int64(g.Tables().Visits.FundPay.At(uint32(v))), true },
		key: func(v int) int32 {
			if v < cat.Len() {
				return int32(cat.At(uint32(v)))
			}
			return category(g.Tables().Visits.Dise.At(uint32(v)), false)
		}}
	return m, m.fit()
}

// shareModel returns the peer model of visits' fund shares (in basis
// points of medfee_sumamt): the finest level groups visits by scenario,
// institution class and insurance scheme, whose reimbursement rates differ
// by design. It returns the z of every visit too.
func shareModel(g *graph.Graph) (*peerModel, []float32) {
	t := g.Tables()
	scheme := make(map[uint32]int32)
	insu := make([]int32, t.Persons.Len())
	for p := range insu {
		id := t.Persons.InsuType[p]
		k, ok := scheme[id]
		if !ok {
			k = int32(len(scheme))
			scheme[id] = k
		}
		insu[p] = k
	}
	m := &peerModel{g: g, nKey: int32(max(len(scheme), 1)),
		value: func(v int) (int64, bool) {
			vt := &g.Tables().Visits // when called: see amountModel
			if vt.MedFee.At(uint32(v)) <= 0 || vt.FundPay.At(uint32(v)) < 0 {
				return 0, false
			}
			return int64(math.Round(10000 * float64(vt.FundPay.At(uint32(v))) / float64(vt.MedFee.At(uint32(v))))), true
		},
		key: func(v int) int32 {
			if p := g.Tables().Visits.Person[v]; int(p) < len(insu) {
				return insu[p]
			}
			return 0
		}}
	return m, m.fit()
}

// fit computes the group statistics of m over every visit of the tables and
// returns each visit's robust z-score (values in hundredths: fen or basis
// points). Peers are looked for at three levels, finest first: scenario,
// institution class and key; scenario and class; scenario. The centre of a
// group is the median over its institutions of each institution's median
// value: every institution has one vote, so that a ring billing thousands
// of inflated visits cannot shift its own baseline. The scale is 1.4826 ×
// the median over institutions of each one's median absolute deviation
// (the ordinary spread within one site), floored at a tenth of the centre
// and at one unit. Visits without a value score 0.
func (m *peerModel) fit() []float32 {
	vt := &m.g.Tables().Visits
	n := vt.Len()
	// Two peer models are fitted side by side at detection's start, where
	// its live heap peaks: the values and keys are read again when needed
	// rather than kept (twelve bytes a visit per model).
	sc := make([]int8, n) // scenario, -1 for visits left out
	cl := make([]int8, n)
	for v := 0; v < n; v++ {
		sc[v], cl[v], _ = m.prepare(v)
	}
	val := func(v int) int64 { x, _ := m.value(v); return x } // for visits with sc[v] >= 0
	m.stats = m.groupStats(vt, sc, cl, val)
	z := make([]float32, n)
	for v := 0; v < n; v++ {
		if sc[v] >= 0 {
			z[v] = m.zOf(sc[v], cl[v], m.key(v), val(v))
		}
	}
	return z
}

// groupStats computes the centre, scale and voters of the groups of the
// three levels, visit v with value val(v) (visits with sc[v] < 0 left
// out).
//
// One sort serves the three levels. The visits are packed as
// (institution, finest group, value) keys and sorted: each institution's
// visits of a finest-level group are then a run sorted by value. An
// institution's class is its own, so its visits of a coarser group (a
// scenario, with or without the class) are the runs of the finest groups
// of that scenario, consecutive since the finest groups are numbered in
// scenario order; they are merged by sorting their values. Values are
// clamped to the bits the key leaves them (at least 2^37 − 1 cents at any
// realistic number of institutions and groups).
func (m *peerModel) groupStats(vt *graph.VisitTable, sc, cl []int8, val func(v int) int64) [3]groupStats {
	nGroups := [3]int{nScenarios * nClasses * int(m.nKey), nScenarios * nClasses, nScenarios}
	group0 := func(v int) int32 { return m.group(0, sc[v], cl[v], m.key(v)) }
	// The finest groups that occur, numbered densely in group order.
	dense := make([]int32, nGroups[0])
	nInst := uint32(0)
	for v := range sc {
		if sc[v] >= 0 {
			dense[group0(v)] = 1
			nInst = max(nInst, vt.Institution[v]+1)
		}
	}
	var byDense []int32
	for g, seen := range dense {
		dense[g] = int32(len(byDense))
		if seen != 0 {
			byDense = append(byDense, int32(g))
		}
	}
	groupBits := uint(bits.Len32(uint32(len(byDense))))
	fundBits := min(40, 64-uint(bits.Len32(nInst))-groupBits)
	keys := make([]uint64, 0, len(sc))
	for v := range sc {
		if sc[v] < 0 {
			continue
		}
		f := min(max(val(v), 0), 1<<fundBits-1)
		keys = append(keys, (uint64(vt.Institution[v])<<groupBits|uint64(dense[group0(v)]))<<fundBits|uint64(f))
	}
	// In place: the two models sort side by side where detection's live
	// heap peaks, and a radix sort's second slice would add eight bytes a
	// visit each.
	graph.SortKeysInPlace(keys)

	// Per level and group: the institutions' medians and MADs, and the
	// runs of keys of institutions with too few visits to vote (start and
	// end), pooled for the groups no institution votes in.
	type votes struct {
		meds, mads []float64
		pool       []int
	}
	var lv [3][]votes
	for i := range lv {
		lv[i] = make([]votes, nGroups[i])
	}
	fundMask := uint64(1)<<fundBits - 1
	cents := func(x uint64) float64 { return float64(x&fundMask) / 100 }
	// runValues returns the values of keys[c:e] sorted, in buf.
	runValues := func(buf []uint64, c, e int) []uint64 {
		buf = buf[:0]
		for _, k := range keys[c:e] {
			buf = append(buf, k&fundMask)
		}
		slices.Sort(buf)
		return buf
	}
	vote := func(x *votes, c, e int, sorted []uint64) {
		if e-c >= minInstVisits {
			md, d := medMad(sorted, cents)
			x.meds, x.mads = append(x.meds, md), append(x.mads, d)
			return
		}
		x.pool = append(x.pool, c, e)
	}
	instOf := func(k uint64) uint64 { return k >> (groupBits + fundBits) }
	groupOf := func(k uint64) int32 { return byDense[(k>>fundBits)&(1<<groupBits-1)] }
	scenarioOf := func(g int32) int32 { return g / (nClasses * m.nKey) }
	var merged []uint64
	for a := 0; a < len(keys); {
		b := a
		for b < len(keys) && instOf(keys[b]) == instOf(keys[a]) {
			b++
		}
		for c := a; c < b; {
			g := groupOf(keys[c])
			e := c
			for e < b && groupOf(keys[e]) == g {
				e++
			}
			vote(&lv[0][g], c, e, keys[c:e])
			c = e
		}
		for c := a; c < b; {
			g := groupOf(keys[c])
			e := c
			for e < b && scenarioOf(groupOf(keys[e])) == scenarioOf(g) {
				e++
			}
			merged = runValues(merged, c, e)
			vote(&lv[1][g/m.nKey], c, e, merged)
			vote(&lv[2][scenarioOf(g)], c, e, merged)
			c = e
		}
		a = b
	}
	var out [3]groupStats
	for i := range out {
		st := groupStats{centre: make([]float64, nGroups[i]), scale: make([]float64, nGroups[i]), voters: make([]int32, nGroups[i])}
		for gi := range lv[i] {
			x := &lv[i][gi]
			st.voters[gi] = int32(len(x.meds))
			if len(x.meds) == 0 {
				if len(x.pool) == 0 {
					continue // no visits
				}
				// No institution with enough visits: pool them.
				merged = merged[:0]
				for j := 0; j < len(x.pool); j += 2 {
					for _, k := range keys[x.pool[j]:x.pool[j+1]] {
						merged = append(merged, k&fundMask)
					}
				}
				slices.Sort(merged)
				md, d := medMad(merged, cents)
				x.meds, x.mads = append(x.meds, md), append(x.mads, d)
			}
			slices.Sort(x.meds)
			slices.Sort(x.mads)
			st.centre[gi] = x.meds[len(x.meds)/2]
			st.scale[gi] = max(1.4826*x.mads[len(x.mads)/2], 0.1*math.Abs(st.centre[gi]), 1)
		}
		out[i] = st
	}
	return out
}

// visitsOf returns the visits of node n: those of the graph's index, then
// the rows appended since (see Graph.VisitsOf).
func (s *state) visitsOf(n graph.NodeID) []uint32 { return joinRows(s.g.VisitsOf(n), s.delta[n]) }

// joinRows returns the rows of a graph index followed by those appended
// since, copying only when there are such rows (the index must not be
// modified).
func joinRows(indexed, appended []uint32) []uint32 {
	if len(appended) == 0 {
		return indexed
	}
	return append(indexed[:len(indexed):len(indexed)], appended...)
}

// nodeVisits returns the number of non-reversed visits of node n,
// appended rows included (see Graph.NodeVisits).
func (s *state) nodeVisits(n graph.NodeID) uint32 { return s.g.NodeVisits(n) + s.deltaLive[n] }

// live reports whether visit v carries money (not reversed).
func (s *state) live(v uint32) bool { return s.t.Visits.Flags[v]&graph.VisitReversed == 0 }

// doctorOK reports whether Doctors row d may take part in a ring.
func (s *state) doctorOK(d uint32) bool {
	return d != graph.None && int(d) < len(s.excluded) && !s.excluded[d]
}

// instNode returns the node of visit v's institution.
func (s *state) instNode(v uint32) graph.NodeID {
	return s.g.InstitutionNode(s.t.Visits.Institution[v])
}

// region returns the Strings id of the region code of an institution node,
// or None.
func (s *state) instRegion(n graph.NodeID) uint32 {
	row := s.g.Row(n)
	if row == graph.None || int(row) >= len(s.t.Institutions.Admdvs) {
		return graph.None
	}
	return s.t.Institutions.Admdvs[row]
}

// away returns how far person row p lives from site node n (distSame,
// distNear, distFar), and whether that is known: from the insured region
// (insuplc_admdvs) against the site's region (admdvs) when both are given
// (another county of the same city, the first four digits, is near;
// another city far), else from the area of the city the person's other
// care lies in (inferred geography, see inferGeography), else unknown.
// An insured region that names only the site's city (XXXX00: insurance
// pooled by the city) tells that the person is the city's; where in it
// the person lives is then the inferred geography's to say, and without
// it the person counts as living there.
func (s *state) away(p uint32, n graph.NodeID) (dist int, known bool) {
	cityOnly := false
	if int(p) < len(s.t.Persons.InsuplcAdmdvs) {
		a, b := s.t.Persons.InsuplcAdmdvs[p], s.instRegion(n)
		if a != graph.None && b != graph.None {
			switch ra, rb := s.t.Str(a), s.t.Str(b); {
			case ra == rb:
				return distSame, true
			case regionApart(ra, rb) != 0: // another city, or a code too short to tell
				return distFar, true
			case districtCode(ra) && districtCode(rb):
				return distNear, true
			}
			cityOnly = true
		}
	}
	if s.siteArea != nil {
		if home, ok := s.homeArea(s.g.PatientNode(p), n); ok {
			return s.areaDistance(home, s.siteArea[s.siteIndex(n)]), true
		}
	}
	return distSame, cityOnly
}

// medMad returns the median of the values (value(k)) of keys ks, sorted by
// value (the order it reads them in otherwise), and the median of their absolute deviations from it (the upper
// median of an even count, as ks[len(ks)/2]). The deviations of the values
// below and above the median are two sorted runs: merging them from the
// median outwards finds the middle deviation without sorting.
func medMad[K any](ks []K, value func(K) float64) (med, mad float64) {
	mid := len(ks) / 2
	med = value(ks[mid])
	i, j := mid-1, mid
	for range mid + 1 {
		if j < len(ks) && (i < 0 || value(ks[j])-med <= med-value(ks[i])) {
			mad = value(ks[j]) - med
			j++
		} else {
			mad = med - value(ks[i])
			i--
		}
	}
	return med, mad
}
