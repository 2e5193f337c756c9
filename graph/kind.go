package graph

import (
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

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

// InstitutionClass refines medical institutions: a graded hospital, an
// outpatient clinic (诊所, 门诊部) or a health station (卫生站, 卫生室).
// Pharmacies have ClassPharmacy.
type InstitutionClass uint8

// Institution classes.
const (
	ClassClinic InstitutionClass = iota
	ClassHospital
	ClassStation
	ClassPharmacy
)

// String returns clinic, hospital, station or pharmacy.
func (c InstitutionClass) String() string {
	switch c {
	case ClassHospital:
		return "hospital"
	case ClassStation:
		return "station"
	case ClassPharmacy:
		return "pharmacy"
	}
	return "clinic"
}

// ClassifyInstitution derives the class of in from fixmedins_type, hosp_lv,
// bed_cnt and, for ungraded institutions only, the name: graded hospitals
// (level 一级 to 三级, platform codes 01–10, or any approved beds) are
// hospitals; ungraded ones named as health stations or rooms (站, 室) are
// stations; the rest are clinics.
func ClassifyInstitution(in *claims.Institution) InstitutionClass {
	if in.Type == claims.Pharmacy {
		return ClassPharmacy
	}
	if gradedLevel(in.Level) || in.Beds > 0 {
		return ClassHospital
	}
	if strings.Contains(in.Name, "站") || strings.Contains(in.Name, "卫生室") {
		return ClassStation
	}
	return ClassClinic
}

// gradedLevel reports whether hosp_lv names a graded hospital level.
func gradedLevel(lv string) bool {
	lv = strings.TrimSpace(lv)
	switch lv {
	case "", "0", "00", "11", "99", "9", "未定级", "无等级", "其他":
		return false
	}
	if n, err := strconv.Atoi(lv); err == nil {
		return n >= 1 && n <= 10
	}
	return strings.ContainsAny(lv, "一二三")
}
