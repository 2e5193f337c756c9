package rings

import (
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/findings"
)

// typologyOf settles the typology of a scored candidate after it was
// formed. Typology-specific generators give a hint, kept except that
// repeat-patient rings whose visits mostly fall in dense same-hour cohorts
// of one doctor at a single site are lockstep swiping. Rings of the
// typology-independent generators (relation excess, item concentration)
// are typed from their signals: mostly
// admissions, fake hospitalisation; mostly pharmacy fills billed far above
// peers, drug reselling; mostly card-based or living-away relations, card
// collection; mostly billed far above peers, fabricated outpatient care
// (lockstep swiping when synchronous at one site); anything else stays
// unclassified and is reported by its signals. Onset cohorts, whose people
// are not judged relation by relation, are typed the same way from their
// visits: mostly admissions, fake hospitalisation; billed costly_z above
// peers (fund or fund share), drug reselling at pharmacies and fabricated
// outpatient care elsewhere.
func typologyOf(c *candidate, p *Params) string {
	f := &c.feat
	t := c.typology
	if (c.source == SourceRelationExcess || c.source == SourceItemConcentration || c.source == SourceItemOveruse) && t == "" {
		switch {
		case f.InpatientShare >= 0.5:
			t = findings.TypFakeHospitalisation
		case f.PharmacyShare >= 0.5 && f.CostlyRelations >= 0.5:
			t = findings.TypDrugReselling
		case f.PharmacyShare >= 0.5:
			t = findings.TypUnclassified
		case f.CardRelations >= 0.5 || f.AwayRelations >= 0.5 && f.CostlyRelations < 0.5:
			t = findings.TypCardCollection
		case f.CostlyRelations >= 0.5:
			t = findings.TypFabricatedOutpatient
		}
	}
	if c.cohort() && t == "" {
		// Onset cohorts ask nothing of their people's relations: their
		// visits say what they are.
		costly := max(f.PeerZ, f.ShareZ) >= p.CostlyZ
		switch {
		case f.InpatientShare >= 0.5:
			t = findings.TypFakeHospitalisation
		case f.PharmacyShare >= 0.5 && costly:
			t = findings.TypDrugReselling
		case f.PharmacyShare < 0.5 && costly:
			t = findings.TypFabricatedOutpatient
		}
	}
	d, b := f.LockstepDensity, f.LockstepBaseline
	if t == findings.TypFabricatedOutpatient && d >= p.LockstepDensity && d >= p.LockstepLift*b && len(c.insts) == 1 {
		return findings.TypLockstepSwiping
	}
	if t == "" {
		return findings.TypUnclassified
	}
	return t
}

// articleOf returns the main legal article of a typology: fabricated care
// and impersonation fall under art. 40 (fraud), reselling, cash-out and
// split stays under art. 38.
func articleOf(typ string) (zh, en string) {
	switch typ {
	case findings.TypDrugReselling, findings.TypPharmacyCashout, findings.TypSplitHospitalisation:
		return rules.Art38, rules.Art38En
	}
	return rules.Art40, rules.Art40En
}
