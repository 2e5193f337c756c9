package graph

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// cityInst is a group of n alike institutions of a test city.
type cityInst struct {
	n           int
	name, level string
	beds        int32
	admissions  int
}

// cityTables returns tables with the institutions of groups (codes I0001
// …), one pharmacy and, for groups with admissions, that many inpatient
// visits at each of their institutions.
func cityTables(t testing.TB, groups ...cityInst) *Tables {
	t.Helper()
	tb := NewTables(0, 0)
	tb.AddPerson(&claims.Person{PsnNo: "P1"})
	tb.AddInstitution(&claims.Institution{Code: "PH1", Name: "大药房", Type: claims.Pharmacy, Beds: -1})
	i, v := 0, 0
	for _, g := range groups {
		for range g.n {
			i++
			row, _ := tb.AddInstitution(&claims.Institution{Code: fmt.Sprintf("I%04d", i), Name: fmt.Sprintf("%s%d", g.name, i),
				Type: claims.Medical, Level: g.level, Beds: g.beds})
			for range g.admissions {
				v++
				tb.AddVisit(&claims.Visit{MdtrtID: fmt.Sprintf("V%d", v), PsnNo: "P1", MedType: claims.MedInpatient,
					Begin: at(2024, 1, 1, 9, 0), FundPay: 100}, 0, row, uint32(v+1))
			}
		}
	}
	return tb
}

func TestClassWarnings(t *testing.T) {
	tests := []struct {
		name   string
		groups []cityInst
		want   []string
		// classes: clinics, hospitals, stations
		clinics, hospitals, stations int
	}{
		{
			name:    "plausible city",
			groups:  []cityInst{{10, "门诊部", "未定级", 0, 0}, {8, "卫生站", "", 0, 0}, {6, "医院", "二级甲等", 300, 5}},
			clinics: 10, hospitals: 6, stations: 8,
		},
		{
			// The export that graded all 252 outpatient departments and
			// stations: classed by name, but warned about.
			name:    "bare grades for every institution",
			groups:  []cityInst{{20, "湖里门诊部", "1", 0, 0}, {10, "社区卫生服务站", "1", 0, 0}, {5, "医院", "2", 200, 0}},
			want:    []string{WarnGradedClinics},
			clinics: 20, hospitals: 5, stations: 10,
		},
		{
			name:    "national codes on clinic names",
			groups:  []cityInst{{3, "诊所", "08", -1, 0}, {2, "医院", "02", 900, 0}},
			want:    []string{WarnGradedClinics},
			clinics: 3, hospitals: 2,
		},
		{
			name:      "graded clinic that admits is not warned about",
			groups:    []cityInst{{3, "诊所", "一级", 0, 1}},
			hospitals: 3,
		},
		{
			name:     "graded community centre is not warned about",
			groups:   []cityInst{{3, "社区卫生服务中心", "一级甲等", 0, 0}},
			stations: 3,
		},
		{
			name:      "everything a hospital by bare grade",
			groups:    []cityInst{{25, "康复中心", "2", -1, 0}},
			want:      []string{WarnNoOutpatient, WarnHospitalShare},
			hospitals: 25,
		},
		{
			name:    "hospital share high but outpatient present",
			groups:  []cityInst{{15, "医院", "三级甲等", 500, 0}, {5, "诊所", "", 0, 0}},
			want:    []string{WarnHospitalShare},
			clinics: 5, hospitals: 15,
		},
		{
			name:    "hospital share at 60% is fine",
			groups:  []cityInst{{12, "医院", "", 100, 0}, {8, "诊所", "", 0, 0}},
			clinics: 8, hospitals: 12,
		},
		{
			name:      "small town of hospitals",
			groups:    []cityInst{{19, "医院", "二级", 100, 0}},
			hospitals: 19,
		},
		{
			name:    "unrecognised hosp_lv",
			groups:  []cityInst{{2, "某中心", "X1", -1, 0}, {1, "诊所", "", 0, 0}},
			want:    []string{WarnUnknownLevel},
			clinics: 3,
		},
		{name: "no institutions"},
	}
	for _, tc := range tests {
		g := mustBuild(t, cityTables(t, tc.groups...))
		s := Summarize(g, 0)
		var codes []string
		for _, w := range s.Warnings {
			codes = append(codes, w.Code)
			if w.Message == "" {
				t.Errorf("%s: warning %s without a message", tc.name, w.Code)
			}
		}
		if !slices.Equal(codes, tc.want) {
			t.Errorf("%s: warnings %v, want %v (%+v)", tc.name, codes, tc.want, s.Warnings)
		}
		if s.Warnings == nil {
			t.Errorf("%s: nil warnings", tc.name)
		}
		n := s.Nodes
		if n.Clinics != tc.clinics || n.Hospitals != tc.hospitals || n.Stations != tc.stations || n.Pharmacies != 1 {
			t.Errorf("%s: %d clinics, %d hospitals, %d stations, %d pharmacies", tc.name, n.Clinics, n.Hospitals, n.Stations, n.Pharmacies)
		}
	}
}

func TestClassCountsByEvidence(t *testing.T) {
	tb := cityTables(t,
		cityInst{2, "门诊部", "2", 0, 0},         // clinic by name
		cityInst{1, "医务室", "未定级", 81, 0},      // hospital by beds
		cityInst{3, "诊所", "", 0, 2},           // hospital by admissions
		cityInst{1, "某中心", "05", -1, 0},       // hospital by level
		cityInst{1, "某中心", "3", -1, 0},        // hospital by bare grade
		cityInst{1, "某中心", "1", 0, 0},         // clinic by default
		cityInst{2, "社区卫生服务中心", "一级甲等", 0, 0}, // station by name
	)
	s := Summarize(mustBuild(t, tb), 0)
	want := []ClassCount{
		{Class: "clinic", Institutions: 3, ByEvidence: EvidenceCounts{Name: 2, Default: 1}},
		{Class: "hospital", Institutions: 6, ByEvidence: EvidenceCounts{Inpatient: 3, Beds: 1, Level: 1, BareGrade: 1}},
		{Class: "station", Institutions: 2, ByEvidence: EvidenceCounts{Name: 2}},
		{Class: "pharmacy", Institutions: 1, ByEvidence: EvidenceCounts{Type: 1}},
	}
	if !slices.Equal(s.Classes, want) {
		t.Errorf("classes\n got %+v\nwant %+v", s.Classes, want)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Code != WarnGradedClinics || !strings.Contains(s.Warnings[0].Message, "2 institutions") ||
		!strings.Contains(s.Warnings[0].Message, "I0001 门诊部1 hosp_lv 2") {
		t.Errorf("warnings %+v", s.Warnings)
	}
	var txt bytes.Buffer
	if err := s.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Institution classes by evidence", "hospital 6 0 3 1 0 1 1 0", WarnGradedClinics} {
		if !strings.Contains(strings.Join(strings.Fields(txt.String()), " "), w) {
			t.Errorf("text summary lacks %q:\n%s", w, txt.String())
		}
	}
}
