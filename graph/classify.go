package graph

import (
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// ClassEvidence names the signal that decided an institution's class (see
// ClassifyInstitution). The zero value is EvidenceDefault.
type ClassEvidence uint8

// Class evidence, from the default up; ClassifyInstitution documents the
// precedence.
const (
	EvidenceDefault   ClassEvidence = iota // no signal: a clinic
	EvidenceType                           // fixmedins_type 2: a pharmacy
	EvidenceInpatient                      // admissions recorded at the institution
	EvidenceBeds                           // approved beds (bed_cnt > 0)
	EvidenceName                           // the kind of place the name states
	EvidenceLevel                          // a hospital grade in hosp_lv: national code 01–10 or text
	EvidenceBareGrade                      // a bare hosp_lv grade 1, 2 or 3
	numEvidence
)

// String returns default, type, inpatient, beds, name, level or
// bare_grade.
func (e ClassEvidence) String() string {
	switch e {
	case EvidenceType:
		return "type"
	case EvidenceInpatient:
		return "inpatient"
	case EvidenceBeds:
		return "beds"
	case EvidenceName:
		return "name"
	case EvidenceLevel:
		return "level"
	case EvidenceBareGrade:
		return "bare_grade"
	}
	return "default"
}

// ClassifyInstitution returns the class of in and the evidence that decided
// it. admissions is the number of inpatient visits (med_type 21–28)
// recorded at the institution; Tables passes 0 when the institution is
// added and classifies again on its first admission (Tables.AddVisit). The
// first rule that applies decides:
//
//	#  signal                                          class     evidence
//	1  fixmedins_type 2                                pharmacy  type
//	2  admissions > 0                                  hospital  inpatient
//	3  bed_cnt > 0                                     hospital  beds
//	4  the name states a kind of place (see below)     as named  name
//	5  hosp_lv national code 01–10, or a grade in text hospital  level
//	6  hosp_lv bare 1, 2 or 3, unless bed_cnt is 0     hospital  bare_grade
//	7  anything else (no hosp_lv, 11, 未定级, 无等级 …)  clinic    default
//
// A place that admits patients or has approved beds is a hospital whatever
// it is called: a township hospital, a nursing-home infirmary with beds, a
// community health centre with wards. The name comes next because some
// exports write hosp_lv grades for every institution, outpatient
// departments and health stations included; a grade is therefore weaker
// evidence than the name, and a bare 1/2/3 (the coding those exports use)
// is ignored when bed_cnt states zero beds.
//
// The kind of place is read from the keyword ending last in the name, text
// in parentheses left out (厦门市第一医院门诊部 is an outpatient department,
// 某诊所(原某医院) a clinic); on a tie the longer keyword wins:
//
//	医院, 卫生院, 保健院                          hospital
//	门诊部, 诊所, 医务室, 校医室, 卫生所          clinic
//	卫生室, 卫生站, 卫生服务站, 站                station
//	卫生服务中心 (社区卫生服务中心)               station
//
// A community health service centre (社区卫生服务中心) offers outpatient
// primary care and public health services, and sometimes wards: with beds
// or admissions it is a hospital (rules 2 and 3), otherwise it is classed
// with the community health stations it runs, as the same community tier
// of care (its hosp_lv, often 一级, does not make it a hospital).
//
// hosp_lv is read in the codings seen in exports: the national platform's
// codes 01–11 (01 三级特等 … 10 一级丙等, 11 未定级; 4–8 also without
// the leading zero; 0, 9 and 99 mean ungraded), bare grades 1, 2 and 3, and text such as 三级甲等,
// 二级, 一级, 三甲, 3级, 未定级 or 无等级. Unrecognised values count as no
// grade.
func ClassifyInstitution(in *claims.Institution, admissions int) (InstitutionClass, ClassEvidence) {
	if in.Type == claims.Pharmacy {
		return ClassPharmacy, EvidenceType
	}
	if admissions > 0 {
		return ClassHospital, EvidenceInpatient
	}
	if in.Beds > 0 {
		return ClassHospital, EvidenceBeds
	}
	switch nameKindOf(in.Name) {
	case nameHospital:
		return ClassHospital, EvidenceName
	case nameClinic:
		return ClassClinic, EvidenceName
	case nameStation, nameCommunityCentre:
		return ClassStation, EvidenceName
	}
	switch parseLevel(in.Level) {
	case levelNational, levelText:
		return ClassHospital, EvidenceLevel
	case levelBare:
		if in.Beds != 0 {
			return ClassHospital, EvidenceBareGrade
		}
	}
	return ClassClinic, EvidenceDefault
}

// nameKind is the kind of place an institution's name states.
type nameKind uint8

const (
	nameNone nameKind = iota
	nameHospital
	nameClinic
	nameStation
	nameCommunityCentre // 社区卫生服务中心
)

// nameKeyword maps a keyword of institution names to the kind it states.
type nameKeyword struct {
	word string
	kind nameKind
}

// nameKeywords returns the keywords nameKindOf looks for.
func nameKeywords() [13]nameKeyword {
	return [...]nameKeyword{
		{"医院", nameHospital}, {"卫生院", nameHospital}, {"保健院", nameHospital},
		{"门诊部", nameClinic}, {"诊所", nameClinic}, {"医务室", nameClinic}, {"校医室", nameClinic}, {"卫生所", nameClinic},
		{"卫生室", nameStation}, {"卫生站", nameStation}, {"卫生服务站", nameStation}, {"站", nameStation},
		{"卫生服务中心", nameCommunityCentre},
	}
}

// nameKindOf returns the kind of place name states: that of the keyword
// ending last, parenthesised text left out, the longer keyword on a tie.
func nameKindOf(name string) nameKind { return lastKeyword(name).kind }

// lastKeyword returns the keyword of nameKeywords ending last in name,
// parenthesised text left out, the longer keyword on a tie (zero when
// there is none).
func lastKeyword(name string) nameKeyword {
	name = withoutParens(name)
	var best nameKeyword
	bestEnd := -1
	for _, k := range nameKeywords() {
		i := strings.LastIndex(name, k.word)
		if i < 0 {
			continue
		}
		if end := i + len(k.word); end > bestEnd || end == bestEnd && len(k.word) > len(best.word) {
			best, bestEnd = k, end
		}
	}
	return best
}

// Infirmary reports whether an institution's name states an
// organisation's own infirmary (医务室, 校医室, the keyword ending last as
// for its class): the clinic of a school, a workplace or a home, which
// serves the organisation's pupils, staff or residents, who come from
// wherever they live, are seen by its one or two doctors, and are called
// in together (sick calls, check-ups, rounds). It is a clinic; the
// detection of rings reads the difference.
func Infirmary(name string) bool {
	w := lastKeyword(name).word
	return w == "医务室" || w == "校医室"
}

// withoutParens removes text in ASCII or full-width parentheses from s, or
// returns s when nothing would remain.
func withoutParens(s string) string {
	if !strings.ContainsAny(s, "(（") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '（':
			depth++
		case ')', '）':
			depth = max(depth-1, 0)
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// levelCoding is how a hosp_lv value was written.
type levelCoding uint8

const (
	levelEmpty    levelCoding = iota
	levelUngraded             // 0, 00, 9, 99, 11, 未定级, 无等级 …
	levelNational             // a graded national code 01–10 (4–8, 10 also unpadded)
	levelBare                 // 1, 2 or 3
	levelText                 // a grade in text: 三级甲等, 二级, 一甲, 3级 …
	levelUnknown              // anything else
)

// graded reports whether the coding states a hospital grade.
func (c levelCoding) graded() bool {
	return c == levelNational || c == levelBare || c == levelText
}

// parseLevel classifies a hosp_lv value by coding.
func parseLevel(lv string) levelCoding {
	lv = strings.TrimSpace(lv)
	if lv == "" {
		return levelEmpty
	}
	if digits(lv) {
		switch lv {
		case "0", "00", "9", "99", "11":
			return levelUngraded
		case "1", "2", "3":
			return levelBare
		case "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "4", "5", "6", "7", "8":
			return levelNational
		}
		return levelUnknown
	}
	for _, u := range [...]string{"未定级", "未评级", "未分级", "无等级", "无级别", "不定级", "其他", "其它"} {
		if strings.Contains(lv, u) {
			return levelUngraded
		}
	}
	if lv == "无" {
		return levelUngraded
	}
	rs := []rune(lv)
	for i := 0; i+1 < len(rs); i++ {
		if strings.ContainsRune("一二三123１２３", rs[i]) && strings.ContainsRune("级甲乙丙特", rs[i+1]) {
			return levelText
		}
	}
	return levelUnknown
}

// digits reports whether s is made of ASCII digits only.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
