package rings

import "github.com/ringlens/ringlens/algorithms/rules"

// typologyOf settles the typology of a scored candidate: the generator's
// hint, except that repeat-patient rings whose visits mostly fall in dense
// same-hour cohorts of one doctor at a single site are lockstep swiping.
func typologyOf(c *candidate) string {
	t := c.typology
	if t == TypFabricatedOutpatient && c.feat["lockstep_density"] >= 0.5 && len(c.insts) == 1 {
		return TypLockstepSwiping
	}
	if t == "" {
		return TypUnclassified
	}
	return t
}

// articleOf returns the main legal article of a typology: fabricated care
// and impersonation fall under art. 40 (fraud), reselling, cash-out and
// split stays under art. 38.
func articleOf(typ string) (zh, en string) {
	switch typ {
	case TypDrugReselling, TypPharmacyCashout, TypSplitHospitalisation:
		return rules.Art38, rules.Art38En
	}
	return rules.Art40, rules.Art40En
}
