// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/convert"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/pull"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
)

// update rewrites the golden files from what the receiver emits: go test ./receiver -update.
var update = flag.Bool("update", false, "rewrite golden files")

// simTime is the simulator's pinned clock, so every answer is byte-identical between runs.
var simTime = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// simEnv is a simulated tenant with a client, sinks and a checkpoint store around it.
type simEnv struct {
	tenant *simulator.Tenant
	server *simulator.Server
	client *qualys.Client
	store  *checkpoint.Store
	sinks  *testSinks
	logs   *observer.ObservedLogs
	logger *zap.Logger

	apiURL, gatewayURL string

	mu  sync.Mutex
	now time.Time
	// advanced is how far advance moved time; the client's clock runs that far ahead of the wall.
	advanced time.Duration
	// done is closed when the test ends.
	done chan struct{}
}

// clientClock is the client's time in tests: the wall clock plus every advance, so the hours a
// test skips also pass for the client's own windows (the PCRS call budget), while its waits stay
// real.
type clientClock struct{ e *simEnv }

func (c clientClock) Now() time.Time {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	return time.Now().Add(c.e.advanced)
}

func (clientClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// streamClock is a stream's time in tests: the simulated time, so cursors and full-sync intervals
// follow the simulator. A wait is real, and then moves the simulated time by as much (advance,
// when set), so retries spend their elapsed time. A running clock (since set) also moves at the
// wall clock's pace, for the tests of what a stream does as time passes (progress lines).
type streamClock struct {
	sim     func() time.Time
	advance func(time.Duration) time.Time
	since   time.Time
	// done ends the waits still pending when the test ends, so they do not keep its env alive.
	done <-chan struct{}
}

// runningClock is sim moving at the wall clock's pace from now on.
func runningClock(sim func() time.Time) streamClock { return streamClock{sim: sim, since: time.Now()} }

func (c streamClock) Now() time.Time {
	if c.since.IsZero() {
		return c.sim()
	}
	return c.sim().Add(time.Since(c.since))
}

func (c streamClock) After(d time.Duration) <-chan time.Time {
	if c.advance == nil {
		return time.After(d)
	}
	ch := make(chan time.Time, 1)
	go func() {
		select {
		case <-time.After(d):
			ch <- c.advance(d)
		case <-c.done:
		}
	}()
	return ch
}

// pinnedClock is a stream clock at simTime, for the tests that build a stream without a simEnv.
func pinnedClock() streamClock { return streamClock{sim: func() time.Time { return simTime }} }

func newSimEnv(t *testing.T, tc simulator.TenantConfig, opts simulator.Options) *simEnv {
	t.Helper()
	if tc.Seed == 0 {
		tc.Seed = 1
	}
	if tc.BaseTime.IsZero() {
		tc.BaseTime = simTime
	}
	e := &simEnv{tenant: simulator.NewTenant(tc), now: simTime, sinks: &testSinks{}, store: checkpoint.New(nil), done: make(chan struct{})}
	t.Cleanup(func() { close(e.done) })
	if opts.Clock == nil {
		opts.Clock = e.clock
	}
	e.server = simulator.New(e.tenant, opts)
	apiURL, gatewayURL := e.server.Start()
	e.apiURL, e.gatewayURL = apiURL, gatewayURL
	t.Cleanup(e.server.Close)
	core, logs := observer.New(zap.DebugLevel)
	e.logs = logs
	e.logger = zap.New(core)
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = 10 * time.Millisecond
	retry.MaxInterval = 50 * time.Millisecond
	retry.MaxElapsedTime = 2 * time.Second
	retry.RandomizationFactor = 0
	user, pass := opts.Username, opts.Password
	if user == "" {
		user, pass = "qualys_user", "qualys_pass"
	}
	client, err := qualys.New(http.DefaultClient, qualys.Settings{
		APIServerURL: apiURL, GatewayURL: gatewayURL, Username: user, Password: pass,
		MaxConcurrency: 2, Retry: retry, Logger: e.logger, Clock: clientClock{e},
	})
	require.NoError(t, err)
	e.client = client
	return e
}

func (e *simEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// advance moves the simulated time (the simulator's and the stream's clocks) forward.
func (e *simEnv) advance(d time.Duration) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
	e.advanced += d
	return e.now
}

func (e *simEnv) pullSettings() pull.Settings {
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = 10 * time.Millisecond
	retry.MaxInterval = 50 * time.Millisecond
	retry.RandomizationFactor = 0
	return pull.Settings{
		Client: e.client, Store: e.store, Logger: e.logger, Retry: retry,
		Workers: 2, PageSize: 10, BatchRecords: 50, Clock: streamClock{sim: e.clock, advance: e.advance, done: e.done},
		Source: convert.Source{APIServer: "127.0.0.1", ReceiverID: testReceiverID},
	}
}

// bytesSince sums the body bytes the simulator sent from request index from on.
func (e *simEnv) bytesSince(from int) int64 {
	var n int64
	for _, r := range e.server.Requests()[from:] {
		n += r.Bytes
	}
	return n
}

func newMetricsBuilder(t *testing.T) *metadata.MetricsBuilder {
	t.Helper()
	return metadata.NewMetricsBuilder(metadata.NewDefaultMetricsBuilderConfig(), receivertest.NewNopSettings(metadata.Type))
}

// testSinks collects what streams hand on; refuse makes it refuse the next n calls.
type testSinks struct {
	mu      sync.Mutex
	logs    []plog.Logs
	metrics []pmetric.Metrics
	refuse  int
	calls   int
}

func (s *testSinks) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.refuse > 0 {
		s.refuse--
		return errRefused
	}
	c := plog.NewLogs()
	ld.CopyTo(c)
	s.logs = append(s.logs, c)
	return nil
}

func (s *testSinks) ConsumeMetrics(_ context.Context, md pmetric.Metrics) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := pmetric.NewMetrics()
	md.CopyTo(c)
	s.metrics = append(s.metrics, c)
	return nil
}

func (s *testSinks) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs, s.metrics = nil, nil
}

// allLogs merges everything received into one plog.Logs.
func (s *testSinks) allLogs() plog.Logs {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := plog.NewLogs()
	for _, ld := range s.logs {
		c := plog.NewLogs()
		ld.CopyTo(c)
		c.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	return out
}

func (s *testSinks) records() int {
	return s.allLogs().LogRecordCount()
}

func (s *testSinks) lastMetrics() pmetric.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.metrics) == 0 {
		return pmetric.NewMetrics()
	}
	return s.metrics[len(s.metrics)-1]
}

type refusedError struct{}

func (refusedError) Error() string { return "refused by the test consumer" }

var errRefused = refusedError{}

// assertGoldenLogs compares logs with testdata/<name>, ignoring the order of resources and
// records (ranges are pulled in parallel) and the observed time (the poll's wall clock).
func assertGoldenLogs(t *testing.T, name string, actual plog.Logs) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, golden.WriteLogs(t, path, actual))
	}
	expected, err := golden.ReadLogs(path)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(expected, actual,
		plogtest.IgnoreResourceLogsOrder(), plogtest.IgnoreLogRecordsOrder(), plogtest.IgnoreObservedTimestamp()))
}

// assertGoldenMetrics compares metrics with testdata/<name>, ignoring timestamps.
func assertGoldenMetrics(t *testing.T, name string, actual pmetric.Metrics) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, golden.WriteMetrics(t, path, actual))
	}
	expected, err := golden.ReadMetrics(path)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(expected, actual,
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreMetricsOrder()))
}

func formatKey(parts ...any) string {
	return fmt.Sprint(parts...)
}

// gaugeByAttrs sums a gauge's data points by the value of one attribute.
func gaugeByAttrs(md pmetric.Metrics, name, attr string) map[string]int64 {
	out := map[string]int64{}
	rms := md.ResourceMetrics()
	for i := range rms.Len() {
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				m := ms.At(k)
				if m.Name() != name {
					continue
				}
				dps := m.Gauge().DataPoints()
				for l := range dps.Len() {
					v, _ := dps.At(l).Attributes().Get(attr)
					out[v.AsString()] += dps.At(l).IntValue()
				}
			}
		}
	}
	return out
}

// testReceiverID is the receiver id the tests' streams and telemetry carry.
const testReceiverID = "qualys/test"

// streamState is the checkpoint record of a stream that pulls host id ranges.
type streamState = pull.Record[pull.Progress, pull.GaugeRecord]

// pollOnce polls once, as the scheduler does, and logs how it ended.
func (s *scheduler) pollOnce(ctx context.Context) error {
	_, err := s.poll(ctx)
	return err
}
