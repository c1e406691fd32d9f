// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

const metricHostsSkipped = "otelcol_receiver_qualys_hosts_skipped"

// One host whose Host List Detection pages always fail does not block the stream: after three
// failures in a row of its page, within a poll (a damaged answer, pulled again at once) or over
// polls (Qualys times out on it: the poll fails and is tried again), the stream pulls every other
// host and skips that one, with an error line naming it and the Qualys error and
// receiver_qualys_hosts_skipped counting it. The detections gauge keeps the host's counts as last
// seen, and the next full pull asks for the host again. A host that fails twice, then answers, is
// not skipped.
func TestSkipHostWhosePagesFail(t *testing.T) {
	tests := hostFailures
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFaultEnv(t, simulator.TenantConfig{Hosts: 120, DetectionsPerHost: 3}, simulator.Options{}, faultEnvOptions{})
			s := e.vulnStream(t, func(c *vulnerabilities.Settings) { c.FullSyncInterval = time.Hour })
			p := e.poller(s)
			require.NoError(t, p.pollOnce(t.Context()), "the first full pull counts every host")
			every := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
			bad := e.tenant.HostID(57) // in the middle of a page and of a range
			ofBad := e.tenant.Counts(simulator.Query{Statuses: allStatuses, IDs: simulator.IDSet{{Lo: bad, Hi: bad}}}).Detections
			require.Positive(t, ofBad)

			tt.failFullPull(t, e, p, bad)

			fired := e.server.Faults()[0].Fired
			if tt.fault.Count > 0 {
				assert.Equal(t, tt.fault.Count, fired)
			} else {
				assert.GreaterOrEqual(t, fired, 3, "the host's page failed three times in a row, and again alone")
			}
			t.Logf("the host's pages failed %d times", fired)
			byHost := detectionsByHost(e.simEnv)
			skipped := 0.0
			if tt.wantSkipped {
				skipped = 1
				assert.NotContains(t, byHost, int64(bad), "the host is skipped")
				assert.Equal(t, every.Detections-ofBad, sum(byHost), "every other detection arrived")
				lines := e.logs.FilterMessageSnippet("Host skipped for this pull").All()
				require.Len(t, lines, 1)
				assert.Equal(t, zapcore.ErrorLevel, lines[0].Level)
				assert.Equal(t, []any{int64(bad)}, lines[0].ContextMap()["host_ids"])
				assert.Contains(t, lines[0].ContextMap()["error"], tt.wantError)
			} else {
				assert.Equal(t, ofBad, byHost[int64(bad)], "the host that recovered is pulled")
				assert.Equal(t, every.Detections, sum(byHost))
				assert.Zero(t, e.logs.FilterMessageSnippet("Host skipped").Len())
			}
			assert.Equal(t, skipped, e.metric(metricHostsSkipped, kv("stream", vulnerabilities.Name)))
			gauge := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.vulnerability.detections", "qualys.detection.status")
			for status, n := range every.ByStatus {
				assert.Equal(t, int64(n), gauge[status], "status %s: the skipped host counts as last seen", status)
			}

			// The host answers again: the next full pull asks for it and pulls it.
			e.server.ClearFaults()
			e.advance(2 * time.Hour)
			e.sinks.reset()
			require.NoError(t, p.pollOnce(t.Context()))
			byHost = detectionsByHost(e.simEnv)
			assert.Equal(t, ofBad, byHost[int64(bad)])
			assert.Equal(t, every.Detections, sum(byHost))
			assert.Equal(t, skipped, e.metric(metricHostsSkipped, kv("stream", vulnerabilities.Name)))
		})
	}
}

// detectionsByHost counts the distinct detections received, by host id.
func detectionsByHost(e *simEnv) map[int64]int {
	seen := map[string]bool{}
	byHost := map[int64]int{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		if k := detectionKey(res, rec); !seen[k] {
			seen[k] = true
			byHost[res[convert.AttrQualysHostID].(int64)]++
		}
	})
	return byHost
}

func sum(byHost map[int64]int) int {
	n := 0
	for _, v := range byHost {
		n += v
	}
	return n
}

// hostFailure is a way one host's pages fail, for the skip tests of every stream.
type hostFailure struct {
	name  string
	fault simulator.Fault
	// failedPolls is how many polls fail before the one that skips the host.
	failedPolls int
	wantSkipped bool
	wantError   string
}

// hostFailures: a damaged answer is pulled again within the poll, so the host is skipped in the
// first poll; a timeout fails the poll, so the host is skipped by the third; a host that fails
// twice, then answers, is not skipped.
var hostFailures = []hostFailure{
	{name: "answer always damaged", fault: simulator.Fault{Kind: simulator.FaultMalformed, Count: -1},
		wantSkipped: true, wantError: "could not be read"},
	{name: "Qualys times out on it", fault: simulator.Fault{Kind: simulator.FaultHTTPError, Status: 504, Count: -1},
		failedPolls: 2, wantSkipped: true, wantError: "HTTP 504"},
	{name: "a host that recovers after two failures", fault: simulator.Fault{Kind: simulator.FaultMalformed, Count: 2}},
}

// failFullPull makes every page that holds host bad fail as tt says, lets a full pull fall due,
// and polls until the pull completes: tt.failedPolls polls fail first.
func (tt hostFailure) failFullPull(t *testing.T, e *faultEnv, p *scheduler, bad uint64) {
	t.Helper()
	tt.fault.HostID = bad
	_, err := e.server.InjectFault(tt.fault)
	require.NoError(t, err)
	e.advance(2 * time.Hour) // a full pull is due
	e.sinks.reset()
	for poll := range tt.failedPolls {
		require.Error(t, p.pollOnce(t.Context()), "poll %d", poll+1)
	}
	require.NoError(t, p.pollOnce(t.Context()))
}
