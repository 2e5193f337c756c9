package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// checkBody is a check request of one visit and its fee lines (JSON
// objects as strings), at stage ("" for both).
func checkBody(visit string, stage string, fees ...string) string {
	var b strings.Builder
	b.WriteString(`{"visit":` + visit + `,"fee_lines":[` + strings.Join(fees, ",") + `]`)
	if stage != "" {
		b.WriteString(`,"stage":"` + stage + `"`)
	}
	b.WriteString("}")
	return b.String()
}

// capFee bills a CT scan above its catalogue price cap on visit id.
func capFee(id string) string {
	return `{"feedetl_sn":"0001","mdtrt_id":"` + id + `","med_list_codg":"002103010010000","list_type":201,"cnt":1,` +
		`"pric":"880.00","det_item_fee_sumamt":"880.00","fee_ocur_time":"2025-12-30 09:05:00"}`
}

// checkReplyOf decodes a check reply.
func checkReplyOf(t *testing.T, body []byte) checkReply {
	t.Helper()
	var r checkReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if r.Result == nil {
		t.Fatalf("no result in %s", body)
	}
	return r
}

// hitIDs returns the ids of a reply's hits.
func hitIDs(r checkReply) []string {
	var ids []string
	for _, h := range r.Hits {
		ids = append(ids, h.Rule)
	}
	return ids
}

// TestCheck checks claims of a ring member: a price above the cap is
// rejected with the ring context, a clean claim at the stage before
// settlement only reminds, a settled id is said to be so, and checking
// changes nothing the API shows.
func TestCheck(t *testing.T) {
	s := startReady(t, func(c *Config) { c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	_, _, statusBefore := s.do(t, "GET", "/api/v1/status", "", nil)
	_, _, ringsBefore := s.do(t, "GET", "/api/v1/rings", "", nil)
	_, _, nodeBefore := s.do(t, "GET", "/api/v1/nodes/patient/"+p, "", nil)

	code, _, body := s.do(t, "POST", "/api/v1/check", checkBody(visitRow("CHK1", p, c, d), "", capFee("CHK1")), nil)
	if code != http.StatusOK {
		t.Fatalf("check: %d %s", code, body)
	}
	r := checkReplyOf(t, body)
	if r.Decision != "reject" || r.DecisionEn != "reject" || r.DecisionZh == "" || r.AlreadySettled {
		t.Errorf("decision %s/%s/%s settled %v", r.Decision, r.DecisionZh, r.DecisionEn, r.AlreadySettled)
	}
	for _, id := range []string{rules.IDPriceCap, vocab.CheckRingPerson} {
		if !slices.Contains(hitIDs(r), id) {
			t.Errorf("no %s among %v", id, hitIDs(r))
		}
	}
	if len(r.Rings) == 0 || r.Rings[0].Ring != ring.ID {
		t.Errorf("ring context %+v, want ring %s", r.Rings, ring.ID)
	}
	for _, h := range r.Hits {
		if h.Version == "" || h.Params == nil || h.Zh == "" || h.En == "" || !slices.Contains(h.Visits, "CHK1") {
			t.Errorf("incomplete hit %+v", h)
		}
	}
	if !bytes.Contains(body, []byte(`"rules":["`)) || bytes.Contains(body, []byte("张")) {
		t.Errorf("reply %s", body)
	}

	code, _, body = s.do(t, "POST", "/api/v1/check", checkBody(visitRow("CHK2", p, c, d), "before", capFee("CHK2")), nil)
	if r := checkReplyOf(t, body); code != http.StatusOK || r.Decision != "remind" || !slices.Equal(r.Stages, []rules.Stage{rules.Before}) {
		t.Errorf("before settlement: %d %s", code, body)
	}

	settled := ring.Evidence[0].MdtrtIDs[0]
	code, _, body = s.do(t, "POST", "/api/v1/check", checkBody(visitRow(settled, p, c, d), "during"), nil)
	if r := checkReplyOf(t, body); code != http.StatusOK || !r.AlreadySettled || !slices.Contains(hitIDs(r), vocab.CheckAlreadySettled) {
		t.Errorf("settled id: %d %s", code, body)
	}

	_, _, statusAfter := s.do(t, "GET", "/api/v1/status", "", nil)
	_, _, ringsAfter := s.do(t, "GET", "/api/v1/rings", "", nil)
	_, _, nodeAfter := s.do(t, "GET", "/api/v1/nodes/patient/"+p, "", nil)
	if !bytes.Equal(statusBefore, statusAfter) || !bytes.Equal(ringsBefore, ringsAfter) || !bytes.Equal(nodeBefore, nodeAfter) {
		t.Errorf("checks changed the state:\n%s\n%s", statusBefore, statusAfter)
	}
	// The checked claim ids were not taken: intake accepts them.
	if code, _, body := s.do(t, "POST", "/api/v1/claims", visitRow("CHK1", p, c, d), nil); code != http.StatusAccepted {
		t.Errorf("intake after check: %d %s", code, body)
	}
	// Accepted is settled, applied to the tables yet or not.
	code, _, body = s.do(t, "POST", "/api/v1/check", checkBody(visitRow("CHK1", p, c, d), ""), nil)
	if r := checkReplyOf(t, body); code != http.StatusOK || !r.AlreadySettled {
		t.Errorf("check of an accepted claim: %d %s", code, body)
	}
}

// TestCheckRejected sends bad checks: each is answered 400 naming the
// part of the request, without echoing values.
func TestCheckRejected(t *testing.T) {
	s := startReady(t, func(c *Config) { c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID
	good := visitRow("BAD1", p, c, "")
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", "{", "body"},
		{"no visit", `{"fee_lines":[]}`, "visit: required"},
		{"unknown field", `{"visit":` + good + `,"extra":1}`, "body"},
		{"bad stage", checkBody(good, "after"), "stage"},
		{"unknown person", checkBody(visitRow("BAD1", "NOBODY-4711", c, ""), ""), "visit: field psn_no: unknown person"},
		{"bad time", checkBody(strings.Replace(good, "2025-12-30 09:00:00", "yesterday", 1), ""), "visit: field begntime"},
		{"fee of another visit", checkBody(good, "", capFee("OTHER")), "fee_lines[0]: field mdtrt_id: unknown visit"},
		{"fee as visit", checkBody(capFee("BAD1"), ""), "visit: field cnt: unknown column"},
		{"refund", checkBody(strings.Replace(good, `"mdtrt_cert_type"`, `"refd_setl_flag":"1","mdtrt_cert_type"`, 1), ""), "refd_setl_flag"},
		{"unknown column", checkBody(strings.Replace(good, `"mdtrt_cert_type"`, `"name":"x","mdtrt_cert_type"`, 1), ""), "unknown column"},
		{"two objects", checkBody(good, "") + "{}", "one JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := s.do(t, "POST", "/api/v1/check", tc.body, nil)
			var e apiError
			if code != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tc.want) {
				t.Errorf("%d %s, want 400 with %q", code, body, tc.want)
			}
			if strings.Contains(string(body), "NOBODY-4711") {
				t.Errorf("value echoed: %s", body)
			}
		})
	}
	if code, _, _ := s.do(t, "GET", "/api/v1/check", "", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", code)
	}
}

// TestCheckNotReady answers 503 before the first detection.
func TestCheckNotReady(t *testing.T) {
	s := newTestServer(t, nil)
	code, _, body := s.do(t, "POST", "/api/v1/check", checkBody(visitRow("X", "P", "C", ""), ""), nil)
	if code != http.StatusServiceUnavailable {
		t.Errorf("%d %s", code, body)
	}
}

// TestChecksDuringUpdates checks claims while claims are accepted, scored
// incrementally and full runs swap the graph (run with -race): every check
// answers 200 and none waits for a full run.
func TestChecksDuringUpdates(t *testing.T) {
	s := startReady(t, func(c *Config) { c.Debounce = time.Millisecond; c.FullEvery = 50 * time.Millisecond })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	slowest := time.Duration(0)
	for w := 0; w < 3; w++ {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("RACECHK%d-%d", w, i)
				t0 := time.Now()
				res, err := http.Post(s.ts.URL+"/api/v1/check", "application/json",
					strings.NewReader(checkBody(visitRow(id, p, c, d), "", capFee(id))))
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				mu.Lock()
				slowest = max(slowest, time.Since(t0))
				mu.Unlock()
				if res.StatusCode != http.StatusOK {
					t.Errorf("check: %d %s", res.StatusCode, body)
					return
				}
			}
		})
	}
	for b := 0; b < 5; b++ {
		var rows []string
		for i := 0; i < 20; i++ {
			rows = append(rows, visitRow(fmt.Sprintf("RACE%d-%02d", b, i), p, c, d))
		}
		if code, _, body := s.do(t, "POST", "/api/v1/claims", strings.Join(rows, "\n"), nil); code != http.StatusAccepted {
			t.Fatalf("POST: %d %s", code, body)
		}
		time.Sleep(30 * time.Millisecond)
	}
	waitFor(t, "a full run after the claims", func() bool {
		_, _, st := s.current()
		return st.FullRuns >= 2 && st.Pending == 0
	})
	close(stop)
	wg.Wait()
	t.Logf("slowest check %v", slowest)
}

// TestCheckDoesNotWaitForScoring holds the lock incremental scoring holds
// while it re-scores entities (scoreMu) and checks that a check is answered
// meanwhile, with the ring context of the current snapshot, while a ring
// view, which reads entity scores, waits for the lock.
func TestCheckDoesNotWaitForScoring(t *testing.T) {
	s := startReady(t, nil)
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	s.dataMu.RLock()
	s.scoreMu.Lock()
	viewed := make(chan struct{})
	go func() {
		defer close(viewed)
		s.do(t, "GET", "/api/v1/rings/"+ring.ID+"/subgraph", "", nil)
	}()
	done := make(chan *http.Response, 1)
	go func() {
		res, err := http.Post(s.ts.URL+"/api/v1/check", "application/json",
			strings.NewReader(checkBody(visitRow("NOWAIT1", p, c, d), "", capFee("NOWAIT1"))))
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *http.Response
	select {
	case res = <-done:
	case <-time.After(5 * time.Second):
		s.scoreMu.Unlock()
		s.dataMu.RUnlock()
		t.Fatal("a check waited for incremental scoring")
	}
	select {
	case <-viewed:
		t.Error("a ring view was served while entity scores were being updated")
	default:
	}
	s.scoreMu.Unlock()
	s.dataMu.RUnlock()
	<-viewed
	if res == nil {
		return
	}
	defer res.Body.Close()
	var rep struct {
		Rings []struct {
			Ring string `json:"ring"`
		} `json:"rings"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("check: %d %v", res.StatusCode, err)
	}
	if len(rep.Rings) == 0 || rep.Rings[0].Ring != ring.ID {
		t.Errorf("ring context %+v, want ring %s", rep.Rings, ring.ID)
	}
}

// BenchmarkCheckHandler serves checks of a ring member's claim through
// the handler (no network) on the Huli fixture.
func BenchmarkCheckHandler(b *testing.B) {
	s, err := New(Config{Load: loaderOf(fixtureDir), Detect: rings.Options{Seed: 1}, FullEvery: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for _, _, st := s.current(); !st.Ready; _, _, st = s.current() {
		time.Sleep(10 * time.Millisecond)
	}
	_, snap, _ := s.current()
	var p, c, d string
	for _, m := range snap.findings.Rings[0].Members {
		switch m.Kind {
		case findings.KindPatient:
			p = m.ID
		case findings.KindClinic:
			c = m.ID
		case findings.KindDoctor:
			d = m.ID
		}
	}
	body := []byte(checkBody(visitRow("BENCH1", p, c, d), "", capFee("BENCH1")))
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/v1/check", bytes.NewReader(body))
		req.Host = "localhost"
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// FuzzCheckRequest decodes, validates and checks arbitrary request bodies
// against a one-person city: no input may panic, a valid claim is checked,
// and a refused one is refused with a message.
func FuzzCheckRequest(f *testing.F) {
	t := graph.NewTables(0, 0)
	t.AddPerson(&claims.Person{PsnNo: "P1", Sex: claims.Female, Birth: claims.DateOf(1980, 1, 1), DieDate: claims.NoDate})
	t.AddInstitution(&claims.Institution{Code: "H1", Type: claims.Medical, Beds: -1})
	t.AddCatalogItem(&claims.CatalogItem{Code: "002103010010000", ListType: 201, AgeMin: -1, AgeMax: -1, PriceCap: 100_000_000})
	g, err := graph.Build(context.Background(), t, graph.BuildOptions{})
	if err != nil {
		f.Fatal(err)
	}
	idx := check.NewIndex(g)
	chk, err := check.New(check.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		checkBody(visitRow("V1", "P1", "H1", "D1"), "", capFee("V1")),
		checkBody(visitRow("V1", "P1", "H1", ""), "before"),
		`{"visit":null}`, `{"visit":[1],"fee_lines":[null]}`, `{"visit":{},"fee_lines":[{}]}`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, stages, err := decodeCheck(data)
		if err != nil {
			return
		}
		b, fail := parseClaim(req, g.Tables())
		if fail != nil {
			if fail.Error == "" {
				t.Fatal("refused without a message")
			}
			return
		}
		if len(b.visits) != 1 || len(b.fees) != len(req.FeeLines) {
			t.Fatalf("%d visits and %d fee lines of %d", len(b.visits), len(b.fees), len(req.FeeLines))
		}
		cl := &check.Claim{Visit: b.visits[0], Fees: b.fees, Stages: stages}
		if _, err := chk.Check(context.Background(), check.View{Index: idx}, cl); err != nil {
			t.Fatalf("check of a valid claim: %v", err)
		}
	})
}

// TestCheckSuspendedDoctor checks that a claim billed by a doctor whom the
// workspace's points ledger has terminated sends the claim to review with
// the suspended-staff signal (TestCheck, without a workspace, never has
// it).
func TestCheckSuspendedDoctor(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s := startReady(t, func(c *Config) { c.Workspace = ws; c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	// Twelve points this year: terminated from today.
	today := time.Now().Format("2006-01-02")
	l := workspace.Ledger{Format: workspace.LedgerFormat, Origin: "o1", Entries: []workspace.LedgerEntry{{
		UID: "o1/PT-1", Origin: "o1", Staff: d, Sanction: vocab.SanctionPenalty, Responsibility: vocab.RespMain,
		Kind: vocab.PointsScored, Points: 12, SuspendMonths: 1, EventDate: today, Revision: 1}}}
	if _, err := ws.ImportLedger(ctx, l, "test"); err != nil {
		t.Fatal(err)
	}
	code, _, body := s.do(t, "POST", "/api/v1/check", checkBody(visitRow("SUSP1", p, c, d), "during"), nil)
	if code != http.StatusOK {
		t.Fatalf("check: %d %s", code, body)
	}
	if r := checkReplyOf(t, body); !slices.Contains(hitIDs(r), vocab.CheckStaffSuspended) || r.Decision == "pass" {
		t.Errorf("terminated doctor %s: decision %s, hits %v", d, r.Decision, hitIDs(r))
	}
}

// TestCheckOpenCase checks claims whose person, site or doctor is a
// member of a workspace case: a case still open (new, assigned,
// verifying, confirmed) gives the open-case signal with the case id and
// the member's kind, a closed one (dismissed, penalised, transferred)
// none.
func TestCheckOpenCase(t *testing.T) {
	ctx := context.Background()
	ws := openWorkspace(t)
	s := startReady(t, func(c *Config) { c.Workspace = ws; c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	// One case per member and state, recorded in this order (CL-000001 ...).
	walk := map[string][]string{
		vocab.StateNew:       nil,
		vocab.StateConfirmed: {vocab.StateAssigned, vocab.StateVerifying, vocab.StateConfirmed},
		vocab.StateDismissed: {vocab.StateDismissed},
	}
	tests := []struct {
		name     string
		member   string // kind:id of the case
		state    string
		wantKind string // kind of the open-case hit, "" for none
	}{
		{"person, new case", findings.KindPatient + ":" + p, vocab.StateNew, findings.KindPatient},
		{"site, confirmed case", findings.KindClinic + ":" + c, vocab.StateConfirmed, findings.KindClinic},
		{"doctor, dismissed case", findings.KindDoctor + ":" + d, vocab.StateDismissed, ""},
	}
	var recorded []findings.Ring
	for i, tc := range tests {
		recorded = append(recorded, caseRing(fmt.Sprintf("R%03d", i+1), 100, tc.member))
	}
	if _, err := ws.RecordFindings(ctx, &findings.Findings{Rings: recorded}, workspace.RecordOptions{By: "detect"}); err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		for _, st := range walk[tc.state] {
			if _, err := ws.UpdateCase(ctx, workspace.Update{Case: fmt.Sprintf("CL-%06d", i+1), Status: st, By: "alice"}); err != nil {
				t.Fatalf("case %d to %s: %v", i+1, st, err)
			}
		}
	}
	code, _, body := s.do(t, "POST", "/api/v1/check", checkBody(visitRow("OPEN1", p, c, d), "during"), nil)
	if code != http.StatusOK {
		t.Fatalf("check: %d %s", code, body)
	}
	r := checkReplyOf(t, body)
	open := map[string]check.Hit{}
	for _, h := range r.Hits {
		if h.Rule == vocab.CheckOpenCase {
			open[h.Signal["kind"]] = h
		}
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, _, _ := strings.Cut(tc.member, ":")
			h, ok := open[kind]
			if ok != (tc.wantKind != "") {
				t.Fatalf("open-case hit for %s: %v, want %v (hits %v)", kind, ok, tc.wantKind != "", hitIDs(r))
			}
			if !ok {
				return
			}
			if want := fmt.Sprintf("CL-%06d", i+1); h.Signal["case"] != want || h.Action != check.Review ||
				!strings.Contains(h.Zh, want) || !strings.Contains(h.En, "open case "+want) {
				t.Errorf("hit %+v, want case %s", h, want)
			}
		})
	}
	if len(open) != 2 || r.Decision == check.Pass {
		t.Errorf("%d open-case hits, decision %s", len(open), r.Decision)
	}
}

// TestOpenCasesStates tells open cases from closed ones by state (every
// state of the vocabulary decided), and names the first recorded open
// case of a member named by several.
func TestOpenCasesStates(t *testing.T) {
	open := map[string]bool{
		vocab.StateNew: true, vocab.StateAssigned: true, vocab.StateVerifying: true, vocab.StateConfirmed: true,
		vocab.StateDismissed: false, vocab.StatePenalised: false, vocab.StateTransferred: false,
	}
	for _, g := range vocab.All() {
		if g.Category != vocab.CaseStates {
			continue
		}
		for _, e := range g.Entries {
			if _, ok := open[e.Code]; !ok {
				t.Errorf("case state %s: open or closed? (caseOpen)", e.Code)
			}
		}
	}
	for state, isOpen := range open {
		t.Run(state, func(t *testing.T) {
			if caseOpen(state) != isOpen {
				t.Errorf("caseOpen(%s) = %v", state, !isOpen)
			}
			oc := newOpenCases([]workspace.Clue{
				{ID: "CL-000001", Status: state, Members: []string{"patient:P1", "clinic:H1"}},
				{ID: "CL-000002", Status: vocab.StateNew, Members: []string{"clinic:H1"}},
			})
			if id, ok := oc.OpenCase(vocab.KindPatient, "P1"); ok != isOpen || (ok && id != "CL-000001") {
				t.Errorf("P1: %q %v, want open %v", id, ok, isOpen)
			}
			want := "CL-000002"
			if isOpen {
				want = "CL-000001"
			}
			if id, ok := oc.OpenCase(vocab.KindClinic, "H1"); !ok || id != want {
				t.Errorf("H1: %q %v, want %s", id, ok, want)
			}
			if _, ok := oc.OpenCase(vocab.KindPharmacy, "H1"); ok {
				t.Error("H1 as a pharmacy is named")
			}
		})
	}
}

// TestCheckReusedBuffers serves varied checks, good and bad, small and
// larger than the buffers kept for reuse, from concurrent clients, and
// compares every answer, byte for byte, with that of a new handler, whose
// scratch (buffers, small cities, graphs) is new. Run with -race, it also
// shows that concurrent checks share no scratch.
func TestCheckReusedBuffers(t *testing.T) {
	s := startReady(t, func(c *Config) { c.FullEvery = -1 })
	ring := s.firstRing(t)
	p, c, d := member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
	settled := ring.Evidence[0].MdtrtIDs[0]
	manyFees := func(id string, n int) []string {
		var fees []string
		for i := range n {
			fees = append(fees, feeRow(id, fmt.Sprintf("SN%05d", i)))
		}
		return fees
	}
	bodies := []string{
		checkBody(visitRow("REUSE1", p, c, d), "", capFee("REUSE1")),
		checkBody(visitRow("REUSE2", p, c, d), "before", capFee("REUSE2")),
		checkBody(visitRow("REUSE3", p, c, ""), "during"),
		checkBody(visitRow(settled, p, c, d), ""),
		checkBody(visitRow("REUSE4", p, c, d), "", manyFees("REUSE4", 3)...),
		checkBody(visitRow("REUSE5", p, c, d), "", manyFees("REUSE5", 400)...), // beyond maxPooledBuffer
		checkBody(visitRow("REUSE6", "NOBODY", c, d), ""),
		`{"visit":`,
	}
	if len(bodies[5]) <= maxPooledBuffer {
		t.Fatalf("the large body has %d bytes, not more than %d", len(bodies[5]), maxPooledBuffer)
	}
	want := make([]string, len(bodies))
	for i, body := range bodies {
		w := httptest.NewRecorder()
		newCheckHandler(s.Server).ServeHTTP(w, httptest.NewRequest("POST", "/api/v1/check", strings.NewReader(body)))
		want[i] = fmt.Sprintf("%d %s", w.Code, w.Body)
	}
	if !strings.HasPrefix(want[0], "200 ") || !strings.HasPrefix(want[5], "200 ") || !strings.HasPrefix(want[6], "400 ") {
		t.Fatalf("answers %q, %q, %q", want[0], want[5], want[6])
	}
	tests := []struct {
		name    string
		clients int
		rounds  int
	}{
		{"one client", 1, 2},
		{"four clients", 4, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var wg sync.WaitGroup
			for cl := range tc.clients {
				wg.Go(func() {
					for k := range tc.rounds * len(bodies) {
						i := (3*k + cl) % len(bodies) // every body, each client from its own start
						res, err := http.Post(s.ts.URL+"/api/v1/check", "application/json", strings.NewReader(bodies[i]))
						if err != nil {
							t.Error(err)
							return
						}
						body, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if got := fmt.Sprintf("%d %s", res.StatusCode, body); got != want[i] {
							t.Errorf("client %d, body %d:\n got %.300s\nwant %.300s", cl, i, got, want[i])
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// sameAsDecodeRow fails unless decodeCheckRow answers line as decodeRow
// does: the same record, or the same error (the key named aside when
// several keys are wrong: decodeRow names any one of them).
func sameAsDecodeRow(t *testing.T, line []byte, columns map[string]string) {
	t.Helper()
	want, wantField, wantErr := decodeRow(line)
	rec := &record{keys: []string{"stale"}, vals: []string{"from an earlier row"}}
	gotField, gotErr := decodeCheckRow(line, columns, false, rec)
	got := rec.asMap()
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %v, want %v", line, gotErr, wantErr)
	}
	if wantErr != nil {
		if (gotField == "") != (wantField == "") {
			t.Fatalf("%q: field %q, want %q", line, gotField, wantField)
		}
		if gotField == "" {
			return
		}
		if _, _, err := decodeRow([]byte(`{` + strconvQuote(gotField) + `:` + rawOf(t, line, gotField) + `}`)); err == nil {
			t.Fatalf("%q: field %q is not wrong", line, gotField)
		}
		return
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%q: %v, want %v", line, got, want)
	}
}

// strconvQuote quotes s as a JSON string.
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rawOf returns the JSON of key's value in the object line (the last, as
// in a map).
func rawOf(t *testing.T, line []byte, key string) string {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return string(raw[key])
}

// TestDecodeCheckRow compares decodeCheckRow with decodeRow on rows of
// every shape.
func TestDecodeCheckRow(t *testing.T) {
	tests := []struct{ name, line string }{
		{"visit", visitRow("V1", "P1", "C1", "D1")},
		{"fee line", capFee("V1")},
		{"empty object", `{}`},
		{"null", `null`},
		{"spaces", " { \"a\" : \"x\" ,\n\t\"b\":12 } "},
		{"numbers", `{"a":-1.5e3,"b":0,"c":12.50}`},
		{"null and empty", `{"a":null,"b":""}`},
		{"trimmed strings", `{"a":"  x  ","b":"\t"}`},
		{"escapes", `{"a\u0062":"x\"y\\z\n","c":"\u5f20\ud83d\ude00","d":"\ud800"}`},
		{"escaped key equal to another", `{"ab":"1","a\u0062":"2"}`},
		{"escaped column name", `{"mdtrt_id":"1","mdtrt\u005fid":"2","psn_no":"P"}`},
		{"duplicate keys, last good", `{"a":true,"a":"x"}`},
		{"duplicate keys, last bad", `{"a":"x","a":[1]}`},
		{"boolean", `{"a":"x","b":false}`},
		{"nested object", `{"a":{"b":"}"},"c":"x"}`},
		{"nested array", `{"a":[1,["]"]],"c":"x"}`},
		{"array", `["a"]`},
		{"string", `"a"`},
		{"number", `12`},
		{"broken", `{"a":`},
		{"trailing comma", `{"a":"x",}`},
		{"two objects", `{}{}`},
		{"not UTF-8", "{\"a\":\"\xff\"}"},
		{"control character", "{\"a\":\"x\x01\"}"},
		{"empty", ``},
	}
	columns := newCheckHandler(&Server{}).columns
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sameAsDecodeRow(t, []byte(tc.line), nil)
			sameAsDecodeRow(t, []byte(tc.line), columns)
		})
	}
}

// FuzzDecodeCheckRow compares decodeCheckRow with decodeRow on arbitrary
// input.
func FuzzDecodeCheckRow(f *testing.F) {
	for _, s := range []string{visitRow("V1", "P1", "C1", "D1"), capFee("V1"), `{"a":[1,{"b":"\""}],"c":null}`, `{"a\u0062":"\ud83d"}`, `null`} {
		f.Add([]byte(s))
	}
	columns := newCheckHandler(&Server{}).columns
	f.Fuzz(func(t *testing.T, line []byte) { sameAsDecodeRow(t, line, columns) })
}

// FuzzDecodeCheck compares decodeCheck, which splits a valid body by hand,
// with decodeCheckStd (encoding/json) on arbitrary bodies: the same
// request or the same error.
func FuzzDecodeCheck(f *testing.F) {
	for _, seed := range []string{
		checkBody(visitRow("V1", "P1", "H1", "D1"), "", capFee("V1")),
		checkBody(visitRow("V1", "P1", "H1", ""), "before"),
		`{"visit":null}`, `{"visit":[1],"fee_lines":[null]}`, `{"visit":{},"fee_lines":[{}]}`, `[]`, ``, `null`,
		`{"Visit":{"a":1},"FEE_LINES":[],"stage":null}`, `{"visit":1,"visit":2,"fee_lines":[1,2],"fee_lines":[3]}`,
		`{"vis\u0069t":{},"stage":"during"}`, `{"visit":{},"stage":"before","stage":null}`, `{"visit":{},"extra":1}`,
		`{"visit":{},"fee_lines":{}}`, `{"visit":{},"stage":1}`, `{} {}`, `{"visit":{}} x`, ` {"visit" : { } , "fee_lines" : [ {"a":"]"} , "x" ] } `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gs, gerr := decodeCheck(data)
		want, ws, werr := decodeCheckStd(data)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("%q: error %v, encoding/json %v", data, gerr, werr)
		}
		if gerr != nil {
			return
		}
		if gs != ws || got.Stage != want.Stage || !bytes.Equal(got.Visit, want.Visit) || len(got.FeeLines) != len(want.FeeLines) {
			t.Fatalf("%q: %+v (%v), encoding/json %+v (%v)", data, got, gs, want, ws)
		}
		for i := range got.FeeLines {
			if !bytes.Equal(got.FeeLines[i], want.FeeLines[i]) {
				t.Fatalf("%q: fee line %d %q, encoding/json %q", data, i, got.FeeLines[i], want.FeeLines[i])
			}
		}
	})
}
