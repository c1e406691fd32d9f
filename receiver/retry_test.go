// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Who retries what: the client retries a failed call within retry_on_failure; the stream retries
// only an answer cut off mid-body, within the same elapsed time; a consumer's refusal is retried
// within it too, and then the poll fails. Each poll that fails leaves the checkpoint where the
// consumer stopped accepting, and the next poll loses nothing.
func TestRetryLayers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault *simulator.Fault
		// refuse makes the consumer refuse every batch of the first poll.
		refuse bool
		// streamRetries says the stream pulled the page again (the answer was cut off).
		streamRetries bool
		cutOff        bool
	}{
		{name: "server errors are the client's", fault: &simulator.Fault{Kind: simulator.FaultHTTPError, Endpoint: simulator.EndpointHLD, Count: -1}},
		// Cut within the first 100 bytes, every answer fails, even of the smaller id spans a page
		// that keeps failing is then pulled in (internal/pull/skip.go).
		{name: "a cut-off answer is the stream's", fault: &simulator.Fault{Kind: simulator.FaultTruncate, Endpoint: simulator.EndpointHLD, Count: -1, AfterBytes: 100},
			streamRetries: true, cutOff: true},
		{name: "a refusing consumer ends the poll", refuse: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 2}, simulator.Options{}, faultEnvOptions{})
			s := e.vulnStream(t, func(c *vulnerabilities.Settings) {
				c.Workers = 1
				c.Retry = testRetry()
			})
			if tc.fault != nil {
				_, err := e.server.InjectFault(*tc.fault)
				require.NoError(t, err)
			}
			if tc.refuse {
				e.sinks.refuse = 1 << 30
			}
			err := s.Poll(t.Context(), e.sinks)
			require.Error(t, err, "the fault outlasts every retry")
			assert.Equal(t, tc.cutOff, qualys.IsCutOff(err), "%v", err)
			retried := e.logs.FilterMessageSnippet("Page failed; pulling it again").Len()
			if tc.streamRetries {
				assert.Positive(t, retried, "the stream pulled the cut-off page again")
			} else {
				assert.Zero(t, retried, "the stream left the retries to the client")
			}
			if tc.refuse {
				e.sinks.mu.Lock()
				assert.Greater(t, e.sinks.calls, 1, "the refused batch was offered again")
				e.sinks.mu.Unlock()
				assert.Equal(t, 1, detectionPages(e.simEnv), "no other page pulled while refused")
			}
			assert.Zero(t, e.sinks.records())

			e.server.ClearFaults()
			e.sinks.mu.Lock()
			e.sinks.refuse = 0
			e.sinks.mu.Unlock()
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			assertNoDetectionLost(t, e.simEnv, 0)
		})
	}
}
