package server

import (
	"net/http"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
)

// The vocabulary never changes while the binary runs: its reply is encoded
// once, and its ETag is its version.
var (
	vocabBody = append(append([]byte(nil), vocab.JSON()...), '\n')
	vocabETag = `"` + vocab.Version() + `"`
)

// handleVocab serves GET /api/v1/vocab: every code of the outputs with its
// labels and descriptions (graph/vocab). Unlike the other replies it may be
// kept by the client, revalidated (Cache-Control: no-cache, with an ETag):
// a request whose If-None-Match names the current version is answered 304
// without a body. It needs no data, so it answers from the first moment.
func (s *Server) handleVocab(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", vocabETag)
	h.Set("Cache-Control", "private, no-cache")
	if etagMatches(r.Header.Get("If-None-Match"), vocabETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(vocabBody)
}

// etagMatches reports whether an If-None-Match header names etag: "*",
// or etag among its comma-separated tags, weak (W/) or strong (RFC 9110's
// weak comparison).
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
