package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
)

// TestDossier renders the dossier of a sample ring whose visits are known:
// its why, every member, each cited visit once with its own fund, the
// articles and the seal; an unknown ring fails.
func TestDossier(t *testing.T) {
	f := sample()
	r := &f.Rings[1]
	r.VisitRows = []findings.RingVisit{{MdtrtID: "M9", Patient: "P-2", PatientLabel: "王*", Site: "H-WUXI-01",
		Begin: "2024-03-11 10:00:00", Fund: 12000}}
	r.Evidence[0].MdtrtIDs = []string{"M9", "M9"}
	r.Why = []findings.Signal{{Code: "rule_hits", Zh: "规则命中集中", En: "rule hits concentrate"}}
	sealRings, _, err := seals(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteDossier(&b, f, r.ID, "huli", LangZh); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{r.ID, "规则命中集中", "P-R1", "H-WUXI-01", "12,000.00", "2024-03-11 10:00:00", "第三十八条", sealRings, "counter(pages)"} {
		if !strings.Contains(html, want) {
			t.Errorf("dossier lacks %q", want)
		}
	}
	if n := strings.Count(html, "<code>M9</code>"); n != 1 {
		t.Errorf("cited visit M9 listed %d times, want once", n)
	}
	if err := WriteDossier(&b, f, "nope", "", LangEn); err == nil {
		t.Error("no error for an unknown ring")
	}
}
