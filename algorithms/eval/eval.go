// Package eval measures detection findings against the truth of a synthetic
// city (truth.json written by the fixtures generator): which planted rings
// were found, how many of the top-ranked reported rings are real, which
// legitimate look-alikes (hard negatives) were wrongly reported, and how well
// the entity scores separate ring members from everyone else.
//
// # Matching
//
// Members are compared by (kind, id). Truth kinds hospital and station are
// mapped to clinic, the kind findings use for every designated medical
// institution. A reported ring R matches a planted ring P when they share at
// least half of P's members and at least half of R's members:
//
//	2·|P ∩ R| ≥ |P|  and  2·|P ∩ R| ≥ |R|  and  |P ∩ R| > 0
//
// Reported rings are taken in the order of Findings.Rings (ranked, best
// first). K is twice the number of planted rings.
//
// # Metrics
//
//   - Recall: share of planted rings matched by any reported ring; RecallAtK
//     only looks at the top K reported rings.
//   - PrecisionAtK: share of the top K reported rings (all of them when
//     fewer than K are reported) that match some planted ring.
//   - Per typology: recall of the planted rings of each typology.
//   - Hard negatives: let G' be the members of a hard-negative group G that
//     belong to no planted ring (a ring member's family or the pharmacy of a
//     reselling ring are rightly reported with the ring; only the innocent
//     rest counts). G counts as reported when some reported ring R in the
//     top K has at least half of its members in G' (2·|R ∩ G'| ≥ |R|) or
//     contains at least half of G' (2·|R ∩ G'| ≥ |G'|), with |R ∩ G'| > 0.
//     A group wholly inside planted rings cannot be reported.
//   - AUC: ROC-AUC of entity scores per kind (patient, doctor, clinic,
//     pharmacy), label = member of any planted ring, by the Mann–Whitney
//     formula with average ranks for ties. A planted member missing from
//     the entity scores is counted as a positive with score 0. A kind with
//     no positives or no negatives has no AUC (n/a).
//   - Merged rings: a reported ring in the top K is merged when it holds
//     members of two or more planted rings, each contributing at least
//     max(3, 20% of that planted ring's members): one reported ring
//     covering unrelated operations. A merged ring may still match one of
//     them.
//   - Fragments: a reported ring in the top K that matches no planted ring
//     but has at least half of its members in one planted ring P
//     (2·|P ∩ R| ≥ |R|, the planted ring with the most shared members, the
//     first in truth order on ties) is a fragment of P: a real operation
//     found in pieces, each too small to match (a ring whose sites or
//     groups were reported apart, or one grown too little). It counts
//     against precision like any unmatched ring; the breakdown tells such
//     rings from ones that are mostly innocent, and says whether P was
//     found whole elsewhere.
//   - PlantedShareAtK: share of the top K reported rings that match a
//     planted ring or are a fragment of one: rings an investigator would
//     find to be planted fraud, whole or in part. PrecisionAtK is the
//     stricter figure; the two differ by the fragments.
//   - Typology accuracy: of the found planted rings with a known typology
//     (not unclassified), the share whose best reported ring was given the
//     same typology. Found unclassified planted rings are counted apart,
//     with the typologies the detector gave them.
//   - Breakdowns of recall (found anywhere and found in the top K) by the
//     planted ring's size band (patient members: <5, 5-7, 8-24, 25-99,
//     100+; the shape's people when truth records a shape, else the
//     patient members listed), by typology, by camouflage level (none
//     below 0.2, low 0.2 to 0.5, high above 0.5, unknown without a shape)
//     and by primitive (a ring counts under each primitive of its shape;
//     rings without a shape are not counted there). Only non-empty rows are
//     listed, bands and levels in their natural order, the rest by name.
//
// Metrics whose denominator is zero are nil (n/a), never 0 or NaN.
package eval

import (
	"errors"
	"sort"

	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
)

// kinds are the entity kinds AUC is reported for, in output order.
var kinds = [...]string{findings.KindPatient, findings.KindDoctor, findings.KindClinic, findings.KindPharmacy}

// Report is the evaluation of one findings set against one truth.
type Report struct {
	Preset        string   `json:"preset"`
	Seed          int64    `json:"seed"`
	Planted       int      `json:"planted"`        // planted rings in the truth
	Reported      int      `json:"reported"`       // rings in the findings
	K             int      `json:"k"`              // 2 × planted
	Found         int      `json:"found"`          // planted rings matched by any reported ring
	FoundAtK      int      `json:"found_at_k"`     // planted rings matched by a top-K reported ring
	Recall        *float64 `json:"recall"`         // Found / Planted
	RecallAtK     *float64 `json:"recall_at_k"`    // FoundAtK / Planted
	TopK          int      `json:"top_k"`          // reported rings considered for precision: min(K, Reported)
	TopKMatched   int      `json:"top_k_matched"`  // of those, rings matching a planted ring
	PrecisionAtK  *float64 `json:"precision_at_k"` // TopKMatched / TopK
	TypologyRight int      `json:"typology_right"` // found planted rings whose best ring has their typology
	// TypologyKnown counts the found planted rings of a known typology
	// (not unclassified); TypologyKnownRight those whose best ring has
	// their typology; TypologyAccuracy is their ratio.
	TypologyKnown      int      `json:"typology_known"`
	TypologyKnownRight int      `json:"typology_known_right"`
	TypologyAccuracy   *float64 `json:"typology_accuracy"`
	// UnclassifiedFound counts the found planted rings of typology
	// unclassified; UnclassifiedCalled what their best rings were called.
	UnclassifiedFound  int             `json:"unclassified_found"`
	UnclassifiedCalled []TypologyCount `json:"unclassified_called"` // by count, then typology
	// Merged counts the merged rings in the top K (see the package doc);
	// MergedRings lists them by rank.
	Merged      int          `json:"merged"`
	MergedRings []MergedRing `json:"merged_rings"`
	// Fragments counts the fragments in the top K (unmatched rings mostly
	// made of one planted ring's members; see the package doc);
	// FragmentRings lists them by rank.
	Fragments     int            `json:"fragments"`
	FragmentRings []FragmentRing `json:"fragment_rings"`
	// PlantedShareAtK is (TopKMatched + Fragments) / TopK: the share of
	// the top K that is planted fraud, whole or in part.
	PlantedShareAtK *float64         `json:"planted_share_at_k"`
	ByTypology      []TypologyRecall `json:"by_typology"`      // sorted by typology
	BySize          []Breakdown      `json:"by_size"`          // by size band of patient members
	ByCamouflage    []Breakdown      `json:"by_camouflage"`    // none, low, high, unknown
	ByPrimitive     []Breakdown      `json:"by_primitive"`     // sorted by primitive
	HardNegatives   []HardNegKind    `json:"hard_negatives"`   // per hard-negative kind, sorted by kind
	HardNegReports  []HardNegHit     `json:"hard_neg_reports"` // every hard-negative group reported in the top K
	AUC             []KindAUC        `json:"auc"`              // patient, doctor, clinic, pharmacy
	Rings           []PlantedRing    `json:"rings"`            // per planted ring, in truth order
}

// TypologyRecall is the recall of the planted rings of one typology.
type TypologyRecall struct {
	Typology  string   `json:"typology"`
	Planted   int      `json:"planted"`
	Found     int      `json:"found"`
	FoundAtK  int      `json:"found_at_k"`
	Recall    *float64 `json:"recall"`
	RecallAtK *float64 `json:"recall_at_k"`
}

// Breakdown is the recall of the planted rings in one class (a size band,
// a camouflage level, a primitive).
type Breakdown struct {
	Label     string   `json:"label"`
	Planted   int      `json:"planted"`
	Found     int      `json:"found"`      // matched by any reported ring
	FoundAtK  int      `json:"found_at_k"` // matched by a top-K reported ring
	Recall    *float64 `json:"recall"`
	RecallAtK *float64 `json:"recall_at_k"`
}

// TypologyCount counts rings given one typology.
type TypologyCount struct {
	Typology string `json:"typology"`
	Count    int    `json:"count"`
}

// MergedRing is a reported ring in the top K holding substantial parts of
// two or more planted rings.
type MergedRing struct {
	Ring    string   `json:"ring"`
	Rank    int      `json:"rank"`
	Members int      `json:"members"` // of the reported ring
	Planted []string `json:"planted"` // the planted rings contributing, in truth order
	Shared  []int    `json:"shared"`  // members shared with each of them
}

// FragmentRing is an unmatched reported ring in the top K at least half
// of whose members are members of one planted ring.
type FragmentRing struct {
	Ring           string `json:"ring"`
	Rank           int    `json:"rank"`
	Members        int    `json:"members"`         // of the reported ring
	Planted        string `json:"planted"`         // the planted ring it is part of
	PlantedMembers int    `json:"planted_members"` // of the planted ring
	Shared         int    `json:"shared"`          // members shared with it
	PlantedFound   bool   `json:"planted_found"`   // the planted ring is matched by some reported ring
}

// HardNegKind counts the hard-negative groups of one kind and how many of
// them were reported in the top K.
type HardNegKind struct {
	Kind     string `json:"kind"`
	Groups   int    `json:"groups"` // groups listed in truth.json (a sample for common kinds)
	Total    int    `json:"total"`  // groups in the city (hard_negative_totals), at least Groups
	Reported int    `json:"reported"`
}

// HardNegHit is one hard-negative group reported in the top K.
type HardNegHit struct {
	Group    string `json:"group"`
	Kind     string `json:"kind"`
	Ring     string `json:"ring"` // the first (best-ranked) reported ring that reports it
	Rank     int    `json:"rank"`
	Shared   int    `json:"shared"`       // |R ∩ G'|
	Members  int    `json:"members"`      // of the group
	Free     int    `json:"free_members"` // of the group, outside planted rings (|G'|)
	RingSize int    `json:"ring_members"` // of the reported ring
}

// KindAUC is the ROC-AUC of the entity scores of one kind.
type KindAUC struct {
	Kind      string   `json:"kind"`
	Positives int      `json:"positives"` // planted-ring members of this kind
	Negatives int      `json:"negatives"`
	Missing   int      `json:"missing"` // positives absent from the entity scores (scored 0)
	AUC       *float64 `json:"auc"`     // nil: n/a
}

// PlantedRing is the outcome for one planted ring.
type PlantedRing struct {
	ID       string `json:"id"`
	Typology string `json:"typology"`
	Members  int    `json:"members"`
	Found    bool   `json:"found"`
	FoundAtK bool   `json:"found_at_k"`
	// Patients is the ring's size in patient members (the shape's people
	// when truth has a shape), SizeBand its band and Camouflage its
	// camouflage level (none, low, high or unknown).
	Patients   int    `json:"patients"`
	SizeBand   string `json:"size_band"`
	Camouflage string `json:"camouflage"`
	// Best is the reported ring sharing the most members (a matching one
	// first, then the larger Jaccard overlap, then the better rank); empty
	// when no reported ring shares any member.
	Best         string  `json:"best,omitempty"`
	BestRank     int     `json:"best_rank,omitempty"`
	BestTypology string  `json:"best_typology,omitempty"` // the typology the best ring was given
	BestMembers  int     `json:"best_members,omitempty"`  // members of the best ring
	Shared       int     `json:"shared"`                  // members shared with the best ring
	Coverage     float64 `json:"coverage"`                // Shared / Members
	Purity       float64 `json:"purity"`                  // Shared / BestMembers (0 without a best ring)
}

// key identifies a member across truth and findings.
type key struct{ kind, id string }

// memberKind maps truth kinds onto finding kinds: hospital and station are
// clinics.
func memberKind(k string) string {
	switch k {
	case "hospital", "station":
		return findings.KindClinic
	}
	return k
}

type set map[key]struct{}

func truthSet(ms []fixtures.Member) set {
	s := make(set, len(ms))
	for _, m := range ms {
		s[key{memberKind(m.Kind), m.ID}] = struct{}{}
	}
	return s
}

func ringSet(ms []findings.Member) set {
	s := make(set, len(ms))
	for _, m := range ms {
		s[key{memberKind(m.Kind), m.ID}] = struct{}{}
	}
	return s
}

// shared counts the members a and b have in common.
func shared(a, b set) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return n
}

// matches is the ring-matching criterion of the package doc.
func matches(n, planted, reported int) bool {
	return n > 0 && 2*n >= planted && 2*n >= reported
}

func ratio(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// Evaluate compares findings with the truth of the city they were detected
// in.
func Evaluate(t *fixtures.Truth, f *findings.Findings) (*Report, error) {
	if t == nil || f == nil {
		return nil, errors.New("eval: nil truth or findings")
	}
	r := &Report{Preset: t.Preset, Seed: t.Seed, Planted: len(t.Rings), Reported: len(f.Rings), K: 2 * len(t.Rings)}
	r.TopK = min(r.K, r.Reported)

	reported := make([]set, len(f.Rings))
	for i := range f.Rings {
		reported[i] = ringSet(f.Rings[i].Members)
	}
	topMatched := make([]bool, r.TopK)
	typ := map[string]*TypologyRecall{}
	sizes, camo, prims := tally{}, tally{}, tally{}
	called := map[string]int{}
	positives := set{}
	planted := make([]set, len(t.Rings))
	for pi, p := range t.Rings {
		ps := truthSet(p.Members)
		planted[pi] = ps
		for k := range ps {
			positives[k] = struct{}{}
		}
		sh := shapeOf(p)
		pr := PlantedRing{ID: p.ID, Typology: p.Typology, Members: len(ps), Patients: sh.people,
			SizeBand: sizeBand(sh.people), Camouflage: camouflageLevel(sh.camouflage)}
		matchPlanted(&pr, ps, reported, f.Rings, r.TopK, topMatched)
		r.count(&pr, p.Typology, called)
		tr := typ[p.Typology]
		if tr == nil {
			tr = &TypologyRecall{Typology: p.Typology}
			typ[p.Typology] = tr
		}
		tr.Planted++
		if pr.Found {
			tr.Found++
		}
		if pr.FoundAtK {
			tr.FoundAtK++
		}
		sizes.add(pr.SizeBand, pr.Found, pr.FoundAtK)
		camo.add(pr.Camouflage, pr.Found, pr.FoundAtK)
		for _, prim := range sh.primitives {
			prims.add(prim, pr.Found, pr.FoundAtK)
		}
		r.Rings = append(r.Rings, pr)
	}
	for _, m := range topMatched {
		if m {
			r.TopKMatched++
		}
	}
	r.summarise(typ, called)
	r.BySize = sizes.rows(sizeBands[:])
	r.ByCamouflage = camo.rows(camouflageLevels[:])
	r.ByPrimitive = prims.rows(nil)

	r.MergedRings = mergedRings(t, f, planted, reported[:r.TopK])
	r.Merged = len(r.MergedRings)
	r.FragmentRings = fragmentRings(t, f, planted, reported[:r.TopK], topMatched, r.Rings)
	r.Fragments = len(r.FragmentRings)
	r.PlantedShareAtK = ratio(r.TopKMatched+r.Fragments, r.TopK)
	r.HardNegatives, r.HardNegReports = hardNegatives(t, f, reported[:r.TopK], positives)
	r.AUC = aucs(f.Entities, positives)
	if r.Rings == nil {
		r.Rings = []PlantedRing{}
	}
	return r, nil
}

// matchPlanted finds, for the planted ring pr with members ps, the
// reported rings (sets reported, rings rs) that match it (the criterion of
// matches) and its best counterpart: a matching ring before a
// non-matching one, then the larger Jaccard overlap. A match among the top
// topK marks that reported ring in topMatched.
func matchPlanted(pr *PlantedRing, ps set, reported []set, rs []findings.Ring, topK int, topMatched []bool) {
	bestJ := -1.0
	bestMatch := false
	for i, rset := range reported {
		n := shared(ps, rset)
		if n == 0 {
			continue
		}
		m := matches(n, len(ps), len(rset))
		if m {
			pr.Found = true
			if i < topK {
				pr.FoundAtK = true
				topMatched[i] = true
			}
		}
		j := float64(n) / float64(len(ps)+len(rset)-n)
		if (m && !bestMatch) || (m == bestMatch && j > bestJ) {
			bestMatch, bestJ = m, j
			pr.Best, pr.BestRank, pr.BestMembers, pr.Shared = rs[i].ID, rs[i].Rank, len(rset), n
			pr.BestTypology = rs[i].Typology
		}
	}
	if len(ps) > 0 {
		pr.Coverage = float64(pr.Shared) / float64(len(ps))
	}
	if pr.BestMembers > 0 {
		pr.Purity = float64(pr.Shared) / float64(pr.BestMembers)
	}
}

// count adds the planted ring pr of typology typ to r's found and
// typology tallies; called counts what the found unclassified rings were
// called.
func (r *Report) count(pr *PlantedRing, typ string, called map[string]int) {
	if pr.Found {
		r.Found++
		right := pr.BestTypology == typ
		if right {
			r.TypologyRight++
		}
		if typ == unclassified {
			r.UnclassifiedFound++
			called[pr.BestTypology]++
		} else {
			r.TypologyKnown++
			if right {
				r.TypologyKnownRight++
			}
		}
	}
	if pr.FoundAtK {
		r.FoundAtK++
	}
}

// summarise sets r's ratios and its recall per typology (typ) and the
// typologies the found unclassified rings were called.
func (r *Report) summarise(typ map[string]*TypologyRecall, called map[string]int) {
	r.Recall = ratio(r.Found, r.Planted)
	r.RecallAtK = ratio(r.FoundAtK, r.Planted)
	r.PrecisionAtK = ratio(r.TopKMatched, r.TopK)
	r.TypologyAccuracy = ratio(r.TypologyKnownRight, r.TypologyKnown)
	r.UnclassifiedCalled = typologyCounts(called)
	r.ByTypology = []TypologyRecall{}
	for _, tr := range typ {
		tr.Recall = ratio(tr.Found, tr.Planted)
		tr.RecallAtK = ratio(tr.FoundAtK, tr.Planted)
		r.ByTypology = append(r.ByTypology, *tr)
	}
	sort.Slice(r.ByTypology, func(i, j int) bool { return r.ByTypology[i].Typology < r.ByTypology[j].Typology })
}

// typologyCounts lists counts by count, then typology.
func typologyCounts(m map[string]int) []TypologyCount {
	out := make([]TypologyCount, 0, len(m))
	for t, n := range m {
		out = append(out, TypologyCount{Typology: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Typology < out[j].Typology
	})
	return out
}

// tally accumulates the rows of one breakdown.
type tally map[string]*Breakdown

func (t tally) add(label string, found, foundAtK bool) {
	b := t[label]
	if b == nil {
		b = &Breakdown{Label: label}
		t[label] = b
	}
	b.Planted++
	if found {
		b.Found++
	}
	if foundAtK {
		b.FoundAtK++
	}
}

// rows returns the non-empty rows with their ratios: those labelled in
// order first, in that order, then the rest sorted by label.
func (t tally) rows(order []string) []Breakdown {
	out := []Breakdown{}
	seen := map[string]bool{}
	emit := func(b *Breakdown) {
		b.Recall = ratio(b.Found, b.Planted)
		b.RecallAtK = ratio(b.FoundAtK, b.Planted)
		out = append(out, *b)
	}
	for _, l := range order {
		seen[l] = true
		if b := t[l]; b != nil {
			emit(b)
		}
	}
	var rest []string
	for l := range t {
		if !seen[l] {
			rest = append(rest, l)
		}
	}
	sort.Strings(rest)
	for _, l := range rest {
		emit(t[l])
	}
	return out
}

// mergedRings applies the merged-ring rule of the package doc to the top-K
// reported rings.
func mergedRings(t *fixtures.Truth, f *findings.Findings, planted, top []set) []MergedRing {
	// in lists the planted rings of every planted member.
	in := map[key][]int{}
	for pi, ps := range planted {
		for k := range ps {
			in[k] = append(in[k], pi)
		}
	}
	out := []MergedRing{}
	for i, rs := range top {
		n := map[int]int{}
		for k := range rs {
			for _, pi := range in[k] {
				n[pi]++
			}
		}
		var contrib []int
		for pi, c := range n {
			if contributes(c, len(planted[pi])) {
				contrib = append(contrib, pi)
			}
		}
		if len(contrib) < 2 {
			continue
		}
		sort.Ints(contrib)
		m := MergedRing{Ring: f.Rings[i].ID, Rank: f.Rings[i].Rank, Members: len(rs)}
		for _, pi := range contrib {
			m.Planted = append(m.Planted, t.Rings[pi].ID)
			m.Shared = append(m.Shared, n[pi])
		}
		out = append(out, m)
	}
	return out
}

// fragmentRings returns the fragments among the top reported rings (sets
// top, matched[i] when top[i] matches a planted ring): the unmatched ones
// at least half of whose members belong to one planted ring (planted, in
// truth order; outcome per planted ring in pr).
func fragmentRings(t *fixtures.Truth, f *findings.Findings, planted, top []set, matched []bool, pr []PlantedRing) []FragmentRing {
	out := []FragmentRing{}
	for i, rs := range top {
		if matched[i] || len(rs) == 0 {
			continue
		}
		best, n := -1, 0
		for pi, ps := range planted {
			if c := shared(ps, rs); c > n {
				best, n = pi, c
			}
		}
		if best < 0 || 2*n < len(rs) {
			continue
		}
		out = append(out, FragmentRing{Ring: f.Rings[i].ID, Rank: f.Rings[i].Rank, Members: len(rs),
			Planted: t.Rings[best].ID, PlantedMembers: len(planted[best]), Shared: n, PlantedFound: pr[best].Found})
	}
	return out
}

// contributes says whether a reported ring sharing n members with a planted
// ring of size members holds a substantial part of it: at least
// max(3, 20% of members).
func contributes(n, members int) bool {
	return n >= 3 && 5*n >= members
}

// hardNegatives applies the hard-negative rule of the package doc to the
// top-K reported rings.
func hardNegatives(t *fixtures.Truth, f *findings.Findings, top []set, planted set) ([]HardNegKind, []HardNegHit) {
	byKind := map[string]*HardNegKind{}
	get := func(k string) *HardNegKind {
		h := byKind[k]
		if h == nil {
			h = &HardNegKind{Kind: k}
			byKind[k] = h
		}
		return h
	}
	hits := []HardNegHit{}
	for _, g := range t.HardNegatives {
		h := get(g.Kind)
		h.Groups++
		gs := truthSet(g.Members)
		free := make(set, len(gs))
		for k := range gs {
			if _, in := planted[k]; !in {
				free[k] = struct{}{}
			}
		}
		for i, rs := range top {
			n := shared(free, rs)
			if n > 0 && (2*n >= len(rs) || 2*n >= len(free)) {
				h.Reported++
				hits = append(hits, HardNegHit{Group: g.ID, Kind: g.Kind, Ring: f.Rings[i].ID, Rank: f.Rings[i].Rank,
					Shared: n, Members: len(gs), Free: len(free), RingSize: len(rs)})
				break
			}
		}
	}
	for k, n := range t.HardNegativeTotals {
		get(k).Total = n
	}
	out := make([]HardNegKind, 0, len(byKind))
	for _, h := range byKind {
		h.Total = max(h.Total, h.Groups)
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, hits
}

// aucs computes the ROC-AUC of the entity scores per kind.
func aucs(ents *findings.Entities, positives set) []KindAUC {
	type scored struct {
		score float64
		pos   bool
	}
	byKind := map[string][]scored{}
	seen := set{}
	for i := range ents.Len() {
		e := ents.At(i)
		k := key{memberKind(e.Kind), e.ID}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		_, pos := positives[k]
		byKind[k.kind] = append(byKind[k.kind], scored{e.Score, pos})
	}
	missing := map[string]int{}
	for k := range positives {
		if _, ok := seen[k]; !ok {
			missing[k.kind]++
			byKind[k.kind] = append(byKind[k.kind], scored{0, true})
		}
	}
	out := make([]KindAUC, 0, len(kinds))
	for _, kind := range kinds {
		xs := byKind[kind]
		a := KindAUC{Kind: kind, Missing: missing[kind]}
		scores := make([]float64, len(xs))
		labels := make([]bool, len(xs))
		for i, x := range xs {
			scores[i], labels[i] = x.score, x.pos
			if x.pos {
				a.Positives++
			} else {
				a.Negatives++
			}
		}
		a.AUC = AUC(scores, labels)
		out = append(out, a)
	}
	return out
}

// AUC returns the ROC-AUC of scores against labels (true = positive) by the
// Mann–Whitney formula, giving tied scores the average of their ranks, or
// nil when there are no positives or no negatives.
func AUC(scores []float64, labels []bool) *float64 {
	n := len(scores)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var rankSum float64
	pos := 0
	for i := 0; i < n; {
		j := i + 1
		for j < n && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j, averaged
		for _, x := range idx[i:j] {
			if labels[x] {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := n - pos
	if pos == 0 || neg == 0 {
		return nil
	}
	a := (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
	return &a
}

// SumBreakdowns adds up breakdowns of several reports row by row (by label)
// and recomputes the ratios. Size bands and camouflage levels keep their
// natural order; other labels are sorted.
func SumBreakdowns(lists ...[]Breakdown) []Breakdown {
	t := tally{}
	for _, l := range lists {
		for _, b := range l {
			s := t[b.Label]
			if s == nil {
				s = &Breakdown{Label: b.Label}
				t[b.Label] = s
			}
			s.Planted += b.Planted
			s.Found += b.Found
			s.FoundAtK += b.FoundAtK
		}
	}
	return t.rows(append(sizeBands[:], camouflageLevels[:]...))
}

// TypologyBreakdown is the per-typology recall as breakdown rows, labelled
// by typology.
func TypologyBreakdown(ts []TypologyRecall) []Breakdown {
	out := make([]Breakdown, len(ts))
	for i, t := range ts {
		out[i] = Breakdown{Label: t.Typology, Planted: t.Planted, Found: t.Found, FoundAtK: t.FoundAtK,
			Recall: t.Recall, RecallAtK: t.RecallAtK}
	}
	return out
}
