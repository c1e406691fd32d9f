// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"errors"
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
	"go.uber.org/zap/zaptest/observer"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
	"github.com/seed-d80aa3af/qualysreceiver/internal/vulnerabilities"
)

// stuckSink accepts its first batches into sinks, then never answers again, whatever its context
// says, as an exporter wedged on a dead backend would.
type stuckSink struct {
	sinks  *testSinks
	accept int
	calls  atomic.Int32
	// stuck is closed when the first batch it will never answer arrives.
	stuck, release chan struct{}
	once           sync.Once
}

func (s *stuckSink) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if int(s.calls.Add(1)) <= s.accept {
		return s.sinks.ConsumeLogs(ctx, ld)
	}
	s.once.Do(func() { close(s.stuck) })
	<-s.release
	return errors.New("released when the test ended")
}

// awaitShutdown calls Shutdown with a deadline of deadline and returns its answer; the test fails if
// Shutdown has not returned well after that deadline.
func awaitShutdown(t *testing.T, r *Receiver, deadline time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	answer := make(chan error, 1)
	go func() { answer <- r.Shutdown(ctx) }()
	select {
	case err := <-answer:
		return err
	case <-time.After(deadline + 10*time.Second):
		t.Fatal("Shutdown did not return within its deadline")
		return nil
	}
}

// A consumer that never answers does not hold Shutdown: the batch it holds counts as not accepted,
// the poll saves the position after the last accepted host and returns, and the next start
// resumes there, repeating at most the host a batch boundary split.
func TestShutdownWhileConsumerNeverAnswers(t *testing.T) {
	e := newSimEnv(t, simulator.TenantConfig{Hosts: 60, DetectionsPerHost: 3}, simulator.Options{})
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		s := newVulnStream(t, e, func(c *vulnerabilities.Settings) {
			c.Workers = 1
			c.PageSize = 10
			c.BatchRecords = 8 // 30 records a page: four batches, the last of a page smaller
			c.CountsEnabled = false
		})
		return Runtime{Streams: []ScheduledStream{{Stream: s, Schedule: Schedule{Interval: time.Hour}}}}, nil
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = e.logger
	sink := &stuckSink{sinks: e.sinks, accept: 6, stuck: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(sink.release) })
	r := New(set, Options{}, build)
	next, err := consumer.NewLogs(sink.ConsumeLogs)
	require.NoError(t, err)
	r.SetLogs(next)
	require.NoError(t, r.Start(t.Context(), componenttest.NewNopHost()))
	select {
	case <-sink.stuck:
	case <-time.After(10 * time.Second):
		t.Fatal("the pull never reached its seventh batch")
	}

	require.NoError(t, awaitShutdown(t, r, 10*time.Second), "the poll stopped before the deadline")
	assert.Equal(t, 1, e.logs.FilterMessage("Poll stopped by shutdown; it resumes from its checkpoint on the next start").Len())
	assert.Zero(t, e.logs.FilterMessage("The next consumer refused records; retrying the same records").Len(),
		"a batch the consumer had not answered at shutdown is no refusal")
	var st streamState
	found, err := e.store.Load(t.Context(), vulnerabilities.Name, &st)
	require.NoError(t, err)
	require.True(t, found)
	require.NotNil(t, st.Current)
	assert.Greater(t, st.Current.Ranges[0].HostsDone, int64(10), "the first page, and the second's hosts accepted whole")

	// The next start resumes after the last host accepted whole: of the second page's hosts
	// accepted before the consumer stopped answering, only the one a batch boundary split comes
	// again.
	r2 := New(set, Options{}, build)
	r2.SetLogs(sinkLogs(e.sinks))
	require.NoError(t, r2.Start(t.Context(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return e.logs.FilterMessage("Pull completed").Len() == 1 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, awaitShutdown(t, r2, 10*time.Second))
	repeated := assertNoDetectionLost(t, e, 1)
	t.Logf("hosts repeated: %d", repeated)
}

// stuckStream is a poll that ignores its context (a storage write that never returns, say).
type stuckStream struct {
	started chan struct{}
	release chan struct{}
}

func (stuckStream) Name() string { return "stuck" }

func (s stuckStream) Poll(context.Context, Sinks) error {
	close(s.started)
	<-s.release
	return nil
}

// Shutdown returns at its deadline even when a poll does not, saying so; so does a Shutdown that
// arrives while a lost lease's stop still waits for that poll.
func TestShutdownHonoursItsDeadline(t *testing.T) {
	for _, leader := range []bool{false, true} {
		t.Run(map[bool]string{false: "polling", true: "lease lost"}[leader], func(t *testing.T) {
			stream := stuckStream{started: make(chan struct{}), release: make(chan struct{})}
			t.Cleanup(func() { close(stream.release) })
			// What the streams hold cannot close either while the poll holds it.
			closeRuntime := func(context.Context) error { <-stream.release; return nil }
			build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
				return Runtime{Streams: []ScheduledStream{{Stream: stream, Schedule: Schedule{Interval: time.Hour}}}, Close: closeRuntime}, nil
			}
			core, logs := observer.New(zap.DebugLevel)
			set := receivertest.NewNopSettings(metadata.Type)
			set.Logger = zap.New(core)
			opts := Options{}
			host := component.Host(componenttest.NewNopHost())
			le := &testLeaderElector{}
			if leader {
				leID := component.MustNewID("k8s_leader_elector")
				opts.LeaderElectorID = &leID
				host = extensionsHost{Host: host, extensions: map[component.ID]component.Component{leID: le}}
			}
			r := New(set, opts, build)
			require.NoError(t, r.Start(t.Context(), host))
			if leader {
				le.grant()
			}
			<-stream.started
			if leader {
				go le.revoke() // waits for the poll, which never returns
			}

			err := awaitShutdown(t, r, 50*time.Millisecond)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "did not stop before the")
			if !leader {
				assert.Equal(t, 1, logs.FilterMessage("A poll did not stop before the shutdown deadline; the next start resumes from its last saved checkpoint").Len())
			}
		})
	}
}
