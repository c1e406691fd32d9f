// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys // import "github.com/seed-d80aa3af/qualysreceiver/internal/qualys"

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter keeps one Qualys API's calls within its concurrency and rate limits. Qualys counts limits
// per subscription and per API, so every stream of the receiver draws from the same limiter.
type limiter struct {
	max   int
	clock clock

	mu sync.Mutex
	// limit is the effective concurrency limit: 1 until Qualys has said its own, then the smaller
	// of max and X-Concurrency-Limit-Limit.
	limit    int
	inflight int
	// notBefore holds every call back until then: the rate window is spent (X-RateLimit-ToWait-Sec,
	// 1965 SECONDS_TO_WAIT), the gateway answered 429, or a 1960 asked for a pause; holdReason says
	// which limit ("rate" or "concurrency").
	notBefore  time.Time
	holdReason string
	// pace, when set, keeps calls within a rolling budget before Qualys has to refuse one.
	pace *callWindow
	// changed is closed (and replaced) whenever a waiting call may be able to go.
	changed chan struct{}
}

func newLimiter(maxConcurrency int, c clock) *limiter {
	return &limiter{max: max(1, maxConcurrency), limit: 1, clock: c, changed: make(chan struct{})}
}

// acquire blocks until a call may start and returns the function that ends it. held is the time
// spent held back by a Qualys limit (holdUntil, X-RateLimit-ToWait-Sec, the paced budget), not by
// our own calls in flight, and reason the limit that held it last; both are set on an error too.
// holding, when set, is told once, as soon as the call is first held back by a Qualys limit: the
// limit, how long it holds the call for now, and whether it is only our own pacing.
func (l *limiter) acquire(ctx context.Context, holding func(reason string, wait time.Duration, paced bool)) (release func(), held time.Duration, reason string, err error) {
	told := false
	for {
		l.mu.Lock()
		now := l.clock.Now()
		wait, waitReason, paced := l.notBefore.Sub(now), l.holdReason, false
		if p := l.pace.wait(now); p > wait {
			wait, waitReason, paced = p, "rate", true
		}
		if wait <= 0 && l.inflight < l.limit {
			l.inflight++
			l.pace.add(now)
			l.mu.Unlock()
			var once sync.Once
			return func() { once.Do(l.release) }, held, reason, nil
		}
		if wait > 0 {
			reason = waitReason
		}
		changed := l.changed
		l.mu.Unlock()
		if wait > 0 && !told && holding != nil {
			told = true
			holding(waitReason, wait, paced)
		}

		started := l.clock.Now()
		var timer <-chan time.Time
		if wait > 0 {
			timer = l.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			if wait > 0 {
				held += l.clock.Now().Sub(started)
			}
			return nil, held, reason, ctx.Err()
		case <-changed:
		case <-timer:
		}
		if wait > 0 {
			held += l.clock.Now().Sub(started)
		}
	}
}

func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	l.notifyLocked()
}

// holdUntil keeps every call back until t, because of the limit reason ("rate", "concurrency").
func (l *limiter) holdUntil(t time.Time, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.notBefore) {
		l.notBefore, l.holdReason = t, reason
		l.notifyLocked()
	}
}

// observe reads Qualys' limit headers, which every API-server answer carries, 409s included. It
// returns how long the answer's X-RateLimit-ToWait-Sec holds every call back when that hold is new
// (0 otherwise), so the hold is logged once, by the call whose answer spent the window.
func (l *limiter) observe(h http.Header) (hold time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Qualys documents both spellings.
	if v, ok := headerInt(h, "X-Concurrency-Limit-Limit", "X-ConcurrencyLimit-Limit"); ok && v > 0 {
		if limit := min(l.max, v); limit != l.limit {
			l.limit = limit
			l.notifyLocked()
		}
	}
	remaining, okRemaining := headerInt(h, "X-RateLimit-Remaining")
	toWait, okWait := headerInt(h, "X-RateLimit-ToWait-Sec")
	if okRemaining && okWait && remaining <= 0 && toWait > 0 {
		if t := l.clock.Now().Add(time.Duration(toWait) * time.Second); t.After(l.notBefore) {
			if !l.notBefore.After(l.clock.Now()) {
				hold = time.Duration(toWait) * time.Second
			}
			l.notBefore, l.holdReason = t, "rate"
			l.notifyLocked()
		}
	}
	calls, okCalls := headerInt(h, "X-RateLimit-Limit")
	windowSec, okWindow := headerInt(h, "X-RateLimit-Window-Sec")
	// A paced API takes its budget from the answer when Qualys states one.
	if l.pace != nil && okCalls && okWindow && calls > 0 && windowSec > 0 {
		window := time.Duration(windowSec) * time.Second
		if calls != l.pace.calls || window != l.pace.window {
			l.pace.calls, l.pace.window = calls, window
			l.notifyLocked()
		}
	}
	return hold
}

// concurrency returns the effective limit and the calls in flight.
func (l *limiter) concurrency() (limit, inflight int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit, l.inflight
}

func (l *limiter) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// paceMargin keeps each call in the budget a little longer than the window: the gateway counts a
// call when it arrives, after a token login or the network may have delayed it, so a slot freed at
// exactly start + window could still be refused with 429.
const paceMargin = time.Second

// callWindow is a rolling rate budget: at most calls calls start in any window (plus paceMargin).
type callWindow struct {
	calls  int
	window time.Duration
	starts []time.Time // oldest first; only starts still in the window
}

// wait returns how long until one more call fits; a nil window never waits.
func (w *callWindow) wait(now time.Time) time.Duration {
	if w == nil {
		return 0
	}
	w.prune(now)
	if len(w.starts) < w.calls {
		return 0
	}
	// The budget may have shrunk since these calls started: wait until enough have left.
	return w.starts[len(w.starts)-w.calls].Add(w.window + paceMargin).Sub(now)
}

func (w *callWindow) add(now time.Time) {
	if w != nil {
		w.starts = append(w.starts, now)
	}
}

func (w *callWindow) prune(now time.Time) {
	gone := 0
	for gone < len(w.starts) && !w.starts[gone].Add(w.window+paceMargin).After(now) {
		gone++
	}
	w.starts = append(w.starts[:0], w.starts[gone:]...)
}

func headerInt(h http.Header, names ...string) (int, bool) {
	for _, name := range names {
		if v := h.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// Clock is the receiver's time: the client's limit waits, back-off and token expiry, and the
// streams' cursors, retries, checkpoint pace and progress. Tests replace it to move time without
// sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type clock = Clock

type realClock struct{}

// WallClock is the real time.
var WallClock Clock = realClock{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
