package rings

import "github.com/ringlens/ringlens/algorithms/rules"

// A repeat-patient ring is lockstep swiping when at least lockstepDensity of
// its visits fall in same-hour cohorts of one doctor, lockstepLift times the
// share of the other visits of its institution.
const (
	lockstepDensity = 0.25
	lockstepLift    = 5
)

// typologyOf settles the typology of a scored candidate: the generator's
// hint, except that repeat-patient rings whose visits mostly fall in dense
// same-hour cohorts of one doctor at a single site are lockstep swiping.
func typologyOf(c *candidate) string {
	t := c.typology
	d, b := c.feat["lockstep_density"], c.feat["lockstep_baseline"]
	if t == TypFabricatedOutpatient && d >= lockstepDensity && d >= lockstepLift*b && len(c.insts) == 1 {
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
