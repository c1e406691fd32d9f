// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package receiver

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/seed-d80aa3af/qualysreceiver/internal/metadata"
)

// The receiver's clock (Options.Clock) is its schedulers' clock: the back-off after a failed poll
// and the rest of the interval after a completed one pass on it, not on the wall clock (where this
// test would wait an hour).
func TestOptionsClockRunsTheSchedulers(t *testing.T) {
	clock := newFakeClock()
	ranOut := make(chan struct{})
	var once sync.Once
	script := &scriptedStream{clock: clock, polls: []error{errUnreachable, nil}, pollTakes: 5 * time.Minute,
		stop: func() { once.Do(func() { close(ranOut) }) }}
	build := func(context.Context, component.Host, storage.Client) (Runtime, error) {
		return Runtime{Streams: []ScheduledStream{{Stream: script, Schedule: Schedule{Interval: time.Hour}}}}, nil
	}
	r := New(receivertest.NewNopSettings(metadata.Type), Options{Clock: clock}, build)
	require.NoError(t, r.Start(t.Context(), componenttest.NewNopHost()))
	select {
	case <-ranOut:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not run through its polls: it waits on the wall clock")
	}
	require.NoError(t, r.Shutdown(context.Background()))

	require.GreaterOrEqual(t, len(clock.waits), 2)
	assert.InDelta(t, float64(time.Minute), float64(clock.waits[0]), float64(12*time.Second), "the back-off after a failure, jittered")
	assert.Equal(t, 55*time.Minute, clock.waits[1], "the rest of the interval after a completed poll")
	assert.Equal(t, []string{"poll", "poll", "poll"}, []string{script.attempts[0].what, script.attempts[1].what, script.attempts[2].what})
}
