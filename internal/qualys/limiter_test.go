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
