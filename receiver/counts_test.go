// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// With the detections gauge on, a restart no longer costs a full pull: the counts of the last
// completed pull come back from file_storage, the first poll is incremental, and the gauge it
// emits covers the whole tenant, including a detection fixed while the collector was down.
func TestVulnerabilitiesCountsSurviveRestart(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 120, DetectionsPerHost: 5}, simulator.Options{})
	ext := startFileStorage(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	run := func() {
		t.Helper()
		client, err := ext.(storage.Extension).GetClient(t.Context(), component.KindReceiver, receiverID, "")
		require.NoError(t, err)
		defer func() { require.NoError(t, client.Close(context.Background())) }()
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Store = checkpoint.New(client) })
		e.sinks.reset()
		e.server.ResetRequests()
		require.NoError(t, s.Poll(t.Context(), e.sinks))
	}
	run()
	require.False(t, incrementalHLD(t, e), "the first pull is full")

	h := e.tenant.Host(7)
	var qid uint64
	for _, d := range e.tenant.Detections(&h) {
		if d.Status == "Active" && d.Type != simulator.TypeInfo {
			qid = d.QID
			break
		}
	}
	require.NotZero(t, qid, "host 7 has an Active detection")
	fixedAt := e.advance(time.Hour)
	require.NoError(t, e.tenant.SetDetectionStatus(h.ID, qid, "Fixed", fixedAt))
	e.advance(time.Hour)

	run() // a new stream over a new storage client: a restart
	assert.True(t, incrementalHLD(t, e), "after the restart the pull goes on incrementally")
	assert.Less(t, e.sinks.records(), 20, "only the changed host comes again")
	assert.Len(t, e.logs.FilterMessage("Gauge counts restored from the checkpoint").All(), 1)
	assertDetectionsGauge(t, e, "fix included")
}

// stopAfterFirstBatch accepts the first batch, then cancels the poll: a shutdown in the middle of a
// pull.
type stopAfterFirstBatch struct {
	*testSinks
	cancel context.CancelFunc
	once   sync.Once
}

func (s *stopAfterFirstBatch) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	var err error
	accepted := false
	s.once.Do(func() {
		err = s.testSinks.ConsumeLogs(ctx, ld)
		accepted = true
	})
	if accepted {
		s.cancel()
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// A pull stopped part way saves its counts so far: after the restart, the resumed pull delivers the
// rest and the gauge includes the changes the stopped part delivered, not only those after it.
func TestVulnerabilitiesCountsOfAStoppedPull(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 4}, simulator.Options{})
	oneByOne := func(c *vulnerabilities.Settings) { c.PageSize = 1; c.Workers = 1; c.BatchRecords = 1000 }
	require.NoError(t, newVulnStream(t, e, oneByOne).Poll(t.Context(), e.sinks))

	// A change on a low and a high host id: the stopped pull delivers the first, the resumed one
	// the second.
	for _, i := range []int{1, e.tenant.HostCount() - 2} {
		h := e.tenant.Host(i)
		fixed := false
		for _, d := range e.tenant.Detections(&h) {
			// Information gathered is not pulled (show_igs off), so it would not show in the gauge.
			if (d.Status == "Active" || d.Status == "New") && d.Type != simulator.TypeInfo {
				require.NoError(t, e.tenant.SetDetectionStatus(h.ID, d.QID, "Fixed", e.advance(time.Minute)))
				fixed = true
				break
			}
		}
		require.True(t, fixed, "host %d has an open detection", i)
	}
	e.advance(time.Hour)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stopping := &stopAfterFirstBatch{testSinks: &testSinks{}, cancel: cancel}
	require.Error(t, newVulnStream(t, e, oneByOne).Poll(ctx, stopping), "stopped part way")
	require.Positive(t, stopping.records(), "the first changed host was delivered")

	e.sinks.reset()
	require.NoError(t, newVulnStream(t, e, oneByOne).Poll(t.Context(), e.sinks), "the restart resumes the pull")
	require.Positive(t, e.sinks.records(), "the second changed host comes with the resumed pull")
	assertDetectionsGauge(t, e, "both fixes counted")
}

// Gauge counts in the checkpoint record that cannot be read are not trusted: the first poll after
// the restart is full again, to count every detection. With the gauge off the record holds no
// counts, and a restart goes on incrementally.
func TestVulnerabilitiesDamagedCountsMeanFullPull(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{})
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	st := stateOf(t, e.store)
	require.NotNil(t, st.Gauge, "a completed pull's record holds its counts")
	st.Gauge.Counts = st.Gauge.Counts[:len(st.Gauge.Counts)/2]
	require.NoError(t, e.store.Save(t.Context(), vulnerabilities.Name, &st))

	e.advance(time.Hour)
	e.server.ResetRequests()
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	assert.False(t, incrementalHLD(t, e), "damaged counts: a full pull to count again")
	assert.NotEmpty(t, e.logs.FilterMessage("Gauge counts in the checkpoint not readable; the next full pull counts every detection again").All())

	e.advance(time.Hour)
	e.server.ResetRequests()
	off := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.CountsEnabled = false })
	require.NoError(t, off.Poll(t.Context(), e.sinks))
	assert.True(t, incrementalHLD(t, e), "without the gauge a restart goes on incrementally")
	assert.Nil(t, stateOf(t, e.store).Gauge, "no counts saved with the gauge off")
}

// incrementalHLD says whether the pull since the last reset asked only for hosts processed since
// a time, in its host id list and in every Host List Detection call; it fails the test when those
// calls disagree.
func incrementalHLD(t *testing.T, e *simEnv) bool {
	t.Helper()
	calls := append(requestsTo(e, simulator.EndpointHostList), requestsTo(e, simulator.EndpointHLD)...)
	require.NotEmpty(t, calls)
	incremental := 0
	for _, r := range calls {
		if strings.Contains(r.Body+"&"+r.RawQuery, "vm_processed_after=") {
			incremental++
		}
	}
	require.True(t, incremental == 0 || incremental == len(calls), "%d of %d calls incremental", incremental, len(calls))
	return incremental > 0
}

// The postures gauge survives a restart like the detections gauge: the first poll after it asks
// only for changed statuses, and the gauge it emits covers every posture, the change included.
func TestComplianceCountsSurviveRestart(t *testing.T) {
	e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 30, Policies: 2, ControlsPerPolicy: 5}, simulator.Options{})
	require.NoError(t, newComplianceStream(t, e, nil).Poll(t.Context(), e.sinks))

	p := e.tenant.Policies()[0]
	h := e.tenant.Host(3)
	require.True(t, e.tenant.InPolicy(0, 3))
	var target simulator.Posture
	for j := range p.Controls {
		if ps := e.tenant.Posture(0, &h, j); ps.Status == simulator.PostureStatusPassed {
			target = ps
			break
		}
	}
	require.NotZero(t, target.ID, "host 3 passes a control of policy %d", p.ID)
	require.NoError(t, e.tenant.SetPostureStatus(p.ID, h.ID, target.ControlID, simulator.PostureStatusFailed, e.advance(time.Hour)))
	e.advance(time.Hour)

	e.sinks.reset()
	e.server.ResetRequests()
	require.NoError(t, newComplianceStream(t, e, nil).Poll(t.Context(), e.sinks), "a restart")
	calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
	require.NotEmpty(t, calls)
	for _, r := range calls {
		assert.Contains(t, r.RawQuery, "statusChangedSince=", "after the restart the pull goes on incrementally")
	}
	assert.Equal(t, 1, e.sinks.records(), "only the changed posture comes again")
	want := e.tenant.Counts(simulator.Query{})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range want.PosturesByStatus {
		assert.Equal(t, int64(n), got[status], "status %s, change included", status)
	}
}

// A checkpoint written under other filters is not resumed: a changed status filter (vulnerabilities)
// or policy list (compliance) starts a full pull, so what the new filters take in arrives now, not
// at the next full sync. Unchanged filters go on incrementally.
func TestFiltersChangedMeanFullPull(t *testing.T) {
	t.Run("vulnerabilities", func(t *testing.T) {
		e := newSimEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{})
		activeOnly := func(c *vulnerabilities.Settings) { c.Query.Status = []string{"Active"} }
		require.NoError(t, newVulnStream(t, e, activeOnly).Poll(t.Context(), e.sinks))

		e.advance(time.Hour)
		e.server.ResetRequests()
		require.NoError(t, newVulnStream(t, e, activeOnly).Poll(t.Context(), e.sinks))
		assert.True(t, incrementalHLD(t, e), "same filters: incremental")
		assert.Empty(t, e.logs.FilterMessage("The stream's filters changed since the checkpoint was written; starting with a full pull").All())

		e.advance(time.Hour)
		e.server.ResetRequests()
		e.sinks.reset()
		require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
		assert.False(t, incrementalHLD(t, e), "status filter widened: full")
		assert.Len(t, e.logs.FilterMessage("The stream's filters changed since the checkpoint was written; starting with a full pull").All(), 1)
		assert.Equal(t, e.tenant.Counts(simulator.Query{Statuses: allStatuses}).Detections, e.sinks.records(), "every detection the new filter takes in")
	})
	t.Run("compliance", func(t *testing.T) {
		e := newComplianceEnv(t, simulator.TenantConfig{Hosts: 20, Policies: 3, ControlsPerPolicy: 3}, simulator.Options{})
		first := e.tenant.Policies()[0].ID
		onePolicy := func(c *compliance.Settings) { c.PolicyIDs = []int64{int64(first)} }
		require.NoError(t, newComplianceStream(t, e, onePolicy).Poll(t.Context(), e.sinks))

		e.advance(time.Hour)
		e.server.ResetRequests()
		require.NoError(t, newComplianceStream(t, e, onePolicy).Poll(t.Context(), e.sinks))
		for _, r := range requestsTo(e, simulator.EndpointPCRSPostureInfo) {
			assert.Contains(t, r.RawQuery, "statusChangedSince=", "same filters: incremental")
		}

		e.advance(time.Hour)
		e.server.ResetRequests()
		e.sinks.reset()
		require.NoError(t, newComplianceStream(t, e, nil).Poll(t.Context(), e.sinks))
		calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
		require.NotEmpty(t, calls)
		for _, r := range calls {
			assert.NotContains(t, r.RawQuery, "statusChangedSince=", "every policy now: full")
		}
		assert.Len(t, e.logs.FilterMessage("The stream's filters changed since the checkpoint was written; starting with a full pull").All(), 1)
		assertEachPostureOnce(t, e, simulator.Query{})
	})
}

// The counts of a full pull in progress survive a stop: after the restart the resumed full pull
// goes on counting, and when it completes the gauge drops a host that is no longer in the tenant
// (here one planted in the saved counts), as a full pull in one process does.
func TestVulnerabilitiesResumedFullPullDropsVanishedHosts(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 4}, simulator.Options{})
	oneByOne := func(c *vulnerabilities.Settings) { c.PageSize = 1; c.Workers = 1; c.BatchRecords = 1000 }
	require.NoError(t, newVulnStream(t, e, oneByOne).Poll(t.Context(), e.sinks))

	plantHost(t, e.store) // a host the tenant does not have, in the saved counts

	// The weekly full pull is due; it stops after its first batch.
	e.advance(8 * 24 * time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stopping := &stopAfterFirstBatch{testSinks: &testSinks{}, cancel: cancel}
	require.Error(t, newVulnStream(t, e, oneByOne).Poll(ctx, stopping), "stopped part way")
	require.True(t, stateOf(t, e.store).Current.Full, "a full pull was in progress")

	e.sinks.reset()
	require.NoError(t, newVulnStream(t, e, oneByOne).Poll(t.Context(), e.sinks), "the restart resumes the full pull")
	assert.Len(t, e.logs.FilterMessage("Gauge counts restored from the checkpoint").FilterField(zap.Bool("counting_full_pull", true)).All(), 1)
	assertDetectionsGauge(t, e, "the planted host dropped")
}

func stateOf(t *testing.T, store *checkpoint.Store) streamState {
	t.Helper()
	var st streamState
	found, err := pull.ReadRecord(t.Context(), store, vulnerabilities.Name, &st)
	require.NoError(t, err)
	require.True(t, found)
	return st
}

// plantHost adds to the detections counts saved in store a host with 7 Active detections that the
// tenant does not have.
func plantHost(t *testing.T, store *checkpoint.Store) {
	t.Helper()
	st := stateOf(t, store)
	require.NotNil(t, st.Gauge)
	planted := pull.NewHostCounts(nil)
	require.NoError(t, planted.Unmarshal(st.Gauge.Counts))
	// Severity 3, status Active (the second), type Confirmed (the first): see internal/vulnerabilities.
	active := uint32(3) | uint32(2)<<8 | uint32(1)<<16
	planted.Set(999_999_999, map[uint32]int{active: 7})
	st.Gauge.Counts = planted.Marshal()
	require.NoError(t, store.Save(t.Context(), vulnerabilities.Name, &st))
}

// assertDetectionsGauge checks the last detections gauge, by status, against the tenant.
func assertDetectionsGauge(t *testing.T, e *simEnv, msg string) {
	t.Helper()
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.vulnerability.detections", "qualys.detection.status")
	for status, n := range want.ByStatus {
		assert.Equal(t, int64(n), got[status], "status %s: %s", status, msg)
	}
}

// mapStorage is a storage extension client over a map, shared by the "processes" of a test: each
// gets its own checkpoint.Store, so nothing carries over in memory.
type mapStorage struct {
	storage.Client
	mu   sync.Mutex
	data map[string][]byte
}

func newMapStorage() *mapStorage {
	return &mapStorage{Client: storage.NewNopClient(), data: map[string][]byte{}}
}

func (m *mapStorage) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data[key], nil
}

func (m *mapStorage) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *mapStorage) Set(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = slices.Clone(value)
	return nil
}

// A full pull begun without counting it (the gauge was off in the process that began it) resumes,
// but cannot be counted whole: it completes without becoming the last full sync, and the next
// poll pulls everything again, which drops the host the tenant no longer has.
func TestKilledFullPullIsNotAFullSync(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 4}, simulator.Options{})
	disk := newMapStorage()
	process := func(mutate func(*vulnerabilities.Settings)) *vulnerabilities.Stream {
		return newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.PageSize, c.Workers, c.BatchRecords = 1, 1, 1000
			c.Store = checkpoint.New(disk)
			if mutate != nil {
				mutate(c)
			}
		})
	}
	require.NoError(t, process(nil).Poll(t.Context(), e.sinks))
	firstFull := stateOf(t, checkpoint.New(disk)).LastFullSync

	plantHost(t, checkpoint.New(disk)) // a host the tenant does not have, in the saved counts

	// The weekly full pull, begun with the gauge off, is stopped part way.
	e.advance(8 * 24 * time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	gaugeOff := func(c *vulnerabilities.Settings) { c.CountsEnabled = false }
	require.Error(t, process(gaugeOff).Poll(ctx, &stopAfterFirstBatch{testSinks: &testSinks{}, cancel: cancel}))
	require.True(t, stateOf(t, checkpoint.New(disk)).Current.Full)

	restarted := process(nil)
	require.NoError(t, restarted.Poll(t.Context(), e.sinks), "the restart resumes the full pull")
	assert.Len(t, e.logs.FilterMessage("The full pull resumed after a restart could not be counted whole; the next poll pulls everything again to rebuild the detections gauge").All(), 1)
	assert.Equal(t, firstFull, stateOf(t, checkpoint.New(disk)).LastFullSync, "not the last full sync")

	e.advance(time.Hour)
	e.server.ResetRequests()
	require.NoError(t, restarted.Poll(t.Context(), e.sinks))
	assert.False(t, incrementalHLD(t, e), "the next poll is full")
	assert.True(t, stateOf(t, checkpoint.New(disk)).LastFullSync.After(firstFull))
	assertDetectionsGauge(t, e, "the planted host dropped")
}
