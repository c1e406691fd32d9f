// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limit is one API's budget: at most Concurrency calls at once and Calls calls per rolling
// Window. Zero fields take the Options defaults; negative means unlimited.
type Limit struct {
	Concurrency int
	Calls       int
	Window      time.Duration
}

// limiter enforces one Limit. Admitted call times sit in a ring of Calls entries: the window is
// rolling, and the oldest call in it says how long a blocked client must wait.
type limiter struct {
	mu      sync.Mutex
	lim     Limit
	running int
	ring    []time.Time
	head    int // index of the oldest entry
	n       int // entries in the ring
	// peak is the most calls that ran or asked to run at once, refused ones included: tests check
	// a client stays within the concurrency limit without relying on the 1960 answers.
	peak int
}

// limitState is what the X-RateLimit-* and X-Concurrency-Limit-* headers report.
type limitState struct {
	lim       Limit
	remaining int
	toWait    int // seconds
	running   int
}

func newLimiter(l Limit) *limiter {
	lm := &limiter{lim: l}
	if l.Calls > 0 {
		lm.ring = make([]time.Time, l.Calls)
	}
	return lm
}

// prune drops calls that left the window.
func (l *limiter) prune(now time.Time) {
	for l.n > 0 && !l.ring[l.head].Add(l.lim.Window).After(now) {
		l.head = (l.head + 1) % len(l.ring)
		l.n--
	}
}

func (l *limiter) stateLocked(now time.Time) limitState {
	st := limitState{lim: l.lim, running: l.running}
	if l.lim.Calls > 0 {
		l.prune(now)
		st.remaining = l.lim.Calls - l.n
		if st.remaining == 0 {
			st.toWait = ceilSeconds(l.ring[l.head].Add(l.lim.Window).Sub(now))
		}
	}
	return st
}

// snapshot reports the state without using the budget (for answers that never reach the API).
func (l *limiter) snapshot(now time.Time) limitState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stateLocked(now)
}

// admit takes a slot and a call. It returns code 1960 when the concurrency limit is reached (that
// check comes first: "The concurrency limit error takes precedence") or 1965 when the window is
// spent, and 0 when the call may run; the caller must then release.
func (l *limiter) admit(now time.Time) (limitState, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stateLocked(now)
	l.peak = max(l.peak, l.running+1)
	switch {
	case l.lim.Concurrency > 0 && l.running >= l.lim.Concurrency:
		return st, codeConcurrency
	case l.lim.Calls > 0 && st.remaining == 0:
		return st, codeRateLimit
	}
	l.running++
	if l.lim.Calls > 0 {
		l.ring[(l.head+l.n)%len(l.ring)] = now
		l.n++
	}
	return l.stateLocked(now), 0
}

func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running--
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.head, l.n = 0, 0
}

func ceilSeconds(d time.Duration) int {
	return max(0, int(math.Ceil(d.Seconds())))
}

// setLimitHeaders writes the headers every API-server response carries; a limit configured as
// unlimited leaves its headers out.
func (s *Server) setLimitHeaders(h http.Header, st limitState) {
	if st.lim.Calls > 0 {
		setRawHeader(h, "X-RateLimit-Limit", strconv.Itoa(st.lim.Calls))
		setRawHeader(h, "X-RateLimit-Window-Sec", strconv.Itoa(int(st.lim.Window/time.Second)))
		setRawHeader(h, "X-RateLimit-Remaining", strconv.Itoa(st.remaining))
		setRawHeader(h, "X-RateLimit-ToWait-Sec", strconv.Itoa(st.toWait))
	}
	if st.lim.Concurrency > 0 {
		prefix := "X-Concurrency-Limit-"
		if s.opts.CompactConcurrencyHeaders {
			prefix = "X-ConcurrencyLimit-"
		}
		setRawHeader(h, prefix+"Limit", strconv.Itoa(st.lim.Concurrency))
		setRawHeader(h, prefix+"Running", strconv.Itoa(st.running))
	}
}

// setRawHeader keeps Qualys' spelling on the wire (X-RateLimit-Limit, not the canonical
// X-Ratelimit-Limit); clients look headers up case-insensitively either way.
func setRawHeader(h http.Header, name, value string) {
	h.Del(name)
	h[name] = []string{value}
}

// concurrencyText is Qualys' 1960 message, pluralised.
func concurrencyText(toFinish int) string {
	if toFinish == 1 {
		return "This API cannot be run again until 1 currently running API instance has finished."
	}
	return fmt.Sprintf("This API cannot be run again until %d currently running API instances have finished.", toFinish)
}

// rateText is Qualys' 1965 message: "for another 23 hours, 57 minutes and 54 seconds."
func rateText(seconds int) string {
	var parts []string
	add := func(n int, unit string) {
		if n == 1 {
			parts = append(parts, "1 "+unit)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	add(seconds/3600, "hour")
	add(seconds%3600/60, "minute")
	add(seconds%60, "second")
	if len(parts) == 0 {
		parts = []string{"0 seconds"}
	}
	text := parts[len(parts)-1]
	if len(parts) > 1 {
		text = strings.Join(parts[:len(parts)-1], ", ") + " and " + text
	}
	return "This API cannot be run again for another " + text + "."
}

// PeakConcurrency returns the most calls of endpoint (EndpointHLD, ...) that ran or asked to run
// at once, refused calls included.
func (s *Server) PeakConcurrency(endpoint string) int {
	l, ok := s.limiters[endpoint]
	if !ok {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.peak
}

// ResetLimits forgets every call counted so far (running calls stay counted).
func (s *Server) ResetLimits() {
	for _, l := range s.limiters {
		l.reset()
	}
}
