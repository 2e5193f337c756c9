package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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

func TestServeRuns(t *testing.T) {
	var out, errw syncBuffer
	state := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveApp(&out, &errw).RunContext(ctx, []string{"ringlens", "serve", "--in", serveFixture,
			"--addr", "127.0.0.1:0", "--state", state, "--log-format", "json", "--memory-limit", "0"})
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
}
