package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/report"
)

// fixtureDir is the committed Huli fixture.
const fixtureDir = "../../fixtures/testdata/huli-small"

// loaderOf returns a Loader reading dir.
func loaderOf(dir string) Loader {
	return func(ctx context.Context, workers int, progress func(string, int64, int64)) (*graph.Tables, error) {
		res, err := ingest.Load(ctx, dir, ingest.Options{Workers: workers, Progress: func(p ingest.Progress) {
			progress("read "+filepath.Base(p.Path), p.Bytes, p.TotalBytes)
		}}, func(ingest.Reject) error { return nil })
		if err != nil {
			return nil, err
		}
		return res.Tables, nil
	}
}

// testServer is a running server behind httptest.
type testServer struct {
	*Server
	ts *httptest.Server
}

// newTestServer builds a server on the fixture; edit adjusts the config.
// Run is not started.
func newTestServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	cfg := Config{Load: loaderOf(fixtureDir), Detect: rings.Options{Seed: 1}, Debounce: 20 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: s, ts: ts}
}

// run starts Run until the test ends.
func (s *testServer) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// startReady starts a server and waits for its first detection.
func startReady(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	s := newTestServer(t, edit)
	s.run(t)
	s.waitGeneration(t, 1)
	return s
}

// waitGeneration waits until detection generation gen has finished.
func (s *testServer) waitGeneration(t *testing.T, gen int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.RLock()
		g := s.status.Generation
		s.mu.RUnlock()
		if g >= gen {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("detection generation %d not reached", gen)
}

// do sends a request and returns the status and body.
func (s *testServer) do(t *testing.T, method, path, body string, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := s.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// firstRing returns the best ring of the current findings.
func (s *testServer) firstRing(t *testing.T) findings.Ring {
	t.Helper()
	code, _, body := s.do(t, "GET", "/api/v1/rings/R001", "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET R001: %d %s", code, body)
	}
	var r findings.Ring
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// member returns the first member of r of kind.
func member(t *testing.T, r findings.Ring, kind string) findings.Member {
	t.Helper()
	for _, m := range r.Members {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("ring %s has no %s", r.ID, kind)
	return findings.Member{}
}

// testGraph decodes a subgraph reply.
type testGraph struct {
	RingID string     `json:"ring_id"`
	Nodes  []viewNode `json:"nodes"`
	Edges  []struct {
		From, To int
		Type     string
		Visits   uint32
	} `json:"edges"`
	Truncated  bool `json:"truncated"`
	TotalNodes int  `json:"total_nodes"`
}

func TestEndpoints(t *testing.T) {
	s := startReady(t, nil)
	ring := s.firstRing(t)
	clinic, patient := member(t, ring, findings.KindClinic), member(t, ring, findings.KindPatient)
	type check func(t *testing.T, body []byte)
	jsonHas := func(keys ...string) check {
		return func(t *testing.T, body []byte) {
			for _, k := range keys {
				if !strings.Contains(string(body), k) {
					t.Errorf("body lacks %s: %.300s", k, body)
				}
			}
		}
	}
	tests := []struct {
		name, method, path string
		code               int
		json               bool
		check              check
	}{
		{"status", "GET", "/api/v1/status", 200, true, jsonHas(`"type":"stats"`, `"ready":true`, `"generation":1`)},
		{"rings", "GET", "/api/v1/rings", 200, true, func(t *testing.T, b []byte) {
			var rep struct {
				Rings []map[string]any `json:"rings"`
			}
			if err := json.Unmarshal(b, &rep); err != nil || len(rep.Rings) == 0 {
				t.Fatalf("rings: %v %.200s", err, b)
			}
			if _, ok := rep.Rings[0]["evidence"]; ok {
				t.Error("ring list carries evidence")
			}
			if rep.Rings[0]["id"] != "R001" || rep.Rings[0]["evidence_count"] == nil {
				t.Errorf("first ring %v", rep.Rings[0]["id"])
			}
			if n, total := rep.Rings[0]["evidence_count"].(float64), rep.Rings[0]["evidence_total"].(float64); total < n || n == 0 {
				t.Errorf("evidence_count %v, evidence_total %v", n, total)
			}
		}},
		{"ring", "GET", "/api/v1/rings/R001", 200, true, jsonHas(`"evidence":[{`, `"members":`, `"amount_at_risk":`)},
		{"ring unknown", "GET", "/api/v1/rings/R999", 404, true, jsonHas(`"error":`)},
		{"subgraph", "GET", "/api/v1/rings/R001/subgraph", 200, true, func(t *testing.T, b []byte) {
			var v testGraph
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if v.RingID != "R001" || v.Edges[0].Type == "" {
				t.Errorf("ring %q, edge type %q", v.RingID, v.Edges[0].Type)
			}
			if len(v.Nodes) != len(ring.Members) || len(v.Edges) == 0 {
				t.Errorf("subgraph has %d nodes (want %d) and %d edges", len(v.Nodes), len(ring.Members), len(v.Edges))
			}
			for _, n := range v.Nodes {
				if n.Role == "" || n.Score <= 0 || n.Visits == 0 {
					t.Errorf("node %s %s: role %q score %v visits %d", n.Kind, n.Key, n.Role, n.Score, n.Visits)
					break
				}
			}
		}},
		{"subgraph hops", "GET", "/api/v1/rings/R001/subgraph?hops=1&limit=80", 200, true, func(t *testing.T, b []byte) {
			var v testGraph
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if !v.Truncated || len(v.Nodes) != 80 || v.TotalNodes <= 80 {
				t.Errorf("truncated %v, %d nodes of %d", v.Truncated, len(v.Nodes), v.TotalNodes)
			}
		}},
		{"subgraph bad hops", "GET", "/api/v1/rings/R001/subgraph?hops=x", 400, true, jsonHas(`hops`)},
		{"subgraph unknown", "GET", "/api/v1/rings/nope/subgraph", 404, true, nil},
		{"cypher", "GET", "/api/v1/rings/R001/cypher", 200, true, jsonHas(`"run":"latest"`, `Ring {id: `, `latest/R001`, `MEMBER_OF`)},
		{"cypher unknown", "GET", "/api/v1/rings/nope/cypher", 404, true, nil},
		{"node clinic", "GET", "/api/v1/nodes/clinic/" + clinic.ID, 200, true,
			jsonHas(`"kind":"institution"`, `"ring_id":"R001"`, `"role":"organising_clinic"`, `"degree":`)},
		{"node institution", "GET", "/api/v1/nodes/institution/" + clinic.ID, 200, true, jsonHas(`"key":"` + clinic.ID + `"`)},
		{"node patient", "GET", "/api/v1/nodes/patient/" + patient.ID, 200, true, jsonHas(`"role":"recruited_patient"`, `"fund_fen":`)},
		{"node unknown", "GET", "/api/v1/nodes/patient/nobody", 404, true, nil},
		{"node bad kind", "GET", "/api/v1/nodes/alien/x", 404, true, jsonHas(`unknown node kind`)},
		{"neighbors", "GET", "/api/v1/nodes/clinic/" + clinic.ID + "/neighbors?limit=5", 200, true, func(t *testing.T, b []byte) {
			var v testGraph
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if len(v.Nodes) != 6 || !v.Truncated || v.Nodes[0].Key != clinic.ID || v.TotalNodes <= 6 {
				t.Errorf("neighbours: %d nodes of %d, truncated %v", len(v.Nodes), v.TotalNodes, v.Truncated)
			}
		}},
		{"neighbors bad limit", "GET", "/api/v1/nodes/clinic/" + clinic.ID + "/neighbors?limit=-1", 400, true, nil},
		{"neighbors unknown", "GET", "/api/v1/nodes/doctor/nobody/neighbors", 404, true, nil},
		{"api unknown", "GET", "/api/v1/nope", 404, true, nil},
		{"claims by GET", "GET", "/api/v1/claims", 405, true, jsonHas(`method not allowed`)},
		{"rings by POST", "POST", "/api/v1/rings", 405, true, nil},
		{"index", "GET", "/", 200, false, jsonHas("<html")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, hdr, body := s.do(t, tc.method, tc.path, "", nil)
			if code != tc.code {
				t.Fatalf("%s %s: %d, want %d: %.300s", tc.method, tc.path, code, tc.code, body)
			}
			if ct := hdr.Get("Content-Type"); tc.json && ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.json && !json.Valid(body) {
				t.Errorf("invalid JSON: %.200s", body)
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
}

// TestRingVisits checks GET /api/v1/rings/{id}/visits: every ring's visits
// add up to its amount at risk to the fen, a date filter keeps the visits
// of its days, CSV comes by format=csv or Accept: text/csv with safe
// cells, and every evidence entry says how many rows it shows of how many.
func TestRingVisits(t *testing.T) {
	s := startReady(t, nil)
	code, _, body := s.do(t, "GET", "/api/v1/rings", "", nil)
	if code != http.StatusOK {
		t.Fatalf("rings: %d", code)
	}
	var list struct {
		Rings []findings.Ring `json:"rings"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Rings) == 0 {
		t.Fatalf("rings: %v", err)
	}
	for _, r := range list.Rings {
		code, _, body := s.do(t, "GET", "/api/v1/rings/"+r.ID+"/visits", "", nil)
		if code != http.StatusOK {
			t.Fatalf("%s visits: %d %.200s", r.ID, code, body)
		}
		var rv report.RingVisits
		if err := json.Unmarshal(body, &rv); err != nil {
			t.Fatal(err)
		}
		var fen int64
		for _, v := range rv.Visits {
			fen += int64(math.Round(v.Fund * 100))
			if v.MdtrtID == "" || v.Patient == "" || v.Site == "" || v.Begin == "" {
				t.Errorf("%s: visit %+v", r.ID, v)
			}
			if v.PatientLabel == "" || (v.PatientLabel != v.Patient && !strings.Contains(v.PatientLabel, "*")) {
				t.Errorf("%s: patient label %q is not masked", r.ID, v.PatientLabel)
			}
		}
		if rv.RingID != r.ID || rv.Total != r.Visits || len(rv.Visits) != r.Visits ||
			fen != int64(math.Round(r.AmountAtRisk*100)) || int64(math.Round(rv.Fund*100)) != fen {
			t.Errorf("%s: %d visits (total %d), %.2f yuan (%d fen); the ring %d visits, %.2f yuan", r.ID, len(rv.Visits), rv.Total, rv.Fund, fen, r.Visits, r.AmountAtRisk)
		}
	}
	ring := s.firstRing(t)
	day := ring.Timeline[len(ring.Timeline)/2]
	code, _, body = s.do(t, "GET", "/api/v1/rings/R001/visits?from="+day.Day+"&to="+day.Day, "", nil)
	var rv report.RingVisits
	if err := json.Unmarshal(body, &rv); code != http.StatusOK || err != nil {
		t.Fatalf("one day: %d %v", code, err)
	}
	if rv.Total != day.Visits || math.Abs(rv.Fund-day.Amount) > 0.005*float64(day.Visits) {
		t.Errorf("day %s: %d visits, %.2f yuan; the timeline %d, %.2f", day.Day, rv.Total, rv.Fund, day.Visits, day.Amount)
	}
	for _, v := range rv.Visits {
		if !strings.HasPrefix(v.Begin, day.Day) {
			t.Errorf("visit of %s on %s", v.Begin, day.Day)
		}
	}
	for _, tc := range []struct {
		name, query string
		hdr         map[string]string
	}{{"format", "?format=csv", nil}, {"accept", "", map[string]string{"Accept": "text/csv"}}} {
		code, hdr, body := s.do(t, "GET", "/api/v1/rings/R001/visits"+tc.query, "", tc.hdr)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %q", tc.name, code, hdr.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(recs) != ring.Visits+1 || strings.Join(recs[0], ",") != "ring_id,mdtrt_id,patient,patient_label,doctor,site,begin,end,fund" {
			t.Fatalf("%s: %d records, %v", tc.name, len(recs), err)
		}
	}
	for _, tc := range []struct {
		path string
		code int
	}{{"/api/v1/rings/R999/visits", 404}, {"/api/v1/rings/R001/visits?from=2025-13-01", 400},
		{"/api/v1/rings/R001/visits?to=yesterday", 400}, {"/api/v1/rings/R001/visits?format=xml", 400},
		{"/api/v1/rings/R001/visits?to=", 400}, {"/api/v1/rings/R001/visits?format=", 400}} {
		if code, _, body := s.do(t, "GET", tc.path, "", nil); code != tc.code {
			t.Errorf("%s: %d, want %d: %.200s", tc.path, code, tc.code, body)
		}
	}
	for _, query := range []string{"", "?lang=zh", "?lang=en"} {
		code, hdr, body := s.do(t, "GET", "/api/v1/rings/R001/dossier"+query, "", nil)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), "R001") || !strings.Contains(string(body), ring.Members[0].ID) {
			t.Errorf("dossier %q: %d %q %.200s", query, code, hdr.Get("Content-Type"), body)
		}
	}
	if code, _, _ := s.do(t, "GET", "/api/v1/rings/R999/dossier", "", nil); code != http.StatusNotFound {
		t.Errorf("dossier of an unknown ring: %d", code)
	}
	for _, query := range []string{"?lang=fr", "?lang="} {
		if code, _, _ := s.do(t, "GET", "/api/v1/rings/R001/dossier"+query, "", nil); code != http.StatusBadRequest {
			t.Errorf("dossier %s: %d", query, code)
		}
	}
	for _, e := range ring.Evidence {
		if e.Shown != len(e.MdtrtIDs) || e.Total < e.Shown || e.Total != e.Visits {
			t.Errorf("evidence %s: shown %d of %d, %d ids, visits %d", e.Rule, e.Shown, e.Total, len(e.MdtrtIDs), e.Visits)
		}
	}
	if ring.EvidenceTotal < len(ring.Evidence) {
		t.Errorf("evidence_total %d below the %d listed", ring.EvidenceTotal, len(ring.Evidence))
	}
}

func TestNotReady(t *testing.T) {
	s := newTestServer(t, nil) // Run not started
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"GET", "/api/v1/rings", "", 200},
		{"GET", "/api/v1/rings/R001", "", 404},
		{"GET", "/api/v1/nodes/patient/x", "", 404},
		{"POST", "/api/v1/claims", `{"feedetl_sn":"1"}`, 503},
	} {
		if code, _, body := s.do(t, tc.method, tc.path, tc.body, nil); code != tc.code {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, code, tc.code, body)
		}
	}
}

// testToken is a token of the required length.
const testToken = "s3cret-s3cret-s3cret"

func TestToken(t *testing.T) {
	s := startReady(t, func(c *Config) { c.Token = testToken })
	tests := []struct {
		name, path string
		hdr        map[string]string
		code       int
	}{
		{"none", "/api/v1/status", nil, 401},
		{"wrong bearer", "/api/v1/status", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"basic", "/api/v1/status", map[string]string{"Authorization": "Basic czNjcmV0"}, 401},
		{"bearer", "/api/v1/status", map[string]string{"Authorization": "Bearer " + testToken}, 200},
		{"query", "/api/v1/rings?token=" + testToken, nil, 200},
		{"wrong query", "/api/v1/rings?token=s3cre-wrong", nil, 401},
		{"cookie", "/api/v1/status", map[string]string{"Cookie": tokenCookie + "=" + testToken}, 200},
		{"static needs it", "/", nil, 401},
		{"static with it", "/?token=" + testToken, nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, body := s.do(t, "GET", tc.path, "", tc.hdr); code != tc.code {
				t.Errorf("%d, want %d: %s", code, tc.code, body)
			}
		})
	}
	if _, _, err := dial(s, "", nil); err == nil {
		t.Error("websocket without token accepted")
	}
	c, _, err := dial(s, "?token="+testToken, nil)
	if err != nil {
		t.Fatalf("websocket with token: %v", err)
	}
	c.Close()
}

func TestOrigin(t *testing.T) {
	s := startReady(t, func(c *Config) { c.AllowOrigins = []string{"https://viz.example:8443"} })
	host := strings.TrimPrefix(s.ts.URL, "http://")
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + host, true},
		{"https://viz.example:8443", true},
		{"http://evil.example", false},
		{"null", false},
	} {
		hdr := http.Header{}
		if tc.origin != "" {
			hdr.Set("Origin", tc.origin)
		}
		c, res, err := dial(s, "", hdr)
		if (err == nil) != tc.ok {
			t.Errorf("websocket origin %q: err %v, want ok %v", tc.origin, err, tc.ok)
		}
		if err != nil && res != nil && res.StatusCode != http.StatusForbidden {
			t.Errorf("websocket origin %q: status %d", tc.origin, res.StatusCode)
		}
		if c != nil {
			c.Close()
		}
		code, _, _ := s.do(t, "POST", "/api/v1/claims", "", map[string]string{"Origin": tc.origin})
		if want := map[bool]int{true: 202, false: 403}[tc.ok]; code != want {
			t.Errorf("POST origin %q: %d, want %d", tc.origin, code, want)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := startReady(t, func(c *Config) { c.MaxBody = 1024 })
	code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Repeat("\n", 2048), nil)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"error"`) {
		t.Errorf("%d %s", code, body)
	}
}

// visitRow is a valid visit of person at inst.
func visitRow(id, person, inst, doctor string) string {
	return fmt.Sprintf(`{"mdtrt_id":%q,"psn_no":%q,"fixmedins_code":%q,"med_type":"11","begntime":"2025-12-30 09:00:00",`+
		`"atddr_no":%q,"dise_codg":"J20.900","medfee_sumamt":"880.00","fund_pay_sumamt":"800.00","mdtrt_cert_type":"02"}`,
		id, person, inst, doctor)
}

// feeRow is a valid fee line of visit id.
func feeRow(id, sn string) string {
	return fmt.Sprintf(`{"feedetl_sn":%q,"mdtrt_id":%q,"med_list_codg":"001101000010000","list_type":201,"cnt":1,`+
		`"pric":"880.00","det_item_fee_sumamt":"880.00","fee_ocur_time":"2025-12-30 09:05:00"}`, sn, id)
}

func TestClaimsRejected(t *testing.T) {
	s := startReady(t, nil)
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	good := visitRow("NEWV1", p, c, d)
	tests := []struct {
		name, body string
		row        int
		field      string
	}{
		{"not json", good + "\n{oops", 2, ""},
		{"array", `[1]`, 1, ""},
		{"nested", `{"mdtrt_id":{"a":1},"psn_no":"x"}`, 1, "mdtrt_id"},
		{"unknown kind", `{"foo":"bar"}`, 1, ""},
		{"unknown column", strings.Replace(good, `"atddr_no"`, `"atddr_nr"`, 1), 1, "atddr_nr"},
		{"unknown person", visitRow("NEWV2", "nobody", c, d), 1, "psn_no"},
		{"unknown institution", visitRow("NEWV2", p, "H000", d), 1, "fixmedins_code"},
		{"missing id", strings.Replace(good, `"mdtrt_id":"NEWV1",`, "", 1), 1, "mdtrt_id"},
		{"bad time", strings.Replace(good, "2025-12-30 09:00:00", "2025-13-30", 1), 1, "begntime"},
		{"bad money", strings.Replace(good, `"880.00"`, `"8,80"`, 1), 1, "medfee_sumamt"},
		{"negative money", strings.Replace(good, `"800.00"`, `"-1"`, 1), 1, "fund_pay_sumamt"},
		{"fund above total", strings.Replace(good, `"800.00"`, `"900.00"`, 1), 1, "fund_pay_sumamt"},
		{"bad med_type", strings.Replace(good, `"med_type":"11"`, `"med_type":"5"`, 1), 1, "med_type"},
		{"inpatient without end", strings.Replace(good, `"med_type":"11"`, `"med_type":"21"`, 1), 1, "endtime"},
		{"refund", strings.Replace(good, `"mdtrt_cert_type"`, `"refd_setl_flag":"1","mdtrt_cert_type"`, 1), 1, "refd_setl_flag"},
		{"duplicate in batch", good + "\n" + good, 2, "mdtrt_id"},
		{"existing visit", visitRow(ring.Evidence[0].MdtrtIDs[0], p, c, d), 1, "mdtrt_id"},
		{"fee of unknown visit", feeRow("NOVISIT", "1"), 1, "mdtrt_id"},
		{"fee bad count", good + "\n\n" + strings.Replace(feeRow("NEWV1", "1"), `"cnt":1`, `"cnt":"x"`, 1), 3, "cnt"},
		{"fee before its visit", feeRow("NEWV1", "1") + "\n" + good, 1, "mdtrt_id"},
		{"fee bad list type", good + "\n" + strings.Replace(feeRow("NEWV1", "1"), `"list_type":201`, `"list_type":"西药"`, 1), 2, "list_type"},
		{"fee bad price", good + "\n" + strings.Replace(feeRow("NEWV1", "1"), `"pric":"880.00"`, `"pric":"1.0000001"`, 1), 2, "pric"},
		{"fee duplicate", good + "\n" + feeRow("NEWV1", "1") + "\n" + feeRow("NEWV1", "1"), 3, "feedetl_sn"},
		{"fee bool", `{"feedetl_sn":"1","mdtrt_id":"NEWV1","cnt":true}`, 1, "cnt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := s.do(t, "POST", "/api/v1/claims", tc.body, nil)
			if code != http.StatusBadRequest {
				t.Fatalf("%d, want 400: %s", code, body)
			}
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Row != tc.row || e.Field != tc.field || e.Error == "" {
				t.Errorf("row %d field %q (%s), want row %d field %q", e.Row, e.Field, e.Error, tc.row, tc.field)
			}
		})
	}
	if _, _, st := s.current(); st.Accepted != 0 {
		t.Errorf("%d rows accepted from rejected batches", st.Accepted)
	}
}

// dial opens the stream of s.
func dial(s *testServer, query string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.ts.URL, "http")+"/api/v1/stream"+query, hdr)
}

// message is a stream message as received.
type message struct {
	Type       string        `json:"type"`
	Stage      string        `json:"stage"`
	Ring       findings.Ring `json:"ring"`
	ID         string        `json:"id"`
	Generation int           `json:"generation"`
	Done       int64         `json:"done"`
}

// readUntil reads messages until want returns true or the deadline passes.
func readUntil(t *testing.T, c *websocket.Conn, d time.Duration, want func(message) bool) []message {
	t.Helper()
	var got []message
	_ = c.SetReadDeadline(time.Now().Add(d))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("reading the stream after %d messages: %v", len(got), err)
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("bad message %.200s: %v", b, err)
		}
		got = append(got, m)
		if want(m) {
			return got
		}
	}
}

// ringAtStartup connects to s before it runs, starts it and reads until
// the first ring; it returns the messages and the time taken.
func ringAtStartup(t *testing.T, s *testServer, timeout time.Duration) ([]message, time.Duration) {
	t.Helper()
	c, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	s.run(t)
	got := readUntil(t, c, timeout, func(m message) bool { return m.Type == "ring" })
	return got, time.Since(start)
}

func TestStreamRingAtStartup(t *testing.T) {
	s := newTestServer(t, nil)
	got, elapsed := ringAtStartup(t, s, 20*time.Second)
	ring := got[len(got)-1].Ring
	if ring.ID != "R001" || len(ring.Members) == 0 || len(ring.Evidence) == 0 {
		t.Errorf("first ring %q with %d members, %d evidence", ring.ID, len(ring.Members), len(ring.Evidence))
	}
	progress := 0
	for _, m := range got {
		if m.Type == "progress" {
			progress++
		}
	}
	if progress == 0 {
		t.Error("no progress before the first ring")
	}
	t.Logf("first ring after %v, %d messages", elapsed, len(got))

	// A client connecting later gets stats and the current rings at once.
	late, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	got = readUntil(t, late, 5*time.Second, func(m message) bool { return m.Type == "ring" })
	if got[0].Type != "stats" {
		t.Errorf("first message %q, want stats", got[0].Type)
	}
}

func TestClaimsUpdateRing(t *testing.T) {
	s := startReady(t, nil)
	ring := s.firstRing(t)
	c, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readUntil(t, c, 5*time.Second, func(m message) bool { return m.Type == "ring" })

	var rows []string
	for i, m := range ring.Members {
		if m.Kind != findings.KindPatient {
			continue
		}
		id := fmt.Sprintf("API%04d", i)
		rows = append(rows, visitRow(id, m.ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID),
			feeRow(id, "0001"))
	}
	code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Join(rows, "\n")+"\n", map[string]string{"Content-Type": "application/x-ndjson"})
	if code != http.StatusAccepted {
		t.Fatalf("POST claims: %d %s", code, body)
	}
	if !strings.Contains(string(body), fmt.Sprintf(`"visits":%d`, len(rows)/2)) {
		t.Errorf("reply %s", body)
	}
	got := readUntil(t, c, 20*time.Second, func(m message) bool { return m.Type == "stats" && m.Generation == 2 })
	var updated *findings.Ring
	for i, m := range got {
		if m.Type == "ring_update" && m.Ring.ID == ring.ID {
			updated = &got[i].Ring
		}
	}
	if updated == nil {
		t.Fatalf("no ring_update for %s in %d messages", ring.ID, len(got))
	}
	if updated.Visits <= ring.Visits || updated.AmountAtRisk <= ring.AmountAtRisk {
		t.Errorf("update: visits %d -> %d, amount %.2f -> %.2f", ring.Visits, updated.Visits, ring.AmountAtRisk, updated.AmountAtRisk)
	}
	if now := s.firstRing(t); now.Visits != updated.Visits {
		t.Errorf("GET after update: %d visits, stream said %d", now.Visits, updated.Visits)
	}
	if _, _, st := s.current(); st.Accepted != len(rows) || st.Pending != 0 || st.Generation != 2 {
		t.Errorf("status %+v", st)
	}
	// The same rows again are duplicates now.
	if code, _, body := s.do(t, "POST", "/api/v1/claims", rows[0], nil); code != 400 || !strings.Contains(string(body), "duplicate") {
		t.Errorf("re-POST: %d %s", code, body)
	}
}

func TestStalledClient(t *testing.T) {
	s := startReady(t, func(c *Config) { c.QueueSize = 8 })
	stalled, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fast, _, err := dial(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	readUntil(t, fast, 5*time.Second, func(m message) bool { return m.Type == "ring" })

	// Publish big messages in lock-step with the fast client: each must
	// reach it promptly although the stalled client never reads.
	pad := strings.Repeat("x", 16<<10)
	const n = 1500
	_ = fast.SetReadDeadline(time.Now().Add(20 * time.Second))
	for i := range n {
		s.publish(mustJSON(map[string]any{"type": "test", "seq": i, "pad": pad}))
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, b, err := fast.ReadMessage()
			if err != nil {
				t.Fatalf("fast client, message %d: %v", i, err)
			}
			var m struct {
				Type string `json:"type"`
				Seq  int    `json:"seq"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type == "resync" {
				t.Fatalf("fast client told to resync at message %d", i)
			}
			if m.Type == "test" && m.Seq == i {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %d did not reach the fast client", i)
			}
		}
	}
	s.mu.RLock()
	resyncs := 0
	for c := range s.clients {
		resyncs += c.resyncs
	}
	s.mu.RUnlock()
	if resyncs == 0 {
		t.Fatal("the stalled client was never told to resync")
	}
	// Once it reads, the stalled client finds the resync message.
	readUntil(t, stalled, 10*time.Second, func(m message) bool { return m.Type == "resync" })
}

func TestFollow(t *testing.T) {
	dir := copyFixture(t)
	s := startReady(t, func(c *Config) {
		c.Load, c.FollowDir, c.Poll = loaderOf(dir), dir, 20*time.Millisecond
	})
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	body := visitRow("FOLLOW1", p, c, d) + "\n" + feeRow("FOLLOW1", "1") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(`{"psn_no":"nobody"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new-claims.jsonl"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitGeneration(t, 2)
	if _, _, st := s.current(); st.Accepted != 2 {
		t.Errorf("accepted %d rows from followed files, want 2", st.Accepted)
	}
}

func TestCheckBind(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"[::1]:8080", "", true},
		{"localhost:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"192.168.1.5:80", "", false},
		{"0.0.0.0:8080", "t", true},
		{"nonsense", "", false},
	} {
		if err := CheckBind(tc.addr, tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckBind(%q, %q) = %v", tc.addr, tc.token, err)
		}
	}
}

func TestEnqueueOverflow(t *testing.T) {
	c := &client{send: make(chan []byte, 3), quit: make(chan struct{})}
	for i := range 9 {
		c.enqueue([]byte(fmt.Sprint(i)))
	}
	var got []string
	for len(c.send) > 0 {
		got = append(got, string(<-c.send))
	}
	// 0 1 2 fill the queue; 3 overflows (dropped for a resync); 4 5
	// follow; 6 overflows again; 7 8 follow.
	want := []string{string(resyncMsg), "7", "8"}
	if strings.Join(got, "|") != strings.Join(want, "|") || c.resyncs != 2 {
		t.Errorf("queue %q (%d resyncs), want %q", got, c.resyncs, want)
	}
}

func TestStableIDsAndDiff(t *testing.T) {
	mk := func(id string, rank int, members ...string) findings.Ring {
		r := findings.Ring{ID: id, Rank: rank, Typology: findings.TypUnclassified}
		for _, m := range members {
			r.Members = append(r.Members, findings.Member{Kind: findings.KindPatient, ID: m})
		}
		return r
	}
	var next int
	f1 := &findings.Findings{Rings: []findings.Ring{mk("R001", 1, "a", "b", "c"), mk("R002", 2, "x", "y")}}
	stableIDs(emptySnapshot(), f1, &next)
	old, err := newSnapshot(f1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The x-y ring grows and ranks first; a-b-c is gone; p-q is new.
	params := vocab.ParamsOf(map[string]string{"role": vocab.RoleRecruitedPatient, "ring": "R001", "typology": vocab.TypUnclassified, "score": "0.50"})
	f2 := &findings.Findings{Rings: []findings.Ring{mk("R001", 1, "x", "y", "z"), mk("R002", 2, "p", "q")},
		Entities: findings.EntitiesOf([]findings.EntityScore{{Kind: findings.KindPatient, ID: "z", RingID: "R001",
			Reasons: []findings.Reason{{Code: vocab.ReasonRingMember, Params: params}}}})}
	stableIDs(old, f2, &next)
	if f2.Rings[0].ID != "R002" || f2.Rings[1].ID != "R003" || f2.Entities.RingID(0) != "R002" {
		t.Fatalf("ids %s %s entity %s", f2.Rings[0].ID, f2.Rings[1].ID, f2.Entities.RingID(0))
	}
	if r := f2.Entities.At(0).Reasons[0].Text(vocab.LangEn); r != "recruited_patient of ring R002 (unclassified, score 0.50)" {
		t.Errorf("reason %q", r)
	}
	if ring, _ := params.Get("ring"); ring != "R001" {
		t.Errorf("renaming changed the parameters it was given (ring %q)", ring)
	}
	cur, err := newSnapshot(f2, nil)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, m := range diff(old, cur) {
		var msg message
		if err := json.Unmarshal(m, &msg); err != nil {
			t.Fatal(err)
		}
		types = append(types, msg.Type+":"+msg.ID+msg.Ring.ID)
	}
	if got, want := strings.Join(types, " "), "ring_removed:R001 ring_update:R002 ring:R003"; got != want {
		t.Errorf("diff %q, want %q", got, want)
	}
}

func TestRunTwice(t *testing.T) {
	s := startReady(t, nil)
	if err := s.Run(context.Background()); err == nil {
		t.Error("second Run accepted")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a loader accepted")
	}
}

func TestLoadFailures(t *testing.T) {
	broken := func(context.Context, int, func(string, int64, int64)) (*graph.Tables, error) {
		return nil, fmt.Errorf("disk on fire")
	}
	s := newTestServer(t, func(c *Config) { c.Load = broken })
	if err := s.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Run with a failing loader: %v", err)
	}

	// A failing full run keeps the findings (updated incrementally in the
	// meantime) and reports the error in the status: one that reloads the
	// dataset, and one on a snapshot of the served tables.
	for _, reload := range []bool{true, false} {
		t.Run(fmt.Sprint("reload=", reload), func(t *testing.T) { testFailingFullRun(t, broken, reload) })
	}
}

// testFailingFullRun is TestLoadFailures' failing background full run,
// reloading the dataset with broken or failing as it starts.
func testFailingFullRun(t *testing.T, broken Loader, reload bool) {
	calls := 0
	good := loaderOf(fixtureDir)
	s := startReady(t, func(c *Config) {
		c.FullEvery = 30 * time.Millisecond
		c.FullRunReload = reload
		c.Load = func(ctx context.Context, workers int, p func(string, int64, int64)) (*graph.Tables, error) {
			if calls++; calls > 1 {
				return broken(ctx, workers, p)
			}
			return good(ctx, workers, p)
		}
		if !reload {
			c.onFullRun = func(int) error { return fmt.Errorf("disk on fire") }
		}
	})
	ring := s.firstRing(t)
	row := visitRow("FAIL1", member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, "")
	if code, _, body := s.do(t, "POST", "/api/v1/claims", row, nil); code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, snap, st := s.current()
		if st.Error != "" {
			if !strings.Contains(st.Error, "disk on fire") || st.Generation != 2 || st.FullRuns != 1 || len(snap.order) == 0 ||
				st.Pending != 0 || st.Incremental != 1 {
				t.Errorf("after a failed full run: %+v", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("failed full run not reported")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIncrementalThenFullRun checks that claims are scored without
// reloading the dataset, and that the periodic full run then catches up
// with them, keeping ring ids.
func TestIncrementalThenFullRun(t *testing.T) {
	for _, reload := range []bool{false, true} {
		t.Run(fmt.Sprint("reload=", reload), func(t *testing.T) { testIncrementalThenFullRun(t, reload) })
	}
}

// testIncrementalThenFullRun is TestIncrementalThenFullRun with background
// full runs on a snapshot of the served tables or, with reload, on the
// dataset loaded again.
func testIncrementalThenFullRun(t *testing.T, reload bool) {
	var loads atomic.Int32
	var workers [2]atomic.Int32 // of the start-up load and the full run's
	good := loaderOf(fixtureDir)
	release := make(chan struct{})
	s := startReady(t, func(c *Config) {
		c.FullEvery = 20 * time.Millisecond
		c.FullRunReload = reload
		c.Load = func(ctx context.Context, w int, p func(string, int64, int64)) (*graph.Tables, error) {
			if n := loads.Add(1); n == 1 {
				workers[0].Store(int32(w))
			}
			return good(ctx, w, p)
		}
		c.onFullRun = func(w int) error {
			workers[1].Store(int32(w))
			<-release // hold the full run until the incremental update is checked
			return nil
		}
	})
	ring := s.firstRing(t)
	var rows []string
	for i, m := range ring.Members {
		if m.Kind == findings.KindPatient && len(rows) < 10 {
			rows = append(rows, visitRow(fmt.Sprintf("INC%03d", i), m.ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID))
		}
	}
	// The node totals of the ring's clinic, doctor and first patient, which
	// the new rows concern (len(rows), 1 and 1 of them, 800 yuan each).
	clinic, doctor := member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	patient := member(t, ring, findings.KindPatient).ID
	nodes := []struct {
		path string
		rows int
	}{{"/api/v1/nodes/clinic/" + clinic, len(rows)}, {"/api/v1/nodes/doctor/" + doctor, len(rows)}, {"/api/v1/nodes/patient/" + patient, 1}}
	type totals struct {
		Visits uint32 `json:"visits"`
		Fund   int64  `json:"fund_fen"`
	}
	nodeTotals := func() []totals {
		out := make([]totals, len(nodes))
		for i, n := range nodes {
			code, _, body := s.do(t, "GET", n.path, "", nil)
			if code != http.StatusOK || json.Unmarshal(body, &out[i]) != nil {
				t.Fatalf("GET %s: %d %s", n.path, code, body)
			}
		}
		return out
	}
	before := nodeTotals()
	if code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Join(rows, "\n"), nil); code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	s.waitGeneration(t, 2)
	live := nodeTotals()
	for i, n := range nodes {
		if live[i].Visits != before[i].Visits+uint32(n.rows) || live[i].Fund != before[i].Fund+int64(n.rows)*80000 {
			t.Errorf("%s before the full run: %+v, was %+v, %d rows of 800 yuan added", n.path, live[i], before[i], n.rows)
		}
	}
	_, _, st := s.current()
	if st.Updates != 1 || st.FullRuns != 1 || st.Incremental != len(rows) || st.Pending != 0 {
		t.Errorf("after the incremental update: %+v", st)
	}
	upd := s.firstRing(t)
	if upd.Visits != ring.Visits+len(rows) {
		t.Errorf("ring %s: %d visits after adding %d to %d", ring.ID, upd.Visits, len(rows), ring.Visits)
	}
	if c := upd.Changed; c == nil || c.Visits != len(rows) || c.Fund <= 0 || c.Since == "" {
		t.Errorf("ring %s changed incrementally: %+v", ring.ID, c)
	} else if _, err := time.Parse(time.RFC3339, c.Since); err != nil {
		t.Errorf("changed since %q: %v", c.Since, err)
	}
	if ring.Changed != nil {
		t.Errorf("ring %s of the full run marked changed: %+v", ring.ID, ring.Changed)
	}
	close(release)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, _, st = s.current(); st.FullRuns == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no full run: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Incremental != 0 || st.Pending != 0 || st.Error != "" {
		t.Errorf("after the full run: %+v", st)
	}
	// The start-up run may use every core; a background full run leaves
	// one to the checks (Config.FullRunWorkers).
	if w0, w1 := workers[0].Load(), workers[1].Load(); w0 != 0 || int(w1) != max(1, runtime.GOMAXPROCS(0)-1) {
		t.Errorf("loads with %d and %d workers, want 0 and %d", w0, w1, max(1, runtime.GOMAXPROCS(0)-1))
	}
	full := s.firstRing(t)
	if full.ID != ring.ID || full.Visits < ring.Visits {
		t.Errorf("after the full run: ring %s with %d visits, was %s with %d", full.ID, full.Visits, ring.ID, ring.Visits)
	}
	if full.Changed != nil {
		t.Errorf("ring %s still marked changed after the full run: %+v", full.ID, full.Changed)
	}
	for i, after := range nodeTotals() {
		if after != live[i] {
			t.Errorf("%s after the full run: %+v, before it %+v", nodes[i].path, after, live[i])
		}
	}
	time.Sleep(100 * time.Millisecond) // more ticks: nothing to catch up
	want := int32(1)                   // start-up; a full run on a snapshot loads nothing
	if reload {
		want = 2
	}
	if n := loads.Load(); n != want {
		t.Errorf("dataset loaded %d times, want %d (reload %v)", n, want, reload)
	}
}

// TestClaimsRuleHit posts a visit billing a CT scan above its catalogue
// price cap: incremental scoring runs the rules on it, and the patient's
// node lists the R-PRICE-CAP hit citing the new visit, without a full run.
func TestClaimsRuleHit(t *testing.T) {
	s := startReady(t, func(c *Config) { c.FullEvery = -1 })
	ring := s.firstRing(t)
	psn, clinic := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID
	rows := visitRow("CAP0001", psn, clinic, "") + "\n" +
		`{"feedetl_sn":"0001","mdtrt_id":"CAP0001","med_list_codg":"002103010010000","list_type":201,"cnt":1,` +
		`"pric":"880.00","det_item_fee_sumamt":"880.00","fee_ocur_time":"2025-12-30 09:05:00"}`
	if code, _, body := s.do(t, "POST", "/api/v1/claims", rows, nil); code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	s.waitGeneration(t, 2)
	code, _, body := s.do(t, "GET", "/api/v1/nodes/patient/"+psn, "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET node: %d %s", code, body)
	}
	var rep nodeReply
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range rep.RuleHits {
		if e.Rule == "R-PRICE-CAP" && slices.Contains(e.MdtrtIDs, "CAP0001") {
			found = true
		}
	}
	if !found {
		t.Errorf("no R-PRICE-CAP hit citing CAP0001 among %d hits of %s", len(rep.RuleHits), psn)
	}
	if _, _, st := s.current(); st.FullRuns != 1 || st.Updates != 1 {
		t.Errorf("status %+v: want one incremental update and no second full run", st)
	}
}

// TestReadsDuringUpdates reads the graph through the API while claims are
// appended and scored (run with -race: table appends and in-place entity
// updates must not race with the API's reads).
func TestReadsDuringUpdates(t *testing.T) {
	s := startReady(t, func(c *Config) { c.Debounce = time.Millisecond; c.FullEvery = -1 })
	ring := s.firstRing(t)
	psn, clinic, doctor := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, path := range []string{"/api/v1/rings/" + ring.ID + "/subgraph?hops=1", "/api/v1/nodes/patient/" + psn,
		"/api/v1/nodes/clinic/" + clinic + "/neighbors?limit=200", "/api/v1/status"} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(s.ts.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %d", path, res.StatusCode)
					return
				}
			}
		})
	}
	for b := 0; b < 5; b++ {
		var rows []string
		for i := 0; i < 20; i++ {
			rows = append(rows, visitRow(fmt.Sprintf("RACE%d-%02d", b, i), psn, clinic, doctor))
		}
		if code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Join(rows, "\n"), nil); code != http.StatusAccepted {
			t.Fatalf("POST: %d %s", code, body)
		}
		s.waitGeneration(t, 2+b)
	}
	close(stop)
	wg.Wait()
	if _, _, st := s.current(); st.Updates != 5 || st.Pending != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestRingsNotReported: when a city holds more rings than max_rings, the
// status and GET /api/v1/rings say how many were left out.
func TestRingsNotReported(t *testing.T) {
	dir := t.TempDir()
	if _, err := fixtures.Generate(context.Background(), fixtures.Config{Preset: fixtures.PresetDefault, Seed: 3, Visits: 20_000, Out: dir}); err != nil {
		t.Fatal(err)
	}
	params := rings.DefaultParams()
	params.MaxRings = 1
	s := startReady(t, func(c *Config) {
		c.Load = loaderOf(dir)
		c.Detect.Params = params
	})
	s.mu.RLock()
	st := s.status
	s.mu.RUnlock()
	if st.Rings != 1 || st.RingsNotReported < 1 {
		t.Fatalf("status: %d rings, %d not reported; want 1 and at least 1", st.Rings, st.RingsNotReported)
	}
	code, _, body := s.do(t, "GET", "/api/v1/rings", "", nil)
	var rep struct {
		Rings       []json.RawMessage `json:"rings"`
		NotReported int               `json:"rings_not_reported"`
	}
	if err := json.Unmarshal(body, &rep); code != 200 || err != nil || len(rep.Rings) != 1 || rep.NotReported != st.RingsNotReported {
		t.Errorf("GET /api/v1/rings: %d %v: %d rings, %d not reported", code, err, len(rep.Rings), rep.NotReported)
	}
}
