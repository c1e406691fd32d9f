// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func headerInt(t *testing.T, h http.Header, name string) int {
	t.Helper()
	v := h.Get(name)
	require.NotEmpty(t, v, "header %s", name)
	n, err := strconv.Atoi(v)
	require.NoError(t, err)
	return n
}

func TestLimitHeadersOnEveryAnswer(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 5}, Options{})
	for i, url := range []string{hldURL(base, "5.0", ""), hldURL(base, "5.0", "status=Open"), base + "/msp/about.php"} {
		resp, _ := apiGet(t, url)
		assert.Equal(t, 300, headerInt(t, resp.Header, "X-RateLimit-Limit"))
		assert.Equal(t, 3600, headerInt(t, resp.Header, "X-RateLimit-Window-Sec"))
		assert.Equal(t, 0, headerInt(t, resp.Header, "X-RateLimit-ToWait-Sec"))
		assert.Equal(t, 2, headerInt(t, resp.Header, "X-Concurrency-Limit-Limit"))
		assert.Equal(t, 1, headerInt(t, resp.Header, "X-Concurrency-Limit-Running"), "the running count includes this call")
		if i < 2 {
			assert.Equal(t, 299-i, headerInt(t, resp.Header, "X-RateLimit-Remaining"))
		}
	}
	req, _ := http.NewRequest(http.MethodGet, hldURL(base, "5.0", ""), nil)
	req.SetBasicAuth(testUser, "bad")
	req.Header.Set("X-Requested-With", "t")
	resp, _ := send(t, req)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, 298, headerInt(t, resp.Header, "X-RateLimit-Remaining"), "a rejected login uses no call")
	assert.Equal(t, 0, headerInt(t, resp.Header, "X-Concurrency-Limit-Running"))
}

func TestCompactConcurrencyHeaders(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 2}, Options{CompactConcurrencyHeaders: true, ConcurrencyLimit: 10})
	resp, _ := apiGet(t, base+"/msp/about.php")
	assert.Equal(t, 10, headerInt(t, resp.Header, "X-ConcurrencyLimit-Limit"))
	assert.Equal(t, 1, headerInt(t, resp.Header, "X-ConcurrencyLimit-Running"))
	assert.Empty(t, resp.Header.Get("X-Concurrency-Limit-Limit"))
}

// holdRequests starts n HLD requests that the stall fault keeps running until cancel is called.
func holdRequests(t *testing.T, srv *Server, base string, n int) (cancel func()) {
	_, err := srv.InjectFault(Fault{Kind: FaultStallBody, Endpoint: EndpointHLD, Count: n, AfterBytes: 10})
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hldURL(base, "5.0", ""), nil)
			req.SetBasicAuth(testUser, testPass)
			req.Header.Set("X-Requested-With", "t")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = resp.Body.Read(make([]byte, 64))
				<-ctx.Done()
				resp.Body.Close()
			}
		}()
	}
	require.Eventually(t, func() bool {
		return srv.limiters[EndpointHLD].snapshot(time.Now()).running == n
	}, 5*time.Second, 5*time.Millisecond)
	return func() {
		stop()
		wg.Wait()
		require.Eventually(t, func() bool { return srv.limiters[EndpointHLD].snapshot(time.Now()).running == 0 },
			5*time.Second, 5*time.Millisecond)
	}
}

func TestConcurrencyLimit1960(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 20}, Options{})
	release := holdRequests(t, srv, base, 2)
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	sr := simpleReturn(t, body)
	assert.Equal(t, 1960, sr.Response.Code)
	assert.Equal(t, "This API cannot be run again until 1 currently running API instance has finished.", sr.Response.Text)
	assert.Equal(t, "1", sr.item("CALLS_TO_FINISH"))
	assert.Equal(t, 2, headerInt(t, resp.Header, "X-Concurrency-Limit-Running"))
	assert.Equal(t, 3, srv.PeakConcurrency(EndpointHLD), "the refused call asked to run as the third")
	other, _ := apiGet(t, kbURL(base, "ids=1"))
	assert.Equal(t, http.StatusOK, other.StatusCode, "limits are per API")
	assert.Equal(t, 1, srv.PeakConcurrency(EndpointKB))
	release()
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRateLimit1965(t *testing.T) {
	clock := &fakeClock{now: fixedNow}
	_, base := startServer(t, TenantConfig{Hosts: 5}, Options{RateLimit: 3, Clock: clock.Now})
	for i := range 3 {
		resp, _ := apiGet(t, hldURL(base, "5.0", ""))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, 2-i, headerInt(t, resp.Header, "X-RateLimit-Remaining"))
		if i == 2 {
			assert.Equal(t, 3600-120, headerInt(t, resp.Header, "X-RateLimit-ToWait-Sec"), "the last call says how long to wait")
		}
		clock.Add(time.Minute)
	}
	// The window is spent: the oldest call leaves it 3600 s after it was made, 57 minutes from now.
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	sr := simpleReturn(t, body)
	assert.Equal(t, 1965, sr.Response.Code)
	assert.Equal(t, "This API cannot be run again for another 57 minutes.", sr.Response.Text)
	assert.Equal(t, "3420", sr.item("SECONDS_TO_WAIT"))
	assert.Equal(t, 3420, headerInt(t, resp.Header, "X-RateLimit-ToWait-Sec"))
	assert.Equal(t, 0, headerInt(t, resp.Header, "X-RateLimit-Remaining"))
	resp, _ = send(t, mustRequest(t, http.MethodDelete, base+"/sim/limits", ""))
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "ResetLimits starts the window afresh")
	clock.Add(3420 * time.Second)
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the rolling window freed one call")
}

func TestConcurrencyTakesPrecedence(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 20}, Options{RateLimit: 1, ConcurrencyLimit: 1})
	release := holdRequests(t, srv, base, 1)
	defer release()
	resp, body := apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Equal(t, 1960, simpleReturn(t, body).Response.Code, "both limits are spent; 1960 wins")
}

func TestRateText(t *testing.T) {
	assert.Equal(t, "This API cannot be run again for another 23 hours, 57 minutes and 54 seconds.", rateText(86274))
	assert.Equal(t, "This API cannot be run again for another 1 hour and 1 second.", rateText(3601))
	assert.Equal(t, "This API cannot be run again for another 5 seconds.", rateText(5))
	assert.Equal(t, "This API cannot be run again until 3 currently running API instances have finished.", concurrencyText(3))
}

func TestPerEndpointLimitOverride(t *testing.T) {
	_, base := startServer(t, TenantConfig{Hosts: 2}, Options{Limits: map[string]Limit{EndpointAbout: {Calls: -1, Concurrency: -1}}})
	resp, _ := apiGet(t, base+"/msp/about.php")
	assert.Empty(t, resp.Header.Get("X-RateLimit-Limit"), "unlimited APIs send no limit headers")
	resp, _ = apiGet(t, hldURL(base, "5.0", ""))
	assert.Equal(t, "300", resp.Header.Get("X-RateLimit-Limit"))
}
