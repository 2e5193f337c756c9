package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSummaryGolden(t *testing.T) {
	g := fixtureGraph(t)
	s := Summarize(g, 3)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", append(b, '\n'))
	var txt bytes.Buffer
	if err := s.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", txt.Bytes())
	if strings.Contains(txt.String(), "张三丰") || strings.Contains(string(b), "赵医生") {
		t.Error("summary leaks unmasked names")
	}
}

func TestSummaryCounts(t *testing.T) {
	g := fixtureGraph(t)
	s := Summarize(g, 2)
	if s.Visits.Total != 7 || s.Visits.Refunded != 2 || s.Visits.Reversed != 1 || s.Fees.Total != 8 {
		t.Errorf("visits %+v fees %+v", s.Visits, s.Fees)
	}
	if s.Nodes.DoctorsRegistered != 3 || s.Nodes.DoctorsUnregistered != 1 || s.Nodes.Clinics != 1 || s.Nodes.Hospitals != 1 || s.Nodes.Stations != 1 {
		t.Errorf("nodes %+v", s.Nodes)
	}
	if s.Amounts.Fund != "512.00" || s.Amounts.MedFee != "715.00" {
		t.Errorf("amounts %+v", s.Amounts)
	}
	if s.Span.First != "2024-01-01 09:00:00" || s.Span.Last != "2024-01-05 08:00:00" {
		t.Errorf("span %+v", s.Span)
	}
	// Patients: P1 degree 6, then P2..P4 tie at 2 and are ordered by key.
	if h := s.TopHubs[0].Hubs; len(h) != 2 || h[0].Key != "P1" || h[0].Degree != 6 || h[1].Key != "P2" || h[0].Label != "张**" {
		t.Errorf("patient hubs %+v", h)
	}
	empty := Summarize(mustBuild(t, NewTables(0, 0)), 5)
	if empty.Span.First != "" || len(empty.Degrees[0].Histogram) != 0 {
		t.Errorf("empty summary %+v", empty)
	}
	if err := empty.WriteText(failWriter{}); err == nil {
		t.Error("write error not reported")
	}
}

func mustBuild(t testing.TB, tb *Tables) *Graph {
	t.Helper()
	g, err := fixtureBuild(tb)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
