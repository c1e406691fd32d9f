// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// A Qualys outage during a resumed compliance pull fails every poll and skips no host: the
// failures of the policy list and of Resolve Host IDs are not the failures of a posture page, so
// no search for a failing host starts, and no host is made up to skip.
func TestComplianceOutageSkipsNoHost(t *testing.T) {
	for _, api := range []compliance.API{compliance.APIGateway, compliance.APIClassic} {
		t.Run(string(api), func(t *testing.T) {
			e := newFaultEnv(t, simulator.TenantConfig{Hosts: 30, Policies: 2, ControlsPerPolicy: 2}, simulator.Options{},
				faultEnvOptions{compliance: true})
			s := newComplianceStream(t, e.simEnv, func(c *compliance.Settings) {
				c.API = api
				c.Telemetry = e.telemetry
				c.PageSize = 10
			})
			p := e.poller(s)
			posturePages := simulator.EndpointPCRSPostureInfo
			if api == compliance.APIClassic {
				posturePages = simulator.EndpointPosture
			}
			// The full pull's posture pages fail one poll: the pull is resumed by the next.
			_, err := e.server.InjectFault(simulator.Fault{Kind: simulator.FaultHTTPError, Endpoint: posturePages, Nth: 2, Count: -1})
			require.NoError(t, err)
			require.Error(t, p.pollOnce(t.Context()))
			e.server.ClearFaults()

			_, err = e.server.InjectFault(simulator.Fault{Kind: simulator.FaultHTTPError, Count: -1})
			require.NoError(t, err)
			for poll := range 3 * 2 {
				e.advance(time.Minute)
				require.Error(t, p.pollOnce(t.Context()), "poll %d in the outage", poll+1)
			}
			assert.Zero(t, e.logs.FilterMessageSnippet("Host skipped").Len())
			assert.Zero(t, e.metric(metricHostsSkipped, kv("stream", compliance.Name)))
		})
	}
}
