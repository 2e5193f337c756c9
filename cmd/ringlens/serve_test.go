package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringlens/ringlens/algorithms/check"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/urfave/cli/v2"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveApp is the ringlens app writing to out and errw.
func serveApp(out, errw *syncBuffer) *cli.App {
	app, _ := newApp(out, errw)
	return app
}

const serveFixture = "../../fixtures/testdata/huli-small"

func TestServeUsage(t *testing.T) {
	t.Setenv("RINGLENS_TOKEN", "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no in", []string{"serve"}, "--in is required"},
		{"in not a dir", []string{"serve", "--in", "serve.go"}, "not a directory"},
		{"open address without token", []string{"serve", "--in", serveFixture, "--addr", "0.0.0.0:0"}, "token is required"},
		{"short token", []string{"serve", "--in", serveFixture, "--addr", "0.0.0.0:0", "--token", "a"}, "shorter than 16"},
		{"blank token", []string{"serve", "--in", serveFixture, "--addr", "0.0.0.0:0", "--token", "                  "}, "blank"},
		{"bad allowed host", []string{"serve", "--in", serveFixture, "--allowed-host", "http://x/"}, "allowed host"},
		{"bad allowed origin", []string{"serve", "--in", serveFixture, "--allow-origin", "viz.example"}, "allowed origin"},
		{"bad encoding", []string{"serve", "--in", serveFixture, "--encoding", "latin1"}, "--encoding"},
		{"argument", []string{"serve", "--in", serveFixture, "extra"}, "unexpected argument"},
		{"negative full-every", []string{"serve", "--in", serveFixture, "--addr", "127.0.0.1:0", "--full-every", "-1s"}, "--full-every must not be negative"},
		{"update nice out of range", []string{"serve", "--in", serveFixture, "--addr", "127.0.0.1:0", "--update-nice", "20"}, "--update-nice must be between 0 and 19"},
		{"full run workers out of range", []string{"serve", "--in", serveFixture, "--addr", "127.0.0.1:0", "--full-run-workers", "-2"}, "--full-run-workers must be -1"},
		{"missing check policy", []string{"serve", "--in", serveFixture, "--addr", "127.0.0.1:0", "--check-policy", "no-such-policy.json"}, "no-such-policy.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errw syncBuffer
			err := serveApp(&out, &errw).RunContext(context.Background(), append([]string{"ringlens"}, tc.args...))
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want a usage error with %q", err, tc.want)
			}
		})
	}
}

// TestServeRuns serves the fixture with a check policy that sends
// settled claims to review and lets checks before settlement go as far:
// the page and the status are served, and a check before settlement of a
// settled claim is answered with review (the default policy caps it at
// remind).
func TestServeRuns(t *testing.T) {
	var out, errw syncBuffer
	state := t.TempDir()
	policy := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policy, []byte(`{"CHK-SETTLED": "review", "before-cap": "review"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveApp(&out, &errw).RunContext(ctx, []string{"ringlens", "serve", "--in", serveFixture,
			"--addr", "127.0.0.1:0", "--state", state, "--log-format", "json", "--memory-limit", "0", "--check-policy", policy,
			"--full-run-process=false"}) // in this process: a test binary cannot start serving processes
	}()
	var url string
	deadline := time.Now().Add(10 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if s, ok := strings.CutPrefix(strings.TrimSpace(out.String()), "serving on "); ok {
			url = s
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" {
		cancel()
		t.Fatalf("no URL printed; stderr: %s", errw.String())
	}
	var st struct {
		Ready bool `json:"ready"`
		Rings int  `json:"rings"`
	}
	for !st.Ready && time.Now().Before(deadline.Add(10*time.Second)) {
		res, err := http.Get(url + "api/v1/status")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !st.Ready || st.Rings == 0 {
		t.Errorf("status: ready %v, %d rings", st.Ready, st.Rings)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(string(page), "<html") {
		t.Errorf("GET /: %d %v %.100s", res.StatusCode, err, page)
	}
	// The fixture's first visit, settled: checked before settlement.
	settled := `{"visit":{"mdtrt_id":"20253705565479807769","psn_no":"35028892196450689477","fixmedins_code":"H35020384654",` +
		`"med_type":"11","begntime":"2025-10-15 08:37:10","atddr_no":"D350203296338","dise_codg":"J20.900",` +
		`"medfee_sumamt":"48.30","fund_pay_sumamt":"29.17","mdtrt_cert_type":"01"},"fee_lines":[],"stage":"before"}`
	res, err = http.Post(url+"api/v1/check", "application/json", strings.NewReader(settled))
	if err != nil {
		t.Fatal(err)
	}
	var chk struct {
		Decision       string `json:"decision"`
		AlreadySettled bool   `json:"already_settled"`
	}
	err = json.NewDecoder(res.Body).Decode(&chk)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || !chk.AlreadySettled || chk.Decision != "review" {
		t.Errorf("check of a settled claim under the policy file: %d %v %+v, want review", res.StatusCode, err, chk)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on cancellation")
	}
	if !strings.Contains(errw.String(), `"message":"stopped"`) {
		t.Errorf("no stop logged: %s", errw.String())
	}
	if !strings.Contains(errw.String(), `"message":"check decision policy overridden"`) {
		t.Errorf("no policy override logged: %s", errw.String())
	}
}

// TestServeCheckPolicy refuses policy files with unknown ids, decisions
// that are not decisions, or no JSON object, as usage errors naming the
// file and the entry, before anything is read; a good file overrides the
// defaults, checked against the rule set in force.
func TestServeCheckPolicy(t *testing.T) {
	t.Setenv("RINGLENS_TOKEN", "")
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"unknown rule", `{"R-PRICE-CAP": "review", "R-NO-SUCH-RULE": "reject"}`, []string{`entry "R-NO-SUCH-RULE"`, "unknown key"}},
		{"unknown decision", `{"CHK-STAFF-SUSPENDED": "block"}`, []string{`entry "CHK-STAFF-SUSPENDED"`, `action "block"`}},
		{"not an object", `["R-PRICE-CAP"]`, []string{"not a JSON object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errw syncBuffer
			err := serveApp(&out, &errw).RunContext(context.Background(), []string{"ringlens", "serve", "--in", serveFixture,
				"--addr", "127.0.0.1:0", "--memory-limit", "0", "--check-policy", path})
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err %v, want a usage error", err)
			}
			for _, w := range append(tc.want, "--check-policy", path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if out.String() != "" {
				t.Errorf("served despite the bad policy: %s", out.String())
			}
		})
	}
	set := rules.Defaults()
	path := filepath.Join(dir, "good.json")
	if err := os.WriteFile(path, []byte(`{"R-PRICE-CAP": "review", "CHK-OPEN-CASE": "reject"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := checkPolicy(path, &set)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]check.Decision{}
	for _, r := range p.Rows {
		got[r.Key] = r.Action
	}
	if got["R-PRICE-CAP"] != check.Review || got["CHK-OPEN-CASE"] != check.Reject || got["definite"] != check.Reject {
		t.Errorf("policy rows %v", got)
	}
	if p, err := checkPolicy("", &set); err != nil || len(p.Rows) != len(check.DefaultPolicy().Rows) {
		t.Errorf("no file: %v %v", p, err)
	}
}
