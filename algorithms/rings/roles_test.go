package rings_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
)

// TestResellingRoles checks the pharmacy roles of the drug-reselling rings
// found in a generated city: the pharmacies where the recruits' boxes were
// sold again resell, those where the recruits filled them do not.
func TestResellingRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a city")
	}
	checked := 0
	// Grammar cities 11 and 12 hold rings whose recruits fill at one
	// pharmacy each and whose boxes resurface at two others.
	for _, city := range []struct {
		preset string
		seed   int64
	}{{fixtures.PresetDefault, 1}, {fixtures.PresetGrammar, 11}, {fixtures.PresetGrammar, 12}} {
		seed := city.seed
		g, tr := loadCity(t, genCity(t, city.preset, seed, plantVisits))
		f, err := rings.Detect(context.Background(), g, rings.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, planted := range tr.Rings {
			if planted.Typology != findings.TypDrugReselling && (planted.Shape == nil || !slices.Contains(planted.Shape.Primitives, "resurfacing_boxes")) {
				continue
			}
			want := make(map[string]string) // pharmacy id → planted role
			people := make(map[string]bool)
			for _, m := range planted.Members {
				switch m.Kind {
				case findings.KindPharmacy:
					want[m.ID] = m.Role
				case findings.KindPatient:
					people[m.ID] = true
				}
			}
			for i := range f.Rings {
				r := &f.Rings[i]
				shared := 0
				for _, m := range r.Members {
					if m.Kind == findings.KindPatient && people[m.ID] {
						shared++
					}
				}
				if 2*shared < len(people) || r.Typology != findings.TypDrugReselling {
					continue
				}
				for _, m := range r.Members {
					if role, ok := want[m.ID]; ok && m.Kind == findings.KindPharmacy {
						checked++
						if (role == rings.RoleResellingPharmacy) != (m.Role == rings.RoleResellingPharmacy) {
							t.Errorf("%s city %d, %s: pharmacy %s is %s in ring %s, planted as %s", city.preset, seed, planted.ID, m.ID, m.Role, r.ID, role)
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no planted pharmacy of a drug-reselling ring was reported")
	}
}
