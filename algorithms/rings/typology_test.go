package rings

import (
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// TestTypologyOf checks how rings of the typology-independent generators
// are typed from their signals after formation, and that a generator's
// hint is kept.
func TestTypologyOf(t *testing.T) {
	p := DefaultParams()
	one := []graph.NodeID{1}
	cases := []struct {
		name string
		c    candidate
		want string
	}{
		{"relation excess, mostly admissions", candidate{source: SourceRelationExcess, feat: features{InpatientShare: 0.8}}, findings.TypFakeHospitalisation},
		{"relation excess, costly pharmacy fills", candidate{source: SourceRelationExcess, feat: features{PharmacyShare: 0.9, CostlyRelations: 0.7}}, findings.TypDrugReselling},
		{"relation excess, pharmacy fills not costly", candidate{source: SourceRelationExcess, feat: features{PharmacyShare: 0.9}}, findings.TypUnclassified},
		{"relation excess, card-based from afar", candidate{source: SourceRelationExcess, feat: features{CardRelations: 0.6}}, findings.TypCardCollection},
		{"relation excess, costly care", candidate{source: SourceRelationExcess, feat: features{CostlyRelations: 0.6}}, findings.TypFabricatedOutpatient},
		{"relation excess, costly care in same-hour cohorts at one site", candidate{source: SourceRelationExcess, insts: one,
			feat: features{CostlyRelations: 0.6, LockstepDensity: 0.6, LockstepBaseline: 0.01}}, findings.TypLockstepSwiping},
		{"onset, mostly admissions", candidate{source: SourceOnset, feat: features{InpatientShare: 0.7}}, findings.TypFakeHospitalisation},
		{"onset, pharmacy fills billed far above peers", candidate{source: SourceOnset, feat: features{PharmacyShare: 1, PeerZ: p.CostlyZ + 1}}, findings.TypDrugReselling},
		{"onset, visits whose fund share is far above peers", candidate{source: SourceOnset, feat: features{ShareZ: p.CostlyZ}}, findings.TypFabricatedOutpatient},
		{"onset, billed like anyone", candidate{source: SourceOnset, feat: features{PeerZ: 0.5}}, findings.TypUnclassified},
		{"onset, pharmacy fills billed like anyone", candidate{source: SourceOnset, feat: features{PharmacyShare: 1}}, findings.TypUnclassified},
		{"a signature's hint is kept", candidate{source: SourceAdmitCohort, typology: findings.TypFakeHospitalisation, feat: features{PharmacyShare: 1, PeerZ: 9}}, findings.TypFakeHospitalisation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := typologyOf(&c.c, &p); got != c.want {
				t.Errorf("typology %s, want %s", got, c.want)
			}
		})
	}
}
