// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// Kill-and-restart with the contrib file_storage extension: the receiver is stopped in the middle of
// a pull, a new receiver starts on the same directory, and together they deliver every detection,
// with at most the page in flight on each parallel range repeated, and without asking Qualys again
// for what was accepted before the stop.

var (
	storageID  = component.MustNewID("file_storage")
	receiverID = component.NewID(metadata.Type)
)

// startFileStorage starts a file_storage extension on dir.
func startFileStorage(t *testing.T, dir string) extension.Extension {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(t.Context(), extension.Settings{
		ID: storageID, TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(t.Context(), componenttest.NewNopHost()))
	return ext
}

// storedState reads the vulnerabilities checkpoint the receiver left in the extension, through a
// client of the receiver's own name, closed again before the receiver opens it.
func storedState(t *testing.T, ext extension.Extension) streamState {
	t.Helper()
	client, err := ext.(storage.Extension).GetClient(t.Context(), component.KindReceiver, receiverID, "")
	require.NoError(t, err)
	defer func() { require.NoError(t, client.Close(context.Background())) }()
	var st streamState
	found, err := checkpoint.New(client).Load(t.Context(), vulnerabilities.Name, &st)
	require.NoError(t, err)
	require.True(t, found, "a checkpoint was written to file_storage")
	return st
}

// gatedSink accepts the first `accept` batches and then holds every later one until its context
// ends (a pipeline that stopped taking data), counting how many are held.
type gatedSink struct {
	mu       sync.Mutex
	accept   int
	accepted []plog.Logs
	held     atomic.Int32
}

func (g *gatedSink) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	g.mu.Lock()
	if g.accept < 0 || len(g.accepted) < g.accept {
		c := plog.NewLogs()
		ld.CopyTo(c)
		g.accepted = append(g.accepted, c)
		g.mu.Unlock()
		return nil
	}
	g.mu.Unlock()
	g.held.Add(1)
	defer g.held.Add(-1)
	<-ctx.Done()
	return ctx.Err()
}

func (g *gatedSink) logs() []plog.Logs {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]plog.Logs(nil), g.accepted...)
}

const (
	restartWorkers = 2
	restartPage    = 10
)

// startReceiver starts the real Receiver with file_storage as its storage extension and a
// vulnerabilities stream polling the simulator into sink.
func startReceiver(t *testing.T, e *simEnv, ext extension.Extension, sink consumer.Logs, polls *atomic.Int32) *Receiver {
	t.Helper()
	build := func(_ context.Context, _ component.Host, client storage.Client) (Runtime, error) {
		ps := e.pullSettings()
		ps.Store = checkpoint.New(client)
		ps.Workers = restartWorkers
		ps.PageSize = restartPage
		ps.BatchRecords = 8
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.Settings = ps
			c.CountsEnabled = false
		})
		return Runtime{Streams: []ScheduledStream{{
			Stream: countingStream{Stream: s, polls: polls}, Schedule: Schedule{Interval: time.Hour},
		}}}, nil
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = receiverID // as in the collector's configuration, the same on every start
	set.Logger = e.logger
	r := New(set, Options{StorageID: &storageID}, build)
	r.SetLogs(sink)
	host := extensionsHost{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{storageID: ext}}
	require.NoError(t, r.Start(t.Context(), host))
	return r
}

func TestKillAndRestartWithFileStorage(t *testing.T) {
	tests := []struct {
		name string
		// crash copies the storage directory while the receiver runs, as the disk would be after
		// a kill -9 at that moment, and starts the second receiver on the copy; otherwise the
		// first receiver is shut down mid-pull and the second starts on the same directory.
		crash bool
		// repeatPerRange is how many hosts of a range may come twice: after a shutdown only the
		// host a batch boundary split, after a kill the part of the page accepted since the last
		// checkpoint (written after every page).
		repeatPerRange int
	}{
		{name: "shutdown mid-pull", repeatPerRange: 1},
		{name: "killed mid-pull", crash: true, repeatPerRange: restartPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t, simulator.TenantConfig{Hosts: 200, DetectionsPerHost: 3}, simulator.Options{})
			dir := t.TempDir()

			// Run 1: accept 12 batches, then hold every batch, as a stalled pipeline would, until
			// both workers are stuck mid-page.
			ext1 := startFileStorage(t, dir)
			sink1 := &gatedSink{accept: 12}
			c1, err := consumer.NewLogs(sink1.ConsumeLogs)
			require.NoError(t, err)
			var polls1 atomic.Int32
			r1 := startReceiver(t, e, ext1, c1, &polls1)
			require.Eventually(t, func() bool { return sink1.held.Load() == restartWorkers }, 10*time.Second, time.Millisecond)

			runDir := dir
			if tt.crash {
				runDir = t.TempDir()
				copyDir(t, dir, runDir)
			}
			require.NoError(t, r1.Shutdown(context.Background()))
			require.NoError(t, ext1.Shutdown(context.Background()))
			run1 := sink1.logs()
			require.NotEmpty(t, run1)

			// What the second receiver finds on disk.
			ext2 := startFileStorage(t, runDir)
			defer func() { require.NoError(t, ext2.Shutdown(context.Background())) }()
			at := storedState(t, ext2)
			require.NotNil(t, at.Current, "the interrupted pull is checkpointed")
			require.NotEmpty(t, at.Current.Ranges)
			requireAcceptedPages(t, at.Current.Ranges)

			// Run 2: a new receiver on the same storage completes the pull.
			e.server.ResetRequests()
			e.logs.TakeAll()
			sink2 := &gatedSink{accept: -1}
			c2, err := consumer.NewLogs(sink2.ConsumeLogs)
			require.NoError(t, err)
			var polls2 atomic.Int32
			r2 := startReceiver(t, e, ext2, c2, &polls2)
			require.Eventually(t, func() bool { return polls2.Load() == 1 }, 10*time.Second, time.Millisecond)
			require.NoError(t, r2.Shutdown(context.Background()))
			assert.Equal(t, 1, e.logs.FilterMessageSnippet("Resuming the pull interrupted by the last shutdown").Len())
			assert.Equal(t, 1, e.logs.FilterMessage("Pull completed").Len())

			// Resumed, not started over, and nothing lost; what repeats is within the page each range
			// had in flight.
			assertResumedAtCheckpoint(t, e, at.Current.Ranges, "the restart")
			want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})
			repeatedByRange := assertRepeatsWithin(t, append(run1, sink2.logs()...), at.Current.Ranges, want.Detections, restartWorkers, tt.repeatPerRange)
			t.Logf("run 1 accepted %d batches; repeated hosts by range: %v", len(run1), repeatedByRange)
		})
	}
}

// requireAcceptedPages checks that an interrupted pull's checkpoint moved past accepted pages.
func requireAcceptedPages(t *testing.T, ranges []pull.IDRange) {
	t.Helper()
	moved := 0
	for _, r := range ranges {
		if r.Done || r.Next > r.Min {
			moved++
		}
	}
	require.Positive(t, moved, "the checkpoint records accepted pages")
}

// assertResumedAtCheckpoint checks that a resumed pull made no new host plan and asked for no page
// below a range's checkpoint, nor for a range that was complete before the interruption.
func assertResumedAtCheckpoint(t *testing.T, e *simEnv, ranges []pull.IDRange, interruption string) {
	t.Helper()
	assert.Empty(t, requestsTo(e, simulator.EndpointHostList), "the host plan came from the checkpoint")
	hld := requestsTo(e, simulator.EndpointHLD)
	require.NotEmpty(t, hld)
	for _, req := range hld {
		idMin := requestIDMin(t, req)
		r := rangeOf(ranges, idMin)
		require.NotNil(t, r, "id_min %d lies in a planned range", idMin)
		assert.False(t, r.Done, "range %d-%d was complete before %s, yet requested again", r.Min, r.Max, interruption)
		assert.GreaterOrEqual(t, idMin, r.Next, "a page below the checkpoint of range %d-%d was requested again", r.Min, r.Max)
	}
}

// assertRepeatsWithin checks that logs hold every detection, and that a detection came twice only
// from hosts at or past their range's checkpoint, in at most maxRanges ranges and maxHosts hosts
// each. It returns the repeated hosts by range.
func assertRepeatsWithin(t *testing.T, logs []plog.Logs, ranges []pull.IDRange, detections, maxRanges, maxHosts int) map[int64]map[int64]bool {
	t.Helper()
	seen := map[string]int{}
	repeatedByRange := map[int64]map[int64]bool{}
	for _, ld := range logs {
		eachLog(ld, func(res, rec map[string]any) {
			k := detectionKey(res, rec)
			seen[k]++
			if seen[k] == 2 {
				host := res[convert.AttrQualysHostID].(int64)
				r := rangeOf(ranges, host)
				require.NotNil(t, r)
				assert.GreaterOrEqual(t, host, r.Next, "host %d was accepted before the checkpoint, yet came again", host)
				if repeatedByRange[r.Min] == nil {
					repeatedByRange[r.Min] = map[int64]bool{}
				}
				repeatedByRange[r.Min][host] = true
			}
		})
	}
	assert.Len(t, seen, detections, "every detection arrived")
	assert.LessOrEqual(t, len(repeatedByRange), maxRanges, "repeats only in the ranges in flight")
	for lo, hosts := range repeatedByRange {
		assert.LessOrEqual(t, len(hosts), maxHosts, "range from %d: hosts repeated", lo)
	}
	return repeatedByRange
}

func rangeOf(ranges []pull.IDRange, id int64) *pull.IDRange {
	for i := range ranges {
		r := &ranges[i]
		if id >= r.Min && (r.Max == 0 || id <= r.Max) {
			return r
		}
	}
	return nil
}

// requestIDMin reads id_min from a Host List Detection call (POST form or query string).
func requestIDMin(t *testing.T, r simulator.RequestRecord) int64 {
	t.Helper()
	for _, raw := range []string{r.Body, r.RawQuery} {
		v, err := url.ParseQuery(raw)
		require.NoError(t, err)
		if s := v.Get("id_min"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no id_min in %s %s", r.RawQuery, r.Body)
	return 0
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, de := range entries {
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, de.Name()), b, 0o600))
	}
}
