package rings

import (
	"fmt"
	"math"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/vocab"
)

// bill is one fee line of a visit: its item and amount in fen.
type bill struct {
	item   string
	amount claims.Money
}

// packageCity returns a clinic's tables where each of four people comes
// three times, a fortnight apart (no monthly routine), billed
// bills(person) on each visit, and the candidate of all those visits.
func packageCity(t *testing.T, bills func(person int) []bill) (*state, *candidate) {
	t.Helper()
	tb := graph.NewTables(0, 0)
	h, _ := tb.AddInstitution(&claims.Institution{Code: "H1", Name: "诊所", Type: claims.Medical, Beds: -1})
	var visits []uint32
	for i := range 4 {
		p, _ := tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("p%d", i), Sex: claims.Female, Birth: claims.DateOf(1950, 1, 1)})
		for k := range 3 {
			id := fmt.Sprintf("v%d-%d", i, k)
			at := (claims.DateOf(2025, 1, 3) + claims.Date(14*k)).Time() + 9*3600
			var sum claims.Money
			for _, b := range bills(i) {
				sum += b.amount
			}
			v, _ := tb.AddVisit(&claims.Visit{MdtrtID: id, InstitutionCode: "H1", MedType: claims.MedOutpatient,
				Begin: at, End: claims.NoTime, MedFee: sum, FundPay: sum * 4 / 5}, p, h, uint32(len(visits)+1))
			for j, b := range bills(i) {
				tb.AddFee(&claims.FeeLine{FeedetlSn: fmt.Sprint(j + 1), MdtrtID: id, ItemCode: b.item, ListType: 101, Count: 1,
					Price: claims.Price(b.amount), Amount: b.amount, Time: at}, v, uint32(len(visits)+1))
			}
			visits = append(visits, v)
		}
	}
	g := graphOf(t, tb)
	return newTestState(t, g), candidateAt(g, tb, h, visits)
}

// TestPackageShare checks the share of a group's billed amount on items
// billed to at least half of its people.
func TestPackageShare(t *testing.T) {
	cases := []struct {
		name  string
		bills func(person int) []bill
		want  float64
	}{
		{"one package billed to everyone", func(int) []bill { return []bill{{"PKG", 9000}, {"FEE", 1000}} }, 1},
		{"everyone their own drug", func(i int) []bill { return []bill{{fmt.Sprintf("OWN%d", i), 10000}} }, 0},
		{"a shared fee and own dear drugs", func(i int) []bill { return []bill{{"FEE", 1000}, {fmt.Sprintf("OWN%d", i), 9000}} }, 0.1},
		{"a drug billed to exactly half the people", func(i int) []bill {
			if i < 2 {
				return []bill{{"HALF", 10000}}
			}
			return []bill{{fmt.Sprintf("OWN%d", i), 10000}}
		}, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, cand := packageCity(t, c.bills)
			if got := s.packageShare(cand); math.Abs(got-c.want) > 1e-9 {
				t.Errorf("packageShare = %v, want %v", got, c.want)
			}
		})
	}
}

// TestPackageDiscount checks that a group with no organised evidence whose
// people are each billed their own items scores package_share /
// package_min_share of what it would, and that a piece of organised
// evidence, a package, or package_min_share 0 leaves its score alone.
func TestPackageDiscount(t *testing.T) {
	own := func(i int) []bill { return []bill{{"FEE", 1000}, {fmt.Sprintf("OWN%d", i), 9000}} }
	pkg := func(int) []bill { return []bill{{"PKG", 10000}} }
	cases := []struct {
		name      string
		bills     func(int) []bill
		lockstep  float64 // the candidate's lockstep density (organised evidence when well above its baseline)
		minShare  float64
		wantRatio float64 // score over the score without the discount
	}{
		{"own regimens, nothing organised", own, 0, 0.2, 0.1 / 0.2},
		{"own regimens in lockstep", own, 0.8, 0.2, 1},
		{"a package", pkg, 0, 0.2, 1},
		{"own regimens, the discount off", own, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, cand := packageCity(t, c.bills)
			s.finish(cand)
			cand.strength = 1
			cand.feat.PeerZ = 6
			cand.feat.LockstepDensity = c.lockstep
			s.opt.Params.PackageMinShare = 0
			s.score(cand)
			plain := cand.score
			s.opt.Params.PackageMinShare = c.minShare
			s.score(cand)
			if plain <= 0 || math.Abs(cand.score/plain-c.wantRatio) > 1e-9 {
				t.Errorf("score %v, %v without the discount: ratio %v, want %v (package share %v)", cand.score, plain, cand.score/plain, c.wantRatio, cand.feat.PackageShare)
			}
		})
	}
}

// TestOrganised checks which evidence exempts a group from the package
// test: an organised signal at organised_min_evidence, not below it, and
// never billing alone.
func TestOrganised(t *testing.T) {
	part := func(code string, strength float64) []evidencePart {
		return []evidencePart{{code: code, strength: strength}}
	}
	cases := []struct {
		name  string
		parts []evidencePart
		want  bool
	}{
		{"lockstep", part(vocab.SignalLockstep, 0.3), true},
		{"onset, just at the floor", part(vocab.SignalOnset, 0.1), true},
		{"repeat admissions below the floor", part(vocab.SignalRepeatAdmissions, 0.09), false},
		{"card-based visits of people insured elsewhere", part(vocab.SignalCardShare, 0.9), false},
		{"billed far above peers", part(vocab.SignalPeerFund, 0.9), false},
		{"rule hits", part(vocab.SignalRuleHits, 0.5), false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		if got := organised(&candidate{source: SourceRelationExcess}, c.parts, 0.1); got != c.want {
			t.Errorf("%s: organised %v, want %v", c.name, got, c.want)
		}
	}
	sig := part(vocab.SignalSignature, 1)
	if !organised(&candidate{source: SourceReturnedBoxes}, sig, 0.1) {
		t.Error("a returned-boxes signature: not organised")
	}
	if organised(&candidate{source: SourceResell}, sig, 0.1) {
		t.Error("the reselling signature alone: organised (its people are its heaviest fillers, judged by their package)")
	}
	for _, src := range []string{SourceCohorts, SourceSlots, SourceLockstep, SourceAdmitCohort, SourceOnset, SourceOffset} {
		if !organised(&candidate{source: src}, nil, 0.1) {
			t.Errorf("a group found by %s: not organised", src)
		}
	}
}
