package graph

import (
	"fmt"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// ClassCount is the number of institutions of one class and the evidence
// that decided their class (see ClassifyInstitution).
type ClassCount struct {
	Class        string         `json:"class"`
	Institutions int            `json:"institutions"`
	ByEvidence   EvidenceCounts `json:"by_evidence"`
}

// EvidenceCounts counts institutions by the ClassEvidence that decided
// their class.
type EvidenceCounts struct {
	Type      int `json:"type"`
	Inpatient int `json:"inpatient"`
	Beds      int `json:"beds"`
	Name      int `json:"name"`
	Level     int `json:"level"`
	BareGrade int `json:"bare_grade"`
	Default   int `json:"default"`
}

// add counts one institution decided by e.
func (c *EvidenceCounts) add(e ClassEvidence) {
	switch e {
	case EvidenceType:
		c.Type++
	case EvidenceInpatient:
		c.Inpatient++
	case EvidenceBeds:
		c.Beds++
	case EvidenceName:
		c.Name++
	case EvidenceLevel:
		c.Level++
	case EvidenceBareGrade:
		c.BareGrade++
	default:
		c.Default++
	}
}

// Warning flags counts of a summary that look implausible, most often
// because an export codes a column unlike others (hosp_lv, bed_cnt). Code
// is one of the Warn constants; Message explains it in English.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Warning codes.
const (
	// WarnNoOutpatient: a city of at least ClassWarnMinInstitutions
	// medical institutions with no clinic and no station.
	WarnNoOutpatient = "no_outpatient_institutions"
	// WarnHospitalShare: more than HospitalShareWarnPercent of at least
	// ClassWarnMinInstitutions medical institutions are hospitals.
	WarnHospitalShare = "hospital_share_high"
	// WarnGradedClinics: institutions graded as hospitals by hosp_lv
	// (any coding) whose names say clinic or station and that have no
	// beds and no admissions; they are classed by name.
	WarnGradedClinics = "hospital_grade_clinic_names"
	// WarnUnknownLevel: hosp_lv values read as neither a grade nor
	// ungraded; they were ignored.
	WarnUnknownLevel = "hosp_lv_unrecognised"
)

// Thresholds of the class warnings.
const (
	// ClassWarnMinInstitutions is the number of medical institutions
	// below which a city is too small for WarnNoOutpatient and
	// WarnHospitalShare.
	ClassWarnMinInstitutions = 20
	// HospitalShareWarnPercent is the share of hospitals among medical
	// institutions above which WarnHospitalShare is raised.
	HospitalShareWarnPercent = 60
)

// warnExamples is the number of institutions a warning names.
const warnExamples = 3

// classCounts counts institutions by class (clinic, hospital, station,
// pharmacy, all listed) and evidence.
func classCounts(it *InstitutionTable) []ClassCount {
	counts := make([]ClassCount, ClassPharmacy+1)
	for c := range counts {
		counts[c].Class = InstitutionClass(c).String()
	}
	for row, c := range it.Class {
		if int(c) >= len(counts) {
			continue
		}
		counts[c].Institutions++
		ev := EvidenceDefault
		if row < len(it.Evidence) {
			ev = it.Evidence[row]
		}
		counts[c].ByEvidence.add(ev)
	}
	return counts
}

// classWarnings checks the institution classes of t for implausible
// counts. It always returns a non-nil slice.
func classWarnings(t *Tables, counts []ClassCount) []Warning {
	ws := []Warning{}
	it := &t.Institutions
	medical := 0
	for _, c := range counts {
		if c.Class != ClassPharmacy.String() {
			medical += c.Institutions
		}
	}
	clinics, hospitals, stations := counts[ClassClinic], counts[ClassHospital], counts[ClassStation]
	if medical >= ClassWarnMinInstitutions && clinics.Institutions+stations.Institutions == 0 {
		ws = append(ws, Warning{Code: WarnNoOutpatient, Message: fmt.Sprintf(
			"none of the %d medical institutions is classed clinic or station; check how the export codes hosp_lv and bed_cnt",
			medical)})
	}
	if h := hospitals.Institutions; medical >= ClassWarnMinInstitutions && h*100 > medical*HospitalShareWarnPercent {
		e := hospitals.ByEvidence
		ws = append(ws, Warning{Code: WarnHospitalShare, Message: fmt.Sprintf(
			"%d of the %d medical institutions (%d%%) are classed hospital, more than %d%%: %d by admissions, %d by beds, %d by name, %d by hosp_lv grade, %d by bare hosp_lv grade",
			h, medical, h*100/medical, HospitalShareWarnPercent, e.Inpatient, e.Beds, e.Name, e.Level, e.BareGrade)})
	}
	var graded, unknown []string
	for row := 0; row < it.Len(); row++ {
		if it.Type[row] == claims.Pharmacy {
			continue
		}
		name, lv := t.Str(it.Name[row]), t.Str(it.Level[row])
		coding := parseLevel(lv)
		if coding == levelUnknown {
			unknown = append(unknown, it.IDs.String(uint32(row))+" "+name+" hosp_lv "+lv)
		}
		if !coding.graded() || it.Beds[row] > 0 || row < len(it.Admissions) && it.Admissions[row] > 0 {
			continue
		}
		if k := nameKindOf(name); k == nameClinic || k == nameStation {
			graded = append(graded, it.IDs.String(uint32(row))+" "+name+" hosp_lv "+lv)
		}
	}
	if len(graded) > 0 {
		ws = append(ws, Warning{Code: WarnGradedClinics, Message: fmt.Sprintf(
			"%d institutions graded as hospitals by hosp_lv have clinic or station names, no beds and no admissions; classed by name (%s); the export may write grades for every institution",
			len(graded), examples(graded))})
	}
	if len(unknown) > 0 {
		ws = append(ws, Warning{Code: WarnUnknownLevel, Message: fmt.Sprintf(
			"%d institutions have a hosp_lv read as neither a grade nor ungraded, ignored in classing (%s)",
			len(unknown), examples(unknown))})
	}
	return ws
}

// examples lists the first warnExamples entries of list, "e.g. a; b; c".
func examples(list []string) string {
	return "e.g. " + strings.Join(list[:min(len(list), warnExamples)], "; ")
}
