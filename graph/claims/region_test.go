package claims

import "testing"

func TestInstitutionRegion(t *testing.T) {
	tests := []struct{ code, admdvs, want string }{
		{"H35020302090", "350203", "350203"},
		{"H35020302090", "", "350203"},     // the national code's region digits
		{"H35020302090", "3502", "350203"}, // a malformed admdvs
		{"P35010480556", "", "350104"},
		{"X1", "", ""},
		{"35020302090", "", ""},  // no letter prefix
		{"h35020302090", "", ""}, // not a national code's capital letter
		{"HX5020302090", "", ""}, // letters among the region digits
		{"CLINIC-7", "420106", "420106"},
	}
	for _, tc := range tests {
		if got := InstitutionRegion(tc.code, tc.admdvs); got != tc.want {
			t.Errorf("InstitutionRegion(%q, %q) = %q; want %q", tc.code, tc.admdvs, got, tc.want)
		}
	}
}
