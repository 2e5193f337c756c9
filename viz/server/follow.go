package server

import (
	"bytes"
	"context"
	"errors"
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

// fileSeen is the size and time of a file at the last poll.
type fileSeen struct {
	size int64
	mod  time.Time
	done bool
}

// follow polls FollowDir for *.jsonl files that appear after start-up and
// feeds each, once its size has been stable for one poll, like a POST of
// its content. A file with a rejected row is skipped as a whole (and
// logged); it is not retried.
func (s *Server) follow(ctx context.Context) {
	seen := make(map[string]*fileSeen)
	s.pollDir(seen, true)
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.pollDir(seen, false)
		}
	}
}

// pollDir lists FollowDir; files present at the first poll are only
// recorded.
func (s *Server) pollDir(seen map[string]*fileSeen, first bool) {
	entries, err := os.ReadDir(s.cfg.FollowDir)
	if err != nil {
		s.logf("follow: listing the directory failed: %v", err)
		return
	}
	for _, e := range entries {
		name := e.Name()
		stem, ok := strings.CutSuffix(name, ".jsonl")
		if !ok || e.IsDir() || slices.Contains(baseTables, stem) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		f, ok := seen[name]
		if !ok {
			seen[name] = &fileSeen{size: info.Size(), mod: info.ModTime(), done: first}
			continue
		}
		if f.done {
			continue
		}
		if f.size != info.Size() || !f.mod.Equal(info.ModTime()) {
			f.size, f.mod = info.Size(), info.ModTime()
			continue
		}
		f.done = true
		s.feedFile(filepath.Join(s.cfg.FollowDir, name))
	}
}

// feedFile feeds one file of claims.
func (s *Server) feedFile(path string) {
	fh, err := os.Open(path)
	if err != nil {
		s.logf("follow: %s: %v", filepath.Base(path), err)
		return
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, s.cfg.MaxBody+1))
	if err != nil {
		s.logf("follow: %s: %v", filepath.Base(path), err)
		return
	}
	if int64(len(data)) > s.cfg.MaxBody {
		s.logf("follow: %s skipped: larger than %d bytes", filepath.Base(path), s.cfg.MaxBody)
		return
	}
	nv, nf, err := s.accept(bytes.NewReader(data))
	var re *RowError
	switch {
	case errors.As(err, &re):
		s.logf("follow: %s rejected: %v", filepath.Base(path), re)
	case err != nil:
		s.logf("follow: %s: %v", filepath.Base(path), err)
	default:
		s.logf("follow: %s: accepted %d visits and %d fee lines", filepath.Base(path), nv, nf)
	}
}
