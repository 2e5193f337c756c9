//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// killPassword is the password of the kill test's user.
const killPassword = "correct horse battery"

// caseClient is a logged-in HTTP client of a served workspace.
type caseClient struct {
	c    *http.Client
	url  string
	csrf string
}

// loginClient logs name in at the server p.
func loginClient(t *testing.T, p *serveProc, name string) (*caseClient, error) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &caseClient{c: &http.Client{Jar: jar, Timeout: 10 * time.Second}, url: p.url}
	res, err := c.c.Post(p.url+"api/v1/login", "application/json",
		strings.NewReader(`{"name":"`+name+`","password":"`+killPassword+`"}`))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var rep struct {
		CSRF string `json:"csrf"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("login: %s %v", res.Status, err)
	}
	c.csrf = rep.CSRF
	return c, nil
}

// status returns the case's state (an error when the server is gone).
func (c *caseClient) status(id string) (string, error) {
	res, err := c.c.Get(c.url + "api/v1/cases/" + id)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var cs struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&cs); err != nil {
		return "", err
	}
	return cs.Status, nil
}

// update asks for the state change and returns the HTTP status (0 when
// the request failed: the server was killed under it).
func (c *caseClient) update(id, status string) int {
	req, err := http.NewRequest(http.MethodPatch, c.url+"api/v1/cases/"+id, strings.NewReader(`{"status":"`+status+`","note":"kill test"}`))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestServeKillNineKeepsCaseUpdates works four cases through the API (new
// ⇄ assigned, as a logged-in investigator) from four clients while the
// server is killed with SIGKILL and restarted; afterwards every
// acknowledged change is in the case's history, no change is there twice,
// every change has exactly one audit entry and the exported trail verifies.
func TestServeKillNineKeepsCaseUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server several times")
	}
	state := t.TempDir()
	if r := runBinary(t, "detect", "--in", serveFixture, "--out", t.TempDir(), "--state", state, "--clue-min-amount", "100"); r.code != exitOK {
		t.Fatalf("detect: exit %d\n%s", r.code, r.stderr)
	}
	t.Setenv("RINGLENS_PASSWORD", killPassword)
	if r := runBinary(t, "user", "add", "--name", "ivan", "--role", "investigator", "--state", state); r.code != exitOK {
		t.Fatalf("user add: exit %d\n%s", r.code, r.stderr)
	}
	var cases []struct{ ID string }
	r := runBinary(t, "case", "list", "--state", state, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &cases); err != nil || len(cases) < 4 {
		t.Fatalf("case list: %v %d", err, len(cases))
	}
	ids := []string{cases[0].ID, cases[1].ID, cases[2].ID, cases[3].ID}

	var (
		mu        sync.Mutex
		acked     = map[string]int{}
		attempted = map[string]int{}
	)
	const kills = 3
	for round := range kills {
		p := startServe(t, state)
		c, err := loginClient(t, p, "ivan")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				cur, err := c.status(id)
				for err == nil {
					next := "assigned"
					if cur == "assigned" {
						next = "new"
					}
					mu.Lock()
					attempted[id]++
					mu.Unlock()
					switch code := c.update(id, next); code {
					case http.StatusOK:
						mu.Lock()
						acked[id]++
						mu.Unlock()
						cur = next
					case 0:
						return // killed under us
					default:
						t.Errorf("PATCH %s → %s: %d", id, next, code)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(300+200*round) * time.Millisecond)
		if err := p.kill(); err != nil { // SIGKILL, the whole process group
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		wg.Wait()
	}

	total := 0
	for _, id := range ids {
		r := runBinary(t, "case", "show", "--state", state, "--case", id, "--json")
		var cs struct {
			Status string
			Events []struct{ From, To string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil {
			t.Fatalf("case show %s: %v", id, err)
		}
		n := len(cs.Events)
		if n < acked[id] || n > attempted[id] {
			t.Errorf("%s: %d changes recorded, %d acknowledged, %d attempted", id, n, acked[id], attempted[id])
		}
		for i, e := range cs.Events { // no change lost or doubled: each starts where the one before ended
			if want := map[bool]string{true: "new", false: "assigned"}[i%2 == 0]; e.From != want {
				t.Fatalf("%s: change %d from %s, want %s", id, i+1, e.From, want)
			}
		}
		if n > 0 && cs.Status != cs.Events[n-1].To {
			t.Errorf("%s: state %s, last change to %s", id, cs.Status, cs.Events[n-1].To)
		}
		total += n
		t.Logf("%s: %d changes (%d acknowledged, %d attempted)", id, n, acked[id], attempted[id])
	}
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	if r := runBinary(t, "audit", "export", "--state", state, "--out", trail); r.code != exitOK {
		t.Fatalf("audit export: exit %d\n%s", r.code, r.stderr)
	}
	if r := runBinary(t, "audit", "verify", trail); r.code != exitOK {
		t.Fatalf("audit verify after kills: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"action":"update"`); n != total {
		t.Errorf("%d update entries in the trail, %d changes recorded", n, total)
	}
}
