package graph

import (
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

func TestClassifyInstitution(t *testing.T) {
	tests := []struct {
		name string
		in   claims.Institution
		want InstitutionClass
	}{
		{"pharmacy", claims.Institution{Type: claims.Pharmacy, Name: "大药房", Beds: -1}, ClassPharmacy},
		{"tertiary by text", claims.Institution{Type: claims.Medical, Level: "三级甲等", Beds: -1}, ClassHospital},
		{"platform code 08", claims.Institution{Type: claims.Medical, Level: "08", Beds: -1}, ClassHospital},
		{"platform code 10", claims.Institution{Type: claims.Medical, Level: "10", Beds: -1}, ClassHospital},
		{"ungraded code 11 clinic", claims.Institution{Type: claims.Medical, Level: "11", Name: "湖里门诊部", Beds: -1}, ClassClinic},
		{"beds make a hospital", claims.Institution{Type: claims.Medical, Name: "某医院", Beds: 80}, ClassHospital},
		{"station by name", claims.Institution{Type: claims.Medical, Name: "金山社区卫生服务站", Beds: -1}, ClassStation},
		{"village room", claims.Institution{Type: claims.Medical, Name: "后溪村卫生室", Beds: 0}, ClassStation},
		{"unrated text clinic", claims.Institution{Type: claims.Medical, Level: "未定级", Name: "诊所", Beds: -1}, ClassClinic},
	}
	for _, tc := range tests {
		if got := ClassifyInstitution(&tc.in); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
