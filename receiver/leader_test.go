// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// testLeaderElector grants and revokes leadership on the test's command, as k8s_leader_elector does
// when leases are won and lost.
type testLeaderElector struct {
	component.StartFunc
	component.ShutdownFunc
	mu      sync.Mutex
	onStart func(context.Context)
	onStop  func()
}

func (l *testLeaderElector) SetCallBackFuncs(onStart func(context.Context), onStop func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onStart, l.onStop = onStart, onStop
}

func (l *testLeaderElector) grant() {
	l.mu.Lock()
	f := l.onStart
	l.mu.Unlock()
	f(context.Background())
}

func (l *testLeaderElector) revoke() {
	l.mu.Lock()
	f := l.onStop
	l.mu.Unlock()
	f()
}

type extensionsHost struct {
	component.Host
	extensions map[component.ID]component.Component
}

func (h extensionsHost) GetExtensions() map[component.ID]component.Component { return h.extensions }

// The receiver polls only while it leads; a new term resumes from the checkpoint the last one left.
func TestLeaderElection(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 30, DetectionsPerHost: 3}, simulator.Options{})
	store := checkpoint.New(nil) // kept across terms, as the receiver's builder keeps it
	var builds, polls atomic.Int32
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		builds.Add(1)
		ps := e.pullSettings()
		ps.Store = store
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.Settings = ps
			// With the gauge on, a new term pulls in full once to count the tenant; off, it goes on
			// from the cursor, which is what this test checks.
			c.CountsEnabled = false
		})
		return Runtime{Streams: []ScheduledStream{{
			Stream:   countingStream{Stream: s, polls: &polls},
			Schedule: Schedule{Interval: time.Hour},
		}}}, nil
	}
	leID := component.MustNewID("k8s_leader_elector")
	le := &testLeaderElector{}
	r := New(receivertest.NewNopSettings(metadata.Type), Options{LeaderElectorID: &leID}, build)
	sinks := e.sinks
	r.SetLogs(sinkLogs(sinks))
	host := extensionsHost{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{leID: le}}
	require.NoError(t, r.Start(t.Context(), host))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	time.Sleep(50 * time.Millisecond)
	assert.Zero(t, polls.Load(), "no poll before being elected")
	assert.Zero(t, builds.Load())

	le.grant()
	require.Eventually(t, func() bool { return polls.Load() == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return sinks.records() > 0 }, 5*time.Second, 5*time.Millisecond)
	first := sinks.records()

	le.revoke()
	requestsAfterRevoke := len(e.server.Requests())
	time.Sleep(50 * time.Millisecond)
	assert.Len(t, e.server.Requests(), requestsAfterRevoke, "no Qualys call after losing the lease")

	// A new term builds the streams again; they find the completed pull's cursor and ask only for
	// changes, so an unchanged tenant yields nothing new.
	e.advance(time.Hour)
	le.grant()
	require.Eventually(t, func() bool { return polls.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, int32(2), builds.Load())
	assert.Equal(t, first, sinks.records(), "the new term resumed from the checkpoint")
}

// A leader_elector that names a missing extension or one without leader election fails Start.
func TestLeaderElectorMisconfigured(t *testing.T) {
	leID := component.MustNewID("k8s_leader_elector")
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) { return Runtime{}, nil }
	r := New(receivertest.NewNopSettings(metadata.Type), Options{LeaderElectorID: &leID}, build)
	err := r.Start(t.Context(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `leader_elector: extension "k8s_leader_elector" not found`)

	r = New(receivertest.NewNopSettings(metadata.Type), Options{LeaderElectorID: &leID}, build)
	other := extensionsHost{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{leID: struct {
		component.StartFunc
		component.ShutdownFunc
	}{}}}
	err = r.Start(t.Context(), other)
	require.ErrorContains(t, err, "does not offer leader election")
}

type countingStream struct {
	Stream
	polls *atomic.Int32
}

func (c countingStream) Poll(ctx context.Context, sinks Sinks) error {
	defer c.polls.Add(1)
	return c.Stream.Poll(ctx, sinks)
}

func sinkLogs(s *testSinks) consumer.Logs {
	c, _ := consumer.NewLogs(s.ConsumeLogs)
	return c
}

// slowSink accepts every batch after a pause, as a busy pipeline would, so a pull takes long enough
// to lose the lease in its middle; a batch whose context ends during the pause is not accepted.
type slowSink struct {
	delay    time.Duration
	mu       sync.Mutex
	accepted []plog.Logs
	records  int
}

func (s *slowSink) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.delay):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := plog.NewLogs()
	ld.CopyTo(c)
	s.accepted = append(s.accepted, c)
	s.records += ld.LogRecordCount()
	return nil
}

func (s *slowSink) logs() []plog.Logs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]plog.Logs(nil), s.accepted...)
}

func (s *slowSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records
}

// Losing the lease in the middle of a pull stops the Qualys calls at once, at a checkpoint; the next
// term resumes the pull there: no page accepted before is asked for again, and every detection
// arrives, with at most the host a batch boundary split repeated on each range in flight.
func TestLeadershipLostMidPull(t *testing.T) {
	const workers, pageSize = 2, 10
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 200, DetectionsPerHost: 3}, simulator.Options{})
	store := checkpoint.New(nil) // kept across terms, as the receiver's builder keeps it
	// Calls are timed where the receiver makes them: the simulator may start handling a call the
	// receiver sent, and then cancelled, just before the lease was lost.
	sends := &sendTimes{}
	client, err := qualys.New(&http.Client{Transport: sends}, qualys.Settings{
		APIServerURL: e.apiURL, GatewayURL: e.gatewayURL, Username: "qualys_user", Password: "qualys_pass",
		MaxConcurrency: workers, Logger: e.logger,
	})
	require.NoError(t, err)
	var polls atomic.Int32
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		ps := e.pullSettings()
		ps.Client = client
		ps.Store = store
		ps.Workers = workers
		ps.PageSize = pageSize
		ps.BatchRecords = 8
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.Settings = ps
			c.CountsEnabled = false
		})
		return Runtime{Streams: []ScheduledStream{{
			Stream: countingStream{Stream: s, polls: &polls}, Schedule: Schedule{Interval: time.Hour},
		}}}, nil
	}
	leID := component.MustNewID("k8s_leader_elector")
	le := &testLeaderElector{}
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = e.logger
	r := New(set, Options{LeaderElectorID: &leID}, build)
	sink := &slowSink{delay: 5 * time.Millisecond}
	c, err := consumer.NewLogs(sink.ConsumeLogs)
	require.NoError(t, err)
	r.SetLogs(c)
	host := extensionsHost{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{leID: le}}
	require.NoError(t, r.Start(t.Context(), host))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()
	want := e.tenant.Counts(simulator.Query{Statuses: allStatuses})

	// Term 1: lose the lease once a fifth of the detections are in.
	le.grant()
	require.Eventually(t, func() bool { return sink.count() >= want.Detections/5 }, 10*time.Second, time.Millisecond)
	revoked := time.Now()
	le.revoke()
	stopped := time.Now()
	assert.Less(t, stopped.Sub(revoked), time.Second, "the pull in flight stops soon after the lease is lost")
	require.Equal(t, int32(1), polls.Load(), "the poll returned when the lease was lost")
	require.Less(t, sink.count(), want.Detections, "the lease was lost in the middle of the pull")
	time.Sleep(100 * time.Millisecond)
	for _, sent := range sends.all() {
		assert.False(t, sent.at.After(stopped), "%s called %s after the lease was lost", sent.path, sent.at.Sub(stopped))
	}
	assert.Zero(t, e.logs.FilterMessage("Pull completed").Len())
	assert.Zero(t, e.logs.FilterLevelExact(zap.ErrorLevel).Len(), "losing the lease is not an error")

	var at streamState
	found, err := store.Load(t.Context(), vulnerabilities.Name, &at)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, at.Current, "the interrupted pull is checkpointed")
	requireAcceptedPages(t, at.Current.Ranges)
	run1 := sink.logs()

	// Term 2 resumes the pull from the checkpoint and completes it.
	e.server.ResetRequests()
	e.logs.TakeAll()
	le.grant()
	require.Eventually(t, func() bool { return polls.Load() == 2 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("Resuming the pull interrupted").Len())
	assert.Equal(t, 1, e.logs.FilterMessage("Pull completed").Len())
	assertResumedAtCheckpoint(t, e, at.Current.Ranges, "the lease was lost")
	repeatedByRange := assertRepeatsWithin(t, sink.logs(), at.Current.Ranges, want.Detections, workers, 1)
	t.Logf("term 1 accepted %d batches; repeated hosts by range: %v", len(run1), repeatedByRange)
}

// blockingStream polls until its context ends, counting the polls in flight, so a test sees when a
// term starts and when it has stopped.
type blockingStream struct{ inFlight *atomic.Int32 }

func (blockingStream) Name() string { return "blocking" }

func (b blockingStream) Poll(ctx context.Context, _ Sinks) error {
	b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	<-ctx.Done()
	// Returning at a checkpoint takes a moment; a new term must not start meanwhile.
	time.Sleep(20 * time.Millisecond)
	return ctx.Err()
}

// The elector starts a term on its own goroutine with a context that ends when the lease is lost:
// a term whose lease is already gone does not poll, a term ends with its lease even before the stop
// callback arrives, and a new term never overlaps the one still returning to its checkpoint.
func TestLeaseContextBoundsTheTerm(t *testing.T) {
	var inFlight, builds, maxInFlight atomic.Int32
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		builds.Add(1)
		return Runtime{Streams: []ScheduledStream{{Stream: blockingStream{&inFlight}, Schedule: Schedule{Interval: time.Hour}}}}, nil
	}
	leID := component.MustNewID("k8s_leader_elector")
	le := &testLeaderElector{}
	r := New(receivertest.NewNopSettings(metadata.Type), Options{LeaderElectorID: &leID}, build)
	host := extensionsHost{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{leID: le}}
	require.NoError(t, r.Start(t.Context(), host))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	lost, cancel := context.WithCancel(context.Background())
	cancel()
	le.onStart(lost)
	assert.Zero(t, builds.Load(), "a term whose lease is gone does not start")

	lease, loseLease := context.WithCancel(context.Background())
	le.onStart(lease)
	require.Eventually(t, func() bool { return inFlight.Load() == 1 }, 5*time.Second, time.Millisecond)
	loseLease()
	require.Eventually(t, func() bool { return inFlight.Load() == 0 }, 5*time.Second, time.Millisecond,
		"the term ends with its lease")

	// Revoke and re-grant at once, many times: a new term starts only after the last one returned.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				if n := inFlight.Load(); n > maxInFlight.Load() {
					maxInFlight.Store(n)
				}
			}
		}
	}()
	for range 20 {
		le.grant()
		require.Eventually(t, func() bool { return inFlight.Load() >= 1 }, 5*time.Second, time.Millisecond)
		go le.revoke()
		time.Sleep(time.Millisecond)
	}
	le.revoke()
	close(stop)
	<-done
	assert.Equal(t, int32(1), maxInFlight.Load(), "terms never overlap")
}

// sendTimes records when each Qualys call leaves the receiver.
type sendTimes struct {
	mu    sync.Mutex
	sends []sentCall
}

type sentCall struct {
	path string
	at   time.Time
}

func (s *sendTimes) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.sends = append(s.sends, sentCall{req.URL.Path, time.Now()})
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (s *sendTimes) all() []sentCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentCall(nil), s.sends...)
}
