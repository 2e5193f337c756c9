package graph

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestClassifyInstitution(t *testing.T) {
	med := func(name, level string, beds int32) claims.Institution {
		return claims.Institution{Type: claims.Medical, Name: name, Level: level, Beds: beds}
	}
	tests := []struct {
		name       string
		in         claims.Institution
		admissions int
		want       InstitutionClass
		ev         ClassEvidence
	}{
		// Type.
		{"pharmacy", claims.Institution{Type: claims.Pharmacy, Name: "大药房", Beds: -1}, 0, ClassPharmacy, EvidenceType},
		{"pharmacy with grade and admissions", claims.Institution{Type: claims.Pharmacy, Name: "某医院药房", Level: "1", Beds: 5}, 3, ClassPharmacy, EvidenceType},

		// National platform codes 01–11 without a telling name or beds.
		{"national 01 三级特等", med("某某中心", "01", -1), 0, ClassHospital, EvidenceLevel},
		{"national 02 三级甲等", med("某某中心", "02", -1), 0, ClassHospital, EvidenceLevel},
		{"national 03 三级乙等", med("某某中心", "03", -1), 0, ClassHospital, EvidenceLevel},
		{"national 04 三级丙等", med("某某中心", "04", 0), 0, ClassHospital, EvidenceLevel},
		{"national 05 二级甲等", med("某某中心", "05", -1), 0, ClassHospital, EvidenceLevel},
		{"national 06 二级乙等", med("某某中心", "06", -1), 0, ClassHospital, EvidenceLevel},
		{"national 07 二级丙等", med("某某中心", "07", -1), 0, ClassHospital, EvidenceLevel},
		{"national 08 一级甲等", med("", "08", -1), 0, ClassHospital, EvidenceLevel},
		{"national 09 一级乙等", med("", "09", -1), 0, ClassHospital, EvidenceLevel},
		{"national 10 一级丙等", med("", "10", -1), 0, ClassHospital, EvidenceLevel},
		{"national 11 未定级", med("某某中心", "11", -1), 0, ClassClinic, EvidenceDefault},
		{"national unpadded 5", med("", "5", -1), 0, ClassHospital, EvidenceLevel},
		{"national 02 with spaces", med("", " 02 ", -1), 0, ClassHospital, EvidenceLevel},
		{"national 02 but an outpatient department", med("湖里仁和门诊部", "02", 0), 0, ClassClinic, EvidenceName},
		{"national 08 but a station", med("金山社区卫生服务站", "08", -1), 0, ClassStation, EvidenceName},
		{"national 11 clinic", med("湖里门诊部", "11", -1), 0, ClassClinic, EvidenceName},

		// Bare grades 1/2/3, written by some exports for every institution.
		{"bare 3 hospital", med("厦门市第一医院", "3", 2558), 0, ClassHospital, EvidenceBeds},
		{"bare 2 no name, beds unknown", med("某某中心", "2", -1), 0, ClassHospital, EvidenceBareGrade},
		{"bare 1 no name, zero beds", med("某某中心", "1", 0), 0, ClassClinic, EvidenceDefault},
		{"bare 1 outpatient department", med("湖里博爱门诊部", "1", 0), 0, ClassClinic, EvidenceName},
		{"bare 1 clinic beds unknown", med("恒康综合诊所", "1", -1), 0, ClassClinic, EvidenceName},
		{"bare 1 station", med("海沧惠民社区卫生服务站", "1", 0), 0, ClassStation, EvidenceName},
		{"bare 1 village room", med("后溪村卫生室", "1", 0), 0, ClassStation, EvidenceName},
		{"bare 3 clinic that admits", med("德济门诊部", "3", 0), 2, ClassHospital, EvidenceInpatient},

		// Chinese text.
		{"text 三级甲等", med("", "三级甲等", -1), 0, ClassHospital, EvidenceLevel},
		{"text 三级特等", med("", "三级特等", -1), 0, ClassHospital, EvidenceLevel},
		{"text 二级", med("", "二级", -1), 0, ClassHospital, EvidenceLevel},
		{"text 一级", med("", "一级", 0), 0, ClassHospital, EvidenceLevel},
		{"text 三甲", med("", "三甲", -1), 0, ClassHospital, EvidenceLevel},
		{"text 3级", med("", "3级", -1), 0, ClassHospital, EvidenceLevel},
		{"text 一级 outpatient department", med("鸿福门诊部", "一级", 0), 0, ClassClinic, EvidenceName},
		{"text 未定级", med("某某中心", "未定级", -1), 0, ClassClinic, EvidenceDefault},
		{"text 无等级", med("", "无等级", -1), 0, ClassClinic, EvidenceDefault},
		{"text 其他", med("", "其他", -1), 0, ClassClinic, EvidenceDefault},
		{"text 无", med("", "无", -1), 0, ClassClinic, EvidenceDefault},
		{"unrecognised level", med("", "X9", -1), 0, ClassClinic, EvidenceDefault},
		{"unrecognised number", med("", "42", -1), 0, ClassClinic, EvidenceDefault},
		{"unrated text clinic", med("诊所", "未定级", -1), 0, ClassClinic, EvidenceName},

		// Empty level.
		{"empty, nothing", med("", "", -1), 0, ClassClinic, EvidenceDefault},
		{"empty, unknown name", med("某某中医馆", "", 0), 0, ClassClinic, EvidenceDefault},

		// Names.
		{"医院", med("厦门市思明医院", "", -1), 0, ClassHospital, EvidenceName},
		{"卫生院", med("马巷镇卫生院", "", 0), 0, ClassHospital, EvidenceName},
		{"妇幼保健院", med("厦门市妇幼保健院", "", -1), 0, ClassHospital, EvidenceName},
		{"门诊部", med("厦门市思明鸿福门诊部", "未定级", 0), 0, ClassClinic, EvidenceName},
		{"诊所", med("厦门市思明长庚内科诊所", "", 0), 0, ClassClinic, EvidenceName},
		{"医务室", med("厦门市天和电子有限公司医务室", "未定级", 0), 0, ClassClinic, EvidenceName},
		{"校医室", med("集美第一中学校医室", "", 0), 0, ClassClinic, EvidenceName},
		{"卫生室", med("后溪村卫生室", "", 0), 0, ClassStation, EvidenceName},
		{"卫生站", med("厦门市思明春晖卫生站", "", 0), 0, ClassStation, EvidenceName},
		{"卫生服务站", med("厦门市海沧惠民社区卫生服务站", "", 0), 0, ClassStation, EvidenceName},
		{"社区卫生服务中心", med("思明区嘉莲街道社区卫生服务中心", "一级甲等", 0), 0, ClassStation, EvidenceName},
		{"社区卫生服务中心 with beds", med("思明区嘉莲街道社区卫生服务中心", "一级甲等", 30), 0, ClassHospital, EvidenceBeds},
		{"社区卫生服务中心 that admits", med("思明区嘉莲街道社区卫生服务中心", "", -1), 4, ClassHospital, EvidenceInpatient},
		{"hospital's outpatient department", med("厦门市第一医院门诊部", "三级甲等", 0), 0, ClassClinic, EvidenceName},
		{"school hospital", med("厦门大学校医院", "", -1), 0, ClassHospital, EvidenceName},
		{"parenthesised former name", med("鸿福诊所(原鸿福医院)", "", -1), 0, ClassClinic, EvidenceName},
		{"full-width parentheses", med("仁和卫生站（湖里医院）", "", -1), 0, ClassStation, EvidenceName},
		{"only parentheses", med("(医院)", "", -1), 0, ClassHospital, EvidenceName},
		{"hospital's station", med("湖里医院金山社区卫生服务站", "二级", -1), 0, ClassStation, EvidenceName},

		// Beds and admissions beat the name.
		{"beds make a hospital", med("某医院", "", 80), 0, ClassHospital, EvidenceBeds},
		{"nursing-home infirmary with beds", med("厦门市集美同济养老院医务室", "未定级", 81), 0, ClassHospital, EvidenceBeds},
		{"admissions make a hospital", med("阳光诊所", "", 0), 1, ClassHospital, EvidenceInpatient},
		{"admissions before beds", med("某医院", "三级甲等", 800), 10, ClassHospital, EvidenceInpatient},
		{"zero beds, hospital name", med("某某医院", "未定级", 0), 0, ClassHospital, EvidenceName},
	}
	for _, tc := range tests {
		c, ev := ClassifyInstitution(&tc.in, tc.admissions)
		if c != tc.want || ev != tc.ev {
			t.Errorf("%s: got %v by %v, want %v by %v", tc.name, c, ev, tc.want, tc.ev)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := map[string]levelCoding{
		"": levelEmpty, "  ": levelEmpty,
		"01": levelNational, "04": levelNational, "08": levelNational, "10": levelNational, "7": levelNational,
		"11": levelUngraded, "0": levelUngraded, "00": levelUngraded, "9": levelUngraded, "99": levelUngraded,
		"1": levelBare, "2": levelBare, "3": levelBare,
		"三级甲等": levelText, "二级乙等": levelText, "一级丙等": levelText, "二级": levelText, "一甲": levelText, "３级": levelText,
		"未定级": levelUngraded, "无等级": levelUngraded, "未评级": levelUngraded, "其他": levelUngraded, "无": levelUngraded,
		"12": levelUnknown, "-1": levelUnknown, "A": levelUnknown, "甲等": levelUnknown,
	}
	for lv, want := range tests {
		if got := parseLevel(lv); got != want {
			t.Errorf("parseLevel(%q) = %d, want %d", lv, got, want)
		}
	}
}

func TestEvidenceString(t *testing.T) {
	want := []string{"default", "type", "inpatient", "beds", "name", "level", "bare_grade"}
	for e := ClassEvidence(0); e < numEvidence; e++ {
		if e.String() != want[e] {
			t.Errorf("evidence %d: %q, want %q", e, e.String(), want[e])
		}
	}
	if numEvidence.String() != "default" {
		t.Errorf("out of range evidence: %q", numEvidence.String())
	}
}

// TestAddVisitAdmissions checks that an inpatient visit reclassifies its
// institution once, outpatient visits do not, and pharmacies stay
// pharmacies.
func TestAddVisitAdmissions(t *testing.T) {
	tb := NewTables(0, 0)
	tb.AddPerson(&claims.Person{PsnNo: "P1"})
	clinic, _ := tb.AddInstitution(&claims.Institution{Code: "C1", Name: "阳光诊所", Type: claims.Medical, Level: "1", Beds: 0})
	station, _ := tb.AddInstitution(&claims.Institution{Code: "S1", Name: "幸福卫生站", Type: claims.Medical, Beds: -1})
	pharm, _ := tb.AddInstitution(&claims.Institution{Code: "PH1", Name: "大药房", Type: claims.Pharmacy, Beds: -1})
	it := &tb.Institutions
	if it.Class[clinic] != ClassClinic || it.Evidence[clinic] != EvidenceName {
		t.Fatalf("clinic before admissions: %v by %v", it.Class[clinic], it.Evidence[clinic])
	}
	add := func(id string, inst uint32, m claims.MedType) {
		tb.AddVisit(&claims.Visit{MdtrtID: id, PsnNo: "P1", MedType: m}, 0, inst, 2)
	}
	add("v1", clinic, claims.MedOutpatient)
	add("v2", station, claims.MedChronic)
	add("v3", pharm, claims.MedInpatient)
	if it.Class[clinic] != ClassClinic || it.Class[station] != ClassStation || it.Class[pharm] != ClassPharmacy || it.Admissions[clinic] != 0 {
		t.Fatalf("outpatient visits changed classes: %v %v %v", it.Class[clinic], it.Class[station], it.Class[pharm])
	}
	add("v4", clinic, claims.MedInpatient)
	add("v4", clinic, claims.MedInpatient) // duplicate: not counted
	add("v5", clinic, claims.MedType(28))
	add("v6", 99, claims.MedInpatient) // out of range: ignored
	if it.Class[clinic] != ClassHospital || it.Evidence[clinic] != EvidenceInpatient || it.Admissions[clinic] != 2 {
		t.Errorf("clinic after admissions: %v by %v, %d admissions", it.Class[clinic], it.Evidence[clinic], it.Admissions[clinic])
	}
	if it.Class[pharm] != ClassPharmacy || it.Admissions[pharm] != 1 {
		t.Errorf("pharmacy after an inpatient visit: %v, %d admissions", it.Class[pharm], it.Admissions[pharm])
	}
	if it.Class[station] != ClassStation {
		t.Errorf("station: %v", it.Class[station])
	}
}

func TestInfirmary(t *testing.T) {
	cases := []struct {
		name string
		want bool
	}{
		{"厦门市第一中学医务室", true},
		{"兴宁机械厂医务室", true},
		{"湖里实验小学校医室", true},
		{"颐养中心医务室", true},
		{"某公司医务室(原某诊所)", true},
		{"厦门大学医院", false},
		{"湖里华康门诊部", false},
		{"医务室路社区卫生服务站", false}, // a street named after one
		{"岭宁村卫生室", false},
		{"泉林儿科诊所", false},
		{"", false},
	}
	for _, c := range cases {
		if got := Infirmary(c.name); got != c.want {
			t.Errorf("Infirmary(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}
