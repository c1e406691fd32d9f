// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"net/http"
	"sync"
	"time"
)

// RequestRecord is one served request, as tests see it in Server.Requests.
type RequestRecord struct {
	Endpoint   string      // EndpointHLD, ..., or "unknown" for unmatched paths
	Method     string      //
	Path       string      //
	RawQuery   string      //
	Header     http.Header // request headers without Authorization
	Body       string      // POST body, first 64 KiB
	Status     int         // HTTP status sent
	Bytes      int64       // body bytes written
	Fault      FaultKind   // the fault injected into this request, if any
	AuthFailed bool        // credentials or token were rejected
	Start, End time.Time
}

func newRecord(r *http.Request) *RequestRecord {
	h := r.Header.Clone()
	h.Del("Authorization")
	return &RequestRecord{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: h, Start: time.Now()}
}

func (rec *RequestRecord) finish(sw *statusWriter) RequestRecord {
	rec.Status, rec.Bytes, rec.End = sw.status, sw.bytes, time.Now()
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	return *rec
}

// requestLog keeps the last max records in a ring.
type requestLog struct {
	mu   sync.Mutex
	max  int
	recs []RequestRecord
	next int
}

func (l *requestLog) add(rec RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recs) < l.max {
		l.recs = append(l.recs, rec)
		return
	}
	l.recs[l.next] = rec
	l.next = (l.next + 1) % l.max
}

// Requests returns the logged requests, oldest first (in the order they finished).
func (s *Server) Requests() []RequestRecord {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]RequestRecord, 0, len(s.log.recs))
	out = append(out, s.log.recs[s.log.next:]...)
	return append(out, s.log.recs[:s.log.next]...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.recs, s.log.next = nil, 0
}

// statusWriter records the status and body size; Unwrap lets http.ResponseController reach the
// underlying writer's Flush and Hijack.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
