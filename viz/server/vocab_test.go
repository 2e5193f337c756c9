package server

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
)

// TestVocab serves the vocabulary before any data is loaded (the page asks
// for it first): the document of graph/vocab, revalidated by its ETag.
func TestVocab(t *testing.T) {
	s := newTestServer(t, nil) // not running: no data yet
	etag := `"` + vocab.Version() + `"`
	tests := []struct {
		name, method string
		hdr          map[string]string
		code         int
		body         bool // the document is sent
	}{
		{"get", "GET", nil, 200, true},
		{"other version", "GET", map[string]string{"If-None-Match": `"0000000000000000"`}, 200, true},
		{"current version", "GET", map[string]string{"If-None-Match": etag}, 304, false},
		{"weak current version", "GET", map[string]string{"If-None-Match": "W/" + etag}, 304, false},
		{"among others", "GET", map[string]string{"If-None-Match": `"x", ` + etag}, 304, false},
		{"any", "GET", map[string]string{"If-None-Match": "*"}, 304, false},
		{"head", "HEAD", nil, 200, false},
		{"post", "POST", nil, 405, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := s.do(t, tc.method, "/api/v1/vocab", "", tc.hdr)
			if code != tc.code {
				t.Fatalf("%s: %d %.200s", tc.method, code, body)
			}
			if code == http.StatusMethodNotAllowed {
				if h.Get("Allow") != "GET, HEAD" {
					t.Errorf("Allow %q", h.Get("Allow"))
				}
				return
			}
			if h.Get("ETag") != etag || h.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("ETag %q, Cache-Control %q", h.Get("ETag"), h.Get("Cache-Control"))
			}
			if !tc.body {
				if len(body) != 0 {
					t.Errorf("%d bytes of body", len(body))
				}
				return
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !bytes.Equal(bytes.TrimSuffix(body, []byte("\n")), vocab.JSON()) {
				t.Errorf("body is not vocab.JSON(): %.200s", body)
			}
			var doc vocab.Document
			if err := json.Unmarshal(body, &doc); err != nil || doc.Version != vocab.Version() || len(doc.Categories) != len(vocab.All()) {
				t.Errorf("document: %v, version %q, %d categories", err, doc.Version, len(doc.Categories))
			}
		})
	}
}

// vocabRing is what TestVocabCoversOutputs reads of a ring.
type vocabRing struct {
	ID       string `json:"id"`
	Typology string `json:"typology"`
	Members  []struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
		Role string `json:"role"`
	} `json:"members"`
	Evidence []struct {
		Kind   string `json:"kind"`
		Rule   string `json:"rule"`
		Result string `json:"result"`
	} `json:"evidence"`
}

// TestVocabCoversOutputs runs the server on the Huli fixture and checks
// that every code it emits is in the vocabulary: the progress stages of
// loading, building and detection, and of every ring its typology, its
// members' kinds and roles, its evidence kinds, results and graph facts, and
// the score reasons of its members (codes with the parameters their
// templates name).
func TestVocabCoversOutputs(t *testing.T) {
	s := newTestServer(t, nil)
	c, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.run(t)
	stages := map[string]bool{}
	for _, m := range readUntil(t, c, 20*time.Second, func(m message) bool { return m.Type == "ring" }) {
		if m.Type == "progress" {
			stages[m.Stage] = true
		}
	}
	s.waitGeneration(t, 1)
	for st := range stages {
		if !knownStage(st) {
			t.Errorf("progress stage %q is not in the vocabulary", st)
		}
	}
	if len(stages) < 10 {
		t.Errorf("only %d progress stages seen: %v", len(stages), stages)
	}

	code, _, body := s.do(t, "GET", "/api/v1/rings", "", nil)
	var list struct {
		Rings []vocabRing `json:"rings"`
	}
	if err := json.Unmarshal(body, &list); code != http.StatusOK || err != nil || len(list.Rings) == 0 {
		t.Fatalf("GET rings: %d %v %.200s", code, err, body)
	}
	reasons := 0
	for _, r := range list.Rings {
		code, _, body := s.do(t, "GET", "/api/v1/rings/"+r.ID, "", nil)
		if err := json.Unmarshal(body, &r); code != http.StatusOK || err != nil {
			t.Fatalf("GET ring %s: %d %v", r.ID, code, err)
		}
		known := func(c vocab.Category, code string) {
			t.Helper()
			if _, ok := vocab.Lookup(c, code); !ok {
				t.Errorf("ring %s: %s %q is not in the vocabulary", r.ID, c, code)
			}
		}
		known(vocab.Typologies, r.Typology)
		for _, m := range r.Members {
			known(vocab.Kinds, m.Kind)
			known(vocab.Roles, m.Role)
		}
		for _, ev := range r.Evidence {
			known(vocab.EvidenceKinds, ev.Kind)
			if ev.Result != "" {
				known(vocab.Results, ev.Result)
			}
			if ev.Kind == vocab.EvidenceGraph {
				known(vocab.Facts, ev.Rule)
			}
		}
		reasons += memberReasons(t, s, r)
	}
	if reasons == 0 {
		t.Error("no score reasons seen")
	}
}

// memberReasons checks the score reasons of the first members of r (those
// of a ring member start with its ring reason) and returns how many it read.
func memberReasons(t *testing.T, s *testServer, r vocabRing) int {
	t.Helper()
	n := 0
	for i, m := range r.Members {
		if i == 12 {
			break
		}
		code, _, body := s.do(t, "GET", "/api/v1/nodes/"+m.Kind+"/"+url.PathEscape(m.ID), "", nil)
		var node struct {
			Reasons []struct {
				Code   string            `json:"code"`
				Params map[string]string `json:"params"`
			} `json:"reasons"`
		}
		if err := json.Unmarshal(body, &node); code != http.StatusOK || err != nil {
			t.Fatalf("GET node %s/%s: %d %v", m.Kind, m.ID, code, err)
		}
		for j, r := range node.Reasons {
			e, ok := vocab.Lookup(vocab.Reasons, r.Code)
			switch {
			case !ok:
				t.Errorf("%s %s: reason %q is not in the vocabulary", m.Kind, m.ID, r.Code)
			case !slices.Equal(slices.Sorted(maps.Keys(r.Params)), slices.Sorted(slices.Values(e.Params))):
				t.Errorf("%s %s: reason %s has parameters %v, the vocabulary %v", m.Kind, m.ID, r.Code, r.Params, e.Params)
			case j == 0 && r.Code != vocab.ReasonRingMember:
				t.Errorf("%s %s: first reason %q is not its ring's", m.Kind, m.ID, r.Code)
			}
			n++
		}
	}
	return n
}

// knownStage reports whether a progress stage is a code of the vocabulary,
// or the code of a stage with a parameter, a space and the value.
func knownStage(stage string) bool {
	if _, ok := vocab.Lookup(vocab.Progress, stage); ok {
		return true
	}
	for _, g := range vocab.All() {
		if g.Category != vocab.Progress {
			continue
		}
		for _, e := range g.Entries {
			if len(e.Params) == 1 && strings.HasPrefix(stage, e.Code+" ") {
				return true
			}
		}
	}
	return false
}
