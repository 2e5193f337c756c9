package eval

import (
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// unclassified is the typology of planted rings composed of primitives
// that fit no named typology; reported rings the detector could not
// classify carry the same code (graph/vocab).
const unclassified = vocab.TypUnclassified

// Size bands of planted rings by patient members, in output order.
var sizeBands = [...]string{"<5", "5-7", "8-24", "25-99", "100+"}

// Camouflage levels of planted rings, in output order.
var camouflageLevels = [...]string{"none", "low", "high", "unknown"}

// sizeBand is the band of a ring of n patient members.
func sizeBand(n int) string {
	switch {
	case n < 5:
		return sizeBands[0]
	case n < 8:
		return sizeBands[1]
	case n < 25:
		return sizeBands[2]
	case n < 100:
		return sizeBands[3]
	}
	return sizeBands[4]
}

// camouflageLevel is the level of a camouflage share, unknown for nil.
func camouflageLevel(c *float64) string {
	switch {
	case c == nil:
		return camouflageLevels[3]
	case *c < 0.2:
		return camouflageLevels[0]
	case *c <= 0.5:
		return camouflageLevels[1]
	}
	return camouflageLevels[2]
}

// ringShape is what the breakdowns need of a planted ring's shape.
type ringShape struct {
	people     int      // patient members
	camouflage *float64 // nil: unknown
	primitives []string
}

// shapeOf reads the shape of a planted ring. Truth without a shape (files
// written before shapes) gives the patient members listed, unknown
// camouflage and no primitives.
func shapeOf(p fixtures.Ring) ringShape {
	if sh := p.Shape; sh != nil {
		c := sh.Camouflage
		return ringShape{people: sh.People, camouflage: &c, primitives: sh.Primitives}
	}
	ids := map[string]struct{}{}
	for _, m := range p.Members {
		if m.Kind == findings.KindPatient {
			ids[m.ID] = struct{}{}
		}
	}
	return ringShape{people: len(ids)}
}
