package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ringlens/ringlens/graph/vocab"
)

// The mock API serves dist/ and canned JSON shaped like the RingLens server's
// (graph/findings.Ring, graph.Subgraph): ring R001 with 30 members and a
// subgraph of 200 nodes, four more rings streamed over the websocket, and
// RBIG, a ring whose subgraph has 10,000 nodes.

type mockMember struct {
	Kind     string  `json:"kind"`
	ID       string  `json:"id"`
	Role     string  `json:"role"`
	Score    float64 `json:"score"`
	Label    string  `json:"label"`
	Visits   int     `json:"visits,omitempty"`
	Fund     float64 `json:"fund,omitempty"`
	RuleHits int     `json:"rule_hits,omitempty"`
	First    string  `json:"first,omitempty"`
	Last     string  `json:"last,omitempty"`
}

// mockSignal is one sentence of a ring's why (graph/findings.Signal).
type mockSignal struct {
	Code     string            `json:"code"`
	Params   map[string]string `json:"params"`
	Strength float64           `json:"strength"`
	Zh       string            `json:"zh"`
	En       string            `json:"en"`
	Evidence []int             `json:"evidence"`
}

// mockChanged marks a ring that incremental scoring changed.
type mockChanged struct {
	Since  string  `json:"since"`
	Visits int     `json:"visits"`
	Fund   float64 `json:"fund"`
}

type mockFee struct {
	MdtrtID   string `json:"mdtrt_id"`
	FeedetlSn string `json:"feedetl_sn"`
}

type mockEvidence struct {
	Kind      string             `json:"kind"`
	Rule      string             `json:"rule"`
	Version   string             `json:"version"`
	Params    map[string]float64 `json:"params"`
	Result    string             `json:"result"`
	Article   string             `json:"article"`
	ArticleEn string             `json:"article_en"`
	Detail    string             `json:"detail"`
	DetailZh  string             `json:"detail_zh"`
	Amount    float64            `json:"amount"`
	Visits    int                `json:"visits"`
	MdtrtIDs  []string           `json:"mdtrt_ids"`
	Fees      []mockFee          `json:"fees,omitempty"`
	Shown     int                `json:"shown,omitempty"`
	Total     int                `json:"total,omitempty"`
}

type mockPoint struct {
	Day    string  `json:"day"`
	Visits int     `json:"visits"`
	Amount float64 `json:"amount"`
}

type mockRing struct {
	ID           string             `json:"id"`
	Rank         int                `json:"rank"`
	Score        float64            `json:"score"`
	Typology     string             `json:"typology"`
	Members      []mockMember       `json:"members"`
	AmountAtRisk float64            `json:"amount_at_risk"`
	Visits       int                `json:"visits"`
	First        string             `json:"first"`
	Last         string             `json:"last"`
	Article      string             `json:"article"`
	ArticleEn    string             `json:"article_en"`
	Features     map[string]float64 `json:"features"`
	Evidence     []mockEvidence     `json:"evidence"`
	Timeline     []mockPoint        `json:"timeline"`
	Why          []mockSignal       `json:"why,omitempty"`
	EvidenceTot  int                `json:"evidence_total,omitempty"`
	Changed      *mockChanged       `json:"changed,omitempty"`
}

type mockNode struct {
	ID     int     `json:"id"`
	Kind   string  `json:"kind"`
	Class  string  `json:"class,omitempty"`
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Hop    int     `json:"hop"`
	Visits int     `json:"visits"`
	Fund   int64   `json:"fund_fen"`
	Role   string  `json:"role,omitempty"`
	Score  float64 `json:"score,omitempty"`
	Count  int     `json:"count,omitempty"` // group nodes
	Of     *int    `json:"of,omitempty"`
}

// mockReason is a score reason as the server sends it (graph/findings.Reason).
type mockReason struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params"`
}

type mockEdge struct {
	From   int    `json:"from"`
	To     int    `json:"to"`
	Type   string `json:"type"`
	Visits int    `json:"visits"`
	Fund   int64  `json:"fund_fen"`
	First  string `json:"first,omitempty"`
	Last   string `json:"last,omitempty"`
}

type mockSubgraph struct {
	Nodes     []mockNode `json:"nodes"`
	Edges     []mockEdge `json:"edges"`
	Truncated bool       `json:"truncated"`
	Total     int        `json:"total_nodes,omitempty"`
}

// mockRing1 builds R001: one organising clinic, 4 doctors, 25 patients.
func mockRing1() mockRing {
	r := mockRing{ID: "R001", Rank: 1, Score: 0.93, Typology: "fabricated_outpatient",
		AmountAtRisk: 1284530.5, Visits: 1460, First: "2024-03-01 08:02:11", Last: "2024-04-29 11:40:00",
		Article: "《医疗保障基金使用监督管理条例》第四十条", ArticleEn: "Regulation on the Supervision of Medical Security Funds, art. 40",
		Features: map[string]float64{"density": 0.71, "rule_hit_share": 0.64, "peer_distance": 3.2, "lockstep": 0.88}}
	r.Members = append(r.Members, mockMember{Kind: "clinic", ID: "H44010600001", Role: "organising_clinic", Score: 0.97, Label: "广州市某某诊所",
		Visits: 1460, Fund: 1284530.5, RuleHits: 57, First: "2024-03-01 08:02:11", Last: "2024-04-29 11:40:00"})
	for i := 1; i <= 4; i++ {
		r.Members = append(r.Members, mockMember{Kind: "doctor", ID: fmt.Sprintf("D4401%06d", i), Role: "organised_doctor", Score: 0.6 + 0.08*float64(i), Label: fmt.Sprintf("王*%d", i),
			Visits: 400 - 30*i, Fund: 321000 - 1000*float64(i), RuleHits: i, First: ts(i, 8, 0), Last: ts(58, 11, 0)})
	}
	for i := 1; i <= 25; i++ {
		r.Members = append(r.Members, mockMember{Kind: "patient", ID: fmt.Sprintf("P44%010d", i), Role: "recruited_patient", Score: 0.3 + 0.02*float64(i), Label: fmt.Sprintf("李*%02d (4401**********%02d)", i, i),
			Visits: 30 + i, Fund: 20000 + 731.5*float64(i), RuleHits: i % 3, First: ts((i%7)*8, 8, i), Last: ts((i%7)*8+6, 9, i)})
	}
	r.Why = []mockSignal{
		{Code: "shared_patients", Params: map[string]string{"n": "25"}, Strength: 0.9, Zh: "25 名参保人在同一诊所的相同 38 个上午就诊", En: "25 patients visited the same clinic on the same 38 mornings", Evidence: []int{0, 1}},
		{Code: "peer_fund", Params: map[string]string{"z": "7.9"}, Strength: 0.7, Zh: "次均基金支付高于同类机构（z 值 7.9）", En: "fund per visit far above peer clinics (z 7.9)", Evidence: []int{1}},
		{Code: "doctor_overload", Params: map[string]string{}, Strength: 0.4, Zh: "一名医生日均接诊 160 人", En: "one doctor saw 160 patients a day", Evidence: []int{2}},
	}
	r.EvidenceTot = 8398
	r.Changed = &mockChanged{Since: "2024-04-29 10:00:00", Visits: 12, Fund: 10560}
	r.Evidence = []mockEvidence{
		{Kind: "rule", Rule: "R-OP-REPEAT", Version: "1.2", Params: map[string]float64{"min_days": 10}, Result: "definite",
			Article: "第三十八条", ArticleEn: "art. 38", Detail: "25 patients had outpatient visits at H44010600001 on the same 38 mornings", DetailZh: "25名参保人在H44010600001相同的38个上午就诊",
			Amount: 412300, Visits: 950, MdtrtIDs: []string{"M000001", "M000002", "M000003"},
			Fees: []mockFee{{"M000001", "F1"}, {"M000001", "F2"}, {"M000002", "F7"}}, Shown: 3, Total: 950},
		{Kind: "graph", Rule: "G-LOCKSTEP", Result: "suspicious", Detail: "lockstep visits of P440000000001 and 24 others", DetailZh: "P440000000001 等25人同步就诊",
			Amount: 872230.5, Visits: 510, MdtrtIDs: []string{"M000010", "M000011"}},
		{Kind: "rule", Rule: "R-DR-OVERLOAD", Version: "1.0", Result: "suspicious", Detail: "doctor D4401000001 saw 160 patients a day", DetailZh: "医生D4401000001日均接诊160人",
			Amount: 0, Visits: 0, MdtrtIDs: []string{"M000100"}},
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 60; d++ {
		v := 4 + (d*7)%9
		if d%7 == 2 {
			v = 40 // weekly same-morning surge
		}
		r.Timeline = append(r.Timeline, mockPoint{day.AddDate(0, 0, d).Format("2006-01-02"), v, float64(v) * 880})
	}
	return r
}

// mockNodeHits are the organising clinic's rule hits: R001's rule
// evidence, then 30 small fee-line hits (as GET /api/v1/nodes sends them,
// largest amount first).
func mockNodeHits(r mockRing) []mockEvidence {
	var hits []mockEvidence
	for _, ev := range r.Evidence {
		if ev.Kind == "rule" {
			hits = append(hits, ev)
		}
	}
	for i := range 30 {
		hits = append(hits, mockEvidence{Kind: "rule", Rule: "R-PRICE-CAP", Version: "1.0", Result: "definite",
			Detail: fmt.Sprintf("fee line priced above the cap (case %d)", i), DetailZh: fmt.Sprintf("收费超过限价（第%d例）", i),
			Amount: float64(300 - i), Visits: 1, MdtrtIDs: []string{},
			Fees: []mockFee{{fmt.Sprintf("M%06d", 500+i), "F1"}}})
	}
	slices.SortStableFunc(hits, func(a, b mockEvidence) int { return cmp.Compare(b.Amount, a.Amount) })
	return hits
}

// otherRings are streamed over the websocket after connection.
func otherRings() []mockRing {
	typs := []string{"lockstep_swiping", "drug_reselling", "card_collection", "fake_hospitalisation"}
	var out []mockRing
	for i, ty := range typs {
		r := mockRing{ID: fmt.Sprintf("R%03d", i+2), Rank: i + 2, Score: 0.85 - 0.1*float64(i), Typology: ty,
			AmountAtRisk: 300000 / float64(i+1), Visits: 200, First: "2024-02-01 09:00:00", Last: "2024-05-01 10:00:00",
			Features: map[string]float64{"density": 0.4}}
		r.Members = []mockMember{{Kind: "pharmacy", ID: fmt.Sprintf("P4401%04d", i), Role: "reselling_pharmacy", Score: 0.8, Label: "某药房"}, {Kind: "patient", ID: "PX" + fmt.Sprint(i), Role: "customer", Score: 0.5, Label: "赵*"}}
		out = append(out, r)
	}
	return out
}

// bigRing is RBIG, summarised; its subgraph has 10,000 nodes.
func bigRing() mockRing {
	return mockRing{ID: "RBIG", Rank: 9, Score: 0.5, Typology: "card_collection", AmountAtRisk: 9.9e6, Visits: 50000,
		First: "2024-01-01 08:00:00", Last: "2024-06-30 18:00:00",
		Members: []mockMember{{Kind: "clinic", ID: "BIG-C0", Role: "card_holding_station", Score: 0.9, Label: "大型站点"}}}
}

func ts(d, h, m int) string {
	return time.Date(2024, 3, 1, h, m, 0, 0, time.UTC).AddDate(0, 0, d).Format("2006-01-02 15:04:05")
}

// mockSub1 builds the 200-node subgraph of R001 (members first, then context).
func mockSub1(r mockRing) mockSubgraph {
	var s mockSubgraph
	for i, m := range r.Members {
		kind, class := m.Kind, ""
		if kind == "clinic" {
			kind, class = "institution", "clinic"
		}
		s.Nodes = append(s.Nodes, mockNode{ID: 1000 + i, Kind: kind, Class: class, Key: m.ID, Label: m.Label, Visits: m.Visits, Fund: int64(m.Fund * 100), Role: m.Role, Score: m.Score})
	}
	// Members: 0 clinic, 1..4 doctors, 5..29 patients.
	for p := 5; p < 30; p++ {
		d := 1 + p%4
		s.Edges = append(s.Edges,
			mockEdge{p, 0, "patient_institution", 38 + p, int64(3000000 + p*1000), ts(2+7*(p%8), 8, p), ts(58, 9, p)},
			mockEdge{p, d, "patient_doctor", 30 + p, int64(2000000), ts(2+7*(p%8), 8, p+5), ts(57, 8, 30)})
	}
	for d := 1; d <= 4; d++ {
		s.Edges = append(s.Edges, mockEdge{d, 0, "doctor_institution_billed", 400, 90000000, ts(0, 8, 0), ts(59, 11, 0)},
			mockEdge{d, 0, "doctor_institution_registered", 0, 0, "", ""})
	}
	// Context: 150 patients, 10 doctors, 5 clinics, 5 pharmacies.
	for i := 0; len(s.Nodes) < 200; i++ {
		n := mockNode{ID: 5000 + i, Hop: 1, Visits: 3 + i%20, Fund: int64(5000 * (1 + i%30))}
		idx := len(s.Nodes)
		switch {
		case i < 150:
			n.Kind, n.Key, n.Label = "patient", fmt.Sprintf("Q%09d", i), fmt.Sprintf("陈*%d", i)
			s.Edges = append(s.Edges, mockEdge{idx, 5 + i%25, "patient_doctor", 1 + i%3, 10000, ts(i%60, 14, 0), ts(i%60, 14, 0)})
		case i < 160:
			n.Kind, n.Key, n.Label = "doctor", fmt.Sprintf("DX%04d", i), fmt.Sprintf("周*%d", i)
			s.Edges = append(s.Edges, mockEdge{idx, 0, "doctor_institution_billed", 12, 80000, ts(i%60, 10, 0), ts(59, 16, 0)})
		case i < 165:
			n.Kind, n.Class, n.Key, n.Label = "institution", "hospital", fmt.Sprintf("HX%04d", i), fmt.Sprintf("某医院%d", i)
			s.Edges = append(s.Edges, mockEdge{5 + i%25, idx, "patient_institution", 2, 40000, ts(i%60, 15, 0), ts(i%60, 15, 0)})
		default:
			n.Kind, n.Key, n.Label = "pharmacy", fmt.Sprintf("YX%04d", i), fmt.Sprintf("某药店%d", i)
			s.Edges = append(s.Edges, mockEdge{5 + i%25, idx, "patient_pharmacy", 5, 60000, ts(i%60, 17, 0), ts(i%60, 17, 0)})
		}
		s.Nodes = append(s.Nodes, n)
	}
	for i := 5000; i < 5150; i += 3 { // some context patients also visit context hospitals
		s.Edges = append(s.Edges, mockEdge{30 + (i-5000)%150, 190 + i%5, "patient_institution", 1, 1000, ts(3, 16, 0), ts(3, 16, 0)})
	}
	return s
}

// mockRing400 is R400: 3 clinics sharing 17 doctors and 380 patients, with
// its member subgraph (for the first-paint measurement).
func mockRing400() (mockRing, mockSubgraph) {
	r := mockRing{ID: "R400", Rank: 8, Score: 0.55, Typology: "fabricated_outpatient", AmountAtRisk: 2.5e6, Visits: 9000,
		First: "2024-01-02 08:00:00", Last: "2024-06-28 17:00:00", Features: map[string]float64{"patients": 380, "doctors": 17}}
	var s mockSubgraph
	add := func(kind, class, id, role, label string, visits int, fund float64) {
		r.Members = append(r.Members, mockMember{Kind: kind, ID: id, Role: role, Score: 0.4 + float64(len(r.Members)%50)/100, Label: label,
			Visits: visits, Fund: fund, First: "2024-01-02 08:00:00", Last: "2024-06-28 17:00:00"})
		nk := kind
		if kind == "clinic" {
			nk = "institution"
		}
		s.Nodes = append(s.Nodes, mockNode{ID: 7000 + len(s.Nodes), Kind: nk, Class: class, Key: id, Label: label, Visits: visits, Fund: int64(fund * 100), Role: role, Score: 0.5})
	}
	for i := range 3 {
		add("clinic", "clinic", fmt.Sprintf("HC%03d", i), "organising_clinic", fmt.Sprintf("某某社区诊所%d", i+1), 3000, 8e5)
	}
	for i := range 17 {
		add("doctor", "", fmt.Sprintf("DC%03d", i), "organised_doctor", fmt.Sprintf("医生%d", i+1), 500, 1e5+float64(i)*5000)
	}
	for i := range 380 {
		add("patient", "", fmt.Sprintf("PC%05d", i), "recruited_patient", fmt.Sprintf("孙*%d", i), 10+i%30, 2000+float64(i%40)*300)
	}
	for d := 3; d < 20; d++ {
		for c := range 3 {
			s.Edges = append(s.Edges, mockEdge{d, c, "doctor_institution_billed", 100, 1000000, ts(0, 8, 0), ts(50, 17, 0)})
		}
	}
	for p := 20; p < 400; p++ {
		s.Edges = append(s.Edges, mockEdge{p, p % 3, "patient_institution", 10, 100000, ts(p%60, 8, 0), ts(60, 9, 0)},
			mockEdge{p, 3 + p%17, "patient_doctor", 8, 80000, ts(p%60, 8, 5), ts(60, 9, 5)})
	}
	return r, s
}

// mockAggregated is R400's aggregated neighbourhood (subgraph?hops=H&
// aggregate=1): the members, 6 hospitals and 2 pharmacies its patients also
// use (and with hops 2, 12 doctors of those hospitals), and one group node
// per institution, pharmacy or doctor for the 60 other people who use it.
func mockAggregated(members mockSubgraph, hops int) mockSubgraph {
	s := mockSubgraph{Nodes: slices.Clone(members.Nodes), Edges: slices.Clone(members.Edges)}
	for i := range 8 {
		n := mockNode{ID: 9000 + i, Kind: "institution", Class: "hospital", Key: fmt.Sprintf("HH%03d", i), Label: fmt.Sprintf("某医院%d", i+1), Hop: 1, Visits: 5000, Fund: 9e7}
		if i >= 6 {
			n.Kind, n.Class, n.Key, n.Label = "pharmacy", "pharmacy", fmt.Sprintf("YY%03d", i), fmt.Sprintf("某药店%d", i+1)
		}
		s.Nodes = append(s.Nodes, n)
		for p := 20 + i; p < 400; p += 40 {
			s.Edges = append(s.Edges, mockEdge{p, len(s.Nodes) - 1, "patient_institution", 2, 30000, ts(p%60, 14, 0), ts(p%60, 15, 0)})
		}
	}
	if hops >= 2 {
		for i := range 12 {
			s.Nodes = append(s.Nodes, mockNode{ID: 9100 + i, Kind: "doctor", Key: fmt.Sprintf("DH%03d", i), Label: fmt.Sprintf("医生H%d", i+1), Hop: 2, Visits: 800, Fund: 5e6})
			s.Edges = append(s.Edges, mockEdge{len(s.Nodes) - 1, 400 + i%6, "doctor_institution_billed", 800, 5e6, ts(0, 8, 0), ts(59, 17, 0)})
		}
	}
	sites := len(s.Nodes)
	for i := range sites {
		n := s.Nodes[i]
		if n.Kind == "patient" {
			continue
		}
		of := i
		s.Nodes = append(s.Nodes, mockNode{ID: n.ID, Kind: "group", Key: n.Kind + ":" + n.Key, Hop: n.Hop + 1, Visits: 120, Fund: 1800000, Count: 60, Of: &of})
		s.Edges = append(s.Edges, mockEdge{len(s.Nodes) - 1, i, "patient_institution", 120, 1800000, ts(1, 8, 0), ts(59, 17, 0)})
	}
	s.Total = len(s.Nodes)
	return s
}

// mockBigSub is a 10,000-node subgraph: 20 stations with 9,980 patients.
func mockBigSub() mockSubgraph {
	var s mockSubgraph
	for i := 0; i < 20; i++ {
		s.Nodes = append(s.Nodes, mockNode{ID: 100000 + i, Kind: "institution", Class: "station", Key: fmt.Sprintf("BIG-C%d", i), Label: fmt.Sprintf("站点%d", i), Visits: 2000})
	}
	for i := 20; i < 10000; i++ {
		s.Nodes = append(s.Nodes, mockNode{ID: 100000 + i, Kind: "patient", Key: fmt.Sprintf("BP%d", i), Label: fmt.Sprintf("患者%d", i), Hop: 1, Visits: 5})
		s.Edges = append(s.Edges, mockEdge{i, i % 20, "patient_institution", 1 + i%7, int64(1000 * (i % 13)), ts(i%90, 8+i%10, 0), ts(i%90, 9, 0)})
		if i%3 == 0 {
			s.Edges = append(s.Edges, mockEdge{i, (i * 7) % 20, "patient_institution", 1, 500, "", ""})
		}
	}
	return s
}

// newMockServer starts the mock API and page server.
func newMockServer(t testing.TB) *httptest.Server {
	r1 := mockRing1()
	sub1 := mockSub1(r1)
	big := bigRing()
	var bigSub mockSubgraph
	var bigOnce sync.Once
	r400, sub400 := mockRing400()
	rings := map[string]mockRing{r1.ID: r1, big.ID: big, r400.ID: r400}
	for _, r := range otherRings() {
		rings[r.ID] = r
	}
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(v); err != nil {
			t.Errorf("encode: %v", err)
		}
	}
	// The vocabulary is the real one (graph/vocab), as the server sends it.
	mux.HandleFunc("GET /api/v1/vocab", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(vocab.JSON())
	})
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"type": "stats", "ready": false, "stage": "load visits", "rings": 2})
	})
	mux.HandleFunc("GET /api/v1/rings", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"rings": []mockRing{r1, big, r400}})
	})
	mux.HandleFunc("GET /api/v1/rings/{id}", func(w http.ResponseWriter, req *http.Request) {
		r, ok := rings[req.PathValue("id")]
		if !ok {
			http.NotFound(w, req)
			return
		}
		writeJSON(w, r)
	})
	mux.HandleFunc("GET /api/v1/rings/{id}/cypher", func(w http.ResponseWriter, req *http.Request) {
		if _, ok := rings[req.PathValue("id")]; !ok {
			http.NotFound(w, req)
			return
		}
		writeJSON(w, map[string]string{"run": "latest", "cypher": `MATCH (r:Ring {id: "latest/` + req.PathValue("id") + `"}) RETURN r`})
	})
	mux.HandleFunc("GET /api/v1/rings/{id}/visits", func(w http.ResponseWriter, req *http.Request) {
		if _, ok := rings[req.PathValue("id")]; !ok {
			http.NotFound(w, req)
			return
		}
		if req.URL.Query().Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			_, _ = w.Write([]byte("ring_id,mdtrt_id,patient,patient_label,doctor,site,begin,end,fund\r\nR001,M000001,P440000000001,李*01,D4401000001,H44010600001,2024-03-01 08:10:00,,880.00\r\n"))
			return
		}
		// R001's visits: M000001..M000120, two a day from 2024-03-01.
		from, to := req.URL.Query().Get("from"), req.URL.Query().Get("to")
		type visit struct {
			MdtrtID string  `json:"mdtrt_id"`
			Patient string  `json:"patient"`
			Label   string  `json:"patient_label"`
			Doctor  string  `json:"doctor"`
			Site    string  `json:"site"`
			Begin   string  `json:"begin"`
			End     string  `json:"end"`
			Fund    float64 `json:"fund"`
		}
		out := struct {
			RingID string  `json:"ring_id"`
			Total  int     `json:"total"`
			Fund   float64 `json:"fund"`
			Visits []visit `json:"visits"`
		}{RingID: req.PathValue("id"), Visits: []visit{}}
		if req.PathValue("id") == "R001" {
			for k := 1; k <= 120; k++ {
				begin := ts(k/2, 8, k%60)
				if (from != "" && begin[:10] < from) || (to != "" && begin[:10] > to) {
					continue
				}
				p := 1 + (k/5)%25
				v := visit{fmt.Sprintf("M%06d", k), fmt.Sprintf("P44%010d", p), fmt.Sprintf("李*%02d", p), fmt.Sprintf("D4401%06d", 1+k%4), "H44010600001", begin, "", 880}
				out.Visits = append(out.Visits, v)
				out.Total++
				out.Fund += v.Fund
			}
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/v1/rings/{id}/dossier", func(w http.ResponseWriter, req *http.Request) {
		if _, ok := rings[req.PathValue("id")]; !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>" + req.PathValue("id") + "</title><h1>" + req.PathValue("id") + " " + req.URL.Query().Get("lang") + "</h1>"))
	})
	mux.HandleFunc("GET /api/v1/rings/{id}/subgraph", func(w http.ResponseWriter, req *http.Request) {
		switch req.PathValue("id") {
		case "R001":
			writeJSON(w, sub1)
		case "R400":
			if hops := req.URL.Query().Get("hops"); hops != "" && hops != "0" && req.URL.Query().Get("aggregate") == "1" {
				writeJSON(w, mockAggregated(sub400, int(hops[0]-'0')))
				return
			}
			writeJSON(w, sub400)
		case "RBIG":
			bigOnce.Do(func() { bigSub = mockBigSub(); bigSub.Truncated, bigSub.Total = true, 12500 })
			writeJSON(w, bigSub)
		default:
			writeJSON(w, mockSubgraph{Nodes: []mockNode{{ID: 1, Kind: "pharmacy", Key: "X", Label: "某药房"}, {ID: 2, Kind: "patient", Key: "Y", Label: "赵*"}},
				Edges: []mockEdge{{From: 1, To: 0, Type: "patient_pharmacy", Visits: 3}}})
		}
	})
	mux.HandleFunc("GET /api/v1/nodes/{kind}/{id}", func(w http.ResponseWriter, req *http.Request) {
		// The organising clinic has rule hits (the server caps the list and
		// counts them all); other nodes have none.
		hits, total := []mockEvidence{}, 0
		if req.PathValue("id") == "H44010600001" {
			hits, total = mockNodeHits(r1), 57
		}
		writeJSON(w, map[string]any{"kind": req.PathValue("kind"), "key": req.PathValue("id"), "score": 0.91, "ring_id": "R001", "degree": 189,
			"reasons": []mockReason{
				{vocab.ReasonRingMember, map[string]string{"role": vocab.RoleOrganisingClinic, "ring": "R001", "typology": vocab.TypFabricatedOutpatient, "score": "0.93"}},
				{vocab.ReasonPeerFund, map[string]string{"z": "7.9"}},
				{vocab.ReasonRuleHits, map[string]string{"n": "57", "rule": "R-OP-REPEAT"}}},
			"rule_hits": hits, "rule_hits_total": total})
	})
	mux.HandleFunc("GET /api/v1/nodes/{kind}/{id}/neighbors", func(w http.ResponseWriter, req *http.Request) {
		id := req.PathValue("id")
		var s mockSubgraph
		s.Nodes = append(s.Nodes, mockNode{ID: 1000, Kind: "institution", Class: "clinic", Key: id, Label: "seed"})
		for i := 0; i < 20; i++ {
			s.Nodes = append(s.Nodes, mockNode{ID: 90000 + i, Kind: "patient", Key: fmt.Sprintf("N%s-%d", id, i), Label: fmt.Sprintf("新*%d", i), Hop: 1, Visits: 2})
			s.Edges = append(s.Edges, mockEdge{From: i + 1, To: 0, Type: "patient_institution", Visits: 2, Fund: 3000, First: ts(i, 8, 30), Last: ts(i, 8, 30)})
		}
		writeJSON(w, s)
	})
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux.HandleFunc("GET /api/v1/stream", func(w http.ResponseWriter, req *http.Request) {
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer c.Close()
		send := func(v any) bool { return c.WriteJSON(v) == nil }
		stages := []string{"load visits", "build graph", "detect rules", "detect rings"}
		for i, st := range stages {
			if !send(map[string]any{"type": "progress", "stage": st, "done": i + 1, "total": 6}) {
				return
			}
			time.Sleep(60 * time.Millisecond)
		}
		for _, r := range otherRings() {
			if !send(map[string]any{"type": "ring", "ring": r}) {
				return
			}
			time.Sleep(60 * time.Millisecond)
		}
		send(map[string]any{"type": "progress", "stage": "detect rings", "done": 6, "total": 6})
		send(map[string]any{"type": "stats", "ready": true, "stage": "", "rings": 7, "rings_not_reported": 3})
		send(map[string]any{"type": "notice", "code": "full_run_changed", "params": map[string]string{
			"ring": "R001", "visits_before": "798", "fund_before": "137674.03", "visits_after": "790", "fund_after": "136002.11"}})
		// Keep the connection open until the page goes away.
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	mux.Handle("/", http.FileServer(http.FS(FS())))
	return httptest.NewServer(mux)
}

// TestMockServer checks the mock itself serves the page and the ring.
func TestMockServer(t *testing.T) {
	srv := newMockServer(t)
	defer srv.Close()
	for _, p := range []string{"/", "/app.js", "/api/v1/vocab", "/api/v1/rings", "/api/v1/rings/R001/subgraph"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %s", p, res.Status)
		}
	}
	if s := mockSub1(mockRing1()); len(s.Nodes) != 200 {
		t.Fatalf("subgraph has %d nodes", len(s.Nodes))
	}
	if r := mockRing1(); len(r.Members) != 30 || !strings.HasPrefix(r.Members[0].Role, "organising") {
		t.Fatalf("ring has %d members", len(r.Members))
	}
}
