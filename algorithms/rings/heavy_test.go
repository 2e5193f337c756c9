package rings

import (
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestHeavyRefs checks how often a site's returning people of ordinary
// care come (heavyRefs) and which relations are heavy against it: a
// clinic's people at heavy_quantile, its chronic patients left out; none
// at a pharmacy, at a site with too few returning people, or with
// heavy_ratio 0.
func TestHeavyRefs(t *testing.T) {
	p := DefaultParams()
	// Site 0: a clinic of 40 returning people coming 3–6 times (a quarter
	// each), 30 chronic patients coming 26 times. Site 1: a pharmacy of
	// the same people. Site 2: a clinic of heavy_min_people−1.
	var recs []relRecord
	person := uint32(0)
	add := func(site int32, n int32, care uint8) {
		recs = append(recs, relRecord{person: person, site: site, n: n, care: care})
		person++
	}
	for site := range int32(2) {
		for i := range 40 {
			add(site, int32(3+i%4), careOther)
		}
		for range 30 {
			add(site, 26, careChronic)
		}
	}
	for range p.HeavyMinPeople - 1 {
		add(2, 3, careOther)
	}
	kind := func(n graph.NodeID) graph.Kind {
		if n == 1 {
			return graph.KindPharmacy
		}
		return graph.KindInstitution
	}
	refs := heavyRefs(&p, recs, 3, 0, kind)
	// The 40 ordinary relations sorted: ten each of 3, 4, 5, 6; the 0.75
	// quantile (index 29) is 5.
	if refs[0] != 5 || refs[1] != 0 || refs[2] != 0 {
		t.Fatalf("refs %v, want [5 0 0]", refs)
	}
	s := &state{opt: &Options{Params: p}, heavyRef: refs}
	cases := []struct {
		name  string
		site  int
		n     int
		heavy bool
	}{
		{"a card billed 40 times where people come 5", 0, 40, true},
		{"heavy_ratio times the reference", 0, int(math.Ceil(p.HeavyRatio * 5)), true},
		{"just below", 0, int(math.Ceil(p.HeavyRatio*5)) - 1, false},
		{"at a pharmacy", 1, 100, false},
		{"at a site of too few people", 2, 100, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.heavy(c.site, c.n); got != c.heavy {
				t.Errorf("heavy(%d, %d) = %v, want %v", c.site, c.n, got, c.heavy)
			}
		})
	}
	p.HeavyRatio = 0
	for i, r := range heavyRefs(&p, recs, 3, 0, kind) {
		if r != 0 {
			t.Errorf("heavy_ratio 0: site %d has reference %v", i, r)
		}
	}
}

// TestOwnTest checks which relations only their flags' own tests count:
// strict rhythms and heavy visits, alone or together (a card swiped on a
// schedule, again and again), and nothing that the general test counts.
func TestOwnTest(t *testing.T) {
	cases := []struct {
		name  string
		flags relFlag
		own   bool
	}{
		{"not flagged", 0, false},
		{"strict rhythm from the next district", flagRhythm, true},
		{"strict rhythm, seen nowhere else", flagLone, true},
		{"heavy", flagHeavy, true},
		{"strict rhythm and heavy", flagRhythm | flagHeavy, true},
		{"seen nowhere else and heavy", flagLone | flagHeavy, true},
		{"costly and heavy", flagCostly | flagHeavy, false},
		{"rhythmic from afar", flagAway, false},
		{"card-based", flagCard, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ownTest(c.flags); got != c.own {
				t.Errorf("ownTest(%09b) = %v, want %v", c.flags, got, c.own)
			}
		})
	}
}
