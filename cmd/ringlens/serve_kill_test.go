//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveProc is a running `ringlens serve` process.
type serveProc struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT/
	stderr *syncBuffer
}

// startServe runs the binary on the fixture with state directory state and
// waits until it is ready.
func startServe(t *testing.T, state string) *serveProc {
	t.Helper()
	return startServeWith(t, serveFixture, state, "--full-every", "0")
}

// startServeWith is startServe on the city in with more flags.
func startServeWith(t *testing.T, in, state string, flags ...string) *serveProc {
	t.Helper()
	args := append([]string{"serve", "--in", in, "--state", state, "--addr", "127.0.0.1:0",
		"--memory-limit", "0", "--log-format", "json"}, flags...)
	cmd := exec.Command(binary, args...)
	// A process group of its own: kill() ends the supervisor and every
	// serving process it started at once, as a machine's crash would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, stderr: new(syncBuffer)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "serving on "); ok {
			p.url = u
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if p.url == "" {
		t.Fatalf("no URL printed; stderr: %s", p.stderr.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := p.status(); err == nil && st.Ready {
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("not ready; stderr: %s", p.stderr.String())
	return nil
}

// kill sends SIGKILL to the server's process group: the supervisor and
// the serving processes it started (serve --full-run-process).
func (p *serveProc) kill() error { return syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) }

// firstRing returns the id of the server's best ring and, by member kind
// (patient, doctor, clinic...), the id of its first member of that kind.
func (p *serveProc) firstRing(t *testing.T, client *http.Client) (string, map[string]string) {
	t.Helper()
	var doc struct {
		Rings []struct {
			ID      string                      `json:"id"`
			Members []struct{ Kind, ID string } `json:"members"`
		} `json:"rings"`
	}
	res, err := client.Get(p.url + "api/v1/rings")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil || len(doc.Rings) == 0 {
		t.Fatalf("rings: %v", err)
	}
	ids := map[string]string{}
	for _, m := range doc.Rings[0].Members {
		if ids[m.Kind] == "" {
			ids[m.Kind] = m.ID
		}
	}
	return doc.Rings[0].ID, ids
}

// serveStatus is the part of /api/v1/status the test reads.
type serveStatus struct {
	Ready      bool `json:"ready"`
	Accepted   int  `json:"accepted_rows"`
	Replayed   int  `json:"replayed_rows"`
	Generation int  `json:"generation"`
	FullRuns   int  `json:"full_runs"`
}

func (p *serveProc) status() (serveStatus, error) { return p.statusVia(http.DefaultClient) }

// statusVia is status asked through client.
func (p *serveProc) statusVia(client *http.Client) (serveStatus, error) {
	var st serveStatus
	res, err := client.Get(p.url + "api/v1/status")
	if err != nil {
		return st, err
	}
	defer res.Body.Close()
	return st, json.NewDecoder(res.Body).Decode(&st)
}

// post posts body as claims and returns the status code (0 when the
// request failed).
func (p *serveProc) post(body string) (int, string) {
	res, err := http.Post(p.url+"api/v1/claims", "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeKillNineKeepsAcknowledgedClaims posts claims from several
// clients while the server is killed with SIGKILL and restarted, again and
// again; afterwards every acknowledged (202) batch is present exactly once.
func TestServeKillNineKeepsAcknowledgedClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server several times")
	}
	state := t.TempDir()
	p := startServe(t, state)

	// The tester's DNS-rebinding request.
	req, _ := http.NewRequest("GET", p.url+"api/v1/rings", nil)
	req.Host = "attacker.example" + p.url[strings.LastIndex(p.url, ":"):len(p.url)-1]
	req.Header.Set("Origin", "http://"+req.Host)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("request for another host: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	_, ids := p.firstRing(t, http.DefaultClient)
	batch := func(id string) string {
		return fmt.Sprintf(`{"mdtrt_id":%q,"psn_no":%q,"fixmedins_code":%q,"med_type":"11","begntime":"2025-12-30 09:00:00","atddr_no":%q,"medfee_sumamt":"88.00","fund_pay_sumamt":"80.00"}`+"\n"+
			`{"feedetl_sn":"1","mdtrt_id":%q,"med_list_codg":"X1","list_type":201,"cnt":1,"pric":"88","det_item_fee_sumamt":"88.00","fee_ocur_time":"2025-12-30 09:05:00"}`+"\n",
			id, ids["patient"], ids["clinic"], ids["doctor"], id)
	}

	var (
		mu        sync.Mutex
		attempted []string
		acked     = map[string]bool{}
		next      int
	)
	const kills = 4
	for round := range kills + 1 {
		if round > 0 {
			p = startServe(t, state)
		}
		if round == kills {
			break
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					id := fmt.Sprintf("KILL%05d", next)
					next++
					attempted = append(attempted, id)
					mu.Unlock()
					code, body := p.post(batch(id))
					switch code {
					case http.StatusAccepted:
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					case 0: // killed under us
						return
					default:
						t.Errorf("POST %s: %d %s", id, code, body)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(300+200*round) * time.Millisecond)
		if err := p.kill(); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		close(stop)
		wg.Wait()
	}
	if len(acked) == 0 {
		t.Fatal("no batch was acknowledged")
	}

	st, err := p.status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Replayed != st.Accepted {
		t.Errorf("after the last restart: accepted %d, replayed %d", st.Accepted, st.Replayed)
	}
	// Every acknowledged batch is there: posting it again is refused as a
	// duplicate. Of the others (in flight when the process died), some were
	// stored before the kill; posting them again tells which.
	stored := 0
	for _, id := range attempted {
		code, body := p.post(batch(id))
		switch {
		case code == http.StatusBadRequest && strings.Contains(body, "duplicate visit id"):
			stored++
		case acked[id]:
			t.Errorf("acknowledged batch %s lost: posting it again gave %d %s", id, code, body)
		case code != http.StatusAccepted:
			t.Errorf("batch %s: %d %s", id, code, body)
		}
	}
	// No row is there twice: the log holds exactly the stored batches.
	if st.Accepted != 2*stored {
		t.Errorf("accepted_rows %d after restarts, want %d (2 rows × %d stored batches)", st.Accepted, 2*stored, stored)
	}
	t.Logf("%d SIGKILLs: %d batches posted, %d acknowledged, %d stored (the rest were in flight), %d rows replayed",
		kills, len(attempted), len(acked), stored, st.Replayed)
}
