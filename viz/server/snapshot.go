package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/viz/report"
)

// snapshot is one generation of findings, pre-encoded. It is immutable once
// built.
type snapshot struct {
	findings *findings.Findings
	order    []string                   // ring ids, best first
	full     map[string]json.RawMessage // ring id -> the ring as in rings.json
	summary  map[string]json.RawMessage // ring id -> the ring without evidence
	members  map[string][]string        // ring id -> sorted "kind:id" member keys
	ring     map[string]*findings.Ring  // ring id -> ring (normalised)
	// rings places ring members for checks (POST /api/v1/check), which
	// read neither the entity scores (updated in place by incremental
	// scoring) nor member lists.
	rings *check.RingIndex
	// totals are the node totals scored incrementally since the current
	// graph's full run (set by publishLocked; shared by the snapshots of
	// one graph and read under dataMu).
	totals liveTotals
}

// emptySnapshot is the snapshot before the first detection.
func emptySnapshot() *snapshot {
	return &snapshot{findings: &findings.Findings{}, full: map[string]json.RawMessage{}, summary: map[string]json.RawMessage{},
		members: map[string][]string{}, ring: map[string]*findings.Ring{}, rings: check.NewRingIndex(nil)}
}

// entity returns the score of node id, the entity of kind and code:
// Findings.Entities is indexed by node, so no per-snapshot index is built
// (a snapshot is made for every incremental update). Kind and code guard
// against a node of another graph.
func (s *snapshot) entity(id graph.NodeID, kind, code string) (findings.EntityScore, bool) {
	es := s.findings.Entities
	if int(id) >= es.Len() || !es.KeyIs(int(id), kind, code) {
		return findings.EntityScore{}, false
	}
	return es.At(int(id)), true
}

// entityKey keys an entity by its member kind and id.
func entityKey(kind, id string) string { return kind + ":" + id }

// newSnapshot encodes f with report.WriteRingsJSON, so that every ring is
// exactly an entry of rings.json. Rings of prev (the snapshot before, of the
// same tables; nil for none) that f holds unchanged keep prev's encodings:
// the rings an incremental update leaves untouched share their slices with
// the findings before it, which reflect.DeepEqual compares by identity, so
// an update re-encodes only the rings it changed.
func newSnapshot(f *findings.Findings, prev *snapshot) (*snapshot, error) {
	same := make([]bool, len(f.Rings))
	if prev != nil && len(prev.findings.Rings) > 0 {
		before := make(map[string]*findings.Ring, len(prev.findings.Rings))
		for i := range prev.findings.Rings {
			before[prev.findings.Rings[i].ID] = &prev.findings.Rings[i]
		}
		for i := range f.Rings {
			if o := before[f.Rings[i].ID]; o != nil && prev.full[o.ID] != nil && reflect.DeepEqual(*o, f.Rings[i]) {
				same[i] = true
			}
		}
	}
	changed := &findings.Findings{}
	for i := range f.Rings {
		if !same[i] {
			changed.Rings = append(changed.Rings, f.Rings[i])
		}
	}
	var buf bytes.Buffer
	if err := report.WriteRingsJSON(&buf, changed); err != nil {
		return nil, fmt.Errorf("encode rings: %w", err)
	}
	var doc struct {
		Rings []json.RawMessage `json:"rings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("decode rings: %w", err)
	}
	s := emptySnapshot()
	s.findings = f
	next := 0
	for i := range f.Rings {
		if same[i] {
			id := f.Rings[i].ID
			s.order = append(s.order, id)
			s.full[id], s.summary[id], s.members[id], s.ring[id] = prev.full[id], prev.summary[id], prev.members[id], prev.ring[id]
			continue
		}
		raw := doc.Rings[next]
		next++
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return nil, fmt.Errorf("compact ring: %w", err)
		}
		r := new(findings.Ring)
		if err := json.Unmarshal(c.Bytes(), r); err != nil {
			return nil, fmt.Errorf("decode ring: %w", err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(c.Bytes(), &fields); err != nil {
			return nil, fmt.Errorf("decode ring: %w", err)
		}
		fields["evidence_count"] = json.RawMessage(fmt.Sprint(len(r.Evidence)))
		delete(fields, "evidence")
		sum, err := json.Marshal(fields)
		if err != nil {
			return nil, fmt.Errorf("encode ring summary: %w", err)
		}
		r.VisitRows = f.Rings[i].VisitRows // not in rings.json
		keys := memberKeys(r)
		s.order = append(s.order, r.ID)
		s.full[r.ID] = c.Bytes()
		s.summary[r.ID] = sum
		s.members[r.ID] = keys
		s.ring[r.ID] = r
	}
	var prevRings *check.RingIndex
	if prev != nil {
		prevRings = prev.rings
	}
	s.rings = prevRings.Update(f)
	return s, nil
}

// Message payloads.
type (
	progressMsg struct {
		Type  string `json:"type"`
		Stage string `json:"stage"`
		Done  int64  `json:"done"`
		Total int64  `json:"total"`
	}
	ringMsg struct {
		Type string          `json:"type"` // ring or ring_update
		Ring json.RawMessage `json:"ring"`
	}
	removedMsg struct {
		Type string `json:"type"` // ring_removed
		ID   string `json:"id"`
	}
	typeMsg struct {
		Type string `json:"type"`
	}
)

// mustJSON encodes v, which is always one of the server's own message types.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only reachable through a programming error in the message types.
		return []byte(`{"type":"error"}`)
	}
	return b
}

// overlap returns |a ∩ b| / |a ∪ b| of two sorted key lists.
func overlap(a, b []string) float64 {
	i, j, both := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			both++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	union := len(a) + len(b) - both
	if union == 0 {
		return 0
	}
	return float64(both) / float64(union)
}

// sameRing is the member overlap above which a ring of a new run is taken
// to be a ring of the previous run.
const sameRing = 0.5

// memberKeys returns the sorted "kind:id" keys of r's members.
func memberKeys(r *findings.Ring) []string {
	keys := make([]string, len(r.Members))
	for i, m := range r.Members {
		keys[i] = entityKey(m.Kind, m.ID)
	}
	slices.Sort(keys)
	return keys
}

// stableIDs renames the rings of f so that a ring that continues a ring of
// old (member overlap at least sameRing; best new ring matched first) keeps
// its id, and every other ring gets a fresh id "R%03d" numbered from *next,
// never reused. The first run (old empty) keeps the ids of detection.
// Entity ring ids follow.
func stableIDs(old *snapshot, f *findings.Findings, next *int) {
	rename := make(map[string]string, len(f.Rings))
	if len(old.order) == 0 && *next == 0 {
		for _, r := range f.Rings {
			rename[r.ID] = r.ID
		}
		*next = len(f.Rings) + 1
	} else {
		used := make(map[string]bool)
		taken := make(map[string]bool, len(f.Rings))
		for i := range f.Rings {
			keys := memberKeys(&f.Rings[i])
			best, bestOv := "", sameRing
			for _, oid := range old.order {
				if used[oid] {
					continue
				}
				if ov := overlap(keys, old.members[oid]); ov > bestOv || (ov == bestOv && best == "") {
					best, bestOv = oid, ov
				}
			}
			if best != "" {
				used[best] = true
				rename[f.Rings[i].ID] = best
				taken[f.Rings[i].ID] = true
			}
		}
		for i := range f.Rings {
			if !taken[f.Rings[i].ID] {
				rename[f.Rings[i].ID] = fmt.Sprintf("R%03d", *next)
				*next++
			}
		}
	}
	for i := range f.Rings {
		f.Rings[i].ID = rename[f.Rings[i].ID]
	}
	es := f.Entities
	for i := range es.Len() {
		id, ok := rename[es.RingID(i)]
		if !ok || id == es.RingID(i) {
			continue
		}
		// The ring reason names the ring (parameter ring).
		e := es.At(i)
		for j, r := range e.Reasons {
			if ring, _ := r.Params.Get("ring"); r.Code == vocab.ReasonRingMember && ring == e.RingID {
				e.Reasons[j].Params = r.Params.With("ring", id)
			}
		}
		e.RingID = id
		es.Set(i, e)
	}
}

// diff returns the messages that turn the ring set of old into that of cur
// (whose ids were made stable by stableIDs): ring_removed for rings gone,
// then, in the order of cur (best first), ring for new rings and
// ring_update for rings whose content or rank changed.
func diff(old, cur *snapshot) [][]byte {
	var out [][]byte
	for _, oid := range old.order {
		if _, ok := cur.full[oid]; !ok {
			out = append(out, mustJSON(removedMsg{Type: "ring_removed", ID: oid}))
		}
	}
	for _, id := range cur.order {
		prev, ok := old.full[id]
		switch {
		case !ok:
			out = append(out, mustJSON(ringMsg{Type: "ring", Ring: cur.full[id]}))
		case !bytes.Equal(prev, cur.full[id]):
			out = append(out, mustJSON(ringMsg{Type: "ring_update", Ring: cur.full[id]}))
		}
	}
	return out
}
