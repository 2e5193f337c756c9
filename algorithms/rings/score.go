package rings

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// squash maps x ≥ 0 to [0, 1): x / (x + half), 0.5 at x = half.
func squash(x, half float64) float64 {
	if x <= 0 || half <= 0 {
		return 0
	}
	return x / (x + half)
}

// score sets c.score in [0, 1] from the generator's evidence strength and
// the ring features: distance from peers (the median peer z of the ring's
// fund per visit), lockstep density against the baseline of the same
// institutions, rule-hit concentration and, for card collection, the
// card-based share, and the share of people living away who visit on a
// rhythm, the share of people admitted again and again where their
// sites stand out from their class in such relations, and the share of
// people who began to come to the sites together (onset cohorts). These
// combine as independent pieces of evidence (1 − Π(1 − s_i)); rings found by a typology-specific rule signature
// (split stays, round quantities, re-sold trace codes, distant doctors,
// admission cohorts) start from full evidence and rest on their
// generator's strength. The number of patients and the fund at risk then
// scale the result, so that a tiny group with little money ranks low.
func (s *state) score(c *candidate) {
	f := &c.feat
	pr := &s.opt.Params
	f.PackageShare, f.packaged = 0, false
	if pr.PackageMinShare > 0 && routineShape(f, pr) && math.Max(f.PeerZ, f.ShareZ) >= pr.CostlyZ {
		// Whether a follow-up day billed above its peers is a routine
		// depends on what its people are billed (routine).
		s.setPackage(c)
	}
	rest := 1.0
	parts := s.evidenceParts(c)
	for _, p := range parts {
		rest *= 1 - p.strength
	}
	ev := 1 - rest
	size := 1.0
	if c.typology != findings.TypBorrowedQualif {
		size = squash(float64(len(c.patients)), pr.SizeHalf)
	}
	money := 0.5 + 0.5*squash(f.FundYuan, pr.MoneyHalf)
	if len(c.visits) == 0 {
		// No visit can be laid to the ring (a doctor's distant
		// registrations where visits name no doctor): its money is
		// unknown, not small.
		money = 1
	}
	c.score = c.strength * ev * (0.5 + 0.5*size) * money
	if pr.PackageMinShare > 0 && !organised(c, parts, pr.OrganisedMinEvidence) {
		// Nothing but the group's billing and its sites speak for it:
		// people each billed their own items are a clientele.
		if !f.packaged {
			s.setPackage(c)
		}
		if f.PackageShare < pr.PackageMinShare {
			c.score *= f.PackageShare / pr.PackageMinShare
		}
	}
	f.Evidence = ev
	f.Score = c.score
}

// organisedSignal reports whether evidence code (evidenceParts) speaks
// of an operation rather than of what its people are billed: a
// generator's signature, synchrony, people beginning or stopping
// together, heavy visits and repeat admissions. Card-based visits of
// people insured elsewhere are not: migrants and commuters carry their
// cards, and a station swiping collected cards bills them a package.
func organisedSignal(code string) bool {
	switch code {
	case vocab.SignalSignature, vocab.SignalRuleSignature, vocab.SignalLockstep, vocab.SignalLockstepRoutine,
		vocab.SignalOnset, vocab.SignalOffset, vocab.SignalHeavyVisits, vocab.SignalRepeatAdmissions:
		return true
	}
	return false
}

// organised reports whether candidate c, with evidence parts, has a piece
// of organised evidence (organisedSignal) of at least min strength, or was
// found by its synchrony: co-visit cohorts, crowded slots, a lockstep
// block, an admission cohort, an onset or offset cohort.
func organised(c *candidate, parts []evidencePart, min float64) bool {
	switch {
	case c.cohort(), c.source == SourceCohorts, c.source == SourceSlots, c.source == SourceLockstep, c.source == SourceAdmitCohort:
		return true
	}
	return slices.ContainsFunc(parts, func(p evidencePart) bool {
		if p.code == vocab.SignalSignature && c.source == SourceResell {
			// The reselling signature links pharmacies by boxes sold
			// again and takes their heaviest fillers as its people:
			// recruits fill the organiser's drugs, the same ones (the
			// package), and heavy patients each their own.
			return false
		}
		return organisedSignal(p.code) && p.strength >= min
	})
}

// setPackage sets c's package share (packageShare) in its features.
func (s *state) setPackage(c *candidate) {
	c.feat.PackageShare, c.feat.packaged = s.packageShare(c), true
}

// packageShare returns the share of the amount billed on c's visits that
// goes to items billed to at least half of its people: near 1 for a
// package billed to recruits, near 0 for people each billed their own
// regimen. It is 1 for a candidate without people or bills.
func (s *state) packageShare(c *candidate) float64 {
	ft := &s.t.Fees
	amount := make(map[uint32]claims.Money) // by item
	var uses []uint64                       // item << 32 | person, one per fee line
	var total claims.Money
	for _, v := range c.visits {
		p := s.t.Visits.Person[v]
		for f := range s.feesOf(v).All() {
			it, a := ft.Item.At(f), ft.AmountAt(f)
			amount[it] += a
			total += a
			uses = append(uses, uint64(it)<<32|uint64(p))
		}
	}
	if len(c.patients) == 0 || total <= 0 {
		return 1
	}
	slices.Sort(uses)
	uses = slices.Compact(uses)
	var shared claims.Money
	for i := 0; i < len(uses); {
		j := i
		for j < len(uses) && uses[j]>>32 == uses[i]>>32 {
			j++
		}
		if 2*(j-i) >= len(c.patients) {
			shared += amount[uint32(uses[i]>>32)]
		}
		i = j
	}
	return float64(shared) / float64(total)
}

// evidencePart is one independent piece of evidence behind a candidate's
// score: the vocabulary signal (graph/vocab Signals) that explains it, its
// strength in [0, 1] and the values its sentence shows, formatted only
// when a reported ring's why asks for them (scoring every candidate needs
// the strengths alone).
type evidencePart struct {
	code     string
	strength float64
	params   func() map[string]string
}

// evidenceParts returns the pieces of evidence of c in a fixed order (the
// score multiplies them in this order), zero strengths included.
func (s *state) evidenceParts(c *candidate) []evidencePart {
	f := &c.feat
	pr := &s.opt.Params
	base := 0.0
	if signature(c) {
		base = 1
	}
	// Distance from peers: the ring's median z of fund per visit, or of
	// fund share (rings that inflate what the fund pays, not the bill).
	peerCode, peerZ := vocab.SignalPeerFund, f.PeerZ
	if f.ShareZ > f.PeerZ {
		peerCode, peerZ = vocab.SignalPeerShare, f.ShareZ
	}
	lock, lift := 0.0, 0.0
	if d, b := f.LockstepDensity, f.LockstepBaseline; d > 0 {
		lock = math.Max(0, d-b) * math.Min(1, d/(b+cohortBaseFloor)/4)
		lift = d / math.Max(b, 0.001)
	}
	lockCode := vocab.SignalLockstep
	if routine(f, pr) {
		// People seen together on the same day of every month, not
		// billed far above their peers, who neither began nor stopped
		// together: a site's follow-up day, synchronous by design.
		lock *= 1 - f.MonthlyShare
		lockCode = vocab.SignalLockstepRoutine
	}
	card := 0.0
	if c.typology == findings.TypCardCollection || f.CardRelations >= 0.5 {
		card = f.CardShare
	}
	sig := evidencePart{vocab.SignalSignature, base, func() map[string]string { return map[string]string{"fact": c.source} }}
	if r, ok := s.opt.Rules.Rule(c.source); ok {
		sig = evidencePart{vocab.SignalRuleSignature, base, func() map[string]string {
			return map[string]string{"rule": r.ID, "name_zh": r.Name, "name_en": r.NameEn}
		}}
	}
	return []evidencePart{
		sig,
		{peerCode, squash(peerZ-1, 3), func() map[string]string { return map[string]string{"z": fmt.Sprintf("%.1f", peerZ)} }},
		{lockCode, lock, func() map[string]string {
			return map[string]string{"density": fmt.Sprintf("%.1f", 100*f.LockstepDensity), "baseline": fmt.Sprintf("%.1f", 100*f.LockstepBaseline),
				"lift": fmt.Sprintf("%.0f", lift), "monthly": pct(f.MonthlyShare)}
		}},
		// Rule-hit concentration counts half.
		{vocab.SignalRuleHits, 0.5 * squash(f.RuleHitShare, 0.3), func() map[string]string {
			return map[string]string{"share": pct(f.RuleHitShare), "hits": strconv.Itoa(max(c.ruleHits, len(c.hits)))}
		}},
		// Card-based visits of people living elsewhere (card collection).
		{vocab.SignalCardShare, card, func() map[string]string { return map[string]string{"share": pct(f.CardShare)} }},
		// People living away who visit on a regular rhythm (card
		// collection without card types, scattered recruits).
		{vocab.SignalAwayRhythm, f.AwayRelations * f.Rhythm, func() map[string]string {
			return map[string]string{"share": pct(f.AwayRelations), "rhythm": fmt.Sprintf("%.2f", f.Rhythm)}
		}},
		// People who began to come to the sites together (recruitment).
		{vocab.SignalOnset, f.OnsetShare * squash(f.OnsetLift-1, pr.OnsetLift), func() map[string]string {
			return map[string]string{"share": pct(f.OnsetShare), "lift": fmt.Sprintf("%.1f", f.OnsetLift)}
		}},
		// People who stopped coming to the sites together.
		{vocab.SignalOffset, f.OffsetShare * squash(f.OffsetLift-1, pr.OffsetLift), func() map[string]string {
			return map[string]string{"share": pct(f.OffsetShare), "lift": fmt.Sprintf("%.1f", f.OffsetLift)}
		}},
		// People billed far more often at the ring's sites than the
		// sites' other returning people are.
		{vocab.SignalHeavyVisits, f.HeavyShare * squash(f.HeavyLift-1, pr.HeavyRatio), func() map[string]string {
			return map[string]string{"share": pct(f.HeavyShare), "lift": fmt.Sprintf("%.1f", f.HeavyLift)}
		}},
		// People admitted again and again at the ring's sites, weighed by
		// how far the sites stand out from their class in such relations.
		{vocab.SignalRepeatAdmissions, f.AdmitRelations * squash(f.FlaggedLift-1, pr.AdmitLiftHalf), func() map[string]string {
			return map[string]string{"share": pct(f.AdmitRelations), "lift": fmt.Sprintf("%.1f", f.FlaggedLift)}
		}},
	}
}

// routine reports whether the synchrony of a group with features f is
// that of a site's routine: at least routine_monthly_share of its people's
// successive visits a calendar month apart on the same day of the month;
// billed less than costly_z robust scales above their peers, fund and fund
// share (what flags a relation as billed far above peers: without
// diagnoses a chronic clientele's refills stand a scale or two above the
// acute visits they are compared with); routine_local_share of its people
// living where they come (a follow-up day serves the site's neighbourhood;
// cards collected from people elsewhere are swiped on a calendar too); and
// no onset or offset cohort holding more than routine_onset_share of them (a
// ring begins on a day; a chronic clientele was there before the data and
// stays after, whatever few newcomers began together).
//
// A group billed costly_z or more above its peers is a routine too when
// its people are each billed their own items (its package share, set by
// score, under package_min_share): a follow-up day's chronic patients
// refill their own regimens, dearer than the acute visits they are
// compared with where no diagnosis sets them apart; a ring inflating its
// bills behind a calendar bills a package.
func routine(f *features, pr *Params) bool {
	return routineShape(f, pr) &&
		(math.Max(f.PeerZ, f.ShareZ) < pr.CostlyZ || f.packaged && f.PackageShare < pr.PackageMinShare)
}

// routineShape reports whether a group with features f keeps a routine's
// calendar and clientele (routine), whatever it is billed.
func routineShape(f *features, pr *Params) bool {
	return pr.RoutineMonthlyShare > 0 && f.MonthlyShare >= pr.RoutineMonthlyShare && f.LocalShare >= pr.RoutineLocalShare &&
		f.OnsetShare <= pr.RoutineOnsetShare && f.OffsetShare <= pr.RoutineOnsetShare
}

// pct formats a share in [0, 1] as a whole percentage.
func pct(x float64) string { return fixed(100*x, 0) }

// numberStrings holds the formatted numbers that score reasons show most
// (0 to 1000 whole, 0.0 to 99.9, 0.00 to 1.00), so that the reasons of a
// city's millions of entities share them instead of holding a small string
// each for the garbage collector to mark. Read only.
var numberStrings = func() map[string]string {
	m := make(map[string]string, 1001+1000+101)
	add := func(x float64, prec int) {
		s := strconv.FormatFloat(x, 'f', prec, 64)
		m[s] = s
	}
	for i := range 1001 {
		add(float64(i), 0)
	}
	for i := range 1000 {
		add(float64(i)/10, 1)
	}
	for i := range 101 {
		add(float64(i)/100, 2)
	}
	return m
}()

// fixed formats x with prec decimals exactly as fmt's %.*f does, sharing
// the string of a common value (numberStrings).
func fixed(x float64, prec int) string {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'f', prec, 64)
	if s, ok := numberStrings[string(b)]; ok {
		return s
	}
	return string(b)
}

// signature reports whether c was found by a typology-specific rule
// signature that is evidence by itself (split stays, round quantities,
// re-sold trace codes, returned boxes, distant doctors, admission cohorts):
// its score starts from full evidence. Relation excess, item concentration
// and the signatures of fabricated care, lockstep swiping and card
// collection, and onset cohorts, must show their distance from peers
// (or, for onset cohorts, how far their arrivals exceed chance) instead.
func signature(c *candidate) bool {
	switch {
	case c.source == SourceRelationExcess, c.source == SourceItemConcentration, c.source == SourceItemOveruse, c.cohort():
		return false
	case c.typology == findings.TypFabricatedOutpatient, c.typology == findings.TypLockstepSwiping, c.typology == findings.TypCardCollection:
		return false
	}
	return true
}
