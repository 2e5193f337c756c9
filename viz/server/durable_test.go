package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
)

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// logRecorder collects log and warning lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logRecorder) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// ringIDs returns a patient, clinic and doctor of the best ring.
func ringIDs(t *testing.T, s *testServer) (p, c, d string) {
	t.Helper()
	ring := s.firstRing(t)
	return member(t, ring, findings.KindPatient).ID, member(t, ring, findings.KindClinic).ID, member(t, ring, findings.KindDoctor).ID
}

func TestClaimsLogReplay(t *testing.T) {
	state := t.TempDir()
	var p, c, d string
	t.Run("first start", func(t *testing.T) {
		s := startReady(t, func(cfg *Config) { cfg.StateDir = state })
		p, c, d = ringIDs(t, s)
		for i := range 3 {
			body := visitRow(fmt.Sprintf("WAL%d", i), p, c, d) + "\n" + feeRow(fmt.Sprintf("WAL%d", i), "1") + "\n"
			if code, _, b := s.do(t, "POST", "/api/v1/claims", body, nil); code != 202 || !strings.Contains(string(b), "stored") {
				t.Fatalf("POST: %d %s", code, b)
			}
		}
		t.Cleanup(func() { s.Close() })
	})
	// A crash in the middle of the next write leaves a torn record.
	wal := filepath.Join(state, walFile)
	f, err := os.OpenFile(wal, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, '{', '"', 'v'}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before, _ := os.Stat(wal)

	var logs logRecorder
	s := newTestServer(t, func(cfg *Config) { cfg.StateDir = state; cfg.Warnf = logs.logf })
	t.Cleanup(func() { s.Close() })
	if _, _, st := s.current(); st.Accepted != 6 || st.Replayed != 6 {
		t.Errorf("before the first run: accepted %d, replayed %d, want 6 and 6", st.Accepted, st.Replayed)
	}
	if !logs.has("torn final record") {
		t.Errorf("no warning of the torn record: %q", logs.lines)
	}
	if after, _ := os.Stat(wal); after.Size() != before.Size()-11 {
		t.Errorf("log %d bytes after the cut, want %d", after.Size(), before.Size()-11)
	}
	s.run(t)
	s.waitGeneration(t, 1)
	if _, _, st := s.current(); st.Accepted != 6 || st.Replayed != 6 || st.Pending != 0 {
		t.Errorf("after the first run: %+v", st)
	}
	// Replayed ids are duplicates; a new one is accepted and logged.
	code, _, b := s.do(t, "POST", "/api/v1/claims", visitRow("WAL1", p, c, d), nil)
	if code != 400 || !strings.Contains(string(b), "duplicate visit id") {
		t.Errorf("replayed id posted again: %d %s", code, b)
	}
	code, _, b = s.do(t, "POST", "/api/v1/claims", feeRow("WAL2", "1"), nil)
	if code != 400 || !strings.Contains(string(b), "duplicate fee line") {
		t.Errorf("replayed fee line posted again: %d %s", code, b)
	}
	if code, _, b := s.do(t, "POST", "/api/v1/claims", visitRow("WAL9", p, c, d), nil); code != 202 {
		t.Errorf("new id: %d %s", code, b)
	}
	recs, _, err := readWAL(state) // the server holds the log open
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[3].Visits[0].MdtrtID != "WAL9" {
		t.Errorf("%d records after the cut and one more batch, want 4", len(recs))
	}
}

func TestClaimsLogDamage(t *testing.T) {
	dir := t.TempDir()
	w, _, err := openWAL(dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.append(&walRecord{Visits: []walVisit{{MdtrtID: fmt.Sprint("V", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	w.close()
	path := filepath.Join(dir, walFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		records int
		err     string
	}{
		{"intact", good, 3, ""},
		{"half a header", append(append([]byte{}, good...), 9, 0), 3, ""},
		{"zero-filled tail", append(append([]byte{}, good...), make([]byte, 100)...), 3, ""},
		{"last payload flipped", flip(good, len(good)-2), 2, ""},
		{"middle payload flipped", flip(good, len(walMagic)+walHeader+3), 0, "checksum mismatch"},
		{"bad header", []byte("NOTALOG!"), 0, "bad header"},
		{"half a magic", []byte(walMagic[:3]), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			w, recs, err := openWAL(dir, t.Logf)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer w.close()
			if len(recs) != tc.records {
				t.Errorf("%d records, want %d", len(recs), tc.records)
			}
			// The log takes appends after the cut, and they read back.
			if err := w.append(&walRecord{Visits: []walVisit{{MdtrtID: "NEXT"}}}); err != nil {
				t.Fatal(err)
			}
			recs2, _, err := readWAL(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs2) != tc.records+1 || recs2[len(recs2)-1].Visits[0].MdtrtID != "NEXT" {
				t.Errorf("%d records after an append, want %d", len(recs2), tc.records+1)
			}
		})
	}
}

// flip returns a copy of b with byte i inverted.
func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0xff
	return c
}

// followProblem returns the follow problem of file, if any.
func (s *testServer) followProblem(file string) (FollowProblem, bool) {
	_, _, st := s.current()
	for _, p := range st.FollowProblems {
		if p.File == file {
			return p, true
		}
	}
	return FollowProblem{}, false
}

func TestFollowLines(t *testing.T) {
	dir := copyFixture(t)
	state := t.TempDir()
	var logs logRecorder
	start := func(t *testing.T) *testServer {
		s := startReady(t, func(c *Config) {
			c.Load, c.FollowDir, c.Poll, c.StateDir, c.Warnf = loaderOf(dir), dir, 20*time.Millisecond, state, logs.logf
		})
		t.Cleanup(func() { s.Close() })
		return s
	}
	accepted := func(s *testServer) int { _, _, st := s.current(); return st.Accepted }
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	appendTo := func(name, data string) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(data); err != nil {
			t.Fatal(err)
		}
	}
	var p, c, d string
	t.Run("first start", func(t *testing.T) {
		s := start(t)
		p, c, d = ringIDs(t, s)
		v1, v2 := visitRow("F1", p, c, d), visitRow("F2", p, c, d)

		// Half a line, a pause, then the rest: the complete line is read,
		// the partial one waits.
		write("a.jsonl", v1+"\n"+v2[:40])
		waitFor(t, "the first line", func() bool { return accepted(s) == 1 })
		waitFor(t, "the partial line reported", func() bool {
			pr, ok := s.followProblem("a.jsonl")
			return ok && pr.State == "partial_line" && pr.Line == 1
		})
		time.Sleep(100 * time.Millisecond)
		appendTo("a.jsonl", v2[40:]+"\n")
		waitFor(t, "the finished line", func() bool { return accepted(s) == 2 })
		// Rows appended later are read too.
		appendTo("a.jsonl", feeRow("F2", "1")+"\n")
		waitFor(t, "the appended row", func() bool { return accepted(s) == 3 })
		waitFor(t, "the problem cleared", func() bool { _, ok := s.followProblem("a.jsonl"); return !ok })

		// A rejected row is retried once the file is fixed.
		bad := visitRow("F3", p, c, d) + "\n" + strings.Replace(visitRow("F4", p, c, d), p, "nobody", 1) + "\n"
		write("b.jsonl", bad)
		waitFor(t, "the rejection", func() bool { pr, ok := s.followProblem("b.jsonl"); return ok && pr.State == "rejected" })
		if pr, _ := s.followProblem("b.jsonl"); !strings.Contains(pr.Error, "row 2: field psn_no") || strings.Contains(pr.Error, "nobody") {
			t.Errorf("rejection: %q", pr.Error)
		}
		write("b.jsonl", visitRow("F3", p, c, d)+"\n"+visitRow("F4", p, c, d)+"\n")
		waitFor(t, "the fixed file", func() bool { return accepted(s) == 5 })

		// A rewritten file is reported, not read again.
		write("a.jsonl", visitRow("F5", p, c, d)+"\n"+strings.Repeat(" ", 2000)+"\n")
		waitFor(t, "the rewrite", func() bool { pr, ok := s.followProblem("a.jsonl"); return ok && pr.State == "rewritten" })
		// A truncated one too.
		write("b.jsonl", "\n")
		waitFor(t, "the truncation", func() bool { pr, ok := s.followProblem("b.jsonl"); return ok && pr.State == "truncated" })
		if accepted(s) != 5 {
			t.Errorf("accepted %d, want 5", accepted(s))
		}
		if !logs.has("a.jsonl: rewritten") || !logs.has("b.jsonl: truncated") {
			t.Errorf("rewrite and truncation not logged: %q", logs.lines)
		}
		// Rows appended while the server is down.
		write("c.jsonl", visitRow("F6", p, c, d)+"\n")
		waitFor(t, "c.jsonl", func() bool { return accepted(s) == 6 })
	})
	t.Run("restart", func(t *testing.T) {
		// Positions from follow.json and the claims log: nothing is read
		// twice; the row appended while the server was down is read.
		appendTo("c.jsonl", visitRow("F7", p, c, d)+"\n")
		s := start(t)
		waitFor(t, "the row appended while down", func() bool { return accepted(s) == 7 })
		time.Sleep(200 * time.Millisecond)
		if _, _, st := s.current(); st.Accepted != 7 || st.Replayed != 6 {
			t.Errorf("after restart: accepted %d, replayed %d, want 7 and 6", st.Accepted, st.Replayed)
		}
		if pr, ok := s.followProblem("a.jsonl"); !ok || pr.State != "rewritten" {
			t.Errorf("the rewrite is no longer reported: %+v", pr)
		}
	})
}

// copyFixture copies the fixture to a temporary directory.
func copyFixture(t *testing.T) string {
	t.Helper()
	return copyDir(t, fixtureDir)
}

// copyDir copies the files of directory src to a temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestWALFrom: a process that read the claims log before (a successor at
// its start, readWAL) reads, when it takes the log over, only the records
// written since: exactly those, with a torn final record cut as at
// start-up; a log shorter than what was read, or not a claims log, is an
// error.
func TestWALFrom(t *testing.T) {
	dir := t.TempDir()
	rec := func(id string) *walRecord { return &walRecord{Visits: []walVisit{{MdtrtID: id}}} }
	w, _, err := openWAL(dir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"A1", "A2", "A3"} {
		if err := w.append(rec(id)); err != nil {
			t.Fatal(err)
		}
	}
	recs, at, err := readWAL(dir) // the successor's start, while the writer appends
	if err != nil || len(recs) != 3 || at != w.size {
		t.Fatalf("readWAL: %d records, at %d (log %d bytes), %v", len(recs), at, w.size, err)
	}
	for _, id := range []string{"B1", "B2"} {
		if err := w.append(rec(id)); err != nil {
			t.Fatal(err)
		}
	}
	end := w.size
	w.close()
	// A torn record after the two: the writer died in the middle of it.
	f, err := os.OpenFile(filepath.Join(dir, walFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{200, 0, 0, 0, 1, 2})
	f.Close()

	w2, since, err := openWALWait(dir, t.Logf, time.Second, at)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range since {
		ids = append(ids, r.Visits[0].MdtrtID)
	}
	if strings.Join(ids, ",") != "B1,B2" || w2.size != end {
		t.Errorf("records since the offset: %v, log cut at %d; want B1,B2 and %d", ids, w2.size, end)
	}
	w2.close()
	if all, _, _ := readWAL(dir); len(all) != 5 {
		t.Errorf("%d records in the log after the take-over, want 5", len(all))
	}

	if _, _, err := openWALWait(dir, t.Logf, time.Second, end+100); err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Errorf("a log shorter than what was read: %v", err)
	}
	bad := filepath.Join(t.TempDir())
	os.WriteFile(filepath.Join(bad, walFile), append([]byte("NOTAWAL!"), make([]byte, 64)...), 0o600)
	if _, _, err := openWALWait(bad, t.Logf, time.Second, 20); err == nil || !strings.Contains(err.Error(), "bad header") {
		t.Errorf("not a claims log: %v", err)
	}
}

// BenchmarkTakeOverRead reads a claims log of 20,000 batches (a visit and
// three fee lines each: a week of a small intake) at a take-over: the
// whole log, as before, against only the ten batches logged since the
// successor read it (openWALWait from its offset).
func BenchmarkTakeOverRead(b *testing.B) {
	dir := b.TempDir()
	w, _, err := openWAL(dir, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	const batches, since = 20_000, 10
	var at int64
	for i := range batches {
		id := fmt.Sprintf("MZ%010d", i)
		r := &walRecord{Visits: []walVisit{{MdtrtID: id, PsnNo: "P1", Inst: "H1", Begin: 1, End: 2, MedFee: 300, FundPay: 200}}}
		for j := range 3 {
			r.Fees = append(r.Fees, walFee{MdtrtID: id, FeedetlSn: fmt.Sprint(j), ItemCode: "X", Count: 1, Price: 100, Amount: 100})
		}
		if err := w.append(r); err != nil {
			b.Fatal(err)
		}
		if i == batches-since-1 {
			at = w.size
		}
	}
	w.close()
	for _, bc := range []struct {
		name string
		from int64
		want int
	}{{"whole log", 0, batches}, {"since the successor read it", at, since}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				w, recs, err := openWALWait(dir, nil, time.Second, bc.from)
				if err != nil || len(recs) != bc.want {
					b.Fatalf("%d records, %v", len(recs), err)
				}
				w.close()
			}
		})
	}
}
