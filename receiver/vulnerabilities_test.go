// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/kb"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

var allStatuses = []string{"New", "Active", "Re-Opened", "Fixed"}

func newVulnStream(t *testing.T, e *simEnv, mutate func(*VulnerabilitiesSettings)) *VulnerabilitiesStream {
	t.Helper()
	cfg := VulnerabilitiesSettings{
		PullSettings:     e.pullSettings(),
		Query:            qualys.DetectionQuery{Status: allStatuses, ShowResults: true},
		FullSyncInterval: 7 * 24 * time.Hour,
		MaxResultsBytes:  64,
		KnowledgeBase:    kb.NewCache(KnowledgeBaseFetcher{Client: e.client}, 24*time.Hour),
		Metrics:          newMetricsBuilder(t),
		CountsEnabled:    true,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return NewVulnerabilitiesStream(cfg)
}

// The emitted detections and metrics of a small simulated tenant, pulled over several pages and
// ranges in parallel, equal the golden files.
func TestVulnerabilitiesGolden(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 12, DetectionsPerHost: 3, QIDs: 20, ResultsBytes: 100}, simulator.Options{})
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	assertGoldenLogs(t, "vulnerabilities/logs.yaml", e.sinks.allLogs())
	assertGoldenMetrics(t, "vulnerabilities/metrics.yaml", e.sinks.lastMetrics())
}

// Every matching detection of a larger tenant arrives exactly once, and the gauge equals the
// simulator's own counts.
func TestVulnerabilitiesCompleteAndCounted(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 300, DetectionsPerHost: 6}, simulator.Options{})
	s := newVulnStream(t, e, func(c *VulnerabilitiesSettings) { c.PageSize = 37 })
	require.NoError(t, s.Poll(t.Context(), e.sinks))

	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	seen := map[string]int{}
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		seen[detectionKey(res, rec)]++
	})
	assert.Len(t, seen, want.Detections)
	for k, n := range seen {
		require.Equal(t, 1, n, "detection %s emitted %d times", k, n)
	}

	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.vulnerability.detections", "qualys.detection.status")
	for status, n := range want.ByStatus {
		assert.Equal(t, int64(n), got[status], "status %s", status)
	}
}

// The second poll of an unchanged tenant emits nothing and costs under 1% of the first poll's
// bytes; a detection fixed after it comes on the next poll with status Fixed.
func TestVulnerabilitiesIncremental(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 200, DetectionsPerHost: 8}, simulator.Options{})
	s := newVulnStream(t, e, nil)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	first := e.bytesSince(0)
	firstRecords := e.sinks.records()
	require.Positive(t, firstRecords)

	e.advance(4 * time.Hour)
	e.sinks.reset()
	before := len(e.server.Requests())
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.Zero(t, e.sinks.records(), "an unchanged tenant emits nothing")
	second := e.bytesSince(before)
	assert.Less(t, float64(second), 0.01*float64(first), "second poll: %d bytes, first %d", second, first)

	// Fix an Active detection.
	h := e.tenant.Host(5)
	var qid uint64
	for _, d := range e.tenant.Detections(&h) {
		if d.Status == "Active" {
			qid = d.QID
			break
		}
	}
	require.NotZero(t, qid, "host 5 has an Active detection")
	fixedAt := e.advance(time.Hour)
	require.NoError(t, e.tenant.SetDetectionStatus(h.ID, qid, "Fixed", fixedAt))

	e.advance(3 * time.Hour)
	e.sinks.reset()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	found := false
	eachLog(e.sinks.allLogs(), func(res, rec map[string]any) {
		assert.Equal(t, int64(h.ID), res[convert.AttrQualysHostID], "only the changed host comes again")
		if rec[convert.AttrQID] == int64(qid) {
			found = true
			assert.Equal(t, "Fixed", rec[convert.AttrDetectionStatus])
		}
	})
	assert.True(t, found, "the fixed detection arrives on the next poll")
}

// eachLog calls fn with the resource and record attributes of every record.
func eachLog(ld plog.Logs, fn func(res, rec map[string]any)) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		res := rls.At(i).Resource().Attributes().AsRaw()
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				fn(res, lrs.At(k).Attributes().AsRaw())
			}
		}
	}
}

func detectionKey(res, rec map[string]any) string {
	return formatKey(res[convert.AttrQualysHostID], rec[convert.AttrQID], rec[convert.AttrServerPort],
		rec[convert.AttrNetworkTransport], rec[convert.AttrDetectionInstance], rec[convert.AttrDetectionUniqueID])
}
