// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// A gateway answer's X-RateLimit-Limit and X-RateLimit-Window-Sec replace the PCRS default budget
// (25 per 60 s); the same headers on the API server do not pace its calls, which follow
// X-RateLimit-Remaining instead.
func TestRateLimitHeadersSetThePCRSBudget(t *testing.T) {
	tests := []struct {
		name     string
		req      Request
		maxIn10s int
		wait     time.Duration
	}{
		{name: "gateway", req: Request{API: APIGateway, Endpoint: "pcrs_policies", Path: "/pcrs/5.0/posture/policy/list"},
			maxIn10s: 5, wait: 2 * (10*time.Second + paceMargin)},
		{name: "api server", req: hostList(), maxIn10s: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/auth" {
					w.WriteHeader(http.StatusCreated)
					_, _ = io.WriteString(w, "token")
					return
				}
				w.Header().Set("X-RateLimit-Limit", "5")
				w.Header().Set("X-RateLimit-Window-Sec", "10")
				_, _ = io.WriteString(w, okBody)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, srv.URL)
			starts := recordStarts(c.Client, c.clock)
			for range 12 {
				readAll(t, must(c.Do(t.Context(), tt.req)))
			}
			assert.Len(t, starts(), 12)
			assert.Equal(t, tt.maxIn10s, maxInWindow(starts(), 10*time.Second))
			assert.Equal(t, tt.wait, c.clock.totalWait())
			if tt.wait > 0 {
				assert.Equal(t, []string{"rate", "rate"}, c.observer.waits, "waits for the budget are rate holds")
			}
		})
	}
}

// recordStarts returns the times (on clk) at which c sent its calls, /auth aside.
func recordStarts(c *Client, clk *fakeClock) func() []time.Time {
	var mu sync.Mutex
	var starts []time.Time
	next := c.http.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.http = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/auth" {
			mu.Lock()
			starts = append(starts, clk.Now())
			mu.Unlock()
		}
		return next.RoundTrip(r)
	})}
	return func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return starts
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// maxInWindow is the most of starts (in order) that fall in any window.
func maxInWindow(starts []time.Time, window time.Duration) int {
	most := 0
	for i, from := range starts {
		n := 0
		for _, s := range starts[i:] {
			if s.Sub(from) < window {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// The gateway budget is per PCRS API: policy list calls do not hold back host id calls.
func TestPCRSBudgetIsPerAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth" {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = io.WriteString(w, "token")
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	for range pcrsCalls {
		readAll(t, must(c.PCRSPolicies(t.Context(), "5.0")))
	}
	readAll(t, must(c.PCRSHostIDs(t.Context(), "5.0", []int64{1})))
	assert.Zero(t, c.clock.totalWait(), "host ids have a budget of their own")
	readAll(t, must(c.PCRSPolicies(t.Context(), "4.0")))
	assert.Equal(t, pcrsWindow+paceMargin, c.clock.totalWait(), "one budget for every version of an API")
	assert.Equal(t, []string{"rate"}, c.observer.waits)
}

// gatedClock is a fake clock whose waits end only when the test says so, so a test can look at
// the client while a call is held.
type gatedClock struct {
	*fakeClock
	release chan struct{}
}

func (c gatedClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		<-c.release
		ch <- <-c.fakeClock.After(d)
	}()
	return ch
}

// An answer that spends the rate window (X-RateLimit-Remaining: 0, X-RateLimit-ToWait-Sec) holds
// the API's next calls. The hold is logged once as the failure table says, and each held call is
// logged and counted in limit_waits as soon as it is held, not only once the wait is over.
func TestRateHeaderHoldIsLoggedAndCountedWhileItLasts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-ToWait-Sec", "70")
		_, _ = io.WriteString(w, okBody)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	clk := gatedClock{fakeClock: c.clock, release: make(chan struct{})}
	c.Client.clock = clk

	readAll(t, must(c.Do(t.Context(), hostList())))
	reached := c.logs.FilterMessage("Qualys limit reached; waiting as Qualys asks").All()
	require.Len(t, reached, 1, "the hold is logged when the answer sets it")
	assert.Equal(t, map[string]any{"endpoint": "host_list", "limit": "rate", "header": "X-RateLimit-ToWait-Sec", "wait": 70 * time.Second},
		reached[0].ContextMap())

	done := make(chan error, 1)
	go func() {
		resp, err := c.Do(t.Context(), hostList())
		if err == nil {
			err = resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return c.logs.FilterMessage("Call held by a Qualys limit").Len() == 1 },
		2*time.Second, time.Millisecond, "the held call says so while it waits")
	c.observer.mu.Lock()
	assert.Equal(t, []string{"rate"}, c.observer.waits, "counted in limit_waits while the wait lasts")
	assert.Empty(t, c.observer.waited)
	c.observer.mu.Unlock()
	held := c.logs.FilterMessage("Call held by a Qualys limit").All()[0]
	assert.Equal(t, zap.InfoLevel, held.Level)
	assert.Equal(t, map[string]any{"endpoint": "host_list", "limit": "rate", "wait": 70 * time.Second}, held.ContextMap())

	close(clk.release)
	require.NoError(t, <-done)
	c.observer.mu.Lock()
	defer c.observer.mu.Unlock()
	assert.Equal(t, []string{"rate"}, c.observer.waited, "its duration once it is over")
	assert.Equal(t, 2, c.logs.FilterMessage("Qualys limit reached; waiting as Qualys asks").Len(),
		"the second answer spent the window again: a new hold, logged again")
}
