// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/compliance"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// The checkpoints in testdata/checkpoints were written by earlier receivers, every storage key with
// its value as a file_storage would hold them: those named *-record-* by the receiver that kept one
// JSON checkpoint record per stream, its gauge counts in base64 inside it; the others by the
// receiver before that (a cursor key, and the gauge counts under a second key tagged with a hash of
// the position). An upgrade reads them and goes on where the old receiver stopped, without a full
// pull.
//
// -write-checkpoints writes them again from the code under test. Only the code that wrote them
// first can do so meaningfully: written by a later layout, they would no longer test an upgrade.
var writeCheckpoints = flag.Bool("write-checkpoints", false, "rewrite testdata/checkpoints from the code under test")

var (
	upgradeVulnTenant       = simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}
	upgradeComplianceTenant = simulator.TenantConfig{Hosts: 20, Policies: 2, ControlsPerPolicy: 4}
)

// oneHostPages pulls one host a page on one worker, so where a stopped pull stops is the same on
// every run.
func oneHostPages(c *vulnerabilities.Settings) { c.PageSize = 1; c.Workers = 1; c.BatchRecords = 1000 }

// stopAfter accepts the first n batches, then stops the poll as a shutdown would.
type stopAfter struct {
	*testSinks
	n      int
	cancel context.CancelFunc
}

func (s *stopAfter) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	s.mu.Lock()
	accept := len(s.logs) < s.n
	s.mu.Unlock()
	if accept {
		return s.testSinks.ConsumeLogs(ctx, ld)
	}
	s.cancel()
	return ctx.Err()
}

// checkpointFile is the storage of one old receiver: written by write, read by read.
func checkpointFile(t *testing.T, name string, write func(disk *mapStorage)) *mapStorage {
	t.Helper()
	path := filepath.Join("testdata", "checkpoints", name+".json")
	disk := newMapStorage()
	if *writeCheckpoints {
		write(disk)
		saved := map[string]json.RawMessage{}
		keys := make([]string, 0, len(disk.data))
		for k := range disk.data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			saved[k] = disk.data[k]
		}
		raw, err := json.MarshalIndent(saved, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(raw, '\n'), 0o644))
	}
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var saved map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &saved))
	disk = newMapStorage()
	for k, v := range saved {
		compact, err := json.Marshal(v)
		require.NoError(t, err)
		disk.data[k] = compact
	}
	return disk
}

// After a completed full pull of the old receiver, the upgraded one goes on incrementally, and
// its gauge counts what the old one counted plus the changes.
func TestUpgradeCompletedVulnerabilities(t *testing.T) {
	disk := checkpointFile(t, "vulnerabilities-completed", func(disk *mapStorage) {
		e := newSimEnv(t, upgradeVulnTenant, simulator.Options{})
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Store = checkpoint.New(disk) })
		require.NoError(t, s.Poll(t.Context(), e.sinks))
	})
	e := newSimEnv(t, upgradeVulnTenant, simulator.Options{})
	e.advance(time.Hour)
	s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { c.Store = checkpoint.New(disk) })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.True(t, incrementalHLD(t, e), "the upgrade goes on incrementally")
	assert.Zero(t, e.sinks.records(), "nothing changed since the old receiver's pull")
	assertDetectionsGauge(t, e, "the old receiver's counts")
	assertOneRecord(t, disk, vulnerabilities.Name)
}

// assertOneRecord checks that the upgrade left one checkpoint record for stream, holding its gauge
// counts, and no second key.
func assertOneRecord(t *testing.T, disk *mapStorage, stream string) {
	t.Helper()
	disk.mu.Lock()
	keys := slices.Sorted(maps.Keys(disk.data))
	disk.mu.Unlock()
	assert.NotContains(t, keys, "qualys/checkpoint/"+stream+".counts", "the former counts key is gone")
	var st streamState
	found, err := checkpoint.New(disk).Load(t.Context(), stream, &st)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, st.Gauge, "the record holds the counts")
	assert.True(t, st.Gauge.Baseline)
}

// A full pull the old receiver stopped part way is resumed where it stopped and counted whole.
func TestUpgradeStoppedVulnerabilities(t *testing.T) {
	for _, fixture := range []string{"vulnerabilities-stopped", "vulnerabilities-record-stopped"} {
		t.Run(fixture, func(t *testing.T) {
			disk := checkpointFile(t, fixture, func(disk *mapStorage) {
				e := newSimEnv(t, upgradeVulnTenant, simulator.Options{})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { oneHostPages(c); c.Store = checkpoint.New(disk) })
				require.Error(t, s.Poll(ctx, &stopAfter{testSinks: &testSinks{}, n: 5, cancel: cancel}))
			})
			e := newSimEnv(t, upgradeVulnTenant, simulator.Options{})
			s := newVulnStream(t, e, func(c *vulnerabilities.Settings) { oneHostPages(c); c.Store = checkpoint.New(disk) })
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			assert.NotEmpty(t, e.logs.FilterMessage("Resuming the pull interrupted by the last shutdown").All())
			want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
			assert.Positive(t, e.sinks.records())
			assert.Less(t, e.sinks.records(), want.Detections, "what the old receiver had handed on is not pulled again")
			assert.Empty(t, e.logs.FilterMessageSnippet("could not be counted whole").All(), "the old counts go on counting")
			assertDetectionsGauge(t, e, "the resumed full pull, counted whole")
			assertOneRecord(t, disk, vulnerabilities.Name)

			e.advance(time.Hour)
			e.server.ResetRequests()
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			assert.True(t, incrementalHLD(t, e), "the resumed full pull counts as the last full sync")
		})
	}
}

// After a completed full pull of the old receiver, the upgraded compliance stream asks only for
// postures changed since, and its gauge counts what the old one counted.
func TestUpgradeCompletedCompliance(t *testing.T) {
	for _, fixture := range []string{"compliance-completed", "compliance-record-completed"} {
		t.Run(fixture, func(t *testing.T) {
			disk := checkpointFile(t, fixture, func(disk *mapStorage) {
				e := newComplianceEnv(t, upgradeComplianceTenant, simulator.Options{})
				s := newComplianceStream(t, e, func(c *compliance.Settings) { c.Store = checkpoint.New(disk) })
				require.NoError(t, s.Poll(t.Context(), e.sinks))
			})
			e := newComplianceEnv(t, upgradeComplianceTenant, simulator.Options{})
			e.advance(time.Hour)
			s := newComplianceStream(t, e, func(c *compliance.Settings) { c.Store = checkpoint.New(disk) })
			require.NoError(t, s.Poll(t.Context(), e.sinks))
			calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
			require.NotEmpty(t, calls)
			for _, r := range calls {
				assert.Contains(t, r.RawQuery, "statusChangedSince=", "the upgrade goes on incrementally")
			}
			want := e.tenant.Counts(simulator.Query{})
			got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
			for status, n := range want.PosturesByStatus {
				assert.Equal(t, int64(n), got[status], "status %s", status)
			}
			assertOneRecord(t, disk, compliance.Name)
		})
	}
}

// upgradeCompliancePages pulls three hosts a postureInfo call, so where a stopped pull stops is the
// same on every run.
func upgradeCompliancePages(c *compliance.Settings) { c.PageSize = 3; c.BatchRecords = 1000 }

// formerCompliancePosition is where a compliance pull stood in the checkpoint of the receiver that
// pulled postures in its own loop: every policy before Policies[Next], and the hosts of
// Policies[Next] below NextHost.
type formerCompliancePosition struct {
	Policies []int64 `json:"policies"`
	Next     int     `json:"next"`
	NextHost int64   `json:"next_host"`
}

// A full compliance pull that the receiver with its own posture loop stopped in the middle of a
// policy is resumed at that policy and host, asks for nothing before it, and is counted whole.
func TestUpgradeStoppedCompliance(t *testing.T) {
	disk := checkpointFile(t, "compliance-stopped", func(disk *mapStorage) {
		e := newComplianceEnv(t, upgradeComplianceTenant, simulator.Options{})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		s := newComplianceStream(t, e, func(c *compliance.Settings) { upgradeCompliancePages(c); c.Store = checkpoint.New(disk) })
		require.Error(t, s.Poll(ctx, &stopAfter{testSinks: &testSinks{}, n: 9, cancel: cancel}))
	})
	var saved struct {
		State struct {
			Current formerCompliancePosition `json:"current"`
		} `json:"state"`
	}
	disk.mu.Lock()
	require.NoError(t, json.Unmarshal(disk.data["qualys/checkpoint/"+compliance.Name], &saved))
	disk.mu.Unlock()
	at := saved.State.Current
	require.Len(t, at.Policies, 2)
	require.Equal(t, 1, at.Next, "the old receiver stopped in the second policy")
	require.Positive(t, at.NextHost, "the old receiver stopped in the middle of the policy")

	e := newComplianceEnv(t, upgradeComplianceTenant, simulator.Options{})
	s := newComplianceStream(t, e, func(c *compliance.Settings) { upgradeCompliancePages(c); c.Store = checkpoint.New(disk) })
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	assert.NotEmpty(t, e.logs.FilterMessage("Resuming the pull interrupted by the last shutdown").All())
	calls := requestsTo(e, simulator.EndpointPCRSPostureInfo)
	require.NotEmpty(t, calls)
	var asked []string // the hosts of the second policy asked for, in order
	for _, r := range calls {
		var body []qualys.PostureBatch
		require.NoError(t, json.Unmarshal([]byte(r.Body), &body))
		for _, b := range body {
			require.Equal(t, formatKey(at.Policies[1]), b.PolicyID, "only the policy where the old receiver stopped is left")
			asked = append(asked, b.HostIDs...)
		}
	}
	var left []string // its hosts the old receiver had not handed on
	for i := range e.tenant.HostCount() {
		if id := e.tenant.HostID(i); e.tenant.InPolicy(1, i) && int64(id) >= at.NextHost {
			left = append(left, formatKey(id))
		}
	}
	assert.Equal(t, left, asked, "resumed at the first host not accepted")
	assert.Empty(t, e.logs.FilterMessageSnippet("could not be counted whole").All(), "the old counts go on counting")
	want := e.tenant.Counts(simulator.Query{})
	got := gaugeByAttrs(e.sinks.lastMetrics(), "qualys.compliance.postures", "qualys.posture.status")
	for status, n := range want.PosturesByStatus {
		assert.Equal(t, int64(n), got[status], "status %s: the resumed full pull, counted whole", status)
	}
	assertOneRecord(t, disk, compliance.Name)

	e.advance(time.Hour)
	e.server.ResetRequests()
	require.NoError(t, s.Poll(t.Context(), e.sinks))
	for _, r := range requestsTo(e, simulator.EndpointPCRSPostureInfo) {
		assert.Contains(t, r.RawQuery, "statusChangedSince=", "the resumed full pull counts as the last full sync")
	}
}
