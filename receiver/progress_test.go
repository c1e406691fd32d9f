// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Names of the progress self-metrics, as the collector exports them.
const (
	metricPages          = "otelcol_receiver_qualys_pages"
	metricPullHostsDone  = "otelcol_receiver_qualys_pull_hosts_done"
	metricPullHostsTotal = "otelcol_receiver_qualys_pull_hosts_total"
)

// progressEvery is the progress interval of the slow pulls below: long enough that the ticks of a
// loaded machine under -race stay apart, short enough that a pull of a few seconds logs several.
const progressEvery = 250 * time.Millisecond

// A slow pull logs its progress at a steady pace: pages, records, hosts done of the total, elapsed
// time and an estimate of what is left. The same figures are the receiver's own metrics.
func TestProgressLinesOnSlowPull(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 4, ResultsBytes: 400},
		simulator.Options{BandwidthBytesPerSec: 200_000}, faultEnvOptions{})
	s := newVulnStream(t, e.simEnv, func(c *vulnerabilities.Settings) {
		c.Telemetry = e.telemetry
		c.ProgressEvery = progressEvery
		c.Clock = runningClock(e.clock)
		// Pages of one host come several per progress line, so a line per page would show.
		c.PageSize = 1
		c.Workers = 1
	})
	started := time.Now()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	took := time.Since(started)

	lines := e.logs.FilterMessage("Pull in progress").All()
	t.Logf("pull took %v, %d progress lines, gaps %v", took, len(lines), progressGaps(lines))
	last := assertProgressLines(t, lines, []string{"pages", "records", "hosts_done"}, func(i int, f map[string]any) {
		assert.EqualValues(t, 40, f["hosts_total"], "line %d", i)
		if done := f["hosts_done"].(int64); done > 0 && done < 40 {
			assert.Contains(t, f, "estimated_remaining", "line %d: an estimate once some hosts are done", i)
		}
	})

	// The same figures are self-metrics, and by the end of the pull they cover all of it. Hosts
	// without detections never appear in a page; they count as done when their range ends.
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	require.Less(t, want.HostsWithDetections, want.Hosts, "the tenant has hosts without detections")
	vuln := kv("stream", vulnerabilities.Name)
	assert.Equal(t, 40.0, e.metric(metricPullHostsTotal, vuln), "hosts in the pull")
	assert.EqualValues(t, want.Hosts, e.metric(metricPullHostsDone, vuln), "hosts done by the end: all of them")
	assert.GreaterOrEqual(t, e.metric(metricPullHostsDone, vuln), float64(last["hosts_done"].(int64)))
	assert.EqualValues(t, want.Detections, e.metric(metricRecords, vuln), "every detection")
	assert.EqualValues(t, e.sinks.records(), e.metric(metricRecords, vuln), "records accepted")
	assert.GreaterOrEqual(t, e.metric(metricRecords, vuln), float64(last["records"].(int64)))
	assert.EqualValues(t, detectionPages(e.simEnv), e.metric(metricPages, vuln), "one per detection page")
	assert.GreaterOrEqual(t, e.metric(metricPages, vuln), float64(last["pages"].(int64)))
}

// The compliance stream logs its progress at the same pace, between batches: batches (pages),
// records, policies (its ranges) done of the total, elapsed time and, once a policy is done, an
// estimate of what is left; the batches, records and policy-host pairs pulled are self-metrics.
func TestComplianceProgressLines(t *testing.T) {
	e := newFaultEnv(t, simulator.TenantConfig{Hosts: 40, Policies: 3, ControlsPerPolicy: 4, HostsPerPolicy: 40},
		simulator.Options{BandwidthBytesPerSec: 20_000}, faultEnvOptions{compliance: true})
	s := newComplianceStream(t, e.simEnv, func(c *compliance.Settings) {
		c.Telemetry = e.telemetry
		c.ProgressEvery = progressEvery
		c.Clock = runningClock(e.clock)
		// Batches of four hosts come several per progress line, so a line per batch would show.
		c.PageSize = 4
		c.PoliciesPerCall = 1
	})
	started := time.Now()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	took := time.Since(started)

	lines := e.logs.FilterMessage("Pull in progress").All()
	t.Logf("pull took %v, %d progress lines, gaps %v", took, len(lines), progressGaps(lines))
	estimates := 0
	last := assertProgressLines(t, lines, []string{"pages", "records", "ranges_done"}, func(i int, f map[string]any) {
		assert.EqualValues(t, 3, f["ranges"], "line %d: a range per policy", i)
		assert.NotContains(t, f, "hosts_total", "line %d: the pair count is not known ahead", i)
		if done := f["ranges_done"].(int64); done > 0 && done < 3 {
			assert.Contains(t, f, "estimated_remaining", "line %d: an estimate once a policy is done", i)
			estimates++
		} else {
			assert.NotContains(t, f, "estimated_remaining", "line %d: nothing to extrapolate from, or nothing left", i)
		}
	})
	assert.Positive(t, estimates, "some line falls between the first and the last policy")

	completed := e.logs.FilterMessage("Pull completed").All()
	require.Len(t, completed, 1)
	end := completed[0].ContextMap()
	comp := kv("stream", compliance.Name)
	assert.EqualValues(t, len(requestsTo(e.simEnv, simulator.EndpointPCRSPostureInfo)), e.metric(metricPages, comp), "one per batch")
	assert.EqualValues(t, end["records"], e.metric(metricRecords, comp), "records emitted")
	assert.EqualValues(t, e.sinks.records(), e.metric(metricRecords, comp), "records accepted")
	assert.GreaterOrEqual(t, e.metric(metricPages, comp), float64(last["pages"].(int64)))
	assert.Equal(t, 3.0*40, e.metric(metricPullHostsDone, comp), "every policy-host pair pulled")
	assert.Zero(t, e.metric(metricPullHostsTotal, comp), "the pair count is not known ahead")
}

// assertSteadyPace checks that progress lines come every every: never two in a row much sooner
// (not per page), and typically not much later (not once at the end).
func assertSteadyPace(t *testing.T, lines []observer.LoggedEntry, every time.Duration) {
	t.Helper()
	gaps := progressGaps(lines)
	require.NotEmpty(t, gaps)
	sorted := slices.Sorted(slices.Values(gaps))
	// A tick that a loaded machine delivered late makes the gap after it short once; a line per page
	// would make most gaps short.
	if len(sorted) > 1 {
		assert.GreaterOrEqual(t, sorted[1], every*6/10, "second shortest gap between progress lines: %v", gaps)
	}
	assert.Less(t, sorted[len(sorted)/2], 3*every, "median gap between progress lines: %v", gaps)
}

func progressGaps(lines []observer.LoggedEntry) []time.Duration {
	var gaps []time.Duration
	for i := 1; i < len(lines); i++ {
		gaps = append(gaps, lines[i].Time.Sub(lines[i-1].Time))
	}
	return gaps
}

// detectionPages counts the host list detection calls the simulator answered.
func detectionPages(e *simEnv) int {
	n := 0
	for _, r := range e.server.Requests() {
		if r.Endpoint == simulator.EndpointHLD {
			n++
		}
	}
	return n
}

// assertProgressLines checks a pull's progress lines: at least three, each with the counters and
// elapsed, none going back, at a steady pace; check looks at each line's own fields. It returns
// the fields of the last line.
func assertProgressLines(t *testing.T, lines []observer.LoggedEntry, counters []string, check func(i int, fields map[string]any)) map[string]any {
	t.Helper()
	require.GreaterOrEqual(t, len(lines), 3, "a pull of a few seconds logs progress more than once")
	var last map[string]any
	for i, l := range lines {
		f := l.ContextMap()
		for _, key := range append([]string{"elapsed"}, counters...) {
			require.Contains(t, f, key, "line %d", i)
		}
		if last != nil {
			for _, key := range counters {
				assert.GreaterOrEqual(t, f[key].(int64), last[key].(int64), "line %d: %s never goes back", i, key)
			}
			assert.GreaterOrEqual(t, f["elapsed"].(time.Duration), last["elapsed"].(time.Duration), "line %d", i)
		}
		check(i, f)
		last = f
	}
	assertSteadyPace(t, lines, progressEvery)
	return last
}
