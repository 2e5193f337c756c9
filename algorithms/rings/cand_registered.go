package rings

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// registeredCandidates is the fallback of borrowedCandidates for datasets
// whose visits name no doctor (neither atddr_no nor bilg_dr_codg), where
// R-DOCTOR-DISTANT cannot see a doctor's code billing at two distant
// sites at once. What is left is the staff roster: a doctor whose national
// code (D + 6-digit region + serial, the data contract's staff code) names
// a region, registered (staff.csv) at a site of that city and at sites of
// another city or province, is a lead for a borrowed qualification: the
// distant sites may bill under a name that works elsewhere. The ring is
// the doctor and the distant sites; its strength is registration_strength
// times the distance evidence of R-DOCTOR-DISTANT (its other_city_km or
// other_province_km against min_km), so that a doctor registered in
// another province is reported and one in a neighbouring city of the same
// province, where practising at several sites is common, ranks below the
// report line. A site's region is its admdvs, or else the region most of
// the doctors registered there carry in their codes. A doctor with no
// registration in the code's own city (one who moved and kept the code)
// is not a lead.
func (s *state) registeredCandidates(ctx context.Context) ([]*candidate, error) {
	strength := s.opt.Params.RegistrationStrength
	if strength <= 0 || s.visitDoctors {
		return nil, nil
	}
	rule, ok := s.opt.Rules.Rule(rules.IDDoctorDistant)
	if !ok {
		return nil, nil
	}
	g := s.g
	e := g.Edges()
	minKm := max(rule.P("min_km"), 1)
	regions := make(map[graph.NodeID]string)
	var out []*candidate
	for row := range uint32(g.NumKind(graph.KindDoctor)) {
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !s.doctorOK(row) {
			continue
		}
		d := g.DoctorNode(row)
		own := codeRegion(g.Key(d))
		if own == "" {
			continue
		}
		var home, far []graph.NodeID
		level := 0
		nb, es := g.Neighbors(d)
		for j, h := range nb {
			if e.Type[es[j]] != graph.DoctorInstitutionRegistered || g.Kind(h) == graph.KindPharmacy {
				continue
			}
			r, ok := regions[h]
			if !ok {
				r = s.siteRegion(h)
				regions[h] = r
			}
			switch l := regionApart(own, r); {
			case l < 0:
			case l == 0:
				home = append(home, h)
			default:
				far = append(far, h)
				level = max(level, l)
			}
		}
		if len(home) == 0 || len(far) == 0 {
			continue
		}
		km := rule.P("other_city_km")
		if level == 2 {
			km = rule.P("other_province_km")
		}
		c := &candidate{source: SourceRegistrations, typology: findings.TypBorrowedQualif,
			doctors: []graph.NodeID{d}, insts: far, strength: strength * squash(km/minKm-1, 2)}
		c.normalise()
		c.feat.DistanceKm = km
		farKeys := make([]string, len(c.insts))
		for i, h := range c.insts {
			farKeys[i] = g.Key(h)
		}
		where, whereZh := "another city", "另一城市"
		if level == 2 {
			where, whereZh = "another province", "另一省份"
		}
		c.facts = append(c.facts, fact{id: c.source,
			params: map[string]float64{"distance_km": km, "min_km": minKm, "registration_strength": strength},
			detail: fmt.Sprintf("doctor %s is registered at %d site(s) of the city its code names (region %s) and at %s, in %s; the visits name no doctor, so the hours billed there cannot be checked against the doctor's work at home",
				g.Key(d), len(home), own, strings.Join(farKeys, ", "), where),
			detailZh: fmt.Sprintf("医师%s在其编码所属城市（地区%s）的%d家机构备案，又在%s的%s备案；就诊记录未载医师，无法核对其在两地的执业时间",
				g.Key(d), own, len(home), whereZh, strings.Join(farKeys, "、"))})
		out = append(out, c)
	}
	return out, nil
}

// siteRegion returns the 6-digit region of site h: its admdvs, or else the
// code region (codeRegion) that more than half of the doctors registered
// there carry; "" when neither is known.
func (s *state) siteRegion(h graph.NodeID) string {
	if r := s.instRegion(h); r != graph.None {
		return s.t.Str(r)
	}
	g := s.g
	e := g.Edges()
	count := make(map[string]int)
	n := 0
	nb, es := g.Neighbors(h)
	for j, d := range nb {
		if g.Kind(d) != graph.KindDoctor || e.Type[es[j]] != graph.DoctorInstitutionRegistered {
			continue
		}
		if r := codeRegion(g.Key(d)); r != "" {
			count[r]++
			n++
		}
	}
	keys := make([]string, 0, len(count))
	for r := range count {
		keys = append(keys, r)
	}
	slices.Sort(keys)
	for _, r := range keys {
		if 2*count[r] > n {
			return r
		}
	}
	return ""
}

// regionApart compares two 6-digit region codes: 0 for the same city (the
// first four digits), 1 for another city of the province, 2 for another
// province, -1 when either is unknown.
func regionApart(a, b string) int {
	switch {
	case len(a) < 4 || len(b) < 4:
		return -1
	case a[:2] != b[:2]:
		return 2
	case a[:4] != b[:4]:
		return 1
	}
	return 0
}
