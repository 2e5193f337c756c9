package rings

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

func TestWhy(t *testing.T) {
	ev := []findings.Evidence{
		{Kind: vocab.EvidenceGraph, Rule: SourceRelationExcess},
		{Kind: vocab.EvidenceGraph, Rule: SourceLockstep},
		{Kind: vocab.EvidenceRule, Rule: rules.IDRepeatRx},
		{Kind: vocab.EvidenceRule, Rule: rules.IDRoundQuantity},
	}
	for _, c := range []struct {
		name      string
		cand      candidate
		wantCodes []string
		wantEv    [][]int
		wantZh    string // a fragment of the first signal's Chinese sentence
	}{
		{
			name: "relation excess: dear visits first, then the site test, then rule hits",
			cand: candidate{source: SourceRelationExcess, typology: findings.TypFabricatedOutpatient, ruleHits: 17,
				feat: features{PeerZ: 8.1, ShareZ: 0.2, RuleHitShare: 0.3, FlaggedLift: 2.5, FlaggedShare: 0.05, FlaggedSharePeer: 0.02}},
			wantCodes: []string{vocab.SignalPeerFund, vocab.SignalSiteExcess, vocab.SignalRuleHits},
			wantEv:    [][]int{{0}, {0}, {2, 3}},
			wantZh:    "高出同类就诊 8.1 个稳健标准差",
		},
		{
			name: "the fund's share when it is the larger distance",
			cand: candidate{source: SourceRelationExcess, typology: findings.TypUnclassified,
				feat: features{PeerZ: 1.5, ShareZ: 4}},
			wantCodes: []string{vocab.SignalPeerShare},
			wantEv:    [][]int{{0}},
			wantZh:    "基金支付比例",
		},
		{
			name: "a rule's signature names the rule and cites its hits",
			cand: candidate{source: rules.IDRoundQuantity, typology: findings.TypPharmacyCashout, strength: 1,
				feat: features{PeerZ: 0.5}},
			wantCodes: []string{vocab.SignalRuleSignature},
			wantEv:    [][]int{{3}},
			wantZh:    "R-ROUND-QTY",
		},
		{
			name: "lockstep cites the blocks; weak signals are left out",
			cand: candidate{source: SourceLockstep, typology: findings.TypLockstepSwiping,
				feat: features{LockstepDensity: 0.6, LockstepBaseline: 0.01, RuleHitShare: 0.01}},
			wantCodes: []string{vocab.SignalLockstep},
			wantEv:    [][]int{{1}},
			wantZh:    "同一医生同一时段",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &state{opt: &Options{Params: DefaultParams(), Rules: rules.Defaults()}}
			r := findings.Ring{Evidence: ev}
			got := s.why(&c.cand, &r)
			var codes []string
			for i, sg := range got {
				codes = append(codes, sg.Code)
				if i > 0 && sg.Strength > got[i-1].Strength {
					t.Errorf("signal %d stronger than the one before", i)
				}
				if sg.Zh == "" || sg.En == "" || strings.Contains(sg.Zh+sg.En, "{") {
					t.Errorf("%s: unrendered sentence %q / %q", sg.Code, sg.Zh, sg.En)
				}
				if i < len(c.wantEv) && !slices.Equal(sg.Evidence, c.wantEv[i]) {
					t.Errorf("%s cites evidence %v, want %v", sg.Code, sg.Evidence, c.wantEv[i])
				}
			}
			if !slices.Equal(codes, c.wantCodes) {
				t.Fatalf("signals %v, want %v", codes, c.wantCodes)
			}
			if !strings.Contains(got[0].Zh, c.wantZh) {
				t.Errorf("first signal %q lacks %q", got[0].Zh, c.wantZh)
			}
		})
	}
}

// TestScoreIsItsParts checks that the evidence of the score is exactly the
// combination of the parts why lists.
func TestScoreIsItsParts(t *testing.T) {
	s := &state{opt: &Options{Params: DefaultParams(), Rules: rules.Defaults()}}
	c := candidate{source: SourceRelationExcess, strength: 1,
		feat: features{PeerZ: 5, RuleHitShare: 0.4, CardShare: 0.9, CardRelations: 0.7, AwayRelations: 0.5, Rhythm: 0.8,
			AdmitRelations: 0.3, FlaggedLift: 4, LockstepDensity: 0.3, LockstepBaseline: 0.02}}
	s.score(&c)
	rest := 1.0
	for _, p := range s.evidenceParts(&c) {
		if p.strength < 0 || p.strength > 1 {
			t.Errorf("%s strength %v outside [0, 1]", p.code, p.strength)
		}
		rest *= 1 - p.strength
	}
	if math.Abs(c.feat.Evidence-(1-rest)) > 1e-15 {
		t.Errorf("evidence %v, parts give %v", c.feat.Evidence, 1-rest)
	}
}

// TestBehind checks which evidence a why-line points at: the synchrony
// facts for lockstep, whether weighed as a site's routine or not, the rule
// hits for rule concentration, the forming fact otherwise.
func TestBehind(t *testing.T) {
	ev := []findings.Evidence{
		{Kind: vocab.EvidenceGraph, Rule: SourceRelationExcess},
		{Kind: vocab.EvidenceGraph, Rule: SourceLockstep},
		{Kind: vocab.EvidenceRule, Rule: "R-REPEAT-RX"},
		{Kind: vocab.EvidenceGraph, Rule: SourceSlots},
	}
	for _, c := range []struct {
		code string
		want []int
	}{
		{vocab.SignalLockstep, []int{1, 3}},
		{vocab.SignalLockstepRoutine, []int{1, 3}},
		{vocab.SignalRuleHits, []int{2}},
		{vocab.SignalHeavyVisits, []int{0}},
	} {
		if got := behind(c.code, SourceRelationExcess, ev); !slices.Equal(got, c.want) {
			t.Errorf("%s: evidence %v, want %v", c.code, got, c.want)
		}
	}
}
