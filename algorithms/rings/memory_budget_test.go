package rings_test

import (
	"context"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/ingest"
)

// maxModelBytesPerVisit bounds the memory model (graph.Tables.Memory and
// graph.Graph.Memory: bytes in use) of a generated 200k-visit city read as
// detect reads it (no settlement ids, trimmed, the ingest indexes dropped),
// per visit. It was 167.6 when set (167.0 at 10M, where the fixed costs of
// codes and names weigh less; docs/scale.md): a change that makes a column
// or index of every visit or fee line wider fails here, not only in the
// scale benchmark.
const maxModelBytesPerVisit = 175

// TestMemoryModelBudget checks maxModelBytesPerVisit.
func TestMemoryModelBudget(t *testing.T) {
	res, err := ingest.Load(context.Background(), genCity(t, "default", 1, 200_000), ingest.Options{DropSettlementIDs: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tb := res.Tables
	tb.Trim()
	tb.DropIngestIndexes()
	g, err := graph.Build(context.Background(), tb, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	for _, m := range append(tb.Memory(), g.Memory()...) {
		used += m.Bytes
	}
	per := float64(used) / float64(tb.Visits.Len())
	t.Logf("%d visits: %.1f bytes a visit for the tables and graph", tb.Visits.Len(), per)
	if per > maxModelBytesPerVisit {
		t.Errorf("tables and graph take %.1f bytes a visit, budget %d", per, maxModelBytesPerVisit)
	}
}
