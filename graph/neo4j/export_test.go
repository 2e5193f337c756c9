package neo4j

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// memSink keeps exported files in memory.
type memSink struct {
	mu    sync.Mutex
	files map[string]*bytes.Buffer
}

type memFile struct{ *bytes.Buffer }

func (memFile) Close() error { return nil }

func (s *memSink) Create(name string) (io.WriteCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	s.files[name] = b
	return memFile{b}, nil
}

func TestExportFixture(t *testing.T) {
	fx := loadFixture(t)
	m := fx.model(t, false)
	sink := &memSink{}
	st, err := Export(context.Background(), sink, m, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Read every file back: ids per space, labels, types.
	ids := map[string]map[string]bool{}
	labelCount := map[string]int{}
	typeCount := map[string]int{}
	var rels [][3]string // start space:id, end space:id, file
	spaceOf := func(h string) string { return h[strings.Index(h, "(")+1 : len(h)-1] }
	for _, f := range st.Files {
		data, ok := sink.files[f.Name]
		if !ok {
			t.Fatalf("file %s not written", f.Name)
		}
		recs, err := csv.NewReader(data).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		h := recs[0]
		if int64(len(recs)-1) != f.Rows {
			t.Errorf("%s: %d rows, stats say %d", f.Name, len(recs)-1, f.Rows)
		}
		for _, col := range h[1:] {
			if !strings.HasPrefix(col, ":") && !strings.Contains(col, ":") {
				t.Errorf("%s: untyped header %q", f.Name, col)
			}
		}
		switch f.Kind {
		case "nodes":
			if !strings.Contains(h[0], ":ID(") || h[len(h)-1] != ":LABEL" {
				t.Fatalf("%s: node header %v", f.Name, h)
			}
			sp := spaceOf(h[0])
			if ids[sp] == nil {
				ids[sp] = map[string]bool{}
			}
			for _, r := range recs[1:] {
				if ids[sp][r[0]] {
					t.Errorf("%s: duplicate id %s in space %s", f.Name, r[0], sp)
				}
				ids[sp][r[0]] = true
				for _, l := range strings.Split(r[len(r)-1], ArrayDelimiter) {
					labelCount[l]++
				}
			}
		case "relationships":
			if !strings.HasPrefix(h[0], ":START_ID(") || !strings.HasPrefix(h[1], ":END_ID(") || h[len(h)-1] != ":TYPE" {
				t.Fatalf("%s: relationship header %v", f.Name, h)
			}
			for _, r := range recs[1:] {
				rels = append(rels, [3]string{spaceOf(h[0]) + ":" + r[0], spaceOf(h[1]) + ":" + r[1], f.Name})
				typeCount[r[len(r)-1]]++
			}
		}
	}
	for _, r := range rels {
		for _, end := range r[:2] {
			sp, id, _ := strings.Cut(end, ":")
			if !ids[sp][id] {
				t.Fatalf("%s: relationship end %s missing among the nodes", r[2], end)
			}
		}
	}
	// Counts match the graph.
	g := fx.g
	if labelCount[LabelPatient] != g.NumKind(graph.KindPatient) || labelCount[LabelDoctor] != g.NumKind(graph.KindDoctor) ||
		labelCount[LabelPharmacy] != g.NumKind(graph.KindPharmacy) ||
		labelCount[LabelInstitution] != g.NumKind(graph.KindInstitution)+g.NumKind(graph.KindPharmacy) ||
		labelCount[LabelVisit] != g.Tables().Visits.Len() || labelCount[LabelRing] != len(fx.f.Rings) ||
		labelCount[LabelRuleHit] != len(fx.hits) || labelCount[LabelFeeLine] != g.Tables().Fees.Len() ||
		labelCount[LabelItem] != g.Tables().Catalog.Len() {
		t.Errorf("label counts %v", labelCount)
	}
	for ty, rel := range map[graph.EdgeType]string{graph.PatientInstitution: RelVisited, graph.PatientDoctor: RelTreatedBy,
		graph.DoctorInstitutionBilled: RelBilledAt, graph.PatientPharmacy: RelFilledAt, graph.DoctorPharmacy: RelPrescribedTo,
		graph.DoctorInstitutionRegistered: RelRegisteredAt} {
		lo, hi := g.EdgeRange(ty)
		if typeCount[rel] != int(hi-lo) {
			t.Errorf("%s: %d relationships, graph has %d %v edges", rel, typeCount[rel], hi-lo, ty)
		}
	}
	if typeCount[RelBilled] != g.Tables().Fees.Len() || typeCount[RelBilled] == 0 {
		t.Errorf("BILLED %d, fee lines %d", typeCount[RelBilled], g.Tables().Fees.Len())
	}
	if typeCount[RelEvidenceOf] == 0 {
		t.Error("no EVIDENCE_OF relationships")
	}
	members := 0
	for _, r := range fx.f.Rings {
		members += len(r.Members)
	}
	if typeCount[RelMemberOf] != members || len(fx.f.Rings) == 0 {
		t.Errorf("MEMBER_OF %d, members %d (rings %d)", typeCount[RelMemberOf], members, len(fx.f.Rings))
	}
	// PII masked: no raw name or certificate number in any file.
	pii := g.Tables().PII
	var all strings.Builder
	for _, b := range sink.files {
		all.Write(b.Bytes())
	}
	text := all.String()
	for i := 0; i < pii.Len(); i++ {
		s := pii.String(uint32(i))
		if len([]rune(s)) > 1 && strings.Contains(text, s) {
			t.Fatalf("personal data %d found unmasked in the export", i)
		}
	}
	// README holds the import command naming every file.
	readme := sink.files["README.md"].String()
	if !strings.Contains(readme, "neo4j-admin database import full") {
		t.Error("README without import command")
	}
	for _, f := range st.Files {
		if !strings.Contains(readme, "--"+f.Kind+"="+f.Name) {
			t.Errorf("README does not import %s", f.Name)
		}
	}
	if st.Nodes == 0 || st.Rels == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestCSVValues(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, ""}, {"a\nb", "a b"}, {int64(-3), "-3"}, {1.25, "1.25"}, {true, "true"},
		{[]string{"x;y", "z"}, "x,y;z"},
	} {
		if got := csvValue(TString, c.v); got != c.want {
			t.Errorf("csvValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	g := smallGraph(t)
	m, _ := NewModel(Input{Graph: g, Visits: true})
	var visit *NodeSet
	for i := range m.Nodes {
		if m.Nodes[i].Name == "visit" {
			visit = &m.Nodes[i]
		}
	}
	vals := make([]any, len(visit.Props))
	visit.Row(0, vals)
	if got := csvValue(TDateTime, vals[4]); got != "2024-01-01T09:00:00+08:00" {
		t.Errorf("datetime %q", got)
	}
	if got := NodeHeader(visit)[0]; got != "mdtrt_id:ID(Visit)" {
		t.Errorf("header %q", got)
	}
	if !strings.Contains(strings.Join(NodeHeader(visit), ","), "begin:datetime") {
		t.Error("typed header missing")
	}
}
