package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// baseTables are the file stems of the base dataset; follow leaves files
// of these names to the loader.
var baseTables = []string{"psn", "fixmedins", "staff", "catalog", "mdtrt", "fee_list"}

// followFile is the file of follow positions in the state directory.
const followFile = "follow.json"

// fingerprintSpan is how many bytes at each end of a file's read part its
// fingerprint covers.
const fingerprintSpan = 4096

// fileState is what follow knows of one file: how far it is read, a
// fingerprint of the part read, the file's size and time at the last look
// and its problem, if any. It is saved in follow.json.
type fileState struct {
	Offset int64  `json:"offset"`
	Line   int    `json:"line"`
	Head   string `json:"head,omitempty"` // hash of the first bytes read
	Tail   string `json:"tail,omitempty"` // hash of the last bytes read
	Rows   int    `json:"rows"`           // rows accepted from the file
	Size   int64  `json:"size"`
	ModNs  int64  `json:"mtime_ns"`
	State  string `json:"state,omitempty"` // "" or a FollowProblem state
	Error  string `json:"error,omitempty"`
	retry  bool   // look again even when size and time are unchanged
}

// followDoc is the content of follow.json.
type followDoc struct {
	Version int                   `json:"version"`
	Files   map[string]*fileState `json:"files"`
}

// follow polls FollowDir for *.jsonl files and feeds their complete lines
// (a partial last line waits for its newline) like POSTs, remembering per
// file how far it is read. Appended rows are read on the next poll; a file
// whose read part changed (rewritten or truncated) is reported, not read
// again; a file with a rejected row is retried once it changes. With a
// state directory the positions survive restarts.
func (s *Server) follow(ctx context.Context) {
	files := s.loadFollowState()
	s.pollDir(files)
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.pollDir(files)
		}
	}
}

// loadFollowState reads follow.json and brings it up to the positions
// logged with the claims (a crash may fall between the two writes).
func (s *Server) loadFollowState() map[string]*fileState {
	files := make(map[string]*fileState)
	if s.cfg.StateDir != "" {
		b, err := os.ReadFile(filepath.Join(s.cfg.StateDir, followFile))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			s.logf("follow: reading %s failed: %v", followFile, err)
		default:
			var doc followDoc
			if err := json.Unmarshal(b, &doc); err != nil {
				s.logf("follow: %s is damaged (%v); positions are taken from the claims log", followFile, err)
			} else if doc.Files != nil {
				files = doc.Files
			}
		}
	}
	for name, m := range s.marks {
		if st := files[name]; st == nil || m.End > st.Offset {
			files[name] = &fileState{Offset: m.End, Line: m.Line, Head: m.Head, Tail: m.Tail}
		}
	}
	for _, st := range files {
		st.retry = true // a restart retries what failed
	}
	return files
}

// pollDir looks at every followed file once and saves and publishes what
// changed.
func (s *Server) pollDir(files map[string]*fileState) {
	entries, err := os.ReadDir(s.cfg.FollowDir)
	if err != nil {
		s.logf("follow: listing the directory failed: %v", err)
		return
	}
	changed := false
	for _, e := range entries {
		name := e.Name()
		stem, ok := strings.CutSuffix(name, ".jsonl")
		if !ok || e.IsDir() || strings.HasPrefix(name, ".") || slices.Contains(baseTables, stem) {
			continue
		}
		st := files[name]
		if st == nil {
			st = &fileState{}
			files[name] = st
		}
		if s.pollFile(name, st) {
			changed = true
		}
	}
	if !changed {
		return
	}
	if s.cfg.StateDir != "" {
		b, err := json.MarshalIndent(followDoc{Version: 1, Files: files}, "", "  ")
		if err == nil {
			err = writeFileAtomic(filepath.Join(s.cfg.StateDir, followFile), b)
		}
		if err != nil {
			s.logf("follow: saving positions failed (the claims log keeps them): %v", err)
		}
	}
	s.publishFollowProblems(files)
}

// publishFollowProblems puts the files with problems in the status and
// publishes it when they changed.
func (s *Server) publishFollowProblems(files map[string]*fileState) {
	var probs []FollowProblem
	for name, st := range files {
		if st.State != "" {
			probs = append(probs, FollowProblem{File: name, State: st.State, Offset: st.Offset, Line: st.Line, Error: st.Error})
		}
	}
	slices.SortFunc(probs, func(a, b FollowProblem) int { return strings.Compare(a.File, b.File) })
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Equal(probs, s.status.FollowProblems) {
		return
	}
	s.status.FollowProblems = probs
	s.broadcastLocked(mustJSON(s.statusLocked()))
}

// problem records a problem of a followed file, logging it when new.
func (s *Server) problem(name string, st *fileState, state, msg string) {
	if st.State != state || st.Error != msg {
		s.warnf("follow: %s: %s", name, msg)
	}
	st.State, st.Error = state, msg
}

// pollFile reads what is new in one file; it reports whether the file's
// state changed.
func (s *Server) pollFile(name string, st *fileState) bool {
	path := filepath.Join(s.cfg.FollowDir, name)
	info, err := os.Stat(path)
	if err != nil {
		return false // removed since the listing
	}
	size, mod := info.Size(), info.ModTime().UnixNano()
	if size == st.Size && mod == st.ModNs && !st.retry {
		return false
	}
	st.Size, st.ModNs, st.retry = size, mod, false
	if size < st.Offset {
		s.problem(name, st, "truncated", fmt.Sprintf("truncated: %d bytes, %d were already read; no longer read (drop new rows in a new file)", size, st.Offset))
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		s.problem(name, st, "error", fmt.Sprintf("open failed: %v", err))
		st.retry = true
		return true
	}
	defer f.Close()
	if st.Offset > 0 {
		head, tail, err := fingerprint(f, st.Offset)
		if err != nil {
			s.problem(name, st, "error", fmt.Sprintf("reading failed: %v", err))
			st.retry = true
			return true
		}
		if head != st.Head || tail != st.Tail {
			s.problem(name, st, "rewritten", fmt.Sprintf("rewritten: the %d bytes already read changed; no longer read (drop new rows in a new file)", st.Offset))
			return true
		}
	}
	for st.Offset < size {
		if !s.feedChunk(name, f, st, size) {
			return true
		}
	}
	if st.State != "" {
		s.logf("follow: %s: read to its end", name)
	}
	st.State, st.Error = "", ""
	return true
}

// feedChunk feeds the complete lines of f from st.Offset (at most MaxBody
// bytes); it reports whether it advanced.
func (s *Server) feedChunk(name string, f *os.File, st *fileState, size int64) bool {
	n := min(size-st.Offset, s.cfg.MaxBody)
	chunk := make([]byte, n)
	if _, err := f.ReadAt(chunk, st.Offset); err != nil && !errors.Is(err, io.EOF) {
		s.problem(name, st, "error", fmt.Sprintf("reading failed: %v", err))
		st.retry = true
		return false
	}
	i := bytes.LastIndexByte(chunk, '\n')
	if i < 0 {
		if n >= s.cfg.MaxBody {
			s.problem(name, st, "too_long", fmt.Sprintf("line %d is longer than %d bytes", st.Line+1, s.cfg.MaxBody))
		} else {
			s.problem(name, st, "partial_line", fmt.Sprintf("waiting for the end of line %d (every line must end with a newline)", st.Line+1))
		}
		return false
	}
	chunk = chunk[:i+1]
	end := st.Offset + int64(len(chunk))
	head, tail, err := fingerprint(f, end)
	if err != nil {
		s.problem(name, st, "error", fmt.Sprintf("reading failed: %v", err))
		st.retry = true
		return false
	}
	lines := bytes.Count(chunk, []byte{'\n'})
	mark := &followMark{Name: name, End: end, Line: st.Line + lines, Head: head, Tail: tail}
	res, err := s.accept(context.Background(), bytes.NewReader(chunk), mark)
	var re *RowError
	switch {
	case errors.As(err, &re):
		at := *re
		at.Row += st.Line
		s.problem(name, st, "rejected", fmt.Sprintf("rejected (nothing from line %d on is accepted until the file is fixed): %v", st.Line+1, &at))
		return false
	case errors.Is(err, errHandedOver):
		st.retry = true // read again if the successor fails (Resume); else the successor reads on from the log's marks
		return false
	case err != nil:
		s.problem(name, st, "error", err.Error())
		st.retry = true
		return false
	}
	st.Offset, st.Line, st.Head, st.Tail = end, mark.Line, head, tail
	st.Rows += res.visits + res.fees
	s.logf("follow: %s: accepted %d visits and %d fee lines (to line %d)", name, res.visits, res.fees, st.Line)
	return true
}

// fingerprint hashes the first and the last fingerprintSpan bytes of the
// first end bytes of f, which tell a file that was rewritten from one
// that was only appended to.
func fingerprint(f *os.File, end int64) (head, tail string, err error) {
	hash := func(off, n int64) (string, error) {
		b := make([]byte, n)
		if m, err := f.ReadAt(b, off); m < len(b) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:16]), nil
	}
	n := min(end, fingerprintSpan)
	if head, err = hash(0, n); err != nil {
		return "", "", err
	}
	if tail, err = hash(end-n, n); err != nil {
		return "", "", err
	}
	return head, tail, nil
}
