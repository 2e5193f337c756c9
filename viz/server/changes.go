package server

import (
	"math"
	"strconv"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// noticeMsg is a notice of the stream: a code of the vocabulary's notices
// (graph/vocab, category notice) with the values of its parameters.
type noticeMsg struct {
	Type   string            `json:"type"` // notice
	Code   string            `json:"code"`
	Params map[string]string `json:"params"`
}

// stampChanges sets when each ring of f that incremental scoring changed
// first changed (Change.Since, RFC 3339): now, unless rings.Live carried
// it over from the ring's earlier version.
func stampChanges(f *findings.Findings, now time.Time) {
	for i := range f.Rings {
		if c := f.Rings[i].Changed; c != nil && c.Since == "" {
			c.Since = now.UTC().Format(time.RFC3339)
		}
	}
}

// fullRunNotices compares the rings of old that incremental scoring had
// changed with the rings of a full run, cur (ids made stable): a ring the
// full run no longer reports gives a full_run_dropped notice, one whose
// visits or amount at risk differ a full_run_changed notice.
func fullRunNotices(old, cur *snapshot) []noticeMsg {
	var out []noticeMsg
	for _, id := range old.order {
		o := old.ring[id]
		if o == nil || o.Changed == nil {
			continue
		}
		params := map[string]string{"ring": id, "visits_before": strconv.Itoa(o.Visits), "fund_before": yuan(o.AmountAtRisk)}
		n := cur.ring[id]
		switch {
		case n == nil:
			out = append(out, noticeMsg{Type: "notice", Code: vocab.NoticeFullRunDropped, Params: params})
		case n.Visits != o.Visits || math.Abs(n.AmountAtRisk-o.AmountAtRisk) >= 0.005:
			params["visits_after"], params["fund_after"] = strconv.Itoa(n.Visits), yuan(n.AmountAtRisk)
			out = append(out, noticeMsg{Type: "notice", Code: vocab.NoticeFullRunChanged, Params: params})
		}
	}
	return out
}

// yuan formats an amount with two decimals.
func yuan(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
