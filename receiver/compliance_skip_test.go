// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// One host whose posture pages always fail does not block the compliance stream, on either API:
// after three failures in a row of its page, the stream pulls every other posture and skips the
// host, in every policy that holds it, with an error line naming it, its policy and the Qualys
// error, and receiver_qualys_hosts_skipped counting it once. The postures gauge stays as last seen
// (the full pull that skipped a host drops no posture), and the next full pull asks for the host
// again. A host that fails twice, then answers, is not skipped.
func TestComplianceSkipsHostWhosePosturePagesFail(t *testing.T) {
	tests := hostFailures
	for _, api := range []compliance.API{compliance.APIGateway, compliance.APIClassic} {
		for _, tt := range tests {
			t.Run(string(api)+"/"+tt.name, func(t *testing.T) {
				e := newFaultEnv(t, simulator.TenantConfig{Hosts: 60, Policies: 3, ControlsPerPolicy: 3}, simulator.Options{},
					faultEnvOptions{compliance: true})
				s := newComplianceStream(t, e.simEnv, func(c *compliance.Settings) {
					c.API = api
					c.Telemetry = e.telemetry
					c.PageSize = 10
					c.FullSyncInterval = time.Hour
				})
				p := e.poller(s)
				require.NoError(t, p.pollOnce(t.Context()), "the first full pull counts every posture")
				every := e.tenant.Counts(simulator.Query{})
				badIndex, policies := hostInPolicies(e.tenant, 2)
				bad := e.tenant.HostID(badIndex)
				ofBad := e.tenant.Counts(simulator.Query{IDs: simulator.IDSet{{Lo: bad, Hi: bad}}}).Postures
				require.Positive(t, ofBad)

				tt.failFullPull(t, e, p, bad)

				t.Logf("the host's pages failed %d times", e.server.Faults()[0].Fired)
				byHost := posturesByHost(e.simEnv)
				skipped := 0.0
				if tt.wantSkipped {
					skipped = 1
					assert.NotContains(t, byHost, int64(bad), "the host is skipped")
					assert.Equal(t, every.Postures-ofBad, sum(byHost), "every other posture arrived")
					// The gateway does not ask for a skipped host again in the other policies'
					// batches; a classic page asks for a span of host ids, so the host is found
					// again, at once, in each policy whose pages hold it.
					if api == compliance.APIGateway {
						policies = policies[:1]
					} else {
						spans := 0
						for _, r := range requestsTo(e.simEnv, simulator.EndpointPosture) {
							if strings.Contains(r.Body+"&"+r.RawQuery, "host_ids=") {
								spans++
							}
						}
						assert.Positive(t, spans, "the search asks for host_ids spans")
					}
					lines := e.logs.FilterMessageSnippet("Host skipped for this pull").All()
					require.Len(t, lines, len(policies))
					for i, line := range lines {
						assert.Equal(t, zapcore.ErrorLevel, line.Level)
						assert.Equal(t, []any{int64(bad)}, line.ContextMap()["host_ids"])
						assert.Equal(t, int64(policies[i]), line.ContextMap()["policy_id"])
						assert.Contains(t, line.ContextMap()["error"], tt.wantError)
					}
				} else {
					assert.Equal(t, tt.fault.Count, e.server.Faults()[0].Fired)
					assert.Equal(t, ofBad, byHost[int64(bad)], "the host that recovered is pulled")
					assert.Equal(t, every.Postures, sum(byHost))
					assert.Zero(t, e.logs.FilterMessageSnippet("Host skipped").Len())
				}
				assert.Equal(t, skipped, e.metric(metricHostsSkipped, kv("stream", compliance.Name)))
				assertPosturesGauge(t, e.simEnv, every.PosturesByStatus, "the skipped host's postures count as last seen")

				// The host answers again: the next full pull asks for it and pulls it.
				e.server.ClearFaults()
				e.advance(2 * time.Hour)
				e.sinks.reset()
				require.NoError(t, p.pollOnce(t.Context()))
				byHost = posturesByHost(e.simEnv)
				assert.Equal(t, ofBad, byHost[int64(bad)])
				assert.Equal(t, every.Postures, sum(byHost))
				assert.Equal(t, skipped, e.metric(metricHostsSkipped, kv("stream", compliance.Name)))
				assertPosturesGauge(t, e.simEnv, every.PosturesByStatus, "after the next full pull")
			})
		}
	}
}

// hostInPolicies is the index of a host in the middle of the tenant that is in at least want
// policies, and the ids of its policies, ascending.
func hostInPolicies(tn *simulator.Tenant, want int) (int, []uint64) {
	n := tn.Config().Hosts
	for off := range n {
		i := (n/2 + off) % n
		var ids []uint64
		for k, p := range tn.Policies() {
			if tn.InPolicy(k, i) {
				ids = append(ids, p.ID)
			}
		}
		if len(ids) >= want {
			return i, ids
		}
	}
	panic("no host in enough policies")
}

// posturesByHost counts the distinct postures received, by host id.
func posturesByHost(e *simEnv) map[int64]int {
	seen := map[int64]bool{}
	byHost := map[int64]int{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		if id := rec[convert.AttrPostureID].(int64); !seen[id] {
			seen[id] = true
			byHost[res[convert.AttrQualysHostID].(int64)]++
		}
	})
	return byHost
}

// assertPosturesGauge checks the postures gauge of the last metrics against want, by status.
func assertPosturesGauge(t *testing.T, e *simEnv, want map[string]int, msg string) {
	t.Helper()
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range want {
		assert.Equal(t, int64(n), got[status], "status %s: %s", status, msg)
	}
}
