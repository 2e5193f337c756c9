package neo4j

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsQueries checks that the example queries of docs/neo4j.md are
// the ones the package builds (and so the ones the integration test runs).
func TestDocsQueries(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "neo4j.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for name, q := range map[string]string{
		"ShowRingQuery":     ShowRingQuery("latest", "R001"),
		"RingFeeLinesQuery": RingFeeLinesQuery("latest", "R001"),
		"RingHitsQuery":     RingHitsQuery("latest", "R001"),
		"RingOverCapQuery":  RingOverCapQuery("latest", "R001"),
	} {
		if !strings.Contains(doc, "```cypher\n"+q+"\n```") {
			t.Errorf("docs/neo4j.md does not show %s as built:\n%s", name, q)
		}
	}
	for _, q := range ConstraintQueries() {
		for _, l := range []string{LabelFeeLine, LabelItem} {
			if strings.Contains(q, "(n:"+l+")") && !strings.Contains(doc, "`"+l+".") {
				t.Errorf("docs/neo4j.md does not list the %s constraint or index", l)
			}
		}
	}
}
