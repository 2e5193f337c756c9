package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
)

// TestRingVisitsRoundTrip writes ring_visits.csv (a cell that a
// spreadsheet would run as a formula included) and reads it back into the
// rings; a date filter keeps the visits of its days, and the fund adds up
// to the fen.
func TestRingVisitsRoundTrip(t *testing.T) {
	f := sample()
	f.Rings[0].VisitRows = []findings.RingVisit{
		{MdtrtID: "=HYPERLINK(1)", Patient: "P1", PatientLabel: "张*", Doctor: "D1", Site: "H1", Begin: "2024-01-03 08:12:00", Fund: 0.1},
		{MdtrtID: "M2", Patient: "P2", PatientLabel: "李*", Site: "H1", Begin: "2024-01-04 09:00:00", End: "2024-01-05 09:00:00", Fund: 0.2},
	}
	all := VisitsOf(&f.Rings[0], "", "")
	if all.Total != 2 || all.Fund != 0.3 {
		t.Errorf("visits: %d, fund %v (want 2, 0.3)", all.Total, all.Fund)
	}
	if day := VisitsOf(&f.Rings[0], "2024-01-04", "2024-01-04"); day.Total != 1 || day.Visits[0].MdtrtID != "M2" {
		t.Errorf("one day: %+v", day)
	}
	dir := t.TempDir()
	var b bytes.Buffer
	if err := WriteRingVisitsCSV(&b, all); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "'=HYPERLINK(1)") {
		t.Errorf("formula cell not made safe:\n%s", b.String())
	}
	if err := os.WriteFile(filepath.Join(dir, VisitsFile), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back := sample()
	if err := ReadRingVisits(dir, back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Rings[0].VisitRows, f.Rings[0].VisitRows) || back.Rings[1].VisitRows != nil {
		t.Errorf("read back %+v", back.Rings[0].VisitRows)
	}
	if err := ReadRingVisits(t.TempDir(), back); err != nil {
		t.Errorf("a directory without %s: %v", VisitsFile, err)
	}
}

// TestSingleHitsCSV writes the single hits: one row each with its own
// amount, total and shown rows, and its cited rows.
func TestSingleHitsCSV(t *testing.T) {
	f := sample()
	var b bytes.Buffer
	if err := WriteSingleHitsCSV(&b, f); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != len(f.SingleHits)+1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if got := strings.Join(recs[1], "|"); got != "R-SEX|1.0.0|definite|320.00|1|1|第三十八条|男性患者收取宫腔镜检查费|male billed for hysteroscopy|M77|M77/F77-3" {
		t.Errorf("row %q", got)
	}
}
