package packet

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/ingest"
)

// TestFeeLinesOf loads the Huli fixture and checks that the fee lines of a
// ring's visits are every fee_list row of those visits, and only those.
func TestFeeLinesOf(t *testing.T) {
	city := filepath.Join("..", "..", "fixtures", "testdata", "huli-small")
	res, err := ingest.Load(context.Background(), city, ingest.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(city, "fee_list.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	want := map[string]int{} // fee lines per visit in the file
	var ids []string
	for _, rec := range recs[1:] {
		id := rec[col["mdtrt_id"]]
		if want[id] == 0 {
			ids = append(ids, id)
		}
		want[id]++
	}
	for _, tc := range []struct {
		name   string
		visits []string
	}{
		{"none", nil},
		{"one", ids[:1]},
		{"several", ids[5:12]},
		{"unknown visit", []string{"NO-SUCH-VISIT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &findings.Ring{}
			total := 0
			for _, id := range tc.visits {
				r.VisitRows = append(r.VisitRows, findings.RingVisit{MdtrtID: id})
				total += want[id]
			}
			got := FeeLinesOf(res.Tables, r)
			if len(got) != total {
				t.Errorf("%d fee lines, want %d", len(got), total)
			}
			per := map[string]int{}
			for _, fl := range got {
				per[fl.MdtrtID]++
				if fl.FeedetlSn == "" || fl.ItemCode == "" {
					t.Errorf("fee line without its keys: %+v", fl)
				}
			}
			for _, id := range tc.visits {
				if per[id] != want[id] {
					t.Errorf("visit %s: %d fee lines, want %d", id, per[id], want[id])
				}
			}
		})
	}
}
