// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
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
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"
	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
	"github.com/seed-d80aa3af/qualysreceiver/internal/simulator"
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
		s := newVulnStream(t, e, func(c *VulnerabilitiesSettings) {
			c.PullSettings = ps
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
