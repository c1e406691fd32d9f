// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// plantedHosts is the size of the checkpoint the restart reads: a million hosts besides the
// tenant's own.
const plantedHosts = 1_000_000

// openFileStorage starts a file_storage extension on dir and opens the receiver's checkpoint
// store on it; close stops both, as a collector that stops does.
func openFileStorage(t *testing.T, dir string) (store *checkpoint.Store, close func()) {
	t.Helper()
	ext := startFileStorage(t, dir)
	client, err := ext.(storage.Extension).GetClient(t.Context(), component.KindReceiver, receiverID, "")
	require.NoError(t, err)
	return checkpoint.New(client), func() {
		require.NoError(t, client.Close(context.Background()))
		require.NoError(t, ext.Shutdown(context.Background()))
	}
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A restart of the vulnerabilities stream from a checkpoint record of a million hosts, through the
// contrib file_storage: the stream reads it and goes on incrementally with the counts it holds; the
// restart (reading the record, restoring the counts, the incremental poll and its saves) allocates a
// few bytes a host and leaves the counts' packed size on the heap, not a map's worth; and the next
// full pull drops the hosts the tenant does not have.
func TestRestartFromAMillionHostsThroughFileStorage(t *testing.T) {
	dir := t.TempDir()
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{})
	store, closeStorage := openFileStorage(t, dir)
	require.NoError(t, newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Store = store }).Poll(t.Context(), e.sinks))

	// The record of that pull, with a million more hosts in its counts: 1 to 3 Active detections
	// of severity 3, Confirmed.
	st := stateOf(t, store)
	require.NotNil(t, st.Gauge)
	counts := pull.NewHostCounts(nil)
	require.NoError(t, counts.Unmarshal(st.Gauge.Counts))
	tenantHosts := counts.Len()
	active := uint32(3) | uint32(2)<<8 | uint32(1)<<16
	var planted int64
	kinds := map[uint32]int{}
	for i := range int64(plantedHosts) {
		kinds[active] = 1 + int(i%3)
		counts.Set(1_000_000_000+i*5, kinds)
		planted += int64(kinds[active])
	}
	st.Gauge = &pull.GaugeRecord{Baseline: true}
	require.NoError(t, store.SaveWith(t.Context(), vulnerabilities.Name, &st, counts.AppendMarshal))
	closeStorage()
	counts = pull.StreamCounts[uint32]{}
	st = streamState{}

	// The restart, an hour later: nothing changed in the tenant.
	store, closeStorage = openFileStorage(t, dir)
	defer closeStorage()
	e.advance(time.Hour)
	e.server.ResetRequests()
	e.sinks.reset()
	s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Store = store })
	before := heapAfterGC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	runtime.ReadMemStats(&ms1)
	held := float64(int64(heapAfterGC())-int64(before)) / plantedHosts
	allocated := float64(ms1.TotalAlloc-ms0.TotalAlloc) / plantedHosts
	t.Logf("restart from %d hosts through file_storage: %.1f B/host allocated, %.1f B/host held", plantedHosts, allocated, held)
	assert.True(t, incrementalHLD(t, e), "the restart goes on incrementally")
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.vulnerability.detections", "qualys.detection.status")
	assert.Equal(t, int64(want.ByStatus["Active"])+planted, got["Active"], "the tenant's and the planted hosts' Active detections")
	assert.Less(t, allocated, 40.0, "bytes a host the restart allocated")
	assert.Less(t, held, 8.0, "bytes a host the restarted stream holds")
	runtime.KeepAlive(s)

	// The next full pull counts the tenant alone.
	e.advance(8 * 24 * time.Hour)
	e.server.ResetRequests()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.False(t, incrementalHLD(t, e), "a week later, a full pull")
	assertDetectionsGauge(t, e, "the planted hosts dropped out")
	st = stateOf(t, store)
	require.NotNil(t, st.Gauge)
	restored := pull.NewHostCounts(nil)
	require.NoError(t, restored.Unmarshal(st.Gauge.Counts))
	assert.Equal(t, tenantHosts, restored.Len(), "the record holds the tenant's hosts alone")
}
