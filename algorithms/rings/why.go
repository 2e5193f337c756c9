package rings

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// why returns the signals that made candidate c the ring r, strongest
// first: the pieces of evidence of its score (evidenceParts) and of its
// formation (formationParts) with at least
// why_min_strength, at most why_max of them, each rendered in both
// languages and linked to the evidence of r behind it (r.Evidence must be
// complete).
func (s *state) why(c *candidate, r *findings.Ring) []findings.Signal {
	pr := &s.opt.Params
	parts := append(s.evidenceParts(c), formationParts(c)...)
	slices.SortStableFunc(parts, func(a, b evidencePart) int { return cmp.Compare(b.strength, a.strength) })
	out := []findings.Signal{}
	for _, p := range parts {
		if p.strength < pr.WhyMinStrength || len(out) >= pr.WhyMax {
			break
		}
		params := p.params()
		out = append(out, findings.Signal{Code: p.code, Params: params, Strength: round4(p.strength),
			Zh:       vocab.RenderIn(vocab.Signals, p.code, inLang(params, vocab.LangZh), vocab.LangZh),
			En:       vocab.RenderIn(vocab.Signals, p.code, inLang(params, vocab.LangEn), vocab.LangEn),
			Evidence: behind(p.code, c.source, r.Evidence)})
	}
	return out
}

// behind returns the indexes of the evidence that a signal of code rests
// on: the rule hits for rule concentration, the lockstep blocks, co-visit
// cohorts and crowded hours for lockstep (a site's routine too), the hits of the rule whose signature found the ring, the fact
// of the generator that found it (source) for the others.
func behind(code, source string, ev []findings.Evidence) []int {
	out := []int{}
	for i, e := range ev {
		var ok bool
		switch code {
		case vocab.SignalRuleHits:
			ok = e.Kind == vocab.EvidenceRule
		case vocab.SignalLockstep, vocab.SignalLockstepRoutine:
			ok = e.Kind == vocab.EvidenceGraph && inStepSource(e.Rule)
		case vocab.SignalRuleSignature:
			ok = e.Kind == vocab.EvidenceRule && e.Rule == source
		default:
			ok = e.Kind == vocab.EvidenceGraph && e.Rule == source
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// inLang returns params for a sentence in lang: a parameter given per
// language ("name_zh", "name_en") stands as its plain name ("name").
func inLang(params map[string]string, lang string) map[string]string {
	out := maps.Clone(params)
	for k, v := range params {
		if base, ok := strings.CutSuffix(k, "_"+lang); ok {
			out[base] = v
		}
	}
	return out
}

// formationParts returns the signals of the test that formed c, which its
// score does not repeat: for relation excess, how far its sites' flagged
// relations exceed their class's rate, with strength 1 − 1/lift (the share
// of the flagged relations that the class's rate does not explain).
func formationParts(c *candidate) []evidencePart {
	f := &c.feat
	if c.source == SourceCohorts {
		return cohortParts(c)
	}
	if c.source != SourceRelationExcess || f.FlaggedLift <= 1 {
		return nil
	}
	return []evidencePart{{vocab.SignalSiteExcess, 1 - 1/f.FlaggedLift, func() map[string]string {
		return map[string]string{
			"share": fmt.Sprintf("%.1f", 100*f.FlaggedShare), "peer": fmt.Sprintf("%.1f", 100*f.FlaggedSharePeer), "lift": fmt.Sprintf("%.1f", f.FlaggedLift)}
	}}}
}

// cohortParts is the formation evidence of a ring found as co-visit
// cohorts: the generator's fact (the first of its source) with the
// generator's strength.
func cohortParts(c *candidate) []evidencePart {
	for _, fc := range c.facts {
		if fc.id != SourceCohorts {
			continue
		}
		return []evidencePart{{vocab.SignalCohorts, c.strength, func() map[string]string {
			return map[string]string{"people": fmt.Sprintf("%.0f", fc.params["people"]),
				"groups": fmt.Sprintf("%.0f", fc.params["groups"]), "lift": fmt.Sprintf("%.0f", fc.params["lift"])}
		}}}
	}
	return nil
}
