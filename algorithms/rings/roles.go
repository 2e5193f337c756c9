package rings

import (
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// Roles of ring members (the codes of graph/vocab, category Roles).
const (
	RoleOrganisingClinic   = vocab.RoleOrganisingClinic
	RoleOrganisingHospital = vocab.RoleOrganisingHospital
	RoleOrganisedDoctor    = vocab.RoleOrganisedDoctor
	RoleRecruitedPatient   = vocab.RoleRecruitedPatient
	RoleCardStation        = vocab.RoleCardStation
	RoleCardLender         = vocab.RoleCardLender
	RoleFillingPharmacy    = vocab.RoleFillingPharmacy
	RoleResellingPharmacy  = vocab.RoleResellingPharmacy
	RoleOrganiser          = vocab.RoleOrganiser
	RoleRecruitedRetiree   = vocab.RoleRecruitedRetiree
	RoleCashoutPharmacy    = vocab.RoleCashoutPharmacy
	RolePharmacist         = vocab.RolePharmacist
	RoleCustomer           = vocab.RoleCustomer
	RoleBorrowedDoctor     = vocab.RoleBorrowedDoctor
	RoleBorrowingClinic    = vocab.RoleBorrowingClinic
	RoleSplittingHospital  = vocab.RoleSplittingHospital
	RoleSplittingDoctor    = vocab.RoleSplittingDoctor
	RoleSplitPatient       = vocab.RoleSplitPatient
	RoleRegisteredDoctor   = vocab.RoleRegisteredDoctor
	RoleMember             = vocab.RoleMember
)

// roleOf returns the role of member n of a ring of typology typ: the one
// specialRoles marked, else its kind's role in the typology.
func (s *state) roleOf(c *candidate, typ string, n graph.NodeID) string {
	if r, ok := c.roles[n]; ok {
		return r
	}
	k := s.g.Kind(n)
	switch typ {
	case findings.TypFabricatedOutpatient, findings.TypLockstepSwiping:
		return pick(k, RoleRecruitedPatient, RoleOrganisedDoctor, RoleOrganisingClinic, RoleMember)
	case findings.TypFakeHospitalisation:
		return pick(k, RoleRecruitedPatient, RoleOrganisedDoctor, RoleOrganisingHospital, RoleMember)
	case findings.TypCardCollection:
		return pick(k, RoleCardLender, RoleOrganisedDoctor, RoleCardStation, RoleMember)
	case findings.TypDrugReselling:
		return pick(k, RoleRecruitedRetiree, RoleMember, RoleMember, RoleFillingPharmacy)
	case findings.TypPharmacyCashout:
		return pick(k, RoleCustomer, RolePharmacist, RoleMember, RoleCashoutPharmacy)
	case findings.TypBorrowedQualif:
		return pick(k, RoleMember, RoleBorrowedDoctor, RoleBorrowingClinic, RoleBorrowingClinic)
	case findings.TypSplitHospitalisation:
		return pick(k, RoleSplitPatient, RoleSplittingDoctor, RoleSplittingHospital, RoleMember)
	}
	return RoleMember
}

// pick returns the role for kind k among patient, doctor, institution and
// pharmacy roles.
func pick(k graph.Kind, patient, doctor, inst, pharmacy string) string {
	switch k {
	case graph.KindPatient:
		return patient
	case graph.KindDoctor:
		return doctor
	case graph.KindInstitution:
		return inst
	case graph.KindPharmacy:
		return pharmacy
	}
	return RoleMember
}

// specialRoles marks the members whose role stands out within their
// ring: the doctors no row of the ring names (registeredRoles); in drug
// reselling, the pharmacies that sold the ring's re-sold trace codes again
// more often than first (where the recruits fill), and the one that sold
// the most again, resell; the person with the most fills organises.
func (s *state) specialRoles(c *candidate, typ string) {
	c.roles = make(map[graph.NodeID]string)
	s.registeredRoles(c, typ)
	if typ != findings.TypDrugReselling {
		return
	}
	// Per site, the re-sold trace codes it sold again (a sale after the
	// first) and those it sold first; other hits count as sold again at
	// the sites they name.
	again, first := newCounter[graph.NodeID](), newCounter[graph.NodeID]()
	for _, i := range c.hits {
		h := &s.hits[i]
		later := make(map[graph.NodeID]bool)
		if h.Rule == rules.IDTraceDuplicate && len(h.Fees) >= 2 {
			f0 := s.firstSale(h.Fees)
			first.add(s.instNode(s.t.Fees.Visit.At(f0)), 1)
			for _, f := range h.Fees {
				if f != f0 {
					later[s.instNode(s.t.Fees.Visit.At(f))] = true
				}
			}
		} else {
			for _, r := range h.Institutions {
				later[s.g.InstitutionNode(r)] = true
			}
		}
		for n := range later {
			again.add(n, 1)
		}
	}
	// The site that sold the most again resells; so does every site that
	// sold more of the ring's boxes again than first.
	best, bestN := graph.NoNode, 0
	for _, n := range c.insts {
		if k := again.n[n]; k > bestN {
			best, bestN = n, k
		}
		if again.n[n] > first.n[n] {
			c.roles[n] = RoleResellingPharmacy
		}
	}
	if best != graph.NoNode {
		c.roles[best] = RoleResellingPharmacy
	}
	per := make(map[uint32]int)
	for _, v := range c.visits {
		per[s.t.Visits.Person[v]]++
	}
	org, orgN := graph.NoNode, 0
	for _, p := range c.patients {
		if k := per[uint32(p)]; k > orgN {
			org, orgN = p, k
		}
	}
	if org != graph.NoNode {
		c.roles[org] = RoleOrganiser
	}
}

// registeredRoles marks as registered doctors the doctors of c that no row
// of the ring names where the visits name no doctor: a ring's doctors are
// then those registered (staff.csv) at its sites (groupDoctors), and only
// a fee line billed by one (bilg_dr_codg) shows them billing the ring.
// A borrowed qualification keeps its role: the registrations are its
// evidence.
func (s *state) registeredRoles(c *candidate, typ string) {
	if s.visitDoctors || typ == findings.TypBorrowedQualif || len(c.doctors) == 0 {
		return
	}
	billed := make(map[graph.NodeID]bool)
	for _, v := range c.visits {
		for f := range s.feesOf(v).All() {
			if d := s.t.FeeDoctor(f); s.doctorOK(d) {
				billed[s.g.DoctorNode(d)] = true
			}
		}
	}
	for _, d := range c.doctors {
		if !billed[d] {
			c.roles[d] = RoleRegisteredDoctor
		}
	}
}
