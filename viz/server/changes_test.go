package server

import (
	"bytes"
	"encoding/json"
	"slices"
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
		ring("R001", 10, 100, changed), ring("R002", 20, 200, changed), ring("R003", 30, 300, changed), ring("R004", 40, 400, nil)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := newSnapshot(&findings.Findings{Rings: []findings.Ring{
		ring("R002", 18, 180.5, nil), ring("R003", 30, 300, nil), ring("R005", 1, 1, nil)}}, nil)
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

// TestSnapshotReusesUnchangedRings checks that a snapshot built on the one
// before keeps the encodings of the rings that did not change, and that
// every ring reads exactly as in a snapshot built from scratch.
func TestSnapshotReusesUnchangedRings(t *testing.T) {
	ring := func(id string, rank, visits int) findings.Ring {
		return findings.Ring{ID: id, Rank: rank, Typology: findings.TypUnclassified, Visits: visits, AmountAtRisk: float64(visits),
			Members: []findings.Member{{Kind: findings.KindPatient, ID: id + "-p", Role: "recruited_patient"}}}
	}
	f1 := &findings.Findings{Rings: []findings.Ring{ring("R001", 1, 30), ring("R002", 2, 20), ring("R003", 3, 10)}}
	prev, err := newSnapshot(f1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The update: R001 untouched (its slices shared), R002 changed, R003
	// re-ranked, R004 new.
	f2 := &findings.Findings{Rings: []findings.Ring{f1.Rings[0], ring("R002", 2, 25), f1.Rings[2], ring("R004", 4, 5)}}
	f2.Rings[2].Rank = 3
	f2.Rings[2], f2.Rings[1] = f2.Rings[1], f2.Rings[2]
	f2.Rings[1].Rank, f2.Rings[2].Rank = 2, 3
	cur, err := newSnapshot(f2, prev)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := newSnapshot(f2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cur.order, fresh.order) {
		t.Fatalf("order %v, want %v", cur.order, fresh.order)
	}
	for _, id := range fresh.order {
		if !bytes.Equal(cur.full[id], fresh.full[id]) || !bytes.Equal(cur.summary[id], fresh.summary[id]) || !slices.Equal(cur.members[id], fresh.members[id]) {
			t.Errorf("%s: reused snapshot reads\n%s\nwant\n%s", id, cur.full[id], fresh.full[id])
		}
	}
	if &cur.full["R001"][0] != &prev.full["R001"][0] {
		t.Error("the untouched ring was encoded again")
	}
	for _, id := range []string{"R002", "R003"} {
		if &cur.full[id][0] == &prev.full[id][0] {
			t.Errorf("%s changed but kept its old encoding", id)
		}
	}
}
