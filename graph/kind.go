package graph

import "github.com/ringlens/ringlens/graph/vocab"

// Kind is the kind of a node in the claims graph.
type Kind uint8

// Node kinds.
const (
	KindPatient Kind = iota
	KindDoctor
	KindInstitution // a designated medical institution: clinic, hospital or station
	KindPharmacy    // a designated retail pharmacy
	numKinds
)

// String returns the kind's name as used in outputs: patient, doctor,
// institution, pharmacy.
func (k Kind) String() string {
	switch k {
	case KindPatient:
		return "patient"
	case KindDoctor:
		return "doctor"
	case KindInstitution:
		return "institution"
	case KindPharmacy:
		return "pharmacy"
	}
	return "unknown"
}

// InstitutionClass refines medical institutions: a hospital (医院, 卫生院, or
// any place with beds or admissions), an outpatient clinic (诊所, 门诊部,
// 医务室) or a community health station (卫生站, 卫生服务站, 卫生室, and
// 社区卫生服务中心 without beds or admissions). Pharmacies have
// ClassPharmacy. ClassifyInstitution decides the class.
type InstitutionClass uint8

// Institution classes.
const (
	ClassClinic InstitutionClass = iota
	ClassHospital
	ClassStation
	ClassPharmacy
)

// String returns the class's vocabulary code (graph/vocab Classes):
// clinic, hospital, station or pharmacy.
func (c InstitutionClass) String() string {
	switch c {
	case ClassHospital:
		return vocab.ClassHospital
	case ClassStation:
		return vocab.ClassStation
	case ClassPharmacy:
		return vocab.ClassPharmacy
	}
	return vocab.ClassClinic
}
