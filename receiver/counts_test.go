// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"errors"
	"math/rand/v2"
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
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// hostCountsSnapshot is what a hostCounts holds, for comparisons.
func hostCountsSnapshot(c *hostCounts) (map[int64]map[uint32]uint32, map[uint32]int64) {
	hosts := map[int64]map[uint32]uint32{}
	for id, kinds := range c.hosts {
		hosts[id] = map[uint32]uint32{}
		for _, kc := range kinds {
			hosts[id][kc.kind] = kc.n
		}
	}
	totals := map[uint32]int64{}
	c.each(func(kind uint32, total int64) { totals[kind] = total })
	return hosts, totals
}

func randomHostCounts(rng *rand.Rand, hosts int) *hostCounts {
	c := newHostCounts()
	for range hosts {
		kinds := map[uint32]int{}
		for range rng.IntN(6) {
			kinds[rng.Uint32N(1<<20)] += 1 + rng.IntN(300)
		}
		c.setHost(rng.Int64N(1<<40)-1<<39, kinds) // negative ids too: the encoding must not care
	}
	return c
}

// The counts checkpoint restores exactly what was saved: every host's kinds and the totals.
func TestHostCountsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hosts := range []int{0, 1, 2, 1000} {
		saved := randomHostCounts(rng, hosts)
		restored := newHostCounts()
		require.NoError(t, restored.restore(saved.marshal()))
		wantHosts, wantTotals := hostCountsSnapshot(saved)
		gotHosts, gotTotals := hostCountsSnapshot(restored)
		assert.Equal(t, wantHosts, gotHosts, "%d hosts", hosts)
		assert.Equal(t, wantTotals, gotTotals, "%d hosts", hosts)
	}
}

// refusesDamage checks that restoring into target fails and leaves what snapshot sees unchanged,
// for good cut at every byte, with a byte after its end and of another format, and returns the
// check for more cases.
func refusesDamage(t *testing.T, target savedCounts, snapshot func() (any, any), good []byte) func(what string, data []byte) {
	t.Helper()
	wantCounts, wantTotals := snapshot()
	check := func(what string, data []byte) {
		t.Helper()
		assert.Error(t, target.restore(data), what)
		gotCounts, gotTotals := snapshot()
		require.Equal(t, wantCounts, gotCounts, "%s: counts unchanged", what)
		require.Equal(t, wantTotals, gotTotals, "%s: totals unchanged", what)
	}
	for n := range len(good) {
		check("cut", good[:n])
	}
	check("trailing bytes", append(slices.Clone(good), 0))
	check("another format", append([]byte{countsFormat + 1}, good[1:]...))
	return check
}

// A damaged counts checkpoint is refused with an error and leaves the counts as they were: cut at
// any byte, with bytes after the end, of another format, or listing a host twice.
func TestHostCountsRestoreRefusesDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	good := randomHostCounts(rng, 50).marshal()
	target := randomHostCounts(rng, 3)
	check := refusesDamage(t, target, func() (any, any) { return hostCountsSnapshot(target) }, good)
	// format 1, two hosts: id 7 with no kinds, then the same id again (delta 0).
	check("a host twice", []byte{countsFormat, 2, 14, 0, 0, 0})
	check("more hosts than bytes", []byte{countsFormat, 0xff, 0xff, 0x03})

	// The detections stream's counts accept only kinds detectionKind makes: a damaged kind would
	// index past the status or type enums when the gauge is emitted.
	detections := newHostCounts()
	detections.validKind = validDetectionKind
	good2 := newHostCounts()
	good2.setHost(1, map[uint32]int{uint32(4) | uint32(statusIndex("Fixed"))<<8 | uint32(typeIndex("Info"))<<16: 2})
	require.NoError(t, detections.restore(good2.marshal()))
	for _, kind := range []uint32{9 << 8, 4 << 16, 1 << 24} {
		bad := newHostCounts()
		bad.setHost(1, map[uint32]int{kind: 1})
		assert.Error(t, detections.restore(bad.marshal()), "kind %#x", kind)
	}
}

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
		s := newVulnStream(t, e, func(c *VulnerabilitiesSettings) { c.Store = checkpoint.New(client) })
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
	oneByOne := func(c *VulnerabilitiesSettings) { c.PageSize = 1; c.Workers = 1; c.BatchRecords = 1000 }
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

// Counts saved for another pull than the checkpoint's last completed one (a counts save that
// failed, then a crash) are not trusted: the first poll after the restart is full again.
func TestVulnerabilitiesStaleCountsMeanFullPull(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 40, DetectionsPerHost: 3}, simulator.Options{})
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	var cp countsCheckpoint
	found, err := e.store.Load(t.Context(), StreamVulnerabilities+".counts", &cp)
	require.NoError(t, err)
	require.True(t, found, "a completed pull saves its counts")
	cp.AsOf = cp.AsOf.Add(-time.Hour)
	require.NoError(t, e.store.Save(t.Context(), StreamVulnerabilities+".counts", &cp))

	e.advance(time.Hour)
	e.server.ResetRequests()
	require.NoError(t, newVulnStream(t, e, nil).Poll(t.Context(), e.sinks))
	assert.False(t, incrementalHLD(t, e), "stale counts: a full pull to count again")
	assert.NotEmpty(t, e.logs.FilterMessage("Gauge counts checkpoint is not of the last completed pull; the next full pull counts every detection again").All())

	// With the gauge off nothing is counted, saved or pulled in full for it.
	e.advance(time.Hour)
	e.server.ResetRequests()
	require.NoError(t, e.store.Delete(t.Context(), StreamVulnerabilities+".counts"))
	off := newVulnStream(t, e, func(c *VulnerabilitiesSettings) { c.CountsEnabled = false })
	require.NoError(t, off.Poll(t.Context(), e.sinks))
	assert.True(t, incrementalHLD(t, e), "without the gauge a restart goes on incrementally")
	found, err = e.store.Load(t.Context(), StreamVulnerabilities+".counts", &cp)
	require.NoError(t, err)
	assert.False(t, found, "no counts saved with the gauge off")
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

// FuzzHostCountsRestore: any bytes restore without a panic, or fail and leave the counts as they
// were; what restores marshals back to counts that restore the same.
func FuzzHostCountsRestore(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, hosts := range []int{0, 1, 4, 30} {
		f.Add(randomHostCounts(rng, hosts).marshal())
	}
	f.Add([]byte{countsFormat, 2, 14, 0, 0, 0})
	collecting := randomHostCounts(rng, 5)
	collecting.beginFull()
	collecting.setHost(3, map[uint32]int{7: 1})
	f.Add(collecting.marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newHostCounts()
		c.setHost(1, map[uint32]int{1: 1})
		if err := c.restore(data); err != nil {
			hosts, totals := hostCountsSnapshot(c)
			require.Equal(t, map[int64]map[uint32]uint32{1: {1: 1}}, hosts)
			require.Equal(t, map[uint32]int64{1: 1}, totals)
			return
		}
		again := newHostCounts()
		require.NoError(t, again.restore(c.marshal()))
		require.Equal(t, c.collecting(), again.collecting())
		wantHosts, wantTotals := hostCountsSnapshot(c)
		gotHosts, gotTotals := hostCountsSnapshot(again)
		require.Equal(t, wantHosts, gotHosts)
		require.Equal(t, wantTotals, gotTotals)
	})
}

func randomPostureCounts(rng *rand.Rand, postures int) *postureCounts {
	c := newPostureCounts()
	policies := []int64{1487001, 1487008, 99}
	for range postures {
		c.set(rng.Int64N(1<<40), postureKind{policy: policies[rng.IntN(len(policies))], status: uint8(1 + rng.IntN(len(postureStatuses)))})
	}
	return c
}

// postureCountsSnapshot is what a postureCounts holds, by kind rather than kind index.
func postureCountsSnapshot(c *postureCounts) (map[int64]postureKind, map[postureKind]int64) {
	postures := map[int64]postureKind{}
	for id, idx := range c.current {
		postures[id] = c.kinds[idx]
	}
	totals := map[postureKind]int64{}
	c.each(func(k postureKind, total int64) { totals[k] = total })
	return postures, totals
}

// The postures gauge's checkpoint restores every posture's kind and the totals; damage is refused
// and leaves the counts as they were.
func TestPostureCountsRoundTripAndDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 500} {
		saved := randomPostureCounts(rng, n)
		restored := newPostureCounts()
		require.NoError(t, restored.restore(saved.marshal()))
		wantPostures, wantTotals := postureCountsSnapshot(saved)
		gotPostures, gotTotals := postureCountsSnapshot(restored)
		assert.Equal(t, wantPostures, gotPostures, "%d postures", n)
		assert.Equal(t, wantTotals, gotTotals, "%d postures", n)
		// A restored posture can change kind like any other: to a new kind, or to one restored.
		for id := range gotPostures {
			restored.set(id, postureKind{policy: 5, status: 1})
			_, totals := postureCountsSnapshot(restored)
			assert.Equal(t, int64(1), totals[postureKind{policy: 5, status: 1}])
			kinds := len(restored.kinds)
			for other, k := range gotPostures {
				if other != id {
					restored.set(id, k)
					_, totals = postureCountsSnapshot(restored)
					want := wantTotals[k] + 1
					if gotPostures[id] == k {
						want-- // it had that kind before the first move
					}
					assert.Equal(t, want, totals[k], "moved to a restored kind")
					assert.Len(t, restored.kinds, kinds, "no kind added for one restored")
					break
				}
			}
			break
		}
	}

	good := randomPostureCounts(rng, 40).marshal()
	target := randomPostureCounts(rng, 3)
	check := refusesDamage(t, target, func() (any, any) { return postureCountsSnapshot(target) }, good)
	// format 1, one kind (policy 3, status 1), two postures: id 5 of kind 0, then id 5 again.
	check("a posture twice", []byte{countsFormat, 1, 6, 1, 2, 10, 0, 0, 0})
	check("a kind index out of range", []byte{countsFormat, 1, 6, 1, 1, 10, 1})
	check("a status out of range", []byte{countsFormat, 1, 6, byte(len(postureStatuses) + 1), 0})
	check("a kind twice", []byte{countsFormat, 2, 6, 1, 6, 1, 0})
}

// FuzzPostureCountsRestore: any bytes restore without a panic, or fail and leave the counts as
// they were; what restores marshals back to counts that restore the same.
func FuzzPostureCountsRestore(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 5, 30} {
		f.Add(randomPostureCounts(rng, n).marshal())
	}
	f.Add([]byte{countsFormat, 1, 6, 1, 2, 10, 0, 0, 0})
	collecting := randomPostureCounts(rng, 5)
	collecting.beginFull()
	collecting.set(3, postureKind{policy: 1, status: 2})
	f.Add(collecting.marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newPostureCounts()
		c.set(1, postureKind{policy: 2, status: 1})
		if err := c.restore(data); err != nil {
			postures, totals := postureCountsSnapshot(c)
			require.Equal(t, map[int64]postureKind{1: {policy: 2, status: 1}}, postures)
			require.Equal(t, map[postureKind]int64{{policy: 2, status: 1}: 1}, totals)
			return
		}
		again := newPostureCounts()
		require.NoError(t, again.restore(c.marshal()))
		require.Equal(t, c.collecting(), again.collecting())
		wantPostures, wantTotals := postureCountsSnapshot(c)
		gotPostures, gotTotals := postureCountsSnapshot(again)
		require.Equal(t, wantPostures, gotPostures)
		require.Equal(t, wantTotals, gotTotals)
	})
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
		activeOnly := func(c *VulnerabilitiesSettings) { c.Query.Status = []string{"Active"} }
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
		onePolicy := func(c *ComplianceSettings) { c.PolicyIDs = []int64{int64(first)} }
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

// A selection is the same for the same filters in another order or with repeats, and for changes
// that select nothing else (page size, output options); it differs when a filter changes.
func TestSelectionIsCanonical(t *testing.T) {
	two := 2
	base := qualys.DetectionQuery{Status: []string{"New", "Active"}, Severities: []int{4, 5}, QIDs: []int64{9, 3},
		Tags: qualys.TagFilter{Include: []string{"b", "a"}}, ArfKernelFilter: &two}
	same := []qualys.DetectionQuery{
		{Status: []string{"Active", "New", "New"}, Severities: []int{5, 4}, QIDs: []int64{3, 9}, Tags: qualys.TagFilter{Include: []string{"a", "b"}, IncludeSelector: "any"}, ArfKernelFilter: &two},
		func() qualys.DetectionQuery {
			q := base
			q.PageSize, q.ShowResults, q.ProcessedAfter = 7, true, time.Now()
			return q
		}(),
	}
	for i, q := range same {
		assert.Equal(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(q), "case %d", i)
	}
	differ := []func(*qualys.DetectionQuery){
		func(q *qualys.DetectionQuery) { q.Status = []string{"Active"} },
		func(q *qualys.DetectionQuery) { q.Severities = nil },
		func(q *qualys.DetectionQuery) { q.QIDs = append(q.QIDs, 1) },
		func(q *qualys.DetectionQuery) { q.Tags.Include = []string{"a"} },
		func(q *qualys.DetectionQuery) { q.Tags.IncludeSelector = "all" },
		func(q *qualys.DetectionQuery) { q.Tags.Exclude = []string{"a"} },
		func(q *qualys.DetectionQuery) { q.ArfKernelFilter = nil },
		func(q *qualys.DetectionQuery) { q.IncludeVulnType = []string{"confirmed"} },
	}
	for i, change := range differ {
		q := base
		q.Tags.Include = slices.Clone(base.Tags.Include)
		change(&q)
		assert.NotEqual(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(q), "change %d", i)
	}
	// Both vulnerability types, like none, filter nothing.
	both := base
	both.IncludeVulnType = []string{"potential", "confirmed"}
	assert.Equal(t, vulnerabilitiesSelection(base), vulnerabilitiesSelection(both))

	all := statusFilter(nil)
	assert.Equal(t, complianceSelection([]int64{2, 1, 2}, all, false), complianceSelection([]int64{1, 2}, statusFilter([]string{"Passed", "Failed", "Error"}), false))
	assert.NotEqual(t, complianceSelection([]int64{1}, all, false), complianceSelection([]int64{1, 2}, all, false))
	assert.NotEqual(t, complianceSelection(nil, all, false), complianceSelection(nil, statusFilter([]string{"Failed"}), false))
	assert.NotEqual(t, complianceSelection(nil, all, false), complianceSelection(nil, all, true))
}

// The counts of a full pull in progress survive a stop: after the restart the resumed full pull
// goes on counting, and when it completes the gauge drops a host that is no longer in the tenant
// (here one planted in the saved counts), as a full pull in one process does.
func TestVulnerabilitiesResumedFullPullDropsVanishedHosts(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 4}, simulator.Options{})
	oneByOne := func(c *VulnerabilitiesSettings) { c.PageSize = 1; c.Workers = 1; c.BatchRecords = 1000 }
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
	found, err := store.Load(t.Context(), StreamVulnerabilities, &st)
	require.NoError(t, err)
	require.True(t, found)
	return st
}

// plantHost adds to the detections counts saved in store a host with 7 Active detections that the
// tenant does not have.
func plantHost(t *testing.T, store *checkpoint.Store) {
	t.Helper()
	key := StreamVulnerabilities + ".counts"
	var cp countsCheckpoint
	found, err := store.Load(t.Context(), key, &cp)
	require.NoError(t, err)
	require.True(t, found)
	planted := newHostCounts()
	require.NoError(t, planted.restore(cp.Counts))
	active := uint32(3) | uint32(statusIndex("Active"))<<8 | uint32(typeIndex("Confirmed"))<<16
	planted.setHost(999_999_999, map[uint32]int{active: 7})
	cp.Counts = planted.marshal()
	require.NoError(t, store.Save(t.Context(), key, &cp))
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

// Which saved counts a restart uses: a completed pull's against the last completed cursor or the
// pull in progress; a stopped pull's only against the pull in progress; a full pull's counting
// goes on only for that same full pull, stopped exactly where the checkpoint's position is.
func TestGaugeCheckpointUse(t *testing.T) {
	c1, c2 := simTime, simTime.Add(time.Hour)
	cases := []struct {
		name               string
		saved              countsCheckpoint
		collecting         bool
		completed          time.Time
		current            *pullRef
		baseline, counting bool
		restored           bool
	}{
		{"completed, last completed", countsCheckpoint{AsOf: c1, Completed: true, Baseline: true}, false, c1, nil, true, false, true},
		{"completed, then the cursor write was lost", countsCheckpoint{AsOf: c2, Completed: true, Baseline: true}, false, c1, &pullRef{cursor: c2}, true, false, true},
		{"stopped, resumed", countsCheckpoint{AsOf: c2, Baseline: true}, false, c1, &pullRef{cursor: c2}, true, false, true},
		{"stopped, then completed but the final counts were lost", countsCheckpoint{AsOf: c2, Baseline: true}, false, c2, nil, false, false, false},
		{"older pull", countsCheckpoint{AsOf: c1, Completed: true, Baseline: true}, false, c2, nil, false, false, false},
		{"full pull stopped, resumed", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &pullRef{cursor: c2, full: true, position: "p"}, true, true, true},
		{"first full pull stopped, resumed", countsCheckpoint{AsOf: c2, Position: "p"}, true, time.Time{}, &pullRef{cursor: c2, full: true, position: "p"}, false, true, true},
		{"full pull stopped, resumed, killed past the counts", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &pullRef{cursor: c2, full: true, position: "q"}, true, false, true},
		{"first full pull killed past the counts", countsCheckpoint{AsOf: c2, Position: "p"}, true, time.Time{}, &pullRef{cursor: c2, full: true, position: "q"}, false, false, true},
		{"full counting, but the pull in progress is not full", countsCheckpoint{AsOf: c2, Baseline: true, Position: "p"}, true, c1, &pullRef{cursor: c2, position: "p"}, true, false, true},
		{"no tag", countsCheckpoint{Completed: true, Baseline: true}, false, time.Time{}, nil, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := checkpoint.New(nil)
			saved := newHostCounts()
			if tc.collecting {
				saved.beginFull()
			}
			saved.setHost(5, map[uint32]int{1: 2})
			tc.saved.Counts = saved.marshal()
			require.NoError(t, store.Save(t.Context(), "s.counts", &tc.saved))
			g := gaugeCheckpoint{stream: "s", what: "detection", store: store, logger: zap.NewNop()}
			counts := newHostCounts()
			baseline, counting := g.load(t.Context(), counts, tc.completed, tc.current)
			assert.Equal(t, tc.baseline, baseline, "baseline")
			assert.Equal(t, tc.counting, counting, "counting")
			assert.Equal(t, counting, counts.collecting(), "a full pull's counting is kept only to go on with it")
			_, totals := hostCountsSnapshot(counts)
			if tc.restored {
				assert.Equal(t, map[uint32]int64{1: 2}, totals)
			} else {
				assert.Empty(t, totals)
			}
		})
	}
}

// The counts of a full pull in progress round-trip with them; damaged ones are refused.
func TestCountsOfAFullPullInProgressRoundTrip(t *testing.T) {
	hosts := newHostCounts()
	hosts.setHost(1, map[uint32]int{1: 1})
	hosts.beginFull()
	hosts.setHost(9, map[uint32]int{2: 3})
	hosts.setHost(4, nil)
	again := newHostCounts()
	require.NoError(t, again.restore(hosts.marshal()))
	require.True(t, again.collecting())
	again.endFull()
	got, totals := hostCountsSnapshot(again)
	assert.Equal(t, map[int64]map[uint32]uint32{9: {2: 3}, 4: {}}, got, "host 1 was not in the full pull")
	assert.Equal(t, map[uint32]int64{2: 3}, totals)

	postures := newPostureCounts()
	postures.set(1, postureKind{policy: 3, status: 1})
	postures.beginFull()
	postures.set(8, postureKind{policy: 3, status: 2})
	restored := newPostureCounts()
	require.NoError(t, restored.restore(postures.marshal()))
	require.True(t, restored.collecting())
	restored.endFull()
	gotPostures, _ := postureCountsSnapshot(restored)
	assert.Equal(t, map[int64]postureKind{8: {policy: 3, status: 2}}, gotPostures)

	// format 1, one host (id 2, no kinds), a full pull that counted host 3, which has no counts.
	assert.Error(t, newHostCounts().restore([]byte{countsFormat, 1, 4, 0, 1, 1, 6}))
	// ... and ids that do not ascend.
	assert.Error(t, newHostCounts().restore([]byte{countsFormat, 2, 4, 0, 2, 0, 1, 2, 4, 0}))
	assert.Error(t, newHostCounts().restore([]byte{countsFormat, 0, 2}), "an unknown full-pull flag")
}

// mapStorage is a storage extension client over a map, shared by the "processes" of a test: each
// gets its own checkpoint.Store, so nothing carries over in memory. Writes of keys with the suffix
// failSuffix fail.
type mapStorage struct {
	storage.Client
	mu         sync.Mutex
	data       map[string][]byte
	failSuffix string
}

func newMapStorage() *mapStorage {
	return &mapStorage{Client: storage.NewNopClient(), data: map[string][]byte{}}
}

func (m *mapStorage) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data[key], nil
}

func (m *mapStorage) Set(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failSuffix != "" && strings.HasSuffix(key, m.failSuffix) {
		return errors.New("disk full")
	}
	m.data[key] = slices.Clone(value)
	return nil
}

// A full pull killed after its counts were last saved (here: their save fails, as a kill would
// skip it) resumes, but cannot be counted whole: it completes without becoming the last full
// sync, and the next poll pulls everything again, which drops the host the tenant no longer has.
func TestKilledFullPullIsNotAFullSync(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 4}, simulator.Options{})
	disk := newMapStorage()
	process := func(mutate func(*VulnerabilitiesSettings)) *VulnerabilitiesStream {
		return newVulnStream(t, e, func(c *VulnerabilitiesSettings) {
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

	// The weekly full pull is killed part way: its position is saved, its counts are not.
	e.advance(8 * 24 * time.Hour)
	disk.failSuffix = ".counts"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	require.Error(t, process(nil).Poll(ctx, &stopAfterFirstBatch{testSinks: &testSinks{}, cancel: cancel}))
	disk.failSuffix = ""
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
