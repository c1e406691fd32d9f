// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualys

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"

	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// simClient is the client against the Qualys simulator, both on one fake clock so the client's
// waits move the simulator's rate window too.
type simClient struct {
	*Client
	server   *simulator.Server
	clock    *fakeClock
	observer *recordingObserver
}

func newSimClient(t *testing.T, opts simulator.Options, password string) simClient {
	t.Helper()
	clk := newFakeClock()
	opts.Clock = clk.Now
	srv := simulator.New(simulator.NewTenant(simulator.TenantConfig{Seed: 1, Hosts: 20, Policies: 2}), opts)
	apiURL, gatewayURL := srv.Start()
	t.Cleanup(srv.Close)
	retry := configretry.NewDefaultBackOffConfig()
	retry.RandomizationFactor = 0
	obs := &recordingObserver{}
	c, err := New(http.DefaultClient, Settings{
		APIServerURL: apiURL, GatewayURL: gatewayURL, Username: "qualys_user", Password: password,
		MaxConcurrency: 2, Retry: retry, Observer: obs,
	})
	require.NoError(t, err)
	c.clock = clk
	return simClient{Client: c, server: srv, clock: clk, observer: obs}
}

func (s simClient) hostIDs(t *testing.T) (*Response, error) {
	t.Helper()
	return s.HostIDs(t.Context(), HostQuery{}, IDRange{})
}

func (s simClient) inject(t *testing.T, f simulator.Fault) {
	t.Helper()
	_, err := s.server.InjectFault(f)
	require.NoError(t, err)
}

// Limit answers and transient failures are waited out and retried; the call then succeeds.
func TestClientWaitsAndRetriesAgainstSimulator(t *testing.T) {
	tests := []struct {
		name     string
		fault    simulator.Fault
		call     func(s simClient, t *testing.T) (*Response, error)
		outcome  string        // what the observer saw for the failed attempts
		minWait  time.Duration // the least the client waited
		attempts int           // requests the simulator served for the endpoint
	}{
		{
			name:    "409 code 1960 concurrency",
			fault:   simulator.Fault{Kind: simulator.FaultConcurrencyLimit, Endpoint: simulator.EndpointHostList, Count: 2},
			call:    simClient.hostIDs,
			outcome: outcomeLimited, minWait: 2 * time.Second, attempts: 3,
		},
		{
			name:    "409 code 1965 rate, SECONDS_TO_WAIT",
			fault:   simulator.Fault{Kind: simulator.FaultRateLimit, Endpoint: simulator.EndpointHostList, WaitSeconds: 3600},
			call:    simClient.hostIDs,
			outcome: outcomeLimited, minWait: time.Hour, attempts: 2,
		},
		{
			name:    "burst of 5xx",
			fault:   simulator.Fault{Kind: simulator.FaultHTTPError, Endpoint: simulator.EndpointHostList, Status: 503, Count: 3},
			call:    simClient.hostIDs,
			outcome: outcomeServerError, minWait: 5 * time.Second, attempts: 4,
		},
		{
			name:  "gateway 429, Retry-After",
			fault: simulator.Fault{Kind: simulator.FaultGateway429, Endpoint: simulator.EndpointPCRSPolicies, WaitSeconds: 60},
			call: func(s simClient, t *testing.T) (*Response, error) {
				return s.PCRSPolicies(t.Context(), "5.0")
			},
			outcome: outcomeLimited, minWait: time.Minute, attempts: 2,
		},
		{
			name:  "expired JWT renewed once",
			fault: simulator.Fault{Kind: simulator.FaultJWTExpired, Endpoint: simulator.EndpointPCRSPolicies},
			call: func(s simClient, t *testing.T) (*Response, error) {
				return s.PCRSPolicies(t.Context(), "5.0")
			},
			outcome: outcomeTokenExpired, attempts: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSimClient(t, simulator.Options{}, "qualys_pass")
			s.inject(t, tt.fault)
			resp, err := tt.call(s, t)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.GreaterOrEqual(t, s.clock.totalWait(), tt.minWait)
			assert.Contains(t, s.observer.outcomeList(), tt.outcome)
			served := func() int {
				n := 0
				for _, r := range s.server.Requests() {
					if r.Endpoint == tt.fault.Endpoint {
						n++
					}
				}
				return n
			}
			// The simulator logs a request when its handler returns, which can be just after the
			// client has read the whole answer.
			assert.Eventually(t, func() bool { return served() >= tt.attempts }, 2*time.Second, time.Millisecond)
			assert.Equal(t, tt.attempts, served())
		})
	}
}

// The gateway login of a start-up check is retried like every other call: a 503 (or a gateway not
// reachable yet) is a transient failure; a rejected password is not retried.
func TestGatewayLoginRetriedAgainstSimulator(t *testing.T) {
	authCalls := func(s simClient) int {
		n := 0
		for _, r := range s.server.Requests() {
			if r.Endpoint == simulator.EndpointAuth {
				n++
			}
		}
		return n
	}
	s := newSimClient(t, simulator.Options{}, "qualys_pass")
	s.inject(t, simulator.Fault{Kind: simulator.FaultHTTPError, Endpoint: simulator.EndpointAuth, Status: 503, Count: 2})
	require.NoError(t, s.GatewayLogin(t.Context()))
	assert.Eventually(t, func() bool { return authCalls(s) == 3 }, 2*time.Second, time.Millisecond)
	assert.Equal(t, []string{outcomeServerError, outcomeServerError, outcomeOK}, s.observer.outcomeList())
	assert.GreaterOrEqual(t, s.clock.totalWait(), 5*time.Second, "the back-off's first pauses")

	s = newSimClient(t, simulator.Options{}, "wrong_pass")
	require.Error(t, s.GatewayLogin(t.Context()))
	assert.Eventually(t, func() bool { return authCalls(s) == 1 }, 2*time.Second, time.Millisecond)
	assert.Equal(t, []string{outcomeAuthError}, s.observer.outcomeList())
}

// The client keeps under the simulator's rate window by itself: when X-RateLimit-Remaining reaches
// 0 it waits X-RateLimit-ToWait-Sec instead of drawing a 409.
func TestClientHonoursRateWindowOfSimulator(t *testing.T) {
	s := newSimClient(t, simulator.Options{RateLimit: 3, RateWindow: time.Hour}, "qualys_pass")
	for range 5 {
		resp, err := s.hostIDs(t)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	for _, r := range s.server.Requests() {
		assert.NotEqual(t, http.StatusConflict, r.Status, "no call was refused")
	}
	assert.GreaterOrEqual(t, s.clock.totalWait(), 59*time.Minute, "waited for the window")
}

// The client paces PCRS calls itself: 60 policy list calls draw no 429 from the simulator's budget
// (25 per 60 s) and never more than 25 start in any 60 s.
func TestClientPacesPCRSCallsAgainstSimulator(t *testing.T) {
	s := newSimClient(t, simulator.Options{}, "qualys_pass")
	starts := recordStarts(s.Client, s.clock)
	for range 60 {
		resp, err := s.PCRSPolicies(t.Context(), "5.0")
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	for _, r := range s.server.Requests() {
		assert.NotEqual(t, http.StatusTooManyRequests, r.Status, "no call was refused")
	}
	assert.Len(t, starts(), 60, "no call was repeated")
	assert.Equal(t, 25, maxInWindow(starts(), time.Minute))
	assert.Equal(t, 2*(time.Minute+paceMargin), s.clock.totalWait(), "calls 26 and 51 waited for a new window")
	assert.Equal(t, []string{"rate", "rate"}, s.observer.waitList())
}

// Qualys' X-Concurrency-Limit-Limit lowers max_concurrency: 12 parallel Host List Detection calls
// with max_concurrency 4 never run more than the simulator's 2 at once, and none is refused.
func TestClientConcurrencyFollowsSimulatorLimit(t *testing.T) {
	s := newSimClient(t, simulator.Options{ConcurrencyLimit: 2}, "qualys_pass")
	s.settings.MaxConcurrency = 4
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			resp, err := s.HostDetections(t.Context(), DetectionQuery{PageSize: 5}, IDRange{})
			if !assert.NoError(t, err) {
				return
			}
			// Read to the end: the call ends for both sides only once the whole answer is in.
			_, err = io.Copy(io.Discard, resp.Body)
			assert.NoError(t, err)
			assert.NoError(t, resp.Body.Close())
		})
	}
	wg.Wait()
	assert.NotContains(t, s.observer.outcomeList(), outcomeLimited)
	for _, r := range s.server.Requests() {
		assert.NotEqual(t, http.StatusConflict, r.Status, "no call was refused")
	}
	assert.LessOrEqual(t, s.server.PeakConcurrency(simulator.EndpointHLD), 2)
	limit, _ := s.limiterFor(Request{API: APIServer, Path: HostDetectionsPath}).concurrency()
	assert.Equal(t, 2, limit)
}

// Fatal answers end the call at once with a message that says what to fix.
func TestClientFatalErrorsAgainstSimulator(t *testing.T) {
	tests := []struct {
		name     string
		fault    *simulator.Fault
		password string
		kind     ErrKind
		message  string
	}{
		{name: "2001 under HTTP 200", fault: &simulator.Fault{Kind: simulator.FaultAccountExpired, Endpoint: simulator.EndpointHostList},
			kind: KindAuth, message: "host_ids: HTTP 200, code 2001: This account has expired. (the Qualys account or subscription has expired; renew it in Qualys)"},
		{name: "2003 registration", fault: &simulator.Fault{Kind: simulator.FaultRegistration, Endpoint: simulator.EndpointHostList},
			kind: KindAuth, message: "log in once to the Qualys console"},
		{name: "401 bad password", password: "wrong-password", kind: KindAuth, message: "host_ids: HTTP 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			password := tt.password
			if password == "" {
				password = "qualys_pass"
			}
			s := newSimClient(t, simulator.Options{}, password)
			if tt.fault != nil {
				s.inject(t, *tt.fault)
			}
			_, err := s.hostIDs(t)
			require.Error(t, err)
			var qe *Error
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, tt.kind, qe.Kind)
			assert.True(t, IsFatal(err))
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), password, "the password never appears in an error")
			assert.Len(t, s.server.Requests(), 1, "a fatal answer is not retried")
		})
	}
}

// Every API server call carries X-Requested-With and basic auth; gateway calls carry the JWT.
func TestClientHeadersAgainstSimulator(t *testing.T) {
	s := newSimClient(t, simulator.Options{}, "qualys_pass")
	resp, err := s.hostIDs(t)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	resp, err = s.PCRSPolicies(t.Context(), "5.0")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	for _, r := range s.server.Requests() {
		assert.False(t, r.AuthFailed, "%s accepted its credentials", r.Endpoint)
		if strings.HasPrefix(r.Path, "/api/") {
			assert.NotEmpty(t, r.Header.Get("X-Requested-With"), r.Path)
		}
	}
}

// waitList is the reasons of the limit waits seen.
func (o *recordingObserver) waitList() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.waits)
}

// outcomeList is the outcomes seen, without their endpoints.
func (o *recordingObserver) outcomeList() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]string, len(o.outcomes))
	for i, s := range o.outcomes {
		out[i] = s[strings.LastIndex(s, ":")+1:]
	}
	return out
}
