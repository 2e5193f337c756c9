package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// TestFullRunNotices compares incremental results with a full run's rings:
// a ring the full run drops, one it revises, one it confirms and one that
// incremental scoring never changed.
func TestFullRunNotices(t *testing.T) {
	changed := &findings.Change{Since: "2026-01-02T03:04:05Z", Visits: 3, Fund: 30}
	ring := func(id string, visits int, amount float64, c *findings.Change) findings.Ring {
		return findings.Ring{ID: id, Rank: 1, Typology: findings.TypUnclassified, Visits: visits, AmountAtRisk: amount, Changed: c,
			Members: []findings.Member{{Kind: findings.KindPatient, ID: id + "-p"}}}
	}
	old, err := newSnapshot(&findings.Findings{Rings: []findings.Ring{
		ring("R001", 10, 100, changed), ring("R002", 20, 200, changed), ring("R003", 30, 300, changed), ring("R004", 40, 400, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := newSnapshot(&findings.Findings{Rings: []findings.Ring{
		ring("R002", 18, 180.5, nil), ring("R003", 30, 300, nil), ring("R005", 1, 1, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	got := fullRunNotices(old, cur)
	want := []noticeMsg{
		{Type: "notice", Code: vocab.NoticeFullRunDropped, Params: map[string]string{"ring": "R001", "visits_before": "10", "fund_before": "100.00"}},
		{Type: "notice", Code: vocab.NoticeFullRunChanged, Params: map[string]string{"ring": "R002", "visits_before": "20", "fund_before": "200.00",
			"visits_after": "18", "fund_after": "180.50"}},
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("notices\n%s\nwant\n%s", gb, wb)
	}
	for _, n := range got {
		e, ok := vocab.Lookup(vocab.Notices, n.Code)
		if !ok || len(e.Params) != len(n.Params) {
			t.Errorf("notice %s: params %v, the vocabulary's %v", n.Code, n.Params, e.Params)
		}
	}
}

// TestStampChanges stamps the rings incremental scoring changed, keeping a
// time already set.
func TestStampChanges(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	f := &findings.Findings{Rings: []findings.Ring{{ID: "a", Changed: &findings.Change{Visits: 1}},
		{ID: "b", Changed: &findings.Change{Since: "2026-01-01T00:00:00Z"}}, {ID: "c"}}}
	stampChanges(f, now)
	if f.Rings[0].Changed.Since != "2026-05-06T07:08:09Z" || f.Rings[1].Changed.Since != "2026-01-01T00:00:00Z" || f.Rings[2].Changed != nil {
		t.Errorf("stamped %+v %+v %+v", f.Rings[0].Changed, f.Rings[1].Changed, f.Rings[2].Changed)
	}
}
