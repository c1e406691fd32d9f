// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMutationsWhileServing runs pages and mutations at once (meaningful under -race).
func TestMutationsWhileServing(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Seed: 13, Hosts: 80}, Options{ConcurrencyLimit: -1, RateLimit: -1})
	tn := srv.Tenant()
	at := tn.Config().BaseTime.Add(time.Hour)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if g == 0 {
					h := tn.Host(i)
					for _, d := range tn.Detections(&h) {
						_ = tn.SetDetectionStatus(h.ID, d.QID, StatusFixed, at)
					}
					_ = tn.TouchHost(tn.HostID(40+i), at)
					continue
				}
				resp, _ := apiGet(t, hldURL(base, "5.0", "truncation_limit=20&status=Fixed"))
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	hosts, _ := fetchHLD(t, hldURL(base, "5.0", "truncation_limit=0&status=Fixed&vm_processed_after="+qualysTime(at.Add(-time.Second))))
	want := tn.Counts(Query{Statuses: []string{StatusFixed}, VMProcessedAfter: at.Add(-time.Second)})
	assert.Equal(t, want.HostsWithDetections, len(hosts))
	assert.Equal(t, want.Detections, detectionCount(hosts))
	fixedHosts := map[uint64]bool{}
	for _, h := range hosts {
		fixedHosts[h.ID] = true
	}
	for i := range 10 {
		id := tn.HostID(i)
		assert.Zero(t, tn.Counts(Query{IDs: NewIDSet(id)}).Detections, "no open detection left on host %d", i)
		if tn.Counts(Query{IDs: NewIDSet(id), Statuses: []string{StatusFixed}}).Detections > 0 {
			assert.True(t, fixedHosts[id], "host %d is listed with its fixed detections", i)
		}
	}
}

func TestMaxInFlightQueues(t *testing.T) {
	srv, base := startServer(t, TenantConfig{Hosts: 5}, Options{MaxInFlight: 1})
	inject(t, srv, Fault{Kind: FaultSlowBody, Endpoint: EndpointAbout, Delay: 150 * time.Millisecond, ChunkBytes: 1 << 20})
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, _ := apiGet(t, base+"/msp/about.php")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}()
	require.Eventually(t, func() bool { return len(srv.Faults()) == 1 && srv.Faults()[0].Fired == 1 },
		5*time.Second, time.Millisecond)
	resp, _ := apiGet(t, kbURL(base, "ids=1"))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the second request waited for a slot instead of failing")
	assert.GreaterOrEqual(t, time.Since(start), 140*time.Millisecond)
	wg.Wait()
}

func TestBandwidthCap(t *testing.T) {
	_, base := startServer(t, TenantConfig{Seed: 1, Hosts: 10}, Options{BandwidthBytesPerSec: 100_000})
	start := time.Now()
	_, body := apiGet(t, hldURL(base, "5.0", ""))
	elapsed := time.Since(start)
	want := time.Duration(float64(len(body)) / 100_000 * float64(time.Second))
	assert.Greater(t, len(body), 20_000)
	assert.GreaterOrEqual(t, elapsed, want*8/10, "%d bytes took %v", len(body), elapsed)
}

func TestCloseReleasesStalledResponses(t *testing.T) {
	srv := New(NewTenant(TenantConfig{Hosts: 5}), Options{Username: testUser, Password: testPass})
	base, _ := srv.Start()
	inject(t, srv, Fault{Kind: FaultStallBody, AfterBytes: 100})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hldURL(base, "5.0", ""), nil)
		req.SetBasicAuth(testUser, testPass)
		req.Header.Set("X-Requested-With", "t")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // held open by the stall until Close
			resp.Body.Close()
		}
	}()
	require.Eventually(t, func() bool { return srv.limiters[EndpointHLD].snapshot(time.Now()).running == 1 },
		5*time.Second, time.Millisecond)
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the stalled response")
	}
}

func TestAnswersAreDatedByTheSimulatorsClock(t *testing.T) {
	at := time.Date(2026, 1, 20, 8, 30, 0, 0, time.UTC)
	_, base := startServer(t, TenantConfig{Seed: 1, Hosts: 2}, Options{Clock: func() time.Time { return at }})
	resp, _ := apiGet(t, hldURL(base, "5.0", "truncation_limit=0"))
	assert.Equal(t, at.Format(http.TimeFormat), resp.Header.Get("Date"), "not the wall clock's date")
}
