package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckToken(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{"", true},
		{"a", false},
		{"                ", false},
		{"0123456789abcde", false},
		{"0123456789abcdef", true},
		{"令牌令牌令牌令牌令牌令牌令牌令牌", true},
	} {
		if err := CheckToken(tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckToken(%q) = %v", tc.token, err)
		}
	}
	if _, err := New(Config{Load: loaderOf(fixtureDir), Token: "short"}); err == nil {
		t.Error("New accepted a short token")
	}
}

func TestAccessLists(t *testing.T) {
	a, err := newAccess("127.0.0.1:8080", []string{"viz.example", "proxy.example:8443"}, []string{"https://tool.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:8080", true}, {"localhost:8080", true}, {"LOCALHOST:8080", true}, {"[::1]:8080", true},
		{"viz.example", true}, {"viz.example:8080", true}, {"proxy.example:8443", true},
		{"127.0.0.1:8081", false}, {"localhost", false}, {"attacker.example:8080", false}, {"proxy.example", false},
		{"", false}, {"127.0.0.1", false},
	} {
		if got := a.hostOK(tc.host); got != tc.ok {
			t.Errorf("host %q: %v, want %v", tc.host, got, tc.ok)
		}
	}
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true}, {"http://localhost:8080", true}, {"https://tool.example", true},
		{"https://tool.example:443", true}, {"https://viz.example", true}, {"http://viz.example:80", true},
		{"https://proxy.example:8443", true},
		{"https://127.0.0.1:8080", false}, {"http://127.0.0.1:8081", false}, {"http://attacker.example:8080", false},
		{"http://tool.example", false}, {"null", false}, {"file://", false}, {"http://127.0.0.1:8080/x", false},
	} {
		if got := a.originOK(tc.origin, "127.0.0.1:8080"); got != tc.ok {
			t.Errorf("origin %q: %v, want %v", tc.origin, got, tc.ok)
		}
	}
	wild, err := newAccess("0.0.0.0:9000", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !wild.hostOK("127.0.0.1:9000") || !wild.hostOK("localhost:9000") || wild.hostOK("attacker.example:9000") {
		t.Error("unspecified listener: wrong host decisions")
	}
	for _, bad := range []string{"http://viz.example", "viz.example/x", "viz.example:port", ""} {
		if _, err := newAccess("127.0.0.1:1", []string{bad}, nil); err == nil {
			t.Errorf("allowed host %q accepted", bad)
		}
	}
	if err := CheckHosts(nil, []string{"viz.example"}); err == nil {
		t.Error("origin without scheme accepted")
	}
}

// TestDNSRebinding replays the tester's request: another name resolved to
// the loopback address, with its own Origin.
func TestDNSRebinding(t *testing.T) {
	s := startReady(t, nil)
	port := s.ts.URL[strings.LastIndex(s.ts.URL, ":")+1:]
	evil := "attacker.example:" + port
	for _, tc := range []struct {
		method, path string
		hdr          map[string]string
		code         int
	}{
		{"GET", "/api/v1/rings", map[string]string{"Host": evil, "Origin": "http://" + evil}, 421},
		{"GET", "/api/v1/rings", map[string]string{"Host": evil}, 421},
		{"GET", "/", map[string]string{"Host": evil}, 421},
		{"POST", "/api/v1/claims", map[string]string{"Host": evil, "Origin": "http://" + evil}, 421},
		{"GET", "/api/v1/rings", map[string]string{"Host": "localhost:" + port}, 200},
		{"GET", "/api/v1/rings", map[string]string{"Origin": "http://attacker.example"}, 403},
		{"GET", "/api/v1/rings", map[string]string{"Origin": "http://127.0.0.1:1"}, 403},
		{"GET", "/api/v1/rings", map[string]string{"Origin": "https://127.0.0.1:" + port}, 403},
		{"GET", "/api/v1/rings", map[string]string{"Origin": "http://127.0.0.1:" + port}, 200},
		{"GET", "/api/v1/nosuch", nil, 404},
	} {
		code, h, body := s.doHost(t, tc.method, tc.path, tc.hdr)
		if code != tc.code {
			t.Errorf("%s %s %v: %d, want %d: %s", tc.method, tc.path, tc.hdr, code, tc.code, body)
		}
		for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if h.Get(k) == "" {
				t.Errorf("%s %s: no %s", tc.method, tc.path, k)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q", csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers %v", h)
		}
	}
	hdr := http.Header{"Origin": {"http://" + evil}}
	if c, _, err := dial(s, "", hdr); err == nil {
		c.Close()
		t.Error("websocket from another origin accepted")
	}
}

// doHost is do with the Host header taken from hdr.
func (s *testServer) doHost(t *testing.T, method, path string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := s.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = bufio.NewReader(res.Body).WriteTo(b)
	return res.StatusCode, res.Header, b.String()
}

func TestTokenCookie(t *testing.T) {
	s := startReady(t, func(c *Config) { c.Token = testToken })
	code, h, _ := s.doHost(t, "GET", "/?token="+testToken, nil)
	ck := h.Get("Set-Cookie")
	if code != 200 || !strings.Contains(ck, tokenCookie+"="+testToken) || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") {
		t.Errorf("%d, Set-Cookie %q", code, ck)
	}
}

// TestStalledReader: a client that asks for a big reply and never reads it
// delays neither other clients nor intake and incremental scoring.
func TestStalledReader(t *testing.T) {
	s := startReady(t, nil)
	big := strings.Repeat(`"0123456789abcdef",`, 2<<20) // about 38 MB
	s.mux.HandleFunc("GET /api/v1/test-big", func(w http.ResponseWriter, r *http.Request) {
		writeRaw(w, http.StatusOK, []byte("["+big+`""]`))
	})
	p, c, d := ringIDs(t, s)
	host := strings.TrimPrefix(s.ts.URL, "http://")
	var stalled []net.Conn
	for _, path := range []string{"/api/v1/test-big", "/api/v1/rings/R001/subgraph?hops=2", "/api/v1/rings"} {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host)
		stalled = append(stalled, conn)
	}
	defer func() {
		for _, c := range stalled {
			c.Close()
		}
	}()
	time.Sleep(300 * time.Millisecond) // the big reply fills the socket buffers
	var worst time.Duration
	timed := func(method, path, body string, want int) {
		t.Helper()
		start := time.Now()
		code, _, b := s.do(t, method, path, body, nil)
		if el := time.Since(start); el > worst {
			worst = el
		}
		if code != want {
			t.Errorf("%s %s: %d %s", method, path, code, b)
		}
	}
	for i := range 5 {
		timed("POST", "/api/v1/claims", visitRow(fmt.Sprint("STALL", i), p, c, d), 202)
		timed("GET", "/api/v1/status", "", 200)
		timed("GET", "/api/v1/rings", "", 200)
		timed("GET", "/api/v1/rings/R001", "", 200)
		timed("GET", "/api/v1/rings/R001/subgraph", "", 200)
	}
	s.waitGeneration(t, 2) // incremental scoring took the write lock
	timed("GET", "/api/v1/rings/R001", "", 200)
	t.Logf("slowest answer beside a stalled reader: %s", worst)
	if worst > 2*time.Second {
		t.Errorf("an answer took %s beside a stalled reader", worst)
	}
}
