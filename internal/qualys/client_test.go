// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// fakeClock makes waits instant and records them, so tests assert how long the client waited.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) totalWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, w := range c.waits {
		sum += w
	}
	return sum
}

type recordingObserver struct {
	mu       sync.Mutex
	outcomes []string
	// waits are the limits of the waits that began, waited those of the waits that ended.
	waits, waited []string
}

func (o *recordingObserver) RequestDone(_ API, endpoint, outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes = append(o.outcomes, endpoint+":"+outcome)
}

func (o *recordingObserver) LimitWaitBegan(_ API, _, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.waits = append(o.waits, reason)
}

func (o *recordingObserver) LimitWaitEnded(_ API, _, reason string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.waited = append(o.waited, reason)
}

type testClient struct {
	*Client
	clock    *fakeClock
	observer *recordingObserver
	logs     *observer.ObservedLogs
}

func newTestClient(t *testing.T, apiServer, gateway string) testClient {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	obs := &recordingObserver{}
	retry := configretry.NewDefaultBackOffConfig()
	retry.RandomizationFactor = 0
	c, err := New(http.DefaultClient, Settings{
		APIServerURL: apiServer, GatewayURL: gateway, Username: "alice", Password: "s3cret-Pa55",
		MaxConcurrency: 4, Retry: retry, Logger: zap.New(core), Observer: obs,
	})
	require.NoError(t, err)
	clk := newFakeClock()
	c.clock = clk
	return testClient{Client: c, clock: clk, observer: obs, logs: logs}
}

func simpleReturnBody(code int, text string, items ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE SIMPLE_RETURN SYSTEM "https://qualysapi.qualys.com/api/2.0/simple_return.dtd">
<SIMPLE_RETURN><RESPONSE><DATETIME>2026-11-24T12:00:00Z</DATETIME>`)
	fmt.Fprintf(&b, "<CODE>%d</CODE><TEXT>%s</TEXT>", code, text)
	if len(items) > 0 {
		b.WriteString("<ITEM_LIST>")
		for i := 0; i+1 < len(items); i += 2 {
			fmt.Fprintf(&b, "<ITEM><KEY>%s</KEY><VALUE>%s</VALUE></ITEM>", items[i], items[i+1])
		}
		b.WriteString("</ITEM_LIST>")
	}
	b.WriteString("</RESPONSE></SIMPLE_RETURN>")
	return b.String()
}

const okBody = `<?xml version="1.0" encoding="UTF-8" ?><HOST_LIST_OUTPUT><RESPONSE><DATETIME>2026-11-24T12:00:00Z</DATETIME></RESPONSE></HOST_LIST_OUTPUT>`

func hostList() Request {
	return Request{API: APIServer, Endpoint: "host_list", Path: "/api/2.0/fo/asset/host/", Query: map[string][]string{"action": {"list"}}}
}

func readAll(t *testing.T, resp *Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b)
}

func TestBasicAuthAndRequestedWithOnEveryCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "alice" || pass != "s3cret-Pa55" || r.Header.Get("X-Requested-With") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, okBody)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	resp, err := c.Do(t.Context(), hostList())
	require.NoError(t, err)
	assert.Equal(t, okBody, readAll(t, resp))
	assert.Equal(t, []string{"host_list:ok"}, c.observer.outcomes)
}

// The limiter starts with one call in flight, opens up to min(max_concurrency, X-Concurrency-Limit-
// Limit) once Qualys has said its limit, and counts a call until its body is closed.
func TestConcurrencyFollowsQualysHeaderAndBodyLifetime(t *testing.T) {
	var running, peak atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		w.Header().Set("X-ConcurrencyLimit-Limit", "3") // the documented alternative spelling
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<HOST_LIST_OUTPUT>")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done(): // the client closed the body early
		}
		_, _ = io.WriteString(w, "</HOST_LIST_OUTPUT>")
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, srv.URL, srv.URL) // max_concurrency 4

	first, err := c.Do(t.Context(), hostList())
	require.NoError(t, err)
	limit, inflight := c.limiterFor(hostList()).concurrency()
	assert.Equal(t, 3, limit, "Qualys' limit (3) is below max_concurrency (4)")
	assert.Equal(t, 1, inflight, "a call is in flight until its body is closed")

	var wg sync.WaitGroup
	bodies := make(chan *Response, 4)
	for range 4 {
		wg.Go(func() {
			resp, err := c.Do(t.Context(), hostList())
			if err == nil {
				bodies <- resp
			}
		})
	}
	require.Eventually(t, func() bool { _, n := c.limiterFor(hostList()).concurrency(); return n == 3 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	_, n := c.limiterFor(hostList()).concurrency()
	assert.Equal(t, 3, n, "never more calls in flight than Qualys allows")
	require.NoError(t, first.Body.Close())
	for range 4 {
		resp := <-bodies
		require.NoError(t, resp.Body.Close())
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(3))
}

func TestRateWindowSpentHoldsCallsBack(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-ToWait-Sec", "42")
		}
		_, _ = io.WriteString(w, okBody)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	readAll(t, must(c.Do(t.Context(), hostList())))
	readAll(t, must(c.Do(t.Context(), hostList())))
	assert.Equal(t, 42*time.Second, c.clock.totalWait(), "the second call waited X-RateLimit-ToWait-Sec")
	assert.Equal(t, []string{"rate"}, c.observer.waits)
}

func must(r *Response, err error) *Response {
	if err != nil {
		panic(err)
	}
	return r
}

func TestLimitAnswersAreWaitedOutAndRetried(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(w http.ResponseWriter)
		wantWait time.Duration
		reason   string
	}{
		{"409 1960 concurrency", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, simpleReturnBody(1960, "This API cannot be run again until 1 currently running API instance has finished.", "CALLS_TO_FINISH", "1"))
		}, 2 * time.Second, "concurrency"},
		{"409 1965 rate with SECONDS_TO_WAIT", func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-ToWait-Sec", "3600")
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, simpleReturnBody(1965, "This API cannot be run again for another 23 hours, 59 minutes and 59 seconds.", "SECONDS_TO_WAIT", "86399"))
		}, 86399 * time.Second, "rate"},
		{"429 with Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "17")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 17 * time.Second, "rate"},
		{"429 without Retry-After waits the PCRS window", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTooManyRequests)
		}, time.Minute, "rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls++
				if calls == 1 {
					tt.answer(w)
					return
				}
				_, _ = io.WriteString(w, okBody)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, srv.URL)
			resp, err := c.Do(t.Context(), hostList())
			require.NoError(t, err)
			assert.Equal(t, okBody, readAll(t, resp))
			assert.Equal(t, 2, calls)
			assert.Equal(t, tt.wantWait, c.clock.totalWait())
			assert.Equal(t, []string{tt.reason}, c.observer.waits, "one wait, reported once")
			assert.Equal(t, []string{"host_list:limited", "host_list:ok"}, c.observer.outcomes)
		})
	}
}

func TestFatalErrorsEndThePollWithAHint(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		kind   ErrKind
		want   string
	}{
		{"2001 under HTTP 200", http.StatusOK, simpleReturnBody(2001, "This account has expired."), KindAuth,
			"host_list: HTTP 200, code 2001: This account has expired. (the Qualys account or subscription has expired; renew it in Qualys)"},
		{"2003 registration", http.StatusConflict, simpleReturnBody(2003, "Registration must be completed before API requests will be served for this account"), KindAuth,
			"log in once to the Qualys console"},
		{"401 bad login", http.StatusUnauthorized, simpleReturnBody(999, "Bad Login/Password"), KindAuth,
			"host_list: HTTP 401, code 999: Bad Login/Password (wrong username or password, or the right credentials on another platform"},
		{"401 without body", http.StatusUnauthorized, "", KindAuth, "host_list: HTTP 401 (wrong username or password"},
		{"403 no API access", http.StatusForbidden, "", KindPermission, "enable API access"},
		{"409 permission", http.StatusConflict, simpleReturnBody(2000, "You do not have permission to access the KnowledgeBase."), KindPermission,
			"You do not have permission to access the KnowledgeBase."},
		{"400 bad parameter", http.StatusBadRequest, simpleReturnBody(1905, "parameter status has invalid value: Open"), KindRequest,
			"host_list: HTTP 400, code 1905: parameter status has invalid value: Open (Qualys rejected a request parameter)"},
		{"404", http.StatusNotFound, "<html>not found</html>", KindRequest, "check api_url and gateway_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls++
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, srv.URL)
			_, err := c.Do(t.Context(), hostList())
			require.Error(t, err)
			var qe *Error
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, tt.kind, qe.Kind)
			assert.True(t, IsFatal(err))
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, calls, "a fatal answer is not retried")
			assert.NotContains(t, err.Error(), "s3cret-Pa55")
		})
	}
}

func TestTransientErrorsAreRetriedWithBackOff(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		if calls <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, okBody)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	resp, err := c.Do(t.Context(), hostList())
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, 4, calls)
	assert.Equal(t, []time.Duration{5 * time.Second, 7500 * time.Millisecond, 11250 * time.Millisecond}, c.clock.waits,
		"configretry's exponential back-off: 5s, ×1.5, ×1.5")
	assert.Equal(t, 3, c.logs.FilterMessage("Qualys call failed; retrying").Len())
}

func TestTransientErrorsGiveUpAfterMaxElapsedTime(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	_, err := c.Do(t.Context(), hostList())
	require.Error(t, err)
	assert.False(t, IsFatal(err), "the next poll may succeed")
	assert.Contains(t, err.Error(), "host_list: HTTP 502")
	assert.LessOrEqual(t, c.clock.totalWait(), 5*time.Minute)
	assert.Greater(t, calls, 5)
}

func TestNetworkErrorIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := newTestClient(t, url, url)
	c.settings.Retry.Enabled = false
	_, err := c.Do(t.Context(), hostList())
	require.Error(t, err)
	assert.False(t, IsFatal(err))
	assert.Equal(t, []string{"host_list:network_error"}, c.observer.outcomes)
}

func TestGatewayJWT(t *testing.T) {
	var auths, calls atomic.Int32
	var mu sync.Mutex
	valid := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth" {
			require.NoError(t, r.ParseForm())
			if r.Form.Get("username") != "alice" || r.Form.Get("password") != "s3cret-Pa55" || r.Form.Get("token") != "true" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			n := auths.Add(1)
			token := fmt.Sprintf("token-%d", n)
			mu.Lock()
			valid[token] = true
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, token)
			return
		}
		calls.Add(1)
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		ok := valid[token]
		mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"status":401,"error":"Unauthorized","message":"JWT expired"}`)
			return
		}
		_, _ = io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	req := Request{API: APIGateway, Endpoint: "pcrs_policies", Path: "/pcrs/1.0/posture/policy/list"}

	readAll(t, must(c.Do(t.Context(), req)))
	readAll(t, must(c.Do(t.Context(), req)))
	assert.Equal(t, int32(1), auths.Load(), "the token is reused")

	// The gateway expires the token early: one 401, a new token, the call succeeds.
	mu.Lock()
	clear(valid)
	mu.Unlock()
	readAll(t, must(c.Do(t.Context(), req)))
	assert.Equal(t, int32(2), auths.Load())

	// Tokens without an exp claim live 4 h; the client renews before they lapse.
	c.clock.After(4*time.Hour - time.Minute)
	readAll(t, must(c.Do(t.Context(), req)))
	assert.Equal(t, int32(3), auths.Load(), "renewed before expiry")
}

func TestGatewayRejectsTokenTwiceIsFatal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth" {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "token")
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"status":401,"error":"Unauthorized","message":"Not authenticated"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	_, err := c.Do(t.Context(), Request{API: APIGateway, Endpoint: "pcrs_postures", Path: "/pcrs/1.0/posture/postureInfo"})
	require.Error(t, err)
	assert.True(t, IsFatal(err))
	assert.Contains(t, err.Error(), "pcrs_postures: HTTP 401: Unauthorized: Not authenticated")
}

func TestGatewayBadCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"authentication_exceptions InvalidCredentialsException"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	_, err := c.Do(t.Context(), Request{API: APIGateway, Endpoint: "pcrs_policies", Path: "/pcrs/1.0/posture/policy/list"})
	require.Error(t, err)
	var qe *Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, KindAuth, qe.Kind)
	assert.Contains(t, err.Error(), "gateway_auth: HTTP 401")
	assert.Contains(t, err.Error(), "the API gateway rejected the username or password")
	assert.NotContains(t, err.Error(), "s3cret-Pa55")
}

func TestContextCancelStopsWaiting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, srv.URL)
	c.clock = nil // real waits: cancellation must cut them short
	c.Client.clock = realClock{}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := c.Do(ctx, hostList())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(started), 4*time.Second)
}
